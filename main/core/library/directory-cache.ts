// The extension directory last fetched from a PBX, kept for offline work: one file per PBX under
// <dataDir>/directory/<sha16 of origin + client ID>.json with the date it was fetched. Written on each live read
// (merged: a page read adds and refreshes its extensions), read when the PBX cannot be reached. Files that fail the
// schema are treated as absent (never trusted).
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from './atomic.js';
import type { PbxRef } from './schemas.js';
import { Mutex } from './util.js';

export interface CachedExtension {
  id: number;
  number: string;
  callerIdName: string;
  email: string;
  presence: string;
  online: boolean;
}

export interface CachedDirectory {
  pbx: PbxRef;
  /** When the directory (or its newest part) was read from the PBX, ISO. */
  fetchedAt: string;
  /** True when the whole directory was read at `fetchedAt` (not only pages of it). */
  complete: boolean;
  extensions: CachedExtension[];
}

const CachedExtensionSchema = z.object({
  id: z.number().int().default(0),
  number: z.string().min(1).max(32),
  callerIdName: z.string().max(256).default(''),
  email: z.string().max(256).default(''),
  presence: z.string().max(64).default(''),
  online: z.boolean().default(false),
});
const CacheFileSchema = z.object({
  schemaVersion: z.literal(1),
  pbx: z.object({ origin: z.string(), clientId: z.string() }),
  fetchedAt: z.string().min(10),
  complete: z.boolean().default(false),
  extensions: z.array(CachedExtensionSchema).max(100_000),
});

/** The file key of a PBX: the first 16 hex digits of sha256(origin + "\n" + client ID). */
export function directoryCacheKey(pbx: PbxRef): string {
  return createHash('sha256').update(`${pbx.origin}\n${pbx.clientId}`).digest('hex').slice(0, 16);
}

export class DirectoryCache {
  readonly dir: string;
  private readonly now: () => number;
  private readonly mutex = new Mutex();

  constructor(opts: { dataDir: string; now?: () => number }) {
    this.dir = path.join(opts.dataDir, 'directory');
    this.now = opts.now ?? Date.now;
  }

  fileOf(pbx: PbxRef): string {
    return path.join(this.dir, `${directoryCacheKey(pbx)}.json`);
  }

  /** The cached directory of this PBX, or null when none is kept (or the file is unreadable / for another PBX). */
  async read(pbx: PbxRef): Promise<CachedDirectory | null> {
    const raw = await readJsonFile(this.fileOf(pbx));
    if (!('value' in raw)) return null;
    const parsed = CacheFileSchema.safeParse(raw.value);
    if (!parsed.success) return null;
    const d = parsed.data;
    if (d.pbx.origin !== pbx.origin || d.pbx.clientId !== pbx.clientId) return null;
    return { pbx: d.pbx, fetchedAt: d.fetchedAt, complete: d.complete, extensions: d.extensions };
  }

  /**
   * Records extensions just read live. `complete: true` replaces the directory (a full read); otherwise the
   * extensions are merged into what is kept (a page or a search result).
   */
  write(pbx: PbxRef, extensions: readonly CachedExtension[], opts: { complete?: boolean } = {}): Promise<void> {
    return this.mutex.run(async () => {
      const fresh = extensions.map((e) => CachedExtensionSchema.parse(e));
      let merged: CachedExtension[];
      let complete = opts.complete === true;
      if (complete) merged = fresh;
      else {
        const old = await this.read(pbx);
        const map = new Map((old?.extensions ?? []).map((e) => [e.number, e]));
        for (const e of fresh) map.set(e.number, e);
        merged = [...map.values()];
        complete = old?.complete === true && fresh.every((e) => old.extensions.some((o) => o.number === e.number));
      }
      merged.sort((a, b) => a.number.localeCompare(b.number, 'en', { numeric: true }));
      await mkdir(this.dir, { recursive: true });
      await writeJsonAtomic(this.fileOf(pbx), {
        schemaVersion: 1,
        pbx: { origin: pbx.origin, clientId: pbx.clientId },
        fetchedAt: new Date(this.now()).toISOString(),
        complete,
        extensions: merged,
      });
    });
  }

  /** Offline search over the cached directory: number or name contains the text (case-insensitive), paged. */
  async search(pbx: PbxRef, query: string, page: number, pageSize: number): Promise<{ total: number; items: CachedExtension[]; fetchedAt: string } | null> {
    const d = await this.read(pbx);
    if (!d) return null;
    const q = query.trim().toLowerCase();
    const hits = q === '' ? d.extensions : d.extensions.filter((e) => e.number.toLowerCase().includes(q) || e.callerIdName.toLowerCase().includes(q));
    return { total: hits.length, items: hits.slice((page - 1) * pageSize, page * pageSize), fetchedAt: d.fetchedAt };
  }
}

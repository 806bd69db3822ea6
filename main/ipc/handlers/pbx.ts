// Extensions and greetings on the connected PBX. Extension search answers from the directory cache when the PBX
// cannot be reached (source 'cache' with its date); every live read refreshes that cache.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { originOf } from '../../core/pbx/url.js';
import type { ExtensionPage, ProfileSummary } from '../channels.js';
import { notConnected } from '../errors.js';
import type { PbxClientLike } from '../services.js';
import { isUnreachableError } from '../session.js';
import type { AppContext, HandlersFor } from './context.js';

export type PbxChannels = 'searchExtensions' | 'listGreetings' | 'playGreeting' | 'downloadGreeting' | 'deleteGreeting';

export function greetingMime(name: string): string {
  const ext = path.extname(name).toLowerCase();
  const map: Record<string, string> = {
    '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.oga': 'audio/ogg', '.opus': 'audio/ogg',
    '.webm': 'audio/webm', '.m4a': 'audio/mp4', '.mp4': 'audio/mp4', '.aac': 'audio/aac', '.flac': 'audio/flac',
    '.gsm': 'audio/x-gsm', '.aif': 'audio/aiff', '.aiff': 'audio/aiff',
  };
  return map[ext] ?? 'application/octet-stream';
}

export function pbxRefOf(p: Pick<ProfileSummary, 'baseUrl' | 'clientId'>): { origin: string; clientId: string } {
  return { origin: originOf(p.baseUrl), clientId: p.clientId };
}

/** Reads the whole directory of the connected PBX into the cache (after connecting; failures are ignored). */
export async function refreshDirectory<C extends PbxClientLike>(app: AppContext<C>, profile: ProfileSummary, client: C): Promise<void> {
  const items = [];
  for (let page = 1; page <= 1000; page += 1) {
    const r = await client.listExtensions({ page, pageSize: 100 });
    items.push(...r.items);
    if (r.items.length < 100 || items.length >= r.total) break;
  }
  await app.directory.write(pbxRefOf(profile), items, { complete: true });
}

export function pbxHandlers<C extends PbxClientLike>(app: AppContext<C>): HandlersFor<PbxChannels> {
  const { session } = app;

  async function fromCache(profileId: string | null, req: { query: string; page: number; pageSize: number }): Promise<ExtensionPage | null> {
    const profile = profileId ? await session.profile(profileId) : undefined;
    if (!profile) return null;
    const hit = await app.directory.search(pbxRefOf(profile), req.query, req.page, req.pageSize);
    if (!hit) return null;
    return { total: hit.total, page: req.page, pageSize: req.pageSize, items: hit.items, source: 'cache', fetchedAt: hit.fetchedAt, profileId: profile.id };
  }

  return {
    async searchExtensions(req) {
      const connected = session.connectedProfileId();
      const wanted = req.profileId ?? session.currentOrLastProfileId();
      if (connected && (!req.profileId || req.profileId === connected) && session.isOnline()) {
        const client = session.requireClient();
        const q = req.query.trim();
        try {
          const r = q === ''
            ? await client.listExtensions({ page: req.page, pageSize: req.pageSize })
            : await client.searchExtensions(q, { page: req.page, pageSize: req.pageSize });
          const profile = await session.profile(connected);
          if (profile) void app.directory.write(pbxRefOf(profile), r.items).catch(() => undefined);
          return { total: r.total, page: req.page, pageSize: req.pageSize, items: r.items, source: 'live', fetchedAt: null, profileId: connected };
        } catch (err) {
          if (!isUnreachableError(err)) throw err;
          const cached = await fromCache(connected, req);
          if (cached) return cached;
          throw err;
        }
      }
      const cached = await fromCache(wanted, req);
      if (cached) return cached;
      // Offline with no directory kept for that PBX: the picker says to type the numbers.
      throw notConnected();
    },
    async listGreetings(req) {
      return session.requireClient().listGreetings(req.ext);
    },
    async playGreeting(req) {
      const client = session.requireClient();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-play-'));
      try {
        const dest = path.join(dir, 'greeting' + path.extname(req.file).toLowerCase());
        await client.downloadGreeting(req.ext, req.file, dest);
        return { bytes: new Uint8Array(await readFile(dest)), mime: greetingMime(req.file) };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async downloadGreeting(req) {
      const client = session.requireClient();
      const dest = await app.services.dialogs.saveFile(req.file);
      if (!dest) return { saved: false, bytes: 0 };
      const r = await client.downloadGreeting(req.ext, req.file, dest);
      return { saved: true, bytes: r.bytes };
    },
    async deleteGreeting(req) {
      await session.requireClient().deleteGreeting(req.ext, req.file);
      return { deleted: true };
    },
  };
}

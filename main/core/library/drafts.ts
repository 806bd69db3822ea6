// The offline drafts library: one folder per draft (draft.json, the source as imported, the rendered file and
// analysis.json) plus a small index for fast listing. The folders are the truth; the index is a cache that is
// rebuilt from them when it is missing, corrupt or out of date, and `open()` says so.
import { promises as fs } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { copyFileAtomic, fsyncDir, hashFile, isTempName, readJsonFile, removeStaleTemps, writeJsonAtomic, type AtomicWriteHooks } from './atomic.js';
import { LibraryError } from './errors.js';
import { DraftIndexSchema, DraftSchema, extensionNumber, type Draft, type DraftIndexEntry, type DraftOrigin, type DraftProbe, type DraftSettings } from './schemas.js';
import type { RenderControl, RenderFn } from './types.js';
import { Mutex, newId, suffixForFormat } from './util.js';

export interface DraftLibraryOptions {
  /** App data folder (the CLI's --data-dir; defaultDataDir() otherwise). Drafts live in <dataDir>/library. */
  dataDir: string;
  renderer?: RenderFn;
  now?: () => number;
  /** Test seam for crash simulation. */
  hooks?: AtomicWriteHooks;
}

export interface OpenReport {
  /** True when the index was missing, corrupt or out of date and was rebuilt from the draft folders. */
  recovered: boolean;
  drafts: number;
  trashed: number;
  reason: 'index-missing' | 'index-corrupt' | 'index-out-of-date' | null;
  /** Draft folders whose draft.json could not be read; left untouched on disk for a person to inspect. */
  unreadable: string[];
}

export interface CreateDraftInput {
  sourcePath: string;
  name: string;
  settings?: Partial<DraftSettings>;
  targetExtensions?: string[];
  origin?: DraftOrigin;
  script?: string | null;
}

export const DEFAULT_SETTINGS: DraftSettings = {
  trimStartSec: null,
  trimEndSec: null,
  trimSilence: true,
  normalize: true,
  targetLufs: -20,
  format: 'wav',
};

const PARTIAL = '.partial-';

export class DraftLibrary {
  readonly root: string;
  private readonly draftsDir: string;
  private readonly trashDir: string;
  private readonly indexPath: string;
  private readonly renderer: RenderFn | undefined;
  private readonly now: () => number;
  private readonly hooks: AtomicWriteHooks | undefined;
  private readonly mutex = new Mutex();
  private index = new Map<string, DraftIndexEntry>();
  private opened = false;

  constructor(opts: DraftLibraryOptions) {
    this.root = path.join(opts.dataDir, 'library');
    this.draftsDir = path.join(this.root, 'drafts');
    this.trashDir = path.join(this.root, 'trash');
    this.indexPath = path.join(this.root, 'index.json');
    this.renderer = opts.renderer;
    this.now = opts.now ?? Date.now;
    this.hooks = opts.hooks;
  }

  /** Loads (or rebuilds) the index. Every other method calls it on first use. */
  open(): Promise<OpenReport> {
    return this.mutex.run(() => this.openLocked());
  }

  private async openLocked(): Promise<OpenReport> {
    await fs.mkdir(this.draftsDir, { recursive: true });
    await fs.mkdir(this.trashDir, { recursive: true });
    await removeStaleTemps(this.root);
    await this.removePartials(this.draftsDir);
    await this.removePartials(this.trashDir);

    const scan = await this.scanFolder(this.draftsDir);
    const trashScan = await this.scanFolder(this.trashDir);
    const raw = await readJsonFile(this.indexPath);
    let reason: OpenReport['reason'] = null;
    if ('missing' in raw) {
      if (scan.drafts.length > 0) reason = 'index-missing';
    } else if ('corrupt' in raw) {
      reason = 'index-corrupt';
    } else {
      const parsed = DraftIndexSchema.safeParse(raw.value);
      if (!parsed.success) reason = 'index-corrupt';
      else {
        const indexed = new Set(parsed.data.drafts.map((d) => d.id));
        const onDisk = new Set(scan.drafts.map((d) => d.id));
        if (indexed.size !== onDisk.size || [...onDisk].some((id) => !indexed.has(id))) reason = 'index-out-of-date';
      }
    }
    this.index = new Map(scan.drafts.map((d) => [d.id, toEntry(d)]));
    if (reason !== null || 'missing' in raw) await this.writeIndex();
    this.opened = true;
    return {
      recovered: reason !== null,
      drafts: scan.drafts.length,
      trashed: trashScan.drafts.length,
      reason,
      unreadable: [...scan.unreadable, ...trashScan.unreadable],
    };
  }

  private async ensureOpen(): Promise<void> {
    if (!this.opened) await this.openLocked();
  }

  private async removePartials(dir: string): Promise<void> {
    for (const name of await fs.readdir(dir)) {
      if (name.startsWith(PARTIAL) || isTempName(name)) await fs.rm(path.join(dir, name), { recursive: true, force: true });
    }
  }

  private async scanFolder(dir: string): Promise<{ drafts: Draft[]; unreadable: string[] }> {
    const drafts: Draft[] = [];
    const unreadable: string[] = [];
    for (const name of await fs.readdir(dir)) {
      const folder = path.join(dir, name);
      if (!(await fs.stat(folder)).isDirectory()) continue;
      await removeStaleTemps(folder);
      const raw = await readJsonFile(path.join(folder, 'draft.json'));
      const parsed = 'value' in raw ? DraftSchema.safeParse(raw.value) : null;
      if (parsed?.success && parsed.data.id === name) drafts.push(parsed.data);
      else unreadable.push(folder);
    }
    return { drafts, unreadable };
  }

  private async writeIndex(): Promise<void> {
    const drafts = [...this.index.values()].sort(newestFirst);
    await writeJsonAtomic(this.indexPath, { schemaVersion: 1, drafts }, this.hooks);
  }

  folderOf(id: string, trashed = false): string {
    return path.join(trashed ? this.trashDir : this.draftsDir, id);
  }

  sourcePath(draft: Draft): string {
    return path.join(this.folderOf(draft.id, draft.trashedAt !== null), draft.source.file);
  }

  renderedPath(draft: Draft): string | null {
    return draft.rendered ? path.join(this.folderOf(draft.id, draft.trashedAt !== null), draft.rendered.file) : null;
  }

  analysisPath(draft: Draft): string | null {
    return draft.analysisFile ? path.join(this.folderOf(draft.id, draft.trashedAt !== null), draft.analysisFile) : null;
  }

  /**
   * Live drafts, newest first. Cheap (the in-memory index), but in step with the folders: drafts another process
   * added (the CLI next to the app) or removed since are picked up by one directory listing.
   */
  list(): Promise<DraftIndexEntry[]> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      await this.syncWithFolders();
      return [...this.index.values()].sort(newestFirst);
    });
  }

  /** Adds draft folders the index does not know (made by another process) and drops entries whose folder is gone. */
  private async syncWithFolders(): Promise<void> {
    const names = (await fs.readdir(this.draftsDir)).filter((n) => !n.startsWith(PARTIAL) && !isTempName(n));
    const onDisk = new Set(names);
    let changed = false;
    for (const id of [...this.index.keys()]) {
      if (!onDisk.has(id)) {
        this.index.delete(id);
        changed = true;
      }
    }
    for (const name of names) {
      if (this.index.has(name)) continue;
      const raw = await readJsonFile(path.join(this.draftsDir, name, 'draft.json'));
      const parsed = 'value' in raw ? DraftSchema.safeParse(raw.value) : null;
      if (parsed?.success && parsed.data.id === name) {
        this.index.set(name, toEntry(parsed.data));
        changed = true;
      }
    }
    if (changed) await this.writeIndex();
  }

  /** Drafts in the trash, most recently deleted first. */
  listTrash(): Promise<Draft[]> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      const { drafts } = await this.scanFolder(this.trashDir);
      return drafts.sort((a, b) => (b.trashedAt ?? '').localeCompare(a.trashedAt ?? ''));
    });
  }

  get(id: string): Promise<Draft> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      return this.readDraft(id);
    });
  }

  private async readDraft(id: string, trashed = false): Promise<Draft> {
    if (!/^d-[a-z0-9]+-[a-f0-9]{8}$/.test(id)) throw notFound(id);
    const raw = await readJsonFile(path.join(this.folderOf(id, trashed), 'draft.json'));
    if ('missing' in raw) throw notFound(id);
    const parsed = 'value' in raw ? DraftSchema.safeParse(raw.value) : null;
    if (!parsed?.success) {
      throw new LibraryError('internal', 'LIBRARY_DRAFT_CORRUPT', `The draft "${id}" cannot be read (draft.json is damaged). Its folder was left as is: ${this.folderOf(id, trashed)}.`);
    }
    return parsed.data;
  }

  private async saveDraft(draft: Draft): Promise<void> {
    await writeJsonAtomic(path.join(this.folderOf(draft.id, draft.trashedAt !== null), 'draft.json'), draft, this.hooks);
  }

  create(input: CreateDraftInput): Promise<Draft> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      const name = checkName(input.name);
      const targets = checkTargets(input.targetExtensions ?? []);
      const settings = { ...DEFAULT_SETTINGS, ...input.settings };
      const stat = await fs.stat(input.sourcePath).catch(() => null);
      if (!stat?.isFile()) {
        throw new LibraryError('input', 'LIBRARY_SOURCE_NOT_FOUND', `The audio file ${input.sourcePath} does not exist or is not a file. Check the path and try again.`);
      }
      const id = newId('d', this.now());
      // Build the folder under a partial name and rename it into place: a crash leaves either nothing or a whole draft.
      const partial = path.join(this.draftsDir, `${PARTIAL}${id}`);
      await fs.mkdir(partial);
      try {
        const sourceFile = `source${path.extname(input.sourcePath).toLowerCase().replace(/[^.a-z0-9]/g, '') || '.bin'}`;
        const info = await copyFileAtomic(input.sourcePath, path.join(partial, sourceFile), this.hooks);
        const at = new Date(this.now()).toISOString();
        const draft: Draft = {
          schemaVersion: 1,
          id,
          name,
          createdAt: at,
          updatedAt: at,
          source: { file: sourceFile, originalName: path.basename(input.sourcePath), ...info },
          settings,
          rendered: null,
          analysisFile: null,
          targetExtensions: targets,
          trashedAt: null,
          ...(input.origin !== undefined ? { origin: input.origin } : {}),
          ...(input.script !== undefined ? { script: input.script } : {}),
        };
        DraftSchema.parse(draft);
        await writeJsonAtomic(path.join(partial, 'draft.json'), draft, this.hooks);
        await fs.rename(partial, this.folderOf(id));
        await fsyncDir(this.draftsDir);
        this.index.set(id, toEntry(draft));
        await this.writeIndex();
        return draft;
      } catch (err) {
        await fs.rm(partial, { recursive: true, force: true });
        throw err;
      }
    });
  }

  /**
   * A draft whose source arrives piece by piece (a recording): created with an empty source and `unfinished: true`
   * before the first chunk, so a crash at any later instant leaves a restorable draft. The caller appends to
   * `sourcePath(draft)` and calls `completeSource` at the end (or `purge` to throw it away).
   */
  createGrowing(input: { name: string; sourceSuffix: string; origin?: DraftOrigin; settings?: Partial<DraftSettings>; script?: string | null }): Promise<Draft> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      const name = checkName(input.name);
      const id = newId('d', this.now());
      const partial = path.join(this.draftsDir, `${PARTIAL}${id}`);
      await fs.mkdir(partial);
      try {
        const suffix = input.sourceSuffix.toLowerCase().replace(/[^.a-z0-9]/g, '') || '.bin';
        const sourceFile = `source${suffix.startsWith('.') ? suffix : `.${suffix}`}`;
        await fs.writeFile(path.join(partial, sourceFile), new Uint8Array(0));
        const at = new Date(this.now()).toISOString();
        const draft: Draft = DraftSchema.parse({
          schemaVersion: 1,
          id,
          name,
          createdAt: at,
          updatedAt: at,
          source: { file: sourceFile, originalName: `${name}${suffix}`, bytes: 0, sha256: createHash('sha256').digest('hex') },
          settings: { ...DEFAULT_SETTINGS, ...input.settings },
          rendered: null,
          analysisFile: null,
          targetExtensions: [],
          trashedAt: null,
          unfinished: true,
          probe: null,
          ...(input.origin !== undefined ? { origin: input.origin } : {}),
          ...(input.script !== undefined ? { script: input.script } : {}),
        });
        await writeJsonAtomic(path.join(partial, 'draft.json'), draft, this.hooks);
        await fs.rename(partial, this.folderOf(id));
        await fsyncDir(this.draftsDir);
        this.index.set(id, toEntry(draft));
        await this.writeIndex();
        return draft;
      } catch (err) {
        await fs.rm(partial, { recursive: true, force: true });
        throw err;
      }
    });
  }

  /** The source of a growing draft is complete: its size and sha256 are recorded and it is no longer unfinished. */
  completeSource(id: string, probe?: DraftProbe | null): Promise<Draft> {
    return this.update(id, async (d) => {
      const info = await hashFile(path.join(this.folderOf(id), d.source.file));
      return { ...d, source: { ...d.source, ...info }, unfinished: false, ...(probe !== undefined ? { probe } : {}) };
    });
  }

  /** Sets facts kept with the draft (probe, the source's analysis, the script); the source itself is unchanged. */
  annotate(id: string, patch: { probe?: DraftProbe | null; sourceAnalysis?: Record<string, unknown> | null; script?: string | null }): Promise<Draft> {
    return this.update(id, (d) => ({ ...d, ...patch }));
  }

  /** Removes a live draft for good (an aborted or discarded recording). False when it does not exist. */
  purge(id: string): Promise<boolean> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      if (!this.index.has(id)) return false;
      await fs.rm(this.folderOf(id), { recursive: true, force: true });
      await fsyncDir(this.draftsDir);
      this.index.delete(id);
      await this.writeIndex();
      return true;
    });
  }

  /** Reads one trashed draft. */
  getTrashed(id: string): Promise<Draft> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      return this.readDraft(id, true);
    });
  }

  /** Applies a change to draft.json (atomically) and to the index. */
  private update(id: string, change: (d: Draft) => Draft | Promise<Draft>): Promise<Draft> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      const current = await this.readDraft(id);
      const next = DraftSchema.parse({ ...(await change(current)), updatedAt: new Date(this.now()).toISOString() });
      await this.saveDraft(next);
      this.index.set(id, toEntry(next));
      await this.writeIndex();
      return next;
    });
  }

  rename(id: string, name: string): Promise<Draft> {
    const checked = checkName(name);
    return this.update(id, (d) => ({ ...d, name: checked }));
  }

  updateSettings(id: string, settings: Partial<DraftSettings>): Promise<Draft> {
    return this.update(id, (d) => ({ ...d, settings: { ...d.settings, ...settings } }));
  }

  setTargets(id: string, extensions: string[]): Promise<Draft> {
    const targets = checkTargets(extensions);
    return this.update(id, (d) => ({ ...d, targetExtensions: targets }));
  }

  /** Renders the draft's source with its settings through the injected renderer; replaces the previous render. */
  render(id: string, ctl?: RenderControl): Promise<Draft> {
    const renderer = this.renderer;
    if (!renderer) return Promise.reject(new LibraryError('internal', 'LIBRARY_NO_RENDERER', 'This library was opened without an audio renderer, so drafts cannot be rendered.'));
    return this.update(id, async (d) => {
      const folder = this.folderOf(id);
      // The temp name keeps the real suffix (ffmpeg picks the muxer from it) and carries the temp mark for cleanup.
      const tempOut = path.join(folder, `.vmgs-tmp-render-${process.pid}${suffixForFormat(d.settings.format === 'auto' ? 'wav' : d.settings.format)}`);
      const result = await renderer(
        {
          inputPath: path.join(folder, d.source.file),
          outputPath: tempOut,
          format: d.settings.format,
          ...(d.settings.trimStartSec !== null ? { startSec: d.settings.trimStartSec } : {}),
          ...(d.settings.trimEndSec !== null ? { endSec: d.settings.trimEndSec } : {}),
          trimSilence: d.settings.trimSilence,
          normalize: d.settings.normalize,
          targetLufs: d.settings.targetLufs,
          ...(d.settings.denoise ? { denoise: true } : {}),
          ...(d.settings.level ? { level: true } : {}),
        },
        ctl,
      ).catch(async (err: unknown) => {
        await fs.rm(tempOut, { force: true });
        throw err;
      });
      try {
        const file = `rendered${suffixForFormat(result.format)}`;
        const produced = result.outputPath;
        const info = await copyFileAtomic(produced, path.join(folder, file), this.hooks);
        await writeJsonAtomic(path.join(folder, 'analysis.json'), result.analysis ?? null, this.hooks);
        // A previous render in another format would otherwise linger next to the new one.
        for (const old of ['rendered.wav', 'rendered.mp3', 'rendered.gsm']) if (old !== file) await fs.rm(path.join(folder, old), { force: true });
        return {
          ...d,
          rendered: {
            file,
            format: result.format,
            formatReason: result.formatReason,
            ...info,
            durationSec: result.durationSec,
            renderedAt: new Date(this.now()).toISOString(),
            settingsHash: settingsHash(d.settings),
          },
          analysisFile: 'analysis.json',
        };
      } finally {
        await fs.rm(tempOut, { force: true });
        if (result.outputPath !== tempOut) await fs.rm(result.outputPath, { force: true });
      }
    });
  }

  /** Copies a draft (source, render, analysis) into a new draft with a new id. */
  duplicate(id: string, name?: string): Promise<Draft> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      const src = await this.readDraft(id);
      const newIdValue = newId('d', this.now());
      const partial = path.join(this.draftsDir, `${PARTIAL}${newIdValue}`);
      await fs.mkdir(partial);
      try {
        for (const file of [src.source.file, src.rendered?.file, src.analysisFile]) {
          if (file) await copyFileAtomic(path.join(this.folderOf(id), file), path.join(partial, file), this.hooks);
        }
        const at = new Date(this.now()).toISOString();
        const copy: Draft = DraftSchema.parse({ ...src, id: newIdValue, name: checkName(name ?? `${src.name} (copy)`), createdAt: at, updatedAt: at });
        await writeJsonAtomic(path.join(partial, 'draft.json'), copy, this.hooks);
        await fs.rename(partial, this.folderOf(newIdValue));
        await fsyncDir(this.draftsDir);
        this.index.set(newIdValue, toEntry(copy));
        await this.writeIndex();
        return copy;
      } catch (err) {
        await fs.rm(partial, { recursive: true, force: true });
        throw err;
      }
    });
  }

  /** Moves a draft to the trash (recoverable until emptyTrash). */
  delete(id: string): Promise<void> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      const draft = await this.readDraft(id);
      // Mark first, then move: a crash between the two leaves a live draft marked trashed, which open() lists
      // from the folder it is in (the folder location decides, the mark only records when).
      const marked = { ...draft, trashedAt: new Date(this.now()).toISOString() };
      await writeJsonAtomic(path.join(this.folderOf(id), 'draft.json'), marked, this.hooks);
      await fs.rename(this.folderOf(id), this.folderOf(id, true));
      await fsyncDir(this.draftsDir);
      await fsyncDir(this.trashDir);
      this.index.delete(id);
      await this.writeIndex();
    });
  }

  restore(id: string): Promise<Draft> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      const draft = await this.readDraft(id, true);
      const restored = DraftSchema.parse({ ...draft, trashedAt: null });
      await writeJsonAtomic(path.join(this.folderOf(id, true), 'draft.json'), restored, this.hooks);
      await fs.rename(this.folderOf(id, true), this.folderOf(id));
      await fsyncDir(this.trashDir);
      await fsyncDir(this.draftsDir);
      this.index.set(id, toEntry(restored));
      await this.writeIndex();
      return restored;
    });
  }

  /** Permanently removes everything in the trash; returns how many drafts were removed. */
  emptyTrash(): Promise<number> {
    return this.mutex.run(async () => {
      await this.ensureOpen();
      let removed = 0;
      for (const name of await fs.readdir(this.trashDir)) {
        await fs.rm(path.join(this.trashDir, name), { recursive: true, force: true });
        removed += 1;
      }
      await fsyncDir(this.trashDir);
      return removed;
    });
  }
}

function toEntry(d: Draft): DraftIndexEntry {
  return { id: d.id, name: d.name, createdAt: d.createdAt, updatedAt: d.updatedAt, ...(d.unfinished === true ? { unfinished: true } : {}) };
}

function newestFirst(a: DraftIndexEntry, b: DraftIndexEntry): number {
  return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
}

/** True when the draft's render was made with its current settings (so it is what an upload would send). */
export function isRenderCurrent(d: Draft): boolean {
  return d.rendered !== null && d.rendered.settingsHash === settingsHash(d.settings);
}

function settingsHash(s: DraftSettings): string {
  return createHash('sha256').update(JSON.stringify(s)).digest('hex').slice(0, 16);
}

function notFound(id: string): LibraryError {
  return new LibraryError('input', 'LIBRARY_DRAFT_NOT_FOUND', `There is no draft "${id}". List drafts to see the ids that exist.`);
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '' || trimmed.length > 200) {
    throw new LibraryError('input', 'LIBRARY_BAD_NAME', 'A draft name must be 1 to 200 characters long.');
  }
  return trimmed;
}

function checkTargets(exts: string[]): string[] {
  const bad = exts.filter((e) => !extensionNumber.safeParse(e).success);
  if (bad.length > 0) throw new LibraryError('input', 'LIBRARY_BAD_EXTENSION', `Not extension numbers: ${bad.join(', ')}. Use digits only.`);
  return [...new Set(exts)];
}

export { hashFile };

// The persistent upload queue: one JSON file per item (queue/items/<id>.json, always replaced atomically) and the
// bytes to upload in a content-addressed blob store (queue/blobs/<sha256><suffix>). An item file is written only
// after its blob is durable, so a crash at any instant leaves either no item or a complete one; each state change
// rewrites one small file, so concurrent workers never contend on one big document.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { copyFileAtomic, fsyncDir, hashFile, readJsonFile, removeStaleTemps, writeFileAtomic, writeJsonAtomic } from './atomic.js';
import type { DraftLibrary } from './drafts.js';
import { greetingNameProblem } from '../domain.js';
import { safeBaseName } from '../audio/filename.js';
import { showValue } from '../errors.js';
import { LibraryError } from './errors.js';
import { QueueItemSchema, TERMINAL_STATES, extensionNumber, type PbxRef, type QueueItem, type QueueState } from './schemas.js';
import type { IfExistsPolicy } from './types.js';
import { Mutex, newId } from './util.js';
import type { SelectionSlot } from '../domain.js';

export type QueueSource = { draftId: string } | { filePath: string };

export interface EnqueueInput {
  source: QueueSource;
  ext: string;
  policy: IfExistsPolicy;
  /** Routing key: one transport per profile (the app's saved profile id; the CLI's `cli:<base URL>#<client ID>`). */
  pbxProfileId: string;
  /** The PBX this is for: origin `scheme://host:port` (originOf in main/core/pbx/url.ts) and the API client ID. */
  pbx: PbxRef;
  /**
   * Greeting name on the PBX without suffix (the suffix comes from the file), checked with greetingNameProblem and
   * refused when it breaks the rule. Default: the draft name or the file's base name, made safe.
   */
  name?: string;
  allowOverwriteWithoutBackup?: boolean;
  /** After a successful upload, make the greeting play for these slots (see activation.ts). */
  activate?: SelectionSlot[];
}

const AUDIO_SUFFIXES = new Set(['.wav', '.mp3', '.gsm']);

export class UploadQueue {
  readonly dir: string;
  readonly itemsDir: string;
  readonly blobsDir: string;
  private readonly drafts: DraftLibrary | undefined;
  private readonly now: () => number;
  private readonly mutex = new Mutex();
  private seq = 0;

  constructor(opts: { dataDir: string; drafts?: DraftLibrary; now?: () => number }) {
    this.dir = path.join(opts.dataDir, 'queue');
    this.itemsDir = path.join(this.dir, 'items');
    this.blobsDir = path.join(this.dir, 'blobs');
    this.drafts = opts.drafts;
    this.now = opts.now ?? Date.now;
  }

  private async ensureDirs(): Promise<void> {
    await fs.mkdir(this.itemsDir, { recursive: true });
    await fs.mkdir(this.blobsDir, { recursive: true });
  }

  blobPath(item: Pick<QueueItem, 'blob'>): string {
    return path.join(this.blobsDir, `${item.blob.sha256}${item.blob.suffix}`);
  }

  /** Resolves a source to a file to upload and a default greeting name. */
  private async resolveSource(source: QueueSource): Promise<{ file: string; kind: 'draft' | 'file'; ref: string; label: string; defaultName: string }> {
    if ('draftId' in source) {
      if (!this.drafts) throw new LibraryError('internal', 'QUEUE_NO_LIBRARY', 'This queue was opened without the drafts library, so it cannot enqueue drafts.');
      const draft = await this.drafts.get(source.draftId);
      const rendered = this.drafts.renderedPath(draft);
      if (!rendered) {
        throw new LibraryError('input', 'QUEUE_DRAFT_NOT_RENDERED', `The draft "${draft.name}" has not been rendered yet. Render it first, then queue it.`);
      }
      return { file: rendered, kind: 'draft', ref: draft.id, label: draft.name, defaultName: draft.name };
    }
    const file = path.resolve(source.filePath);
    return { file, kind: 'file', ref: file, label: path.basename(file), defaultName: path.basename(file, path.extname(file)) };
  }

  /** Adds items durably. Each distinct source file is snapshotted once into the blob store. */
  enqueueMany(inputs: EnqueueInput[]): Promise<QueueItem[]> {
    return this.mutex.run(async () => {
      await this.ensureDirs();
      const blobs = new Map<string, QueueItem['blob']>();
      const out: QueueItem[] = [];
      for (const input of inputs) {
        if (!extensionNumber.safeParse(input.ext).success) {
          throw new LibraryError('input', 'QUEUE_BAD_EXTENSION', `"${input.ext}" is not an extension number. Use digits only.`);
        }
        if (input.pbxProfileId.trim() === '') throw new LibraryError('input', 'QUEUE_NO_PROFILE', 'A queued upload needs the PBX profile it goes to.');
        if (input.name !== undefined) {
          const problem = greetingNameProblem(input.name);
          if (problem) throw new LibraryError('input', 'QUEUE_BAD_NAME', `The greeting name ${showValue(input.name)} is not allowed: ${problem}`, { detail: { name: input.name.slice(0, 80) } });
        }
        const src = await this.resolveSource(input.source);
        const suffix = path.extname(src.file).toLowerCase();
        if (!AUDIO_SUFFIXES.has(suffix)) {
          throw new LibraryError('input', 'QUEUE_BAD_FILE_TYPE', `${src.label} is not a .wav, .mp3 or .gsm file; render it to a PBX format before queueing.`);
        }
        let blob = blobs.get(src.file);
        if (!blob) {
          const info = await hashFile(src.file).catch((cause: unknown) => {
            throw new LibraryError('input', 'QUEUE_SOURCE_UNREADABLE', `Cannot read ${src.file}. Check that it exists and is readable.`, { cause });
          });
          blob = { sha256: info.sha256, bytes: info.bytes, suffix };
          const dest = this.blobPath({ blob });
          const exists = await fs.stat(dest).then((s) => s.size === info.bytes, () => false);
          if (!exists) {
            const copied = await copyFileAtomic(src.file, dest);
            if (copied.sha256 !== info.sha256) throw new LibraryError('input', 'QUEUE_SOURCE_CHANGED', `${src.file} changed while it was being queued. Try again.`);
          }
          blobs.set(src.file, blob);
        }
        const at = this.now();
        const item: QueueItem = QueueItemSchema.parse({
          schemaVersion: 1,
          id: newId('q', at),
          seq: at * 1000 + (this.seq++ % 1000),
          createdAt: new Date(at).toISOString(),
          updatedAt: new Date(at).toISOString(),
          pbxProfileId: input.pbxProfileId,
          pbx: { origin: input.pbx.origin, clientId: input.pbx.clientId },
          ext: input.ext,
          fileName: `${input.name ?? safeBaseName(src.defaultName)}${suffix}`,
          policy: input.policy,
          allowOverwriteWithoutBackup: input.allowOverwriteWithoutBackup ?? false,
          source: { kind: src.kind, ref: src.ref, label: src.label },
          blob,
          state: 'pending',
          phase: null,
          target: null,
          existedBefore: null,
          backupHistoryId: null,
          attempts: 0,
          lastError: null,
          reason: null,
          parked: false,
          action: null,
          historyId: null,
          finishedAt: null,
          ...(input.activate !== undefined && input.activate.length > 0 ? { activate: [...new Set(input.activate)] } : {}),
        });
        out.push(item);
      }
      // Each item file is written and fsynced (in parallel: the journal batches them), then the folder once.
      for (let i = 0; i < out.length; i += 16) {
        await Promise.all(out.slice(i, i + 16).map((item) => writeFileAtomic(this.itemPath(item.id), `${JSON.stringify(item, null, 2)}\n`, undefined, { durable: true, skipDirSync: true })));
      }
      await fsyncDir(this.itemsDir);
      return out;
    });
  }

  async enqueue(input: EnqueueInput): Promise<QueueItem> {
    const [item] = await this.enqueueMany([input]);
    if (!item) throw new LibraryError('internal', 'QUEUE_INTERNAL', 'Enqueue produced no item.');
    return item;
  }

  private itemPath(id: string): string {
    if (!/^q-[a-z0-9]+-[a-f0-9]{8}$/.test(id)) throw notFound(id);
    return path.join(this.itemsDir, `${id}.json`);
  }

  async get(id: string): Promise<QueueItem> {
    const raw = await readJsonFile(this.itemPath(id));
    if ('missing' in raw) throw notFound(id);
    const parsed = 'value' in raw ? QueueItemSchema.safeParse(raw.value) : null;
    if (!parsed?.success) throw new LibraryError('internal', 'QUEUE_ITEM_CORRUPT', `The queue item ${id} is damaged and cannot be read.`);
    return parsed.data;
  }

  /** Items in queue order (oldest first). Damaged item files are reported in `corrupt`, never silently dropped. */
  async listWithProblems(filter?: { states?: QueueState[]; ids?: string[] }): Promise<{ items: QueueItem[]; corrupt: string[] }> {
    await this.ensureDirs();
    await removeStaleTemps(this.itemsDir);
    const items: QueueItem[] = [];
    const corrupt: string[] = [];
    const wanted = filter?.ids ? new Set(filter.ids) : null;
    for (const name of await fs.readdir(this.itemsDir)) {
      if (!name.endsWith('.json')) continue;
      if (wanted && !wanted.has(name.slice(0, -5))) continue;
      const raw = await readJsonFile(path.join(this.itemsDir, name));
      const parsed = 'value' in raw ? QueueItemSchema.safeParse(raw.value) : null;
      if (!parsed?.success) {
        corrupt.push(name);
        continue;
      }
      if (filter?.states && !filter.states.includes(parsed.data.state)) continue;
      items.push(parsed.data);
    }
    items.sort((a, b) => a.seq - b.seq || a.id.localeCompare(b.id));
    return { items, corrupt };
  }

  async list(filter?: { states?: QueueState[]; ids?: string[] }): Promise<QueueItem[]> {
    return (await this.listWithProblems(filter)).items;
  }

  /** Persists a new version of an item (used by the worker). `durable: false` only for states safe to redo. */
  async save(item: QueueItem, opts?: { durable?: boolean }): Promise<QueueItem> {
    const next = QueueItemSchema.parse({ ...item, updatedAt: new Date(this.now()).toISOString() });
    await writeJsonAtomic(this.itemPath(item.id), next, undefined, opts);
    return next;
  }

  /** Puts failed or cancelled items back to pending. Phase and chosen name are kept so a resume stays idempotent. */
  async retry(ids?: string[]): Promise<QueueItem[]> {
    const items = await this.list({ states: ['failed', 'cancelled'], ...(ids ? { ids } : {}) });
    if (ids) this.assertAllFound(ids, items, 'failed or cancelled');
    const out: QueueItem[] = [];
    for (const item of items) {
      await fs.rm(this.cancelMarkPath(item.id), { force: true });
      out.push(await this.save({ ...item, state: 'pending', attempts: 0, parked: false, reason: null, lastError: null, finishedAt: null, historyId: null, action: null }));
    }
    return out;
  }

  /**
   * Cancels items that have not finished. Pending and failed items become `cancelled` at once. A running item gets a
   * cancel mark that its worker checks before any PBX write (QueueWorker.cancel aborts immediately in-process);
   * it is returned still `running` and ends `cancelled`, unless its upload had already been sent.
   */
  async cancel(ids: string[]): Promise<QueueItem[]> {
    const items = await this.list({ ids, states: ['pending', 'running', 'failed'] });
    this.assertAllFound(ids, items, 'pending, running or failed');
    const out: QueueItem[] = [];
    for (const item of items) {
      // The mark is a separate file so a worker in another process cannot overwrite it with its own item saves.
      await writeFileAtomic(this.cancelMarkPath(item.id), new Date(this.now()).toISOString());
      // A running item belongs to a worker (maybe in another process): rewriting its file here could clobber the
      // durable 'writing' marker, so the worker (or the next run, if it died) records the cancel itself.
      if (item.state === 'running') {
        out.push(item);
        continue;
      }
      out.push(await this.save({ ...item, state: 'cancelled', reason: 'cancelled by the user', finishedAt: new Date(this.now()).toISOString() }));
    }
    return out;
  }

  private cancelMarkPath(id: string): string {
    return this.itemPath(id).replace(/\.json$/, '.cancel');
  }

  /** True when `cancel` was asked for this item (by any process) since its last retry. */
  async cancelRequested(id: string): Promise<boolean> {
    return fs.access(this.cancelMarkPath(id)).then(
      () => true,
      () => false,
    );
  }

  private assertAllFound(ids: string[], items: QueueItem[], what: string): void {
    const found = new Set(items.map((i) => i.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new LibraryError('input', 'QUEUE_ITEM_NOT_ELIGIBLE', `No ${what} queue item with id ${missing.join(', ')}.`);
  }

  /** Deletes finished items (not failed ones, unless asked) and blobs no remaining item needs. */
  async purgeFinished(opts?: { includeFailed?: boolean }): Promise<number> {
    const states: QueueState[] = opts?.includeFailed ? [...TERMINAL_STATES] : ['uploaded', 'skipped', 'renamed', 'cancelled'];
    const done = await this.list({ states });
    for (const item of done) {
      await fs.rm(this.cancelMarkPath(item.id), { force: true });
      await fs.rm(this.itemPath(item.id), { force: true });
    }
    const needed = new Set((await this.list()).map((i) => `${i.blob.sha256}${i.blob.suffix}`));
    for (const name of await fs.readdir(this.blobsDir)) if (!needed.has(name)) await fs.rm(path.join(this.blobsDir, name), { force: true });
    return done.length;
  }
}

function notFound(id: string): LibraryError {
  return new LibraryError('input', 'QUEUE_ITEM_NOT_FOUND', `There is no queue item "${id}". List the queue to see the ids that exist.`);
}

export function isTerminal(state: QueueState): boolean {
  return TERMINAL_STATES.includes(state);
}

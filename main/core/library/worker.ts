// Runs the persistent queue against the PBX: bounded concurrency over ONE transport per PBX profile (so one live
// token), backoff with jitter for errors that can heal, parking for those that cannot, and an idempotent resume.
//
// Resume rule: the item file is saved with phase 'writing' and the exact target name BEFORE any force upload. An item
// found in that phase (crash, SIGKILL, or a network error mid-upload) is first re-checked with `ask`; if the name
// exists we download it and compare its sha256 with the blob we queued. Equal bytes = our upload landed: done, no
// second write. Different bytes on a name that was free before = someone else wrote it meanwhile: the policy is
// applied afresh. Because the renamed target is persisted too, a resume never picks yet another free name.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CancelledError } from '../errors.js';
import { hashFile } from './atomic.js';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.js';
import { classifyError } from './classify.js';
import { LibraryError } from './errors.js';
import type { HistoryStore } from './history.js';
import { acquireWorkerLock } from './lock.js';
import { activateAfterUpload } from './activation.js';
import { isTerminal, type UploadQueue } from './queue.js';
import type { QueueItem, QueueState } from './schemas.js';
import type { GreetingTransport } from './types.js';
import { sleep as defaultSleep } from './util.js';

export const MAX_CONCURRENCY = 4;

export interface QueueWorkerOptions {
  queue: UploadQueue;
  history: HistoryStore;
  /** Called once per PBX profile per worker; the transport it returns is shared by every slot. */
  transportFor: (pbxProfileId: string) => GreetingTransport | Promise<GreetingTransport>;
  /** 1..4 (default 4). */
  concurrency?: number;
  backoff?: Partial<BackoffOptions>;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Take the per-data-folder worker lock (default true). */
  lock?: boolean;
  /**
   * Consecutive "cannot reach the PBX" failures of one item (connection refused, host not found, network
   * unreachable, timeout) after which that PBX profile is treated as offline for the rest of the run: its items stay
   * pending (nothing is failed or lost) and the summary lists the profile in `offlineProfiles`. Default 3.
   */
  offlineAfter?: number;
}

const OFFLINE_CODES = new Set(['PBX_CONNECTION_REFUSED', 'PBX_HOST_NOT_FOUND', 'PBX_UNREACHABLE', 'PBX_TIMEOUT', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export interface QueueProgress {
  itemId: string;
  ext: string;
  state: QueueState;
  phase: QueueItem['phase'];
  target: string | null;
  /** Bytes of the current upload, when one is running. */
  sent?: number;
  total?: number;
  /** Items of this run that reached a final state, and how many the run has. */
  done: number;
  of: number;
  error?: { code: string; message: string; retryInMs?: number };
}

export interface QueueItemResult {
  id: string;
  ext: string;
  fileName: string;
  target: string | null;
  state: QueueState;
  action: QueueItem['action'];
  reason: string | null;
  historyId: string | null;
}

export interface QueueRunSummary {
  total: number;
  uploaded: number;
  created: number;
  overwritten: number;
  skipped: number;
  renamed: number;
  failed: number;
  cancelled: number;
  /** Items still pending/running (the run was stopped, or their PBX was offline). */
  unfinished: number;
  /** PBX profiles that could not be reached during the run; their items are still pending. */
  offlineProfiles: string[];
  items: QueueItemResult[];
}

type Outcome = { action: 'created' | 'overwritten' | 'renamed' | 'skipped' };

class BackupFailedError extends LibraryError {
  readonly retryable: boolean;
  constructor(ext: string, fileName: string, cause: unknown, retryable: boolean) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super('pbx', 'QUEUE_BACKUP_FAILED', `Could not back up the existing greeting ${fileName} of extension ${ext} (${why}), so it was not overwritten. Retry later, or allow overwriting without a backup.`, { cause });
    this.retryable = retryable;
  }
}

class ExistsError extends LibraryError {
  readonly retryable = false;
  constructor(ext: string, fileName: string) {
    super('exists', 'QUEUE_GREETING_EXISTS', `Extension ${ext} already has a greeting named ${fileName}; the policy "fail" stops here. Choose overwrite, rename or skip.`);
  }
}

const unresolvedTransport: GreetingTransport = {
  greetingExists: () => Promise.reject(new LibraryError('internal', 'QUEUE_INTERNAL', 'Transport not resolved yet.')),
  uploadGreetingFile: () => Promise.reject(new LibraryError('internal', 'QUEUE_INTERNAL', 'Transport not resolved yet.')),
  downloadGreeting: () => Promise.reject(new LibraryError('internal', 'QUEUE_INTERNAL', 'Transport not resolved yet.')),
  deleteGreeting: () => Promise.reject(new LibraryError('internal', 'QUEUE_INTERNAL', 'Transport not resolved yet.')),
};

interface ItemCtx {
  item: QueueItem;
  transport: GreetingTransport;
  signal: AbortSignal;
  save: (patch: Partial<QueueItem>, durable?: boolean) => Promise<QueueItem>;
  progress: (extra?: Partial<QueueProgress>) => void;
}

export class QueueWorker {
  private readonly opts: QueueWorkerOptions;
  private readonly backoff: BackoffOptions;
  private readonly concurrency: number;
  private readonly transports = new Map<string, Promise<GreetingTransport>>();
  private readonly running = new Map<string, AbortController>();
  private readonly offline = new Set<string>();

  constructor(opts: QueueWorkerOptions) {
    const c = opts.concurrency ?? MAX_CONCURRENCY;
    if (!Number.isInteger(c) || c < 1 || c > MAX_CONCURRENCY) {
      throw new LibraryError('usage', 'QUEUE_BAD_CONCURRENCY', `Concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}.`);
    }
    this.opts = opts;
    this.concurrency = c;
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
  }

  private transportFor(profile: string): Promise<GreetingTransport> {
    let t = this.transports.get(profile);
    if (!t) {
      t = Promise.resolve(this.opts.transportFor(profile));
      this.transports.set(profile, t);
    }
    return t;
  }

  /** Cancels one item: aborts it if this worker is uploading it, and marks it cancelled on disk. */
  async cancel(id: string): Promise<void> {
    const ctl = this.running.get(id);
    if (ctl) ctl.abort(new CancelledError('The upload'));
    else await this.opts.queue.cancel([id]);
  }

  /**
   * Processes pending items (all, or `ids`) until each reaches a final state or `signal` stops the run
   * (stopped items go back to pending, they are not cancelled). Items left `running` by a crashed process are resumed.
   */
  async run(opts?: { ids?: string[]; signal?: AbortSignal; onProgress?: (p: QueueProgress) => void }): Promise<QueueRunSummary> {
    const release = this.opts.lock === false ? async () => undefined : await acquireWorkerLock(this.opts.queue.dir);
    try {
      await fs.rm(path.join(this.opts.queue.dir, 'tmp'), { recursive: true, force: true });
      const todo = await this.opts.queue.list({ states: ['pending', 'running'], ...(opts?.ids ? { ids: opts.ids } : {}) });
      const scope = opts?.ids ?? todo.map((i) => i.id);
      const of = opts?.ids ? opts.ids.length : todo.length;
      let done = opts?.ids ? (await this.opts.queue.list({ ids: opts.ids })).filter((i) => isTerminal(i.state)).length : 0;
      let next = 0;
      const onDone = (): number => (done += 1);
      const slot = async (): Promise<void> => {
        for (;;) {
          if (opts?.signal?.aborted) return;
          const item = todo[next];
          next += 1;
          if (!item) return;
          // Items of an offline PBX stay pending, untouched, for a later run.
          if (this.offline.has(item.pbxProfileId)) continue;
          await this.process(item, opts?.signal, (p) => opts?.onProgress?.({ ...p, done, of }), onDone);
        }
      };
      this.offline.clear();
      await Promise.all(Array.from({ length: Math.min(this.concurrency, Math.max(1, todo.length)) }, slot));
      return summarise(await this.opts.queue.list({ ids: scope }), [...this.offline]);
    } finally {
      await fs.rm(path.join(this.opts.queue.dir, 'tmp'), { recursive: true, force: true }).catch(() => undefined);
      await release();
    }
  }

  private async process(start: QueueItem, runSignal: AbortSignal | undefined, emit: (p: Omit<QueueProgress, 'done' | 'of'>) => void, onDone: () => void): Promise<void> {
    const { queue, history } = this.opts;
    const ctl = new AbortController();
    const onStop = (): void => ctl.abort(runSignal?.reason);
    runSignal?.addEventListener('abort', onStop, { once: true });
    this.running.set(start.id, ctl);
    let item = start;
    const save = async (patch: Partial<QueueItem>, durable = true): Promise<QueueItem> => {
      item = await queue.save({ ...item, ...patch }, { durable });
      emit({ itemId: item.id, ext: item.ext, state: item.state, phase: item.phase, target: item.target });
      return item;
    };
    const ctx: ItemCtx = {
      get item() {
        return item;
      },
      transport: unresolvedTransport,
      signal: ctl.signal,
      save,
      progress: (extra) => emit({ itemId: item.id, ext: item.ext, state: item.state, phase: item.phase, target: item.target, ...extra }),
    };
    try {
      // Another process may have cancelled or finished it since the run listed it.
      item = await queue.get(start.id);
      if (isTerminal(item.state)) return;
      if (await queue.cancelRequested(item.id)) {
        await this.finish(ctx, onDone, 'cancelled', null, 'cancelled by the user');
        return;
      }
      try {
        ctx.transport = await this.transportFor(start.pbxProfileId);
      } catch (err) {
        // No usable connection settings for this PBX profile (unknown profile, missing secret): park the item.
        const c = classifyError(err);
        await this.finish(ctx, onDone, 'failed', null, c.message, true, { code: c.code, message: c.message });
        return;
      }
      // One history id per item run, reserved up front so every write of the final entry is idempotent.
      // Not fsynced: until the durable 'writing' save nothing but questions has gone to the PBX, so losing this
      // to a power cut only means starting the item again.
      await save({ state: 'running', historyId: item.historyId ?? history.newId(), attempts: item.attempts + 1 }, false);
      let offlineStreak = 0;
      for (let first = true; ; first = false) {
        if (!first) await save({ attempts: item.attempts + 1 }, false);
        try {
          const outcome = await this.attempt(ctx);
          await this.finish(ctx, onDone, outcome.action === 'skipped' ? 'skipped' : outcome.action === 'renamed' ? 'renamed' : 'uploaded', outcome.action, null);
          if (outcome.action !== 'skipped') await activateAfterUpload({ item: ctx.item, transport: ctx.transport, history });
          return;
        } catch (err) {
          if (ctl.signal.aborted && runSignal?.aborted) {
            await save({ state: 'pending' });
            return;
          }
          const c = classifyError(ctl.signal.aborted ? ctl.signal.reason : err);
          if (c.outcome === 'cancelled') {
            await this.finish(ctx, onDone, 'cancelled', null, 'cancelled by the user');
            return;
          }
          if (c.outcome === 'retry' && OFFLINE_CODES.has(c.code)) {
            const streak = (offlineStreak += 1);
            if (streak >= (this.opts.offlineAfter ?? 3) || this.offline.has(item.pbxProfileId)) {
              this.offline.add(item.pbxProfileId);
              await save({ state: 'pending', lastError: { code: c.code, message: c.message } });
              ctx.progress({ error: { code: c.code, message: c.message } });
              return;
            }
          } else {
            offlineStreak = 0;
          }
          if (c.outcome === 'park' || item.attempts >= this.backoff.maxAttempts) {
            const reason = c.outcome === 'park' ? c.message : `gave up after ${item.attempts} attempts: ${c.message}`;
            await this.finish(ctx, onDone, 'failed', null, reason, c.outcome === 'park', { code: c.code, message: c.message });
            return;
          }
          const wait = backoffDelay(item.attempts, this.backoff, this.opts.random);
          await save({ lastError: { code: c.code, message: c.message } });
          ctx.progress({ error: { code: c.code, message: c.message, retryInMs: wait } });
          try {
            await (this.opts.sleep ?? defaultSleep)(wait, ctl.signal);
          } catch {
            // Aborted while waiting: either the run was stopped (back to pending) or the item was cancelled.
            if (runSignal?.aborted) {
              await save({ state: 'pending' });
              return;
            }
            await this.finish(ctx, onDone, 'cancelled', null, 'cancelled by the user');
            return;
          }
        }
      }
    } finally {
      runSignal?.removeEventListener('abort', onStop);
      this.running.delete(start.id);
    }
  }

  /** One try of the item's state machine; safe to repeat from any persisted phase. */
  private async attempt(ctx: ItemCtx): Promise<Outcome> {
    const t = ctx.transport;
    const it = ctx.item;
    if (it.phase === 'writing' && it.target !== null) {
      const ex = await t.greetingExists(it.ext, it.target);
      if (!ex.exists) {
        await this.force(ctx);
        return { action: outcomeOf(ctx.item) };
      }
      if (await this.sameContent(t, it.ext, it.target, it.blob.sha256, ctx.signal)) return { action: outcomeOf(it) };
      if (it.existedBefore === true) {
        // We had decided to overwrite (and took the backup): finish the job.
        await this.force(ctx);
        return { action: 'overwritten' };
      }
      // The name was free when we chose it and now holds someone else's greeting: decide again.
      await ctx.save({ phase: 'check', target: null, existedBefore: null });
    }

    // Persisting is only needed where a crash could otherwise cause a wrong second write: right before a force.
    ctx.progress({ phase: 'check' });
    const ex = await t.greetingExists(it.ext, it.fileName);
    if (!ex.exists) {
      await ctx.save({ phase: 'writing', target: it.fileName, existedBefore: false });
      await this.force(ctx);
      return { action: 'created' };
    }
    switch (it.policy) {
      case 'skip':
        return { action: 'skipped' };
      case 'fail':
        throw new ExistsError(it.ext, it.fileName);
      case 'rename': {
        const name = await this.freeName(t, ctx.item, ctx.signal);
        await ctx.save({ phase: 'writing', target: name, existedBefore: false });
        await this.force(ctx);
        return { action: 'renamed' };
      }
      case 'overwrite': {
        // The backup goes into the item's (durably reserved) history folder; a crash here just redoes the backup.
        const hid = ctx.item.backupHistoryId ?? ctx.item.historyId;
        if (hid === null) throw new LibraryError('internal', 'QUEUE_INTERNAL', 'A queue item reached overwrite without a history id.');
        ctx.progress({ phase: 'backup' });
        let backedUp = true;
        try {
          const backup = await this.opts.history.backupExisting(t, hid, it.ext, it.fileName);
          if (backup.sha256 === it.blob.sha256) {
            // The PBX already holds exactly these bytes: nothing to overwrite (the backup still records it).
            await ctx.save({ target: it.fileName, existedBefore: true, backupHistoryId: hid });
            return { action: 'overwritten' };
          }
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          if (!it.allowOverwriteWithoutBackup) throw new BackupFailedError(it.ext, it.fileName, err, classifyError(err).outcome === 'retry');
          backedUp = false;
        }
        await ctx.save({ phase: 'writing', target: it.fileName, existedBefore: true, backupHistoryId: backedUp ? hid : null });
        await this.force(ctx);
        return { action: 'overwritten' };
      }
    }
  }

  private async force(ctx: ItemCtx): Promise<void> {
    const it = ctx.item;
    if (it.target === null) throw new LibraryError('internal', 'QUEUE_INTERNAL', 'No target name before a force upload.');
    // Honour a cancel made by another process (CLI `queue cancel`) before writing to the PBX.
    if (await this.opts.queue.cancelRequested(it.id)) throw new CancelledError('The upload');
    ctx.signal.throwIfAborted();
    await ctx.transport.uploadGreetingFile({
      ext: it.ext,
      filePath: this.opts.queue.blobPath(it),
      fileName: it.target,
      mode: 'force',
      signal: ctx.signal,
      onProgress: (sent, total) => ctx.progress({ sent, total }),
    });
  }

  /** First `<base>-N<suffix>` (N = 2, 3, …) that the PBX says is free. */
  private async freeName(t: GreetingTransport, it: QueueItem, signal: AbortSignal): Promise<string> {
    const suffix = path.extname(it.fileName);
    const base = it.fileName.slice(0, it.fileName.length - suffix.length);
    for (let n = 2; n < 1000; n += 1) {
      signal.throwIfAborted();
      const candidate = `${base}-${n}${suffix}`;
      if (!(await t.greetingExists(it.ext, candidate)).exists) return candidate;
    }
    throw new LibraryError('pbx', 'QUEUE_NO_FREE_NAME', `Extension ${it.ext} has no free name like ${base}-N${suffix}. Delete old greetings or choose another name.`);
  }

  private async sameContent(t: GreetingTransport, ext: string, fileName: string, sha256: string, signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    // Inside the queue folder rather than os.tmpdir(): a worker killed mid-check leaves it where the next run
    // (which clears queue/tmp under the lock) removes it.
    await fs.mkdir(path.join(this.opts.queue.dir, 'tmp'), { recursive: true });
    const dir = await fs.mkdtemp(path.join(this.opts.queue.dir, 'tmp', 'verify-'));
    try {
      const dest = path.join(dir, path.basename(fileName));
      await t.downloadGreeting(ext, fileName, dest);
      return (await hashFile(dest)).sha256 === sha256;
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  private async finish(ctx: ItemCtx, onDone: () => void, state: QueueState, action: QueueItem['action'], reason: string | null, parked = false, lastError?: { code: string; message: string }): Promise<void> {
    const it = ctx.item;
    const { history } = this.opts;
    const hid = it.historyId ?? history.newId();
    const name = it.target ?? it.fileName;
    const backup = it.backupHistoryId !== null && it.existedBefore === true ? await history.findBackup(it.backupHistoryId, it.fileName) : null;
    await history.record({
      id: hid,
      pbxProfileId: it.pbxProfileId,
      ext: it.ext,
      fileName: name,
      bytes: it.blob.bytes,
      sha256: it.blob.sha256,
      result: state === 'failed' ? 'failed' : state === 'cancelled' ? 'cancelled' : (action ?? 'created'),
      reason,
      queueItemId: it.id,
      backup,
      rollbackOf: null,
    });
    // Count it before the final save so the progress event of that save already includes it.
    onDone();
    // Uploads are not fsynced here: if a power cut loses this write, the item resumes from its durable 'writing'
    // phase and the ask-and-compare step finds the upload done without writing again (the history entry is durable).
    // Skips, failures and cancels have no such marker, so they are made durable.
    await ctx.save(
      {
        state,
        action,
        reason,
        parked,
        historyId: hid,
        finishedAt: new Date().toISOString(),
        // Successful items forget their phase; failed ones keep it so retry() resumes with the ask-first check.
        ...(state === 'uploaded' || state === 'renamed' || state === 'skipped' ? { phase: null } : {}),
        ...(lastError ? { lastError } : {}),
      },
      state !== 'uploaded' && state !== 'renamed',
    );
  }
}

function outcomeOf(it: QueueItem): 'created' | 'overwritten' | 'renamed' {
  if (it.existedBefore === true) return 'overwritten';
  return it.target !== null && it.target !== it.fileName ? 'renamed' : 'created';
}

export function summarise(items: QueueItem[], offlineProfiles: string[] = []): QueueRunSummary {
  const count = (pred: (i: QueueItem) => boolean): number => items.filter(pred).length;
  return {
    total: items.length,
    uploaded: count((i) => i.state === 'uploaded'),
    created: count((i) => i.state === 'uploaded' && i.action === 'created'),
    overwritten: count((i) => i.state === 'uploaded' && i.action === 'overwritten'),
    skipped: count((i) => i.state === 'skipped'),
    renamed: count((i) => i.state === 'renamed'),
    failed: count((i) => i.state === 'failed'),
    cancelled: count((i) => i.state === 'cancelled'),
    unfinished: count((i) => !isTerminal(i.state)),
    offlineProfiles,
    items: items.map((i) => ({ id: i.id, ext: i.ext, fileName: i.fileName, target: i.target, state: i.state, action: i.action, reason: i.reason, historyId: i.historyId })),
  };
}

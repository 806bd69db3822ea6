// Runs the persistent queue against the PBX: bounded concurrency over ONE transport per PBX profile (so one live
// token), backoff with jitter for errors that can heal, parking for those that cannot, and an idempotent resume.
//
// Resume rule: the item file is saved with phase 'writing' and the exact target name BEFORE any force upload. An item
// found in that phase (crash, SIGKILL, or a network error mid-upload) is first re-checked with `ask`; if the name
// exists we download it and compare its sha256 with the blob we queued. Equal bytes = our upload landed: done, no
// second write. Different bytes on a name that was free before = someone else wrote it meanwhile: the policy is
// applied afresh. Because the renamed target is persisted too, a resume never picks yet another free name.
//
// Same-bytes rule, for every policy: when the name exists and holds exactly the bytes this item would send, the item
// ends `unchanged` (nothing written, no backup kept) instead of overwritten, skipped, renamed to a copy, or failed.
// Checking costs one download, and only when the name exists.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CancelledError, GreetingExistsError, VmgsError } from '../errors.js';
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff.js';
import { classifyError, itemError } from './classify.js';
import { LibraryError } from './errors.js';
import type { HistoryStore } from './history.js';
import { acquireWorkerLock, type LockHolderKind } from './lock.js';
import { activateAfterUpload } from './activation.js';
import { isTerminal, type UploadQueue } from './queue.js';
import type { ItemError, PbxRef, QueueItem, QueueState } from './schemas.js';
import { holdsBytes, keepBothTarget } from './target.js';
import type { GreetingTransport } from './types.js';
import { sleep as defaultSleep } from './util.js';

/** What a transport is asked for: the item's routing key and the PBX it names (a queue item or a history entry). */
export interface PbxTarget {
  pbxProfileId: string;
  pbx: PbxRef;
}

/**
 * Resolves the transport for the PBX of an item. Called once per PBX profile per worker with the first item of
 * that profile (the whole item: match it to saved settings by `pbx.origin` + `pbx.clientId`, or by `pbxProfileId`).
 * Throw to say this process cannot reach that PBX (no such profile, no secret): its items are parked with the reason.
 */
export type TransportFor = (target: PbxTarget) => GreetingTransport | Promise<GreetingTransport>;

export const MAX_CONCURRENCY = 4;

export interface QueueWorkerOptions {
  queue: UploadQueue;
  history: HistoryStore;
  /** Called once per PBX profile per worker; the transport it returns is shared by every slot. */
  transportFor: TransportFor;
  /** Who takes the worker lock, so another process that finds it taken can say who (default 'app'). */
  holder?: LockHolderKind;
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
  error?: { code: string; message: string; retryInMs?: number; unreachable?: boolean };
}

export interface QueueItemResult {
  id: string;
  pbx: PbxRef;
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
  /** Written to the PBX (created + overwritten; renamed ones are counted in `renamed`). */
  uploaded: number;
  created: number;
  overwritten: number;
  /** The PBX already held exactly these bytes under the name: nothing written. */
  unchanged: number;
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

type Outcome = { action: NonNullable<QueueItem['action']> };

/** No backup, no overwrite. Waiting heals it exactly when it heals the download that failed (same kind, too). */
class BackupFailedError extends LibraryError {
  constructor(ext: string, fileName: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    const c = cause instanceof VmgsError ? cause : undefined;
    super(c?.kind ?? 'pbx', 'QUEUE_BACKUP_FAILED', `Could not back up the existing greeting ${fileName} of extension ${ext} (${why}), so it was not overwritten. Retry later, or allow overwriting without a backup.`, {
      cause,
      retryable: c?.retryable === true,
      unreachable: c?.unreachable === true,
    });
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

  private transportFor(item: QueueItem): Promise<GreetingTransport> {
    let t = this.transports.get(item.pbxProfileId);
    if (!t) {
      t = Promise.resolve().then(() => this.opts.transportFor(item));
      this.transports.set(item.pbxProfileId, t);
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
    const release = this.opts.lock === false ? async () => undefined : await acquireWorkerLock(this.opts.queue.dir, this.opts.holder ?? 'app');
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
        ctx.transport = await this.transportFor(item);
      } catch (err) {
        // No usable connection settings for this PBX profile (unknown profile, missing secret): park the item.
        const c = classifyError(err);
        await this.finish(ctx, onDone, 'failed', null, c.message, true, itemError({ ...c, outcome: 'park' }));
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
          const lastError = itemError(c);
          if (c.outcome === 'retry' && c.unreachable) {
            const streak = (offlineStreak += 1);
            if (streak >= (this.opts.offlineAfter ?? 3) || this.offline.has(item.pbxProfileId)) {
              this.offline.add(item.pbxProfileId);
              await save({ state: 'pending', lastError });
              ctx.progress({ error: { code: c.code, message: c.message, unreachable: true } });
              return;
            }
          } else {
            offlineStreak = 0;
          }
          if (c.outcome === 'park' || item.attempts >= this.backoff.maxAttempts) {
            const reason = c.outcome === 'park' ? c.message : `gave up after ${item.attempts} attempts: ${c.message}`;
            await this.finish(ctx, onDone, 'failed', null, reason, c.outcome === 'park', lastError);
            return;
          }
          const wait = backoffDelay(item.attempts, this.backoff, this.opts.random);
          await save({ lastError });
          ctx.progress({ error: { code: c.code, message: c.message, retryInMs: wait, unreachable: c.unreachable } });
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
      if (await this.holdsOurs(ctx, it.target)) return { action: outcomeOf(it) };
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
    if (it.policy === 'overwrite') return this.overwrite(ctx);
    // The name exists: if it already holds exactly our bytes, that is the outcome, whatever the policy.
    if (await this.holdsOurs(ctx, it.fileName)) return this.unchanged(ctx, it.fileName);
    switch (it.policy) {
      case 'skip':
        return { action: 'skipped' };
      case 'fail':
        throw new GreetingExistsError(it.ext, it.fileName, ex.existType);
      case 'rename': {
        // An earlier run may have kept both already: a copy that holds our bytes is the answer, not yet another copy.
        const target = await keepBothTarget(it.ext, it.fileName, { exists: async (n) => (await t.greetingExists(it.ext, n)).exists, holdsOurs: (n) => this.holdsOurs(ctx, n) }, ctx.signal);
        if (target.unchanged) return this.unchanged(ctx, target.name);
        await ctx.save({ phase: 'writing', target: target.name, existedBefore: false });
        await this.force(ctx);
        return { action: 'renamed' };
      }
    }
  }

  /** Backup first (no backup, no overwrite unless allowed); the backup doubles as the same-bytes check. */
  private async overwrite(ctx: ItemCtx): Promise<Outcome> {
    const it = ctx.item;
    // The backup goes into the item's (durably reserved) history folder; a crash here just redoes the backup.
    const hid = it.backupHistoryId ?? it.historyId;
    if (hid === null) throw new LibraryError('internal', 'QUEUE_INTERNAL', 'A queue item reached overwrite without a history id.');
    ctx.progress({ phase: 'backup' });
    let backedUp = true;
    try {
      const backup = await this.opts.history.backupExisting(ctx.transport, hid, it.ext, it.fileName);
      if (backup.sha256 === it.blob.sha256) {
        // The PBX already holds exactly these bytes: nothing to overwrite, and nothing to keep a backup of.
        await this.opts.history.dropBackup(hid);
        return this.unchanged(ctx, it.fileName);
      }
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      if (!it.allowOverwriteWithoutBackup) throw new BackupFailedError(it.ext, it.fileName, err);
      backedUp = false;
    }
    await ctx.save({ phase: 'writing', target: it.fileName, existedBefore: true, backupHistoryId: backedUp ? hid : null });
    await this.force(ctx);
    return { action: 'overwritten' };
  }

  private async unchanged(ctx: ItemCtx, name: string): Promise<Outcome> {
    await ctx.save({ target: name, existedBefore: true, backupHistoryId: null }, false);
    return { action: 'unchanged' };
  }

  private holdsOurs(ctx: ItemCtx, name: string): Promise<boolean> {
    // Inside the queue folder rather than os.tmpdir(): a worker killed mid-check leaves it where the next run
    // (which clears queue/tmp under the lock) removes it.
    return holdsBytes(ctx.transport, ctx.item.ext, name, ctx.item.blob.sha256, { workDir: path.join(this.opts.queue.dir, 'tmp'), signal: ctx.signal });
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

  private async finish(ctx: ItemCtx, onDone: () => void, state: QueueState, action: QueueItem['action'], reason: string | null, parked = false, lastError?: ItemError): Promise<void> {
    const it = ctx.item;
    const { history } = this.opts;
    const hid = it.historyId ?? history.newId();
    const name = it.target ?? it.fileName;
    const backup = it.backupHistoryId !== null && it.existedBefore === true ? await history.findBackup(it.backupHistoryId, it.fileName) : null;
    await history.record({
      id: hid,
      pbxProfileId: it.pbxProfileId,
      pbx: it.pbx,
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
    uploaded: count((i) => i.state === 'uploaded' && (i.action === 'created' || i.action === 'overwritten')),
    created: count((i) => i.state === 'uploaded' && i.action === 'created'),
    overwritten: count((i) => i.state === 'uploaded' && i.action === 'overwritten'),
    unchanged: count((i) => i.state === 'uploaded' && i.action === 'unchanged'),
    skipped: count((i) => i.state === 'skipped'),
    renamed: count((i) => i.state === 'renamed'),
    failed: count((i) => i.state === 'failed'),
    cancelled: count((i) => i.state === 'cancelled'),
    unfinished: count((i) => !isTerminal(i.state)),
    offlineProfiles,
    items: items.map((i) => ({ id: i.id, pbx: i.pbx, ext: i.ext, fileName: i.fileName, target: i.target, state: i.state, action: i.action, reason: i.reason, historyId: i.historyId })),
  };
}

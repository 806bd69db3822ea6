// The Outbox: the app's side of the persistent queue (main/core/library UploadQueue + QueueWorker). It drains by
// itself whenever the PBX of a pending item can be sent to (a saved profile with its secret, not known to be
// unreachable), with the worker's bounded concurrency, backoff and parking, and keeps draining while the person
// works. Items this app cannot send stay pending with the reason. The queue lock is shared with the CLI: while a
// `vmgreet` holds it, nothing is drained here and `lockedBy` says who.
import { describeHolder, isTerminal, QueueWorker, readWorkerLock, type HistoryStore, type QueueItem, type QueueState, type UploadQueue } from '../core/library/index.js';
import { VmgsError } from '../core/errors.js';
import type { OutboxEvent, OutboxItem, OutboxPage, OutboxState, ProfileSummary } from './channels.js';
import type { Broadcaster, ClockPort, PbxClientLike } from './services.js';
import { isUnreachableError, type Session } from './session.js';

const STATES: OutboxState[] = ['pending', 'running', 'uploaded', 'skipped', 'renamed', 'failed', 'cancelled'];

export interface OutboxOptions {
  concurrency?: number;
  backoff?: { baseMs?: number; maxMs?: number; maxAttempts?: number };
  offlineAfter?: number;
  /** Outbox events at most this often (ms, default 200). */
  throttleMs?: number;
  /** How long a profile the worker found offline is left alone before the next try (ms, default 5000). */
  offlineRetryMs?: number;
}

export function emptyCounts(): Record<OutboxState, number> {
  return { pending: 0, running: 0, uploaded: 0, skipped: 0, renamed: 0, failed: 0, cancelled: 0 };
}

export class Outbox<C extends PbxClientLike> {
  private draining = false;
  private again = false;
  private disposed = false;
  private lockedBy: string | null = null;
  private worker: QueueWorker | null = null;
  private stop = new AbortController();
  private readonly percent = new Map<string, number>();
  private readonly offlineUntil = new Map<string, number>();
  private timer: unknown = null;
  private emitTimer: unknown = null;
  private lastEmit = 0;
  private pendingEvent: { itemId: string | null; percent: number | null } | null = null;
  private current: Promise<void> = Promise.resolve();
  private readonly throttleMs: number;
  private readonly offlineRetryMs: number;

  constructor(
    private readonly deps: { dataDir: string; queue: UploadQueue; history: HistoryStore; session: Session<C>; broadcast: Broadcaster; clock: ClockPort },
    private readonly opts: OutboxOptions = {},
  ) {
    this.throttleMs = opts.throttleMs ?? 200;
    this.offlineRetryMs = opts.offlineRetryMs ?? 5000;
  }

  /** Starts the periodic look at the queue (items of other processes, profiles back online) and drains once. */
  start(): void {
    if (this.timer === null) this.timer = this.deps.clock.setInterval(() => this.kick(), this.offlineRetryMs);
    this.kick();
  }

  isDraining(): boolean {
    return this.draining;
  }

  /** Asks for a drain now (after an enqueue, a retry, a reconnect). Coalesces with one that is running. */
  kick(): void {
    if (this.disposed) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = true;
    this.current = this.drainLoop().catch(() => undefined).finally(() => {
      this.draining = false;
      this.emit(null, null);
    });
  }

  /** Resolves when no drain is running (tests, dispose). */
  async idle(): Promise<void> {
    while (this.draining) await this.current;
  }

  profileBackOnline(profileId: string): void {
    this.offlineUntil.delete(profileId);
    this.kick();
  }

  private async drainLoop(): Promise<void> {
    for (let round = 0; round < 1000 && !this.disposed; round += 1) {
      this.again = false;
      const holder = await readWorkerLock(this.deps.dataDir);
      if (holder && holder.pid !== process.pid) {
        this.lockedBy = holder.by === 'cli' ? `vmgreet (pid ${holder.pid})` : describeHolder(holder).replace(/ has been uploading.*$/, '');
        return;
      }
      this.lockedBy = null;
      const todo = await this.deps.queue.list({ states: ['pending', 'running'] });
      const ids: string[] = [];
      const now = this.deps.clock.now();
      const sendable = new Map<string, boolean>();
      for (const item of todo) {
        const profile = await this.deps.session.profileFor(item);
        if (!profile) continue;
        let ok = sendable.get(profile.id);
        if (ok === undefined) {
          ok = (await this.deps.session.hasCredentials(profile.id)) && this.deps.session.mayReach(profile.id) && (this.offlineUntil.get(profile.id) ?? 0) <= now;
          // A PBX found offline before is asked with one light call first: its items are not tried (and their
          // retry budget not spent) until it answers.
          if (ok && this.offlineUntil.has(profile.id)) ok = await this.probe(profile.id);
          sendable.set(profile.id, ok);
        }
        if (ok) ids.push(item.id);
      }
      if (ids.length === 0) return;
      const worker = new QueueWorker({
        queue: this.deps.queue,
        history: this.deps.history,
        holder: 'app',
        transportFor: (t) => this.deps.session.transportFor(t),
        ...(this.opts.concurrency !== undefined ? { concurrency: this.opts.concurrency } : {}),
        ...(this.opts.backoff ? { backoff: this.opts.backoff } : {}),
        ...(this.opts.offlineAfter !== undefined ? { offlineAfter: this.opts.offlineAfter } : {}),
      });
      this.worker = worker;
      this.emit(null, null);
      try {
        const summary = await worker.run({
          ids,
          signal: this.stop.signal,
          onProgress: (p) => {
            let pct: number | null = null;
            if (p.state === 'running' && p.sent !== undefined && p.total !== undefined && p.total > 0) pct = Math.round((p.sent / p.total) * 100);
            if (pct !== null) this.percent.set(p.itemId, pct);
            else if (p.state !== 'running') this.percent.delete(p.itemId);
            this.emit(p.itemId, pct);
          },
        });
        for (const profileId of summary.offlineProfiles) {
          const profile = await this.profileOfId(profileId, todo);
          const key = profile?.id ?? profileId;
          this.offlineUntil.set(key, this.deps.clock.now() + this.offlineRetryMs);
          this.deps.session.markUnreachable(key);
        }
      } catch (err) {
        if (err instanceof VmgsError && err.code === 'QUEUE_BUSY') {
          const holder = await readWorkerLock(this.deps.dataDir);
          this.lockedBy = holder ? (holder.by === 'cli' ? `vmgreet (pid ${holder.pid})` : `VM Greeting Studio (pid ${holder.pid})`) : 'another process';
          return;
        }
        throw err;
      } finally {
        this.worker = null;
      }
      if (!this.again) return;
    }
  }

  private async probe(profileId: string): Promise<boolean> {
    try {
      const client = await this.deps.session.clientFor(profileId);
      await client.listExtensions({ page: 1, pageSize: 1 });
      this.offlineUntil.delete(profileId);
      return true;
    } catch (err) {
      if (!isUnreachableError(err)) return true; // it answers: the worker decides what the error means for items
      this.offlineUntil.set(profileId, this.deps.clock.now() + this.offlineRetryMs);
      return false;
    }
  }

  private async profileOfId(profileId: string, items: QueueItem[]): Promise<ProfileSummary | undefined> {
    const item = items.find((i) => i.pbxProfileId === profileId);
    return item ? this.deps.session.profileFor(item) : this.deps.session.profile(profileId);
  }

  /** Throttled `outbox` event (the renderer re-reads the page it shows). */
  emit(itemId: string | null, percent: number | null): void {
    if (this.disposed) return;
    this.pendingEvent = { itemId, percent };
    const now = this.deps.clock.now();
    const wait = this.lastEmit + this.throttleMs - now;
    if (wait <= 0 && this.emitTimer === null) {
      void this.flush();
      return;
    }
    if (this.emitTimer === null) {
      this.emitTimer = this.deps.clock.setTimeout(() => {
        this.emitTimer = null;
        void this.flush();
      }, Math.max(0, wait));
    }
  }

  private async flush(): Promise<void> {
    const ev = this.pendingEvent;
    if (!ev || this.disposed) return;
    this.pendingEvent = null;
    this.lastEmit = this.deps.clock.now();
    const counts = await this.counts().catch(() => emptyCounts());
    const payload: OutboxEvent = { counts, draining: this.draining, itemId: ev.itemId, percent: ev.percent };
    this.deps.broadcast.emit('outbox', payload);
  }

  async counts(items?: QueueItem[]): Promise<Record<OutboxState, number>> {
    const all = items ?? (await this.deps.queue.list());
    const counts = emptyCounts();
    for (const i of all) counts[i.state] += 1;
    return counts;
  }

  async page(req: { page: number; pageSize: number; states?: QueueState[] | undefined }): Promise<OutboxPage> {
    const all = await this.deps.queue.list();
    const counts = await this.counts(all);
    const filtered = (req.states ? all.filter((i) => req.states!.includes(i.state)) : all).sort((a, b) => b.seq - a.seq);
    const slice = filtered.slice((req.page - 1) * req.pageSize, req.page * req.pageSize);
    const holder = await readWorkerLock(this.deps.dataDir);
    const lockedBy = holder && holder.pid !== process.pid ? (holder.by === 'cli' ? `vmgreet (pid ${holder.pid})` : `VM Greeting Studio (pid ${holder.pid})`) : null;
    this.lockedBy = lockedBy;
    const items: OutboxItem[] = [];
    const labels = new Map<string, ProfileSummary | undefined>();
    const credentials = new Map<string, boolean>();
    for (const item of slice) {
      const key = `${item.pbxProfileId}|${item.pbx.origin}|${item.pbx.clientId}`;
      if (!labels.has(key)) labels.set(key, await this.deps.session.profileFor(item));
      const profile = labels.get(key);
      if (profile && !credentials.has(profile.id)) credentials.set(profile.id, await this.deps.session.hasCredentials(profile.id));
      items.push(this.toItem(item, profile, profile ? credentials.get(profile.id) === true : false, lockedBy));
    }
    return { total: filtered.length, page: req.page, pageSize: req.pageSize, items, counts, draining: this.draining, lockedBy };
  }

  private toItem(i: QueueItem, profile: ProfileSummary | undefined, hasCredentials: boolean, lockedBy: string | null): OutboxItem {
    let waitingReason: string | null = null;
    if (i.state === 'pending') {
      if (lockedBy) waitingReason = `${lockedBy} is uploading from this data folder; this item is sent when it has finished.`;
      else if (!profile) waitingReason = `No PBX profile in this app for ${i.pbx.origin || i.pbxProfileId}: add one to send.`;
      else if (!hasCredentials) waitingReason = `Connect to ${profile.name} to send (enter its Client Secret).`;
      else if (!this.deps.session.mayReach(profile.id) || (this.offlineUntil.get(profile.id) ?? 0) > this.deps.clock.now()) {
        waitingReason = `${profile.name} cannot be reached; this item is sent when it answers.`;
      }
    }
    const e = i.lastError;
    return {
      id: i.id,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      ext: i.ext,
      fileName: i.fileName,
      target: i.target,
      policy: i.policy,
      pbxLabel: profile?.name ?? (i.pbx.origin || i.pbxProfileId),
      pbxProfileId: i.pbxProfileId,
      pbxOrigin: i.pbx.origin,
      state: i.state,
      percent: i.state === 'running' ? (this.percent.get(i.id) ?? null) : null,
      action: i.action,
      attempts: i.attempts,
      parked: i.parked,
      error: e && (i.state === 'failed' || i.state === 'pending' || i.state === 'running') ? { code: e.code, kind: e.kind ?? 'pbx', message: e.message } : null,
      waitingReason,
      draftId: i.source.kind === 'draft' ? i.source.ref : null,
      sourceLabel: i.source.label,
      backupTaken: i.backupHistoryId !== null && i.existedBefore === true,
      activate: i.activate ?? null,
    };
  }

  async retry(ids?: string[]): Promise<number> {
    const targets = ids ?? (await this.deps.queue.list({ states: ['failed'] })).map((i) => i.id);
    if (targets.length === 0) return 0;
    const done = await this.deps.queue.retry(targets);
    for (const i of done) this.offlineUntil.delete(i.pbxProfileId);
    this.kick();
    this.emit(null, null);
    return done.length;
  }

  async cancel(ids: string[]): Promise<number> {
    let n = 0;
    for (const id of ids) {
      try {
        const item = await this.deps.queue.get(id);
        if (isTerminal(item.state) && item.state !== 'failed') continue;
        if (this.worker && item.state === 'running') await this.worker.cancel(id);
        else await this.deps.queue.cancel([id]);
        n += 1;
      } catch {
        // Finished meanwhile, or not an id of this queue.
      }
    }
    this.emit(null, null);
    return n;
  }

  async clearFinished(): Promise<number> {
    const n = await this.deps.queue.purgeFinished();
    this.emit(null, null);
    return n;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer !== null) this.deps.clock.clearInterval(this.timer);
    if (this.emitTimer !== null) this.deps.clock.clearTimeout(this.emitTimer);
    this.timer = null;
    this.stop.abort();
    await this.current.catch(() => undefined);
  }
}

export { STATES as OUTBOX_STATES };

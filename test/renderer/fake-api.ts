// In-memory stand-in for window.vmgs: records calls, serves extensions/greetings, lets tests script responses.
import type { ChannelName, ConnectionState, DraftSummary, EventMap, EventName, Extension, HistoryItem, IpcError, IpcResult, OutboxItem, OutboxState, RequestOf, ResponseOf, VmgsApi } from '../../main/ipc/channels.js';

type Handler<K extends ChannelName> = (req: RequestOf<K>) => ResponseOf<K> | Promise<ResponseOf<K>>;

export class FakeApiError {
  constructor(readonly error: IpcError) {}
}

export function makeExtensions(n: number): Extension[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    number: String(1000 + i),
    callerIdName: i === 4242 ? 'Zoe Quinn' : `Person ${i}`,
    email: '',
    presence: i % 3 === 0 ? 'away' : 'available',
    online: i % 2 === 0,
  }));
}

export class FakeApi {
  readonly calls: { name: ChannelName; req: unknown }[] = [];
  private readonly handlers: Partial<{ [K in ChannelName]: Handler<K> }> = {};
  private readonly listeners = new Map<EventName, Set<(p: unknown) => void>>();
  extensions: Extension[] = makeExtensions(30);
  connection: ConnectionState = { status: 'online', profileId: 'p1', profileName: 'Head office', since: '2026-12-01T10:00:00.000Z', message: null };
  drafts: DraftSummary[] = [];
  outbox: OutboxItem[] = [];
  history: HistoryItem[] = [];

  outboxCounts(): Record<OutboxState, number> {
    const counts: Record<OutboxState, number> = { pending: 0, running: 0, uploaded: 0, skipped: 0, renamed: 0, failed: 0, cancelled: 0 };
    for (const i of this.outbox) counts[i.state] += 1;
    return counts;
  }

  constructor() {
    this.handle('searchExtensions', ({ query, page, pageSize }) => {
      const q = query.trim().toLowerCase();
      const hits = q ? this.extensions.filter((e) => e.number.includes(q) || e.callerIdName.toLowerCase().includes(q)) : this.extensions;
      return { total: hits.length, page, pageSize, items: hits.slice((page - 1) * pageSize, page * pageSize), source: 'live', fetchedAt: null, profileId: 'p1' };
    });
    this.handle('connectionState', () => this.connection);
    this.handle('saveDraft', ({ draftId }) => this.drafts.find((d) => d.id === draftId) ?? makeDraft(draftId, 0));
    this.handle('listDrafts', ({ page, pageSize, trash, query }) => {
      const q = (query ?? '').trim().toLowerCase();
      const all = this.drafts
        .filter((d) => (trash ? d.trashedAt !== null : d.trashedAt === null) && (!q || d.name.toLowerCase().includes(q)))
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      return { total: all.length, page, pageSize, items: all.slice((page - 1) * pageSize, page * pageSize) };
    });
    this.handle('listOutbox', ({ page, pageSize }) => ({
      total: this.outbox.length, page, pageSize, items: this.outbox.slice((page - 1) * pageSize, page * pageSize),
      counts: this.outboxCounts(), draining: false, lockedBy: null,
    }));
    this.handle('listHistory', ({ page, pageSize }) => ({ total: this.history.length, page, pageSize, items: this.history.slice((page - 1) * pageSize, page * pageSize) }));
    this.handle('listProfiles', () => ({ profiles: [], secretStorage: { available: true, backend: 'memory' } }));
    this.handle('listUnfinishedTakes', () => []);
    this.handle('listGreetings', () => []);
    this.handle('cancel', () => ({ cancelled: true }));
    this.handle('planFormat', ({ durationSec, format }) => ({
      format: format === 'auto' ? 'wav' : format, reason: 'fits', predictedBytes: Math.round(durationSec * 16000), maxDurationSec: 500, budgetText: '8 MB ≈ 8 min 20 s of wav',
    }));
  }

  handle<K extends ChannelName>(name: K, fn: Handler<K>): this {
    (this.handlers as Record<string, unknown>)[name] = fn;
    return this;
  }

  /** The current handler (to wrap it in a test). */
  handlerOf<K extends ChannelName>(name: K): Handler<K> {
    const h = this.handlers[name] as Handler<K> | undefined;
    if (!h) throw new Error(`fake has no ${name}`);
    return h;
  }

  fail<K extends ChannelName>(name: K, error: IpcError): this {
    return this.handle(name, () => {
      throw new FakeApiError(error);
    });
  }

  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  callsOf<K extends ChannelName>(name: K): RequestOf<K>[] {
    return this.calls.filter((c) => c.name === name).map((c) => c.req as RequestOf<K>);
  }

  api(): VmgsApi {
    const self = this;
    return new Proxy({} as VmgsApi, {
      get(_t, prop: string) {
        if (prop === 'on') {
          return (event: EventName, l: (p: unknown) => void) => {
            const set = self.listeners.get(event) ?? new Set();
            set.add(l);
            self.listeners.set(event, set);
            return () => set.delete(l);
          };
        }
        if (prop === 'importDroppedFile' || prop === 'then') return undefined;
        return async (req: unknown): Promise<IpcResult<unknown>> => {
          self.calls.push({ name: prop as ChannelName, req });
          const h = (self.handlers as Record<string, ((r: unknown) => unknown) | undefined>)[prop];
          if (!h) return { ok: false, error: { code: 'NOT_FAKED', kind: 'internal', message: `fake has no ${prop}` } };
          try {
            return { ok: true, value: await h(req) };
          } catch (e) {
            if (e instanceof FakeApiError) return { ok: false, error: e.error };
            throw e;
          }
        };
      },
    });
  }
}

/** A draft summary; `i` spreads the times so that a higher i is newer. */
export function makeDraft(id: string, i: number, over: Partial<DraftSummary> = {}): DraftSummary {
  const t = new Date(Date.UTC(2026, 10, 1, 8, 0, 0) + i * 60_000).toISOString();
  return {
    id, name: `Draft ${i}`, origin: 'recording', createdAt: t, updatedAt: t, durationSec: 3 + (i % 10), integratedLufs: -19.5,
    format: 'wav', renderedBytes: 48_000, sourceBytes: 96_000, targets: [], script: null, trashedAt: null, unfinished: false, ...over,
  };
}

export function makeOutboxItem(id: string, over: Partial<OutboxItem> = {}): OutboxItem {
  return {
    id, createdAt: '2026-12-01T10:00:00.000Z', updatedAt: '2026-12-01T10:00:00.000Z', ext: '3201', fileName: 'greeting.wav', target: null,
    policy: 'rename', pbxLabel: 'Head office', pbxProfileId: 'p1', pbxOrigin: 'https://pbx.example:8088', state: 'pending', percent: null,
    action: null, attempts: 0, parked: false, error: null, waitingReason: null, draftId: 'd1', sourceLabel: 'Draft 1', backupTaken: false,
    activate: null, ...over,
  };
}

export function makeHistoryItem(id: string, over: Partial<HistoryItem> = {}): HistoryItem {
  return {
    id, at: '2026-12-01T10:05:00.000Z', pbxLabel: 'Head office', ext: '3201', fileName: 'greeting.wav', bytes: 48_044, result: 'created',
    reason: null, backupTaken: false, canRollback: false, rolledBack: false, ...over,
  };
}

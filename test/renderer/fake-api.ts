// In-memory stand-in for window.vmgs: records calls, serves extensions/greetings, lets tests script responses.
import type { ChannelName, EventMap, EventName, Extension, IpcError, IpcResult, RequestOf, ResponseOf, VmgsApi } from '../../main/ipc/channels.js';

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

  constructor() {
    this.handle('searchExtensions', ({ query, page, pageSize }) => {
      const q = query.trim().toLowerCase();
      const hits = q ? this.extensions.filter((e) => e.number.includes(q) || e.callerIdName.toLowerCase().includes(q)) : this.extensions;
      return { total: hits.length, page, pageSize, items: hits.slice((page - 1) * pageSize, page * pageSize) };
    });
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
        if (prop === 'pathForFile' || prop === 'then') return undefined;
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

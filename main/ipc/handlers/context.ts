// What every handler module shares: the services, the library over the data folder, the session, the Outbox, the
// workspace of drafts, and the long-operation registry. Each module returns its typed part of the channel map
// (HandlersFor<...>); handlers/index.ts joins them into the full map, so a channel nobody handles fails to compile.
import { CancelledError, VmgsError } from '../../core/errors.js';
import type { DirectoryCache, DraftLibrary, HistoryStore, UploadQueue } from '../../core/library/index.js';
import type { ChannelName, EventMap, EventName, ParsedRequestOf, ResponseOf } from '../channels.js';
import type { DroppedPaths } from '../dropped.js';
import { AppStateError } from '../errors.js';
import type { Outbox } from '../outbox.js';
import type { AppServices, Broadcaster, ClockPort, PbxClientLike } from '../services.js';
import type { Session } from '../session.js';
import type { Workspace } from '../workspace.js';

export interface HandlerContext {
  /** Sends an event to the window that made the request. */
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
}

export type Handler<K extends ChannelName> = (request: ParsedRequestOf<K>, ctx: HandlerContext) => Promise<ResponseOf<K>>;
export type HandlersFor<K extends ChannelName> = { [P in K]: Handler<P> };
export type Handlers = HandlersFor<ChannelName>;

export interface AppContext<C extends PbxClientLike = PbxClientLike> {
  services: AppServices<C>;
  dataDir: string;
  drafts: DraftLibrary;
  queue: UploadQueue;
  history: HistoryStore;
  directory: DirectoryCache;
  workspace: Workspace;
  session: Session<C>;
  outbox: Outbox<C>;
  operations: Operations;
  dropped: DroppedPaths;
  broadcast: Broadcaster;
  clock: ClockPort;
}

/** Long operations the renderer can cancel by operationId. */
export class Operations {
  private readonly running = new Map<string, AbortController>();

  async run<T>(operationId: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.running.has(operationId)) throw new AppStateError('OPERATION_ID_IN_USE', 'That operation is already running.', 'internal');
    const controller = new AbortController();
    this.running.set(operationId, controller);
    try {
      const out = await fn(controller.signal);
      if (controller.signal.aborted) throw new CancelledError();
      return out;
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof VmgsError && err.code === 'CANCELLED')) throw new CancelledError();
      throw err;
    } finally {
      this.running.delete(operationId);
    }
  }

  cancel(operationId: string): boolean {
    const c = this.running.get(operationId);
    if (!c) return false;
    c.abort();
    return true;
  }

  cancelAll(): void {
    for (const c of this.running.values()) c.abort();
  }
}

// Wires the handlers to an ipcMain-like registry: every call is checked for its sender frame (must be the app's
// own page), validated against the channel's zod schema, and answered with an IpcResult envelope.
// Electron's ipcMain satisfies IpcMainLike; the e2e test bridge can use createDispatcher directly.
import type { z } from 'zod';
import { CHANNEL_NAMES, channels, ipcChannel, ipcEventChannel, type ChannelName, type EventMap, type EventName, type IpcResult } from './channels.js';
import { BadPayloadError, ForbiddenSenderError, toIpcError } from './errors.js';
import type { HandlerContext, Handlers } from './handlers/index.js';
import type { DroppedPaths } from './dropped.js';
import { REGISTER_DROPPED_PATH_CHANNEL } from './preload-channels.js';

export interface IpcSenderLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed?(): boolean;
}
export interface IpcMainInvokeEventLike {
  senderFrame: { url: string } | null | undefined;
  sender: IpcSenderLike;
}
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface DispatchOptions {
  /** True when the URL belongs to the app's own page (e.g. origin app://vmgs). */
  isTrustedSender(url: string): boolean;
}

export type Dispatch = (name: string, payload: unknown, event: IpcMainInvokeEventLike) => Promise<IpcResult<unknown>>;

function issuesOf(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

export function createDispatcher(handlers: Handlers, opts: DispatchOptions): Dispatch {
  return async (name, payload, event) => {
    try {
      const url = event.senderFrame?.url ?? '';
      if (!url || !opts.isTrustedSender(url)) throw new ForbiddenSenderError(url);
      if (!(CHANNEL_NAMES as string[]).includes(name)) throw new BadPayloadError(name, [{ path: '', message: 'unknown channel' }]);
      const key = name as ChannelName;
      const parsed = channels[key].request.safeParse(payload);
      if (!parsed.success) throw new BadPayloadError(name, issuesOf(parsed.error));
      const ctx: HandlerContext = {
        emit<E extends EventName>(ev: E, data: EventMap[E]) {
          if (event.sender.isDestroyed?.()) return;
          event.sender.send(ipcEventChannel(ev), data);
        },
      };
      // The parsed value matches the handler's request type for this key; TS cannot correlate the union itself.
      const handler = handlers[key] as (req: unknown, ctx: HandlerContext) => Promise<unknown>;
      const value = await handler(parsed.data, ctx);
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: toIpcError(err) };
    }
  };
}

/** Registers one ipcMain.handle per channel; returns a function that removes them again. */
export function registerIpcHandlers(ipcMain: IpcMainLike, handlers: Handlers, opts: DispatchOptions): () => void {
  const dispatch = createDispatcher(handlers, opts);
  for (const name of CHANNEL_NAMES) {
    ipcMain.handle(ipcChannel(name), (event, payload) => dispatch(name, payload, event));
  }
  return () => {
    for (const name of CHANNEL_NAMES) ipcMain.removeHandler(ipcChannel(name));
  };
}

/**
 * The preload-only channel: registers the path webUtils.getPathForFile gave the preload for a dropped File and
 * answers a one-time token (importDropped takes it). Sender-checked like every channel; it is not in the channel
 * map, so window.vmgs has no function for it and the page can never name a path itself.
 */
export function registerPreloadChannels(ipcMain: IpcMainLike, dropped: DroppedPaths, opts: DispatchOptions): () => void {
  ipcMain.handle(REGISTER_DROPPED_PATH_CHANNEL, async (event, filePath) => {
    try {
      const url = event.senderFrame?.url ?? '';
      if (!url || !opts.isTrustedSender(url)) throw new ForbiddenSenderError(url);
      if (typeof filePath !== 'string' || filePath.length > 4096) throw new BadPayloadError(REGISTER_DROPPED_PATH_CHANNEL, [{ path: '', message: 'a file path' }]);
      return { ok: true, value: { token: dropped.register(filePath) } } satisfies IpcResult<{ token: string }>;
    } catch (err) {
      return { ok: false, error: toIpcError(err) } satisfies IpcResult<never>;
    }
  });
  return () => ipcMain.removeHandler(REGISTER_DROPPED_PATH_CHANNEL);
}

/** Sender check for a page served from `origin` (e.g. 'app://vmgs' or, in the e2e bridge, 'http://127.0.0.1:5173'). */
export function trustOrigin(origin: string): (url: string) => boolean {
  return (url) => {
    try {
      // URL.origin is 'null' for custom schemes in Node, so compare scheme + host explicitly.
      const u = new URL(url);
      return `${u.protocol}//${u.host}` === origin && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  };
}

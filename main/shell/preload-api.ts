// Builds the window.vmgs object from the channel map. Separate from preload.ts so it can be unit-tested.
import { CHANNEL_NAMES, EVENT_NAMES, ipcChannel, ipcEventChannel, type EventName, type VmgsApi } from '../ipc/channels.js';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}
export interface WebUtilsLike {
  getPathForFile(file: never): string;
}

export function buildVmgsApi(ipc: IpcRendererLike, webUtils?: WebUtilsLike): VmgsApi {
  const api: Record<string, unknown> = {};
  for (const name of CHANNEL_NAMES) {
    const channel = ipcChannel(name);
    // Only the payload crosses; the page never chooses the channel string.
    api[name] = (request: unknown) => ipc.invoke(channel, request);
  }
  api['on'] = (event: EventName, listener: (payload: unknown) => void) => {
    if (!EVENT_NAMES.includes(event) || typeof listener !== 'function') throw new Error(`Unknown event ${String(event)}`);
    const channel = ipcEventChannel(event);
    // Drop the IpcRendererEvent (it carries sender internals) before calling the page.
    const wrapped = (_e: unknown, payload: unknown) => listener(payload);
    ipc.on(channel, wrapped);
    return () => {
      ipc.removeListener(channel, wrapped);
    };
  };
  if (webUtils) {
    api['pathForFile'] = (file: object) => {
      try {
        return webUtils.getPathForFile(file as never) || undefined;
      } catch {
        return undefined;
      }
    };
  }
  return api as VmgsApi;
}

// Builds the window.vmgs object from the channel map. Separate from preload.ts so it can be unit-tested.
import { CHANNEL_NAMES, EVENT_NAMES, ipcChannel, ipcEventChannel, type EventName, type IpcResult, type SourceInfo, type VmgsApi } from '../ipc/channels.js';
import { REGISTER_DROPPED_PATH_CHANNEL } from '../ipc/preload-channels.js';

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
    // A dropped File: the preload asks Electron for its real path (empty for a File the page made itself), has main
    // register it for a one-time token over a channel the page has no function for, then imports by token.
    api['importDroppedFile'] = async (file: object): Promise<IpcResult<SourceInfo>> => {
      let filePath = '';
      try {
        filePath = webUtils.getPathForFile(file as never) || '';
      } catch {
        filePath = '';
      }
      if (!filePath) {
        return { ok: false, error: { code: 'IMPORT_NOT_A_FILE', kind: 'input', message: 'That dropped item is not a file on this computer. Import it with "Import…" instead.' } };
      }
      const reg = (await ipc.invoke(REGISTER_DROPPED_PATH_CHANNEL, filePath)) as IpcResult<{ token: string }>;
      if (!reg.ok) return reg;
      return (await ipc.invoke(ipcChannel('importDropped'), { token: reg.value.token })) as IpcResult<SourceInfo>;
    };
  }
  return api as VmgsApi;
}

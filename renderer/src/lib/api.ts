// The renderer's only door to the main process: window.vmgs (the preload API). Unwraps the IpcResult envelope into
// values or ApiError. Tests and the e2e bridge inject their own implementation with setApi().
import type { ChannelName, IpcError, RequestOf, ResponseOf, SourceInfo, VmgsApi, EventMap, EventName } from '../../../main/ipc/channels.js';

export class ApiError extends Error {
  readonly code: string;
  readonly kind: string;
  readonly detail: Record<string, unknown> | undefined;
  constructor(e: IpcError) {
    super(e.message);
    this.name = 'ApiError';
    this.code = e.code;
    this.kind = e.kind;
    this.detail = e.detail;
  }
}

let current: VmgsApi | undefined;

export function setApi(api: VmgsApi | undefined): void {
  current = api;
}

function api(): VmgsApi {
  const a = current ?? (globalThis as { vmgs?: VmgsApi }).vmgs;
  if (!a) throw new ApiError({ code: 'NO_BRIDGE', kind: 'internal', message: 'The app bridge is missing: open this page from VM Greeting Studio.' });
  return a;
}

export async function call<K extends ChannelName>(name: K, request: RequestOf<K>): Promise<ResponseOf<K>> {
  const fn = api()[name] as (r: RequestOf<K>) => Promise<{ ok: true; value: ResponseOf<K> } | { ok: false; error: IpcError }>;
  const r = await fn(request);
  if (!r.ok) throw new ApiError(r.error);
  return r.value;
}

export function on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
  return api().on(event, listener);
}

/** Imports a dropped File by its real path where the preload can (Electron); null elsewhere (then send its bytes). */
export async function importDroppedFile(file: File): Promise<SourceInfo | null> {
  const fn = api().importDroppedFile;
  if (!fn) return null;
  const r = await fn(file);
  if (!r.ok) throw new ApiError(r.error);
  return r.value;
}

let opCounter = 0;
/** Operation ids let the renderer cancel and match progress events before the call returns. */
export function newOperationId(prefix: string): string {
  opCounter += 1;
  return `${prefix}-${Date.now().toString(36)}-${opCounter}`;
}

export function isCancelled(e: unknown): boolean {
  return e instanceof ApiError && e.code === 'CANCELLED';
}

/** True inside Electron, where the preload offers native file paths (and so the native dialog). */
export function hasNativeDialog(): boolean {
  try {
    return typeof api().importDroppedFile === 'function';
  } catch {
    return false;
  }
}

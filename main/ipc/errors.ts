// Errors raised by the IPC layer itself, and the conversion of any error into the envelope the renderer receives.
import { VmgsError, type ErrorKind } from '../core/errors.js';
import type { IpcError } from './channels.js';

export class ForbiddenSenderError extends VmgsError {
  constructor(url: string) {
    super('usage', 'IPC_FORBIDDEN_SENDER', 'This request did not come from the app window and was refused.', {
      detail: { senderUrl: url.slice(0, 200) },
    });
  }
}

export class BadPayloadError extends VmgsError {
  constructor(channel: string, issues: { path: string; message: string }[]) {
    const first = issues[0];
    super('usage', 'IPC_BAD_PAYLOAD', `Invalid request for ${channel}: ${first ? `${first.path || '(root)'}: ${first.message}` : 'malformed'}.`, {
      detail: { channel, issues: issues.slice(0, 10) },
    });
  }
}

export class AppStateError extends VmgsError {
  constructor(code: string, message: string, kind: ErrorKind = 'input') {
    super(kind, code, message);
  }
}

export function notConnected(): AppStateError {
  return new AppStateError('NOT_CONNECTED', 'Connect to a PBX first (choose a profile and press Connect).', 'usage');
}

/** Serialise any thrown value; only VmgsError text reaches the renderer, anything else becomes a generic message. */
export function toIpcError(err: unknown): IpcError {
  if (err instanceof VmgsError) {
    const out: IpcError = { code: err.code, kind: err.kind, message: err.message };
    if (err.detail) out.detail = safeDetail(err.detail);
    return out;
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return { code: 'CANCELLED', kind: 'cancelled', message: 'The operation was cancelled.' };
  }
  return { code: 'INTERNAL', kind: 'internal', message: 'Something went wrong inside the app. Try again; if it keeps happening, restart the app.' };
}

// Structured clone rejects functions/symbols; keep only plain JSON-able detail.
function safeDetail(detail: Readonly<Record<string, unknown>>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(detail)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

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

/** What the person calls the fields they fill in (request paths as the channel map names them). */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  name: 'Name',
  baseUrl: 'PBX address',
  clientId: 'Client ID',
  clientSecret: 'Client Secret',
  tls: 'Certificate check',
  'tls.pinSha256': 'Certificate fingerprint',
  'tls.caPem': 'Certificate (PEM)',
  ext: 'Extension',
  extension: 'Extension',
  extensions: 'Extensions',
  targets: 'Extensions',
  fileName: 'File name',
  query: 'Search',
  url: 'Link',
};

/** A field's label for a request path ('tls.pinSha256' -> 'Certificate fingerprint', 'targets.3' -> 'Extensions'). */
export function fieldLabel(path: string): string | null {
  if (path === '') return null;
  const exact = FIELD_LABELS[path];
  if (exact) return exact;
  const withoutIndex = path.split('.').filter((p) => !/^\d+$/.test(p)).join('.');
  if (FIELD_LABELS[withoutIndex]) return FIELD_LABELS[withoutIndex]!;
  const last = withoutIndex.split('.').pop() ?? '';
  if (FIELD_LABELS[last]) return FIELD_LABELS[last]!;
  // camelCase -> words: 'trimStartSec' -> 'trim start sec'.
  const words = last.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words === '' ? null : words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The words for a refused request: the field and what is wrong with it, never the internal channel name (that stays
 * in detail for logs). Schema messages written for people ("Enter the PBX address as https://host:port") are kept.
 */
export function badPayloadMessage(issues: readonly { path: string; message: string }[]): string {
  const first = issues[0];
  if (!first) return 'The app could not read this request. Try again; if it keeps happening, restart the app.';
  const label = fieldLabel(first.path);
  const said = first.message.trim().replace(/\.$/, '');
  const generic = /^(Invalid|Required|Expected|Too (small|big)|Unrecognized)/i.test(said) || said === 'unknown channel';
  const what = generic ? 'is missing or not valid' : '';
  if (!label) return generic ? 'The app could not read this request. Try again; if it keeps happening, restart the app.' : `${said}.`;
  return generic ? `${label} ${what}. Check it and try again.` : `${label}: ${said}.`;
}

export class BadPayloadError extends VmgsError {
  constructor(channel: string, issues: { path: string; message: string }[]) {
    super('usage', 'IPC_BAD_PAYLOAD', badPayloadMessage(issues), {
      detail: { channel, issues: issues.slice(0, 10), ...(issues[0]?.path ? { field: issues[0].path } : {}) },
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

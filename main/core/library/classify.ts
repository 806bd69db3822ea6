// Decides what a failed PBX call means for a queued item: retry later (network, 5xx, garbled answers), or park it
// (errors that cannot heal by waiting: bad parameters, no permission, blocked IP, bad credentials, TLS trust).
import { VmgsError } from '../errors.js';

/** PBX errcodes that waiting cannot fix. 40002/10005/70004 are named by the issue; -1 is bad credentials on get_token. */
export const PERMANENT_ERRCODES: ReadonlySet<number> = new Set([-1, 10001, 10002, 10003, 10005, 40001, 40002, 40004, 60001, 60002, 70004, 70087, 70120]);
/** Errcodes that say "not now": internal error, still processing, token expired (client refreshes), heavy task running. */
export const TRANSIENT_ERRCODES: ReadonlySet<number> = new Set([-2, 2, 10004, 70082]);

const TRANSIENT_NODE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET']);
const TRANSIENT_ERROR_NAMES = new Set(['PbxNetworkError', 'PbxTimeoutError', 'PbxBadResponseError']);
const PERMANENT_ERROR_NAMES = new Set(['PbxTlsError', 'PbxSchemeMismatchError', 'PbxInputError', 'GreetingExistsError']);

export interface Classified {
  outcome: 'retry' | 'park' | 'cancelled';
  code: string;
  message: string;
}

export function errcodeOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const direct = (err as { errcode?: unknown }).errcode;
  if (typeof direct === 'number') return direct;
  const detail = (err as { detail?: { errcode?: unknown } }).detail;
  if (detail && typeof detail.errcode === 'number') return detail.errcode;
  return undefined;
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  for (const holder of [err as Record<string, unknown>, (err as { detail?: Record<string, unknown> }).detail]) {
    const s = holder?.['status'] ?? holder?.['statusCode'] ?? holder?.['httpStatus'];
    if (typeof s === 'number') return s;
  }
  return undefined;
}

export function classifyError(err: unknown): Classified {
  const message = err instanceof Error ? err.message : String(err);
  const code = err instanceof VmgsError ? err.code : typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' ? String((err as { code: string }).code) : 'UNKNOWN';
  if (err instanceof VmgsError && err.kind === 'cancelled') return { outcome: 'cancelled', code, message };
  if (err instanceof Error && err.name === 'AbortError') return { outcome: 'cancelled', code: 'CANCELLED', message };
  // An explicit verdict set by our own code (e.g. a backup failure that inherits its cause's verdict).
  const explicit = (err as { retryable?: unknown } | null)?.retryable;
  if (typeof explicit === 'boolean') return { outcome: explicit ? 'retry' : 'park', code, message };

  const errcode = errcodeOf(err);
  if (errcode !== undefined) {
    if (TRANSIENT_ERRCODES.has(errcode)) return { outcome: 'retry', code, message };
    // Unknown errcodes are parked too: the PBX understood us and said no; hammering it will not change that.
    return { outcome: 'park', code, message };
  }
  const status = statusOf(err);
  if (status !== undefined && status >= 500) return { outcome: 'retry', code, message };
  // A 4xx page (wrong address, proxy refusing) does not heal by waiting.
  if (status !== undefined && status >= 400) return { outcome: 'park', code, message };
  if (err instanceof Error && PERMANENT_ERROR_NAMES.has(err.name)) return { outcome: 'park', code, message };
  if (err instanceof Error && TRANSIENT_ERROR_NAMES.has(err.name)) return { outcome: 'retry', code, message };
  if (err instanceof VmgsError) {
    if (err.kind === 'network') return { outcome: 'retry', code, message };
    if (/CREDENTIAL|AUTH|LOGIN|BLOCKED/i.test(err.code)) return { outcome: 'park', code, message };
    if (/NETWORK|TIMEOUT|BAD_RESPONSE|HTTP_5|GARBLED|HTML/i.test(err.code)) return { outcome: 'retry', code, message };
    return { outcome: 'park', code, message };
  }
  if (TRANSIENT_NODE_CODES.has(code)) return { outcome: 'retry', code, message };
  // Plain errors (a JSON parse failure of a garbled answer, a socket hang-up) are usually transient.
  if (err instanceof SyntaxError || /socket hang up|ECONNRESET|network|timed? ?out/i.test(message)) return { outcome: 'retry', code, message };
  return { outcome: 'park', code, message };
}

// What a failed call means for a queued item, read off the error itself (main/core/errors.ts): retry later when its
// class says waiting can heal it, park it when a person has to change something, stop when it was cancelled.
// `unreachable` errors also count toward treating the PBX as offline (see QueueWorker).
import { VmgsError, type ErrorKind } from '../errors.js';
import type { ItemError } from './schemas.js';

export interface Classified {
  outcome: 'retry' | 'park' | 'cancelled';
  /** The PBX could not be reached at all. */
  unreachable: boolean;
  kind: ErrorKind;
  code: string;
  message: string;
  detail?: Readonly<Record<string, unknown>>;
}

export function classifyError(err: unknown): Classified {
  if (err instanceof VmgsError) {
    const outcome = err.kind === 'cancelled' ? 'cancelled' : err.retryable ? 'retry' : 'park';
    return { outcome, unreachable: err.unreachable, kind: err.kind, code: err.code, message: err.message, ...(err.detail ? { detail: err.detail } : {}) };
  }
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && err.name === 'AbortError') return { outcome: 'cancelled', unreachable: false, kind: 'cancelled', code: 'CANCELLED', message };
  // Not one of ours (a bug, a local file system error): nothing says waiting would heal it, so do not hammer on.
  return { outcome: 'park', unreachable: false, kind: 'internal', code: 'UNEXPECTED', message };
}

/** The form an item keeps on disk: the error's decisions travel with it. */
export function itemError(c: Classified): ItemError {
  return { code: c.code, message: c.message, kind: c.kind, retryable: c.outcome === 'retry', unreachable: c.unreachable, ...(c.detail ? { detail: { ...c.detail } } : {}) };
}

/** Rebuilds an error from what an item kept (for a caller that reports a finished item's failure as its own). */
export function errorFromItem(e: ItemError): VmgsError {
  return new VmgsError(e.kind ?? 'internal', e.code, e.message, {
    ...(e.detail ? { detail: e.detail } : {}),
    ...(e.retryable !== undefined ? { retryable: e.retryable } : {}),
    ...(e.unreachable !== undefined ? { unreachable: e.unreachable } : {}),
  });
}

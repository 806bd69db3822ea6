import { randomBytes } from 'node:crypto';
import { isGreetingFormat, suffixFor } from '../domain.js';

/** Time-ordered ids (`d-…`, `q-…`, `h-…`): base36 milliseconds sort lexicographically, random tail avoids clashes. */
export function newId(prefix: 'd' | 'q' | 'h', now: number = Date.now()): string {
  return `${prefix}-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** Serialises async critical sections inside one process (index and queue-file rewrites). */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** The file suffix of a format's greeting (domain rule; kept here for the drafts library's callers). */
export function suffixForFormat(format: string): '.wav' | '.mp3' | '.gsm' {
  return isGreetingFormat(format) ? suffixFor(format) : '.wav';
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

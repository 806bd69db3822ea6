import { randomBytes } from 'node:crypto';

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

/** Safe PBX greeting basename, same rule as the audio engine: letters, digits, `_`, `-`. */
export function safeGreetingBase(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\.(wav|mp3|gsm)$/i, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 60);
  return base === '' ? 'greeting' : base;
}

export function suffixForFormat(format: string): '.wav' | '.mp3' | '.gsm' {
  if (format === 'mp3') return '.mp3';
  if (format === 'gsm') return '.gsm';
  return '.wav';
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

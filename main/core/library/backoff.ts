export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Attempts per item for errors that can heal, before it ends as failed (retry() gives it a fresh budget). */
  maxAttempts: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 15_000, maxAttempts: 8 };

/**
 * Exponential backoff with "equal jitter": half the exponential step is fixed, half random, so retries from
 * parallel slots spread out but never fire immediately. `attempt` counts from 1 (the delay after the first failure).
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const step = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(step / 2 + random() * (step / 2));
}

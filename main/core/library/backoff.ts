import { VmgsError } from '../errors.js';
import { sleep } from './util.js';

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

export interface RetryOptions {
  backoff?: Partial<BackoffOptions>;
  /** Consecutive "cannot reach the PBX" failures after which it is given up on at once (default 3, as the worker). */
  offlineAfter?: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  onRetry?: (p: { error: VmgsError; attempt: number; retryInMs: number }) => void;
}

/**
 * Runs `fn` until it succeeds, with the queue's backoff, for errors whose class says waiting can heal them
 * (VmgsError.retryable); anything else, the last failure after `maxAttempts`, or an unreachable PBX `offlineAfter`
 * times in a row, is thrown. For one-off calls outside the queue (e.g. the extension directory read before a batch).
 */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
  const wait = opts.sleep ?? sleep;
  let unreachable = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof VmgsError) || !err.retryable || opts.signal?.aborted) throw err;
      unreachable = err.unreachable ? unreachable + 1 : 0;
      if (attempt >= backoff.maxAttempts || unreachable >= (opts.offlineAfter ?? 3)) throw err;
      const retryInMs = backoffDelay(attempt, backoff, opts.random);
      opts.onRetry?.({ error: err, attempt, retryInMs });
      await wait(retryInMs, opts.signal);
    }
  }
}

// Live regions that change faster than a person can listen (a 100 ms recording timer) are fed through this:
// the first text goes out at once, later ones at most every `intervalMs`, and the last one always arrives.
export interface Throttled<T> {
  (value: T): void;
  cancel(): void;
}

export function throttled<T>(apply: (value: T) => void, intervalMs: number, now: () => number = () => Date.now()): Throttled<T> {
  let last = -Infinity;
  let lastValue: T | undefined;
  let hasLast = false;
  let pending: { value: T } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = (): void => {
    timer = null;
    if (!pending) return;
    const v = pending.value;
    pending = null;
    last = now();
    apply(v);
  };
  const fn = ((value: T) => {
    if (hasLast && Object.is(value, lastValue) && !pending) return;
    hasLast = true;
    lastValue = value;
    const wait = last + intervalMs - now();
    if (wait <= 0 && !timer) {
      last = now();
      apply(value);
      return;
    }
    pending = { value };
    timer ??= setTimeout(flush, Math.max(0, wait));
  }) as Throttled<T>;
  fn.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    pending = null;
  };
  return fn;
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttled } from '../../renderer/src/lib/live.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('throttled live-region text', () => {
  it('says the first text at once, then at most once per interval, and never drops the last one', () => {
    const said: string[] = [];
    const say = throttled((t: string) => said.push(t), 1000, () => Date.now());
    say('Recording.');
    expect(said).toEqual(['Recording.']);
    for (let i = 1; i <= 25; i++) {
      vi.advanceTimersByTime(100);
      say(`Recording ${i}`);
    }
    // 2.5 s of updates every 100 ms: the first one plus one per second.
    expect(said.length).toBeLessThanOrEqual(4);
    vi.advanceTimersByTime(1000);
    expect(said.at(-1)).toBe('Recording 25');
  });

  it('does not repeat an unchanged text and can be cancelled', () => {
    const said: string[] = [];
    const say = throttled((t: string) => said.push(t), 1000, () => Date.now());
    say('a');
    say('a');
    vi.advanceTimersByTime(2000);
    say('a');
    expect(said).toEqual(['a']);
    say('b');
    say('c');
    say.cancel();
    vi.advanceTimersByTime(2000);
    expect(said).toEqual(['a', 'b']);
  });
});

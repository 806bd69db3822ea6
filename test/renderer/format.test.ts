import { describe, expect, it } from 'vitest';
import { budgetLine, formatDuration } from '../../renderer/src/lib/format.js';

describe('formatDuration (the one duration formatter of the UI)', () => {
  it('shows tenths of a second under a minute', () => {
    expect(formatDuration(0)).toBe('0:00.0');
    expect(formatDuration(2.35)).toBe('0:02.4');
    expect(formatDuration(3.04)).toBe('0:03.0');
    expect(formatDuration(12.96)).toBe('0:13.0');
    expect(formatDuration(59.94)).toBe('0:59.9');
  });

  it('shows whole seconds from a minute on, including values that round up to a minute', () => {
    expect(formatDuration(59.96)).toBe('1:00');
    expect(formatDuration(500)).toBe('8:20');
    expect(formatDuration(3723.4)).toBe('1:02:03');
  });

  it('shows a placeholder for unknown durations', () => {
    expect(formatDuration(Number.NaN)).toBe('–:––');
    expect(formatDuration(-1)).toBe('–:––');
  });

  it('is what the budget line uses, so short selections agree with the rest of the screen', () => {
    expect(budgetLine('wav', 2.35, 500)).toBe('wav: 0:02.4 of 8:20 max');
  });
});

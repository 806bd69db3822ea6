// --when / --use-when parsing: aliases, `all`, order and duplicates, and the usage error for anything else.
import { describe, expect, it } from 'vitest';
import { parseWhen } from '../../main/cli/selection.js';

describe('parseWhen', () => {
  it('maps the short names and returns the PBX order without duplicates', () => {
    expect(parseWhen('off,dnd,away,dnd')).toEqual(['away', 'do_not_disturb', 'off_work']);
    expect(parseWhen('trip, Lunch ,do-not-disturb')).toEqual(['do_not_disturb', 'lunch', 'business_trip']);
    expect(parseWhen('default')).toEqual(['default']);
    expect(parseWhen('all')).toEqual(['default', 'available', 'away', 'do_not_disturb', 'lunch', 'business_trip', 'off_work']);
  });

  it('refuses unknown statuses and empty parts as usage errors naming the flag', () => {
    expect(() => parseWhen('away,holiday', '--use-when')).toThrow(/--use-when: "holiday" is not a presence status/);
    expect(() => parseWhen('away,,dnd')).toThrow(/--when "away,,dnd" is not valid/);
    try {
      parseWhen('');
    } catch (err) {
      expect((err as { code: string; kind: string }).code).toBe('CLI_BAD_WHEN');
      expect((err as { kind: string }).kind).toBe('usage');
    }
    expect(() => parseWhen('')).toThrow();
  });
});

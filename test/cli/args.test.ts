import { describe, expect, it } from 'vitest';
import {
  checkRange, parseChoice, parseExt, parseExtRange, parseGreetingFile, parseGreetingName, parseIntArg, parseLufs, parsePin, parseSeconds,
  FORMAT_CHOICES, UPLOAD_POLICIES,
} from '../../main/cli/args.js';
import { UsageError } from '../../main/cli/errors.js';

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseExt', () => {
  it('accepts digits', () => {
    expect(parseExt('3200')).toBe('3200');
    expect(parseExt('0042')).toBe('0042');
  });
  it.each(['32&00', '3200/1', '32 00', ' 3200', '3'.repeat(200), '', '3200\n', 'abc'])('refuses %j with a readable message', (v) => {
    const e = usage(() => parseExt(v));
    expect(e.message).toMatch(/^Extension .* is not valid: /);
    expect(e.message).not.toMatch(/\n/);
    expect(e.message.length).toBeLessThan(200);
  });
});

describe('parseExtRange', () => {
  it('expands ranges and lists, keeping order and leading zeros', () => {
    expect(parseExtRange('3200-3203')).toEqual(['3200', '3201', '3202', '3203']);
    expect(parseExtRange('0100-0102,3200,0101')).toEqual(['0100', '0101', '0102', '3200']);
  });
  it('refuses backwards, non-numeric and oversized ranges', () => {
    expect(usage(() => parseExtRange('3299-3200')).message).toMatch(/backwards.*3200-3299/);
    expect(usage(() => parseExtRange('a-b')).message).toMatch(/not valid/);
    expect(usage(() => parseExtRange('1-20000', 100)).message).toMatch(/more than 100/);
  });
});

describe('parseGreetingName', () => {
  it('accepts safe names with an optional greeting suffix', () => {
    expect(parseGreetingName('front_desk-away')).toEqual({ base: 'front_desk-away', suffix: undefined });
    expect(parseGreetingName('away.WAV')).toEqual({ base: 'away', suffix: '.wav' });
  });
  it.each(['say "hi"', "it's", 'a\rb', 'a\nb', 'Grüße', '日本', 'a b', '../x', '', 'x'.repeat(65)])('refuses %j', (v) => {
    const e = usage(() => parseGreetingName(v));
    expect(e.message).toMatch(/Name .* is not valid/);
    expect(e.message).not.toMatch(/[\r\n]/);
  });
});

describe('other values', () => {
  it('greeting file names exclude folders and control characters', () => {
    expect(parseGreetingFile('vm_away.wav')).toBe('vm_away.wav');
    usage(() => parseGreetingFile('../etc/passwd'));
    usage(() => parseGreetingFile('a\r\nb.wav'));
  });
  it('whole numbers within bounds', () => {
    expect(parseIntArg('25', 'Page', 1, 100)).toBe(25);
    for (const v of ['0', '101', '2.5', 'ten', '', '1e3']) usage(() => parseIntArg(v, 'Page', 1, 100));
  });
  it('seconds in s, m:ss and h:mm:ss', () => {
    expect(parseSeconds('12.5', '--start')).toBe(12.5);
    expect(parseSeconds('1:02.5', '--start')).toBe(62.5);
    expect(parseSeconds('1:00:00', '--end')).toBe(3600);
    usage(() => parseSeconds('-1', '--start'));
    usage(() => parseSeconds('abc', '--start'));
  });
  it('--start must be before --end', () => {
    expect(() => checkRange(1, 2)).not.toThrow();
    expect(usage(() => checkRange(5, 2)).message).toMatch(/--start \(5 s\) must be before --end \(2 s\)/);
  });
  it('--end 0 without --start is refused with what to give', () => {
    expect(() => checkRange(undefined, 0.5)).not.toThrow();
    expect(usage(() => checkRange(undefined, 0)).message).toBe('--end (0 s) must be after the start of the recording: give a later --end, or leave it out to keep to the end.');
  });
  it('choices name the valid values', () => {
    expect(parseChoice('gsm', FORMAT_CHOICES, 'Format')).toBe('gsm');
    expect(usage(() => parseChoice('ogg', FORMAT_CHOICES, 'Format')).message).toMatch(/choose one of wav, wav-ulaw, wav-alaw, mp3, gsm, auto/);
    expect(usage(() => parseChoice('always', UPLOAD_POLICIES, '--if-exists')).message).toMatch(/ask, overwrite, rename, skip, fail/);
  });
  it('loudness target', () => {
    expect(parseLufs('-23')).toBe(-23);
    usage(() => parseLufs('0'));
    usage(() => parseLufs('loud'));
  });
  it('pins are normalised to the colon form', () => {
    const hex = 'ab'.repeat(32);
    expect(parsePin(hex)).toBe(Array(32).fill('AB').join(':'));
    expect(parsePin(Array(32).fill('ab').join(':'))).toBe(Array(32).fill('AB').join(':'));
    usage(() => parsePin('abcd'));
  });
});

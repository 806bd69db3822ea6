import { describe, expect, it } from 'vitest';
import { greetingNameFromFile } from '../../renderer/src/lib/names.js';
import { greetingNameProblem } from '../../main/ipc/names.js';

describe('greeting name from an imported file', () => {
  it('keeps letters, digits, "-" and "_", turns the rest into "_" and drops the suffix', () => {
    expect(greetingNameFromFile('Sales Welcome (final).wav')).toBe('Sales_Welcome_final');
    expect(greetingNameFromFile('Sales_Welcome_final_.wav')).toBe('Sales_Welcome_final');
    expect(greetingNameFromFile('C:\\\\Users\\\\me\\\\Öffnungszeiten Büro.mp3')).toBe('Offnungszeiten_Buro');
    expect(greetingNameFromFile('after-hours.v2.m4a')).toBe('after-hours_v2');
  });

  it('falls back to "greeting" when nothing usable is left, and stays within the length the app accepts', () => {
    expect(greetingNameFromFile('日本語.wav')).toBe('greeting');
    expect(greetingNameFromFile('.wav')).toBe('greeting');
    const long = greetingNameFromFile(`${'a'.repeat(100)}.wav`);
    expect(greetingNameProblem(long)).toBeNull();
  });
});

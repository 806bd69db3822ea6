import { describe, expect, it } from 'vitest';
import {
  AudioError, budgetText, extensionFor, formatDuration, greetingFileName, maxDurationSec, planFormat, predictBytes, safeBaseName,
  SIZE_LIMIT_BYTES, type EncoderCapabilities,
} from '../../../main/core/audio/index.js';

const ALL: EncoderCapabilities = { gsm: true, mp3: true, formats: ['wav', 'wav-ulaw', 'wav-alaw', 'mp3', 'gsm'] };
const NO_GSM: EncoderCapabilities = { gsm: false, mp3: true, formats: ['wav', 'wav-ulaw', 'wav-alaw', 'mp3'] };
const PCM_ONLY: EncoderCapabilities = { gsm: false, mp3: false, formats: ['wav', 'wav-ulaw', 'wav-alaw'] };

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (e) { expect(e).toBeInstanceOf(AudioError); return (e as AudioError).code; }
  throw new Error('expected an AudioError');
}

describe('size budget', () => {
  it('states the budget of each format for 8,000,000 bytes', () => {
    expect(SIZE_LIMIT_BYTES).toBe(8_000_000);
    expect(budgetText('wav')).toBe('8 MB ≈ 8 min 20 s of wav');
    expect(budgetText('wav-ulaw')).toBe('8 MB ≈ 16 min 40 s of wav-ulaw');
    expect(budgetText('gsm')).toBe('8 MB ≈ 1 h 20 min 48 s of gsm');
    expect(formatDuration(59.6)).toBe('1 min');
    expect(formatDuration(0)).toBe('0 s');
  });

  it('predicts sizes from duration × byte rate plus the header', () => {
    expect(predictBytes('wav', 10)).toBe(160_044);
    expect(predictBytes('wav-ulaw', 10)).toBe(80_058);
    expect(predictBytes('gsm', 1)).toBe(50 * 33);
    expect(predictBytes('wav', maxDurationSec('wav'))).toBeLessThanOrEqual(SIZE_LIMIT_BYTES);
  });
});

describe('planFormat', () => {
  it('keeps wav when it fits and says why', () => {
    const p = planFormat(60, 'auto', ALL);
    expect(p.format).toBe('wav');
    expect(p.reason).toContain('fits');
    expect(p.budgetText).toBe('8 MB ≈ 8 min 20 s of wav');
  });

  it('steps down wav → wav-ulaw → mp3 → gsm as the greeting gets longer', () => {
    expect(planFormat(9 * 60, 'auto', ALL).format).toBe('wav-ulaw');
    const mp3 = planFormat(20 * 60, 'auto', ALL);
    expect(mp3.format).toBe('mp3');
    expect(mp3.reason).toMatch(/too long for wav .*too long for wav-ulaw/);
    expect(planFormat(60 * 60, 'auto', ALL).format).toBe('gsm');
    expect(planFormat(60 * 60, 'auto', ALL).predictedBytes).toBeLessThanOrEqual(SIZE_LIMIT_BYTES);
  });

  it('skips formats this ffmpeg cannot write and says so', () => {
    const p = planFormat(20 * 60, 'auto', { gsm: true, mp3: false, formats: ['wav', 'wav-ulaw', 'wav-alaw', 'gsm'] });
    expect(p.format).toBe('gsm');
    expect(p.reason).toContain('mp3 is not available in this ffmpeg');
  });

  it('refuses when nothing fits, naming the longest possible greeting', () => {
    const err = (() => { try { planFormat(3 * 3600, 'auto', NO_GSM); } catch (e) { return e as AudioError; } return undefined; })();
    expect(err?.code).toBe('AUDIO_TOO_LONG');
    expect(err?.message).toMatch(/3 h .* does not fit/);
    expect(codeOf(() => planFormat(20 * 60, 'auto', PCM_ONLY))).toBe('AUDIO_TOO_LONG');
  });

  it('refuses a pinned format that cannot fit, before encoding', () => {
    const e = (() => { try { planFormat(9 * 60, 'wav', ALL); } catch (x) { return x as AudioError; } return undefined; })();
    expect(e?.code).toBe('AUDIO_FORMAT_TOO_BIG');
    expect(e?.message).toContain('8 MB ≈ 8 min 20 s of wav');
    expect(planFormat(9 * 60, 'wav-alaw', ALL).format).toBe('wav-alaw');
  });

  it('refuses gsm/mp3 when the encoder is missing and unknown formats', () => {
    expect(codeOf(() => planFormat(10, 'gsm', NO_GSM))).toBe('AUDIO_FORMAT_UNAVAILABLE');
    expect(codeOf(() => planFormat(10, 'mp3', PCM_ONLY))).toBe('AUDIO_FORMAT_UNAVAILABLE');
    expect(codeOf(() => planFormat(10, 'ogg' as never, ALL))).toBe('AUDIO_UNKNOWN_FORMAT');
  });

  it('honours a custom limit', () => {
    expect(planFormat(10, 'auto', ALL, 100_000).format).toBe('wav-ulaw');
  });
});

describe('greeting file names', () => {
  it('keeps only letters, digits, _ and - plus the extension', () => {
    expect(greetingFileName('Sales team', 'wav')).toBe('Sales_team.wav');
    expect(greetingFileName('Müller – Büro', 'mp3')).toBe('Muller_Buro.mp3');
    expect(greetingFileName('Straße Æsir Łódź', 'gsm')).toBe('Strasse_AEsir_Lodz.gsm');
    expect(greetingFileName('night.mode.wav', 'wav')).toBe('night_mode.wav');
    expect(extensionFor('wav-ulaw')).toBe('.wav');
  });

  it('never trusts paths and is never empty', () => {
    expect(greetingFileName('../../etc/passwd', 'wav')).toBe('passwd.wav');
    expect(greetingFileName('C:\\Users\\me\\hello world.webm', 'wav')).toBe('hello_world.wav');
    expect(greetingFileName('日本語', 'wav')).toBe('greeting.wav');
    expect(greetingFileName('   ', 'wav')).toBe('greeting.wav');
    expect(greetingFileName('"; rm -rf #', 'wav')).toBe('rm_-rf.wav');
    expect(greetingFileName('"; rm -rf / #', 'wav')).toBe('greeting.wav');
    for (const n of ['a b', 'x/../y', '<script>', 'ünïcødé', '--__--', 'x'.repeat(300)]) {
      expect(safeBaseName(n)).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    }
  });
});

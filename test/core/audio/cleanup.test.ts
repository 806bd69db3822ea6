// Noise reduction and levelling, measured on audio made here (clean-fixtures.ts): speech with pink and brown noise
// at 20, 10 and 5 dB SNR, and a take whose phrases alternate 14 dB apart. Each output is measured independently
// (ffmpeg ebur128; the noise floor from the decoded file) against the same render without the clean-up.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseAudio, renderGreeting, type RenderResult } from '../../../main/core/audio/index.js';
import { levellingGainDb } from '../../../main/core/audio/cleanup.js';
import { ensureBuilt, runVmgreet } from '../../cli/helpers.js';
import { makeTempDir } from '../../helpers/audio-fixtures.js';
import { buildAlternating, buildNoisy, figures, NOISY_CASES, type Figures } from './clean-fixtures.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let noisy: Record<string, string> = {};
let take = '';
let alternating = '';

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-cleanup-'));
  ({ take, noisy } = await buildNoisy(dir));
  alternating = await buildAlternating(dir);
}, 120_000);
afterAll(async () => cleanup());

async function render(input: string, name: string, o: { denoise?: boolean; level?: boolean } = {}): Promise<{ r: RenderResult; m: Figures }> {
  const r = await renderGreeting({ inputPath: input, outputPath: path.join(dir, `${name}.wav`), format: 'wav', tempDir: dir, ...o });
  return { r, m: await figures(r.outputPath, dir) };
}

describe('noise reduction (--denoise)', () => {
  for (const key of NOISY_CASES) {
    it(`speech with ${key.replace('-', ' noise at ')} dB SNR: noise floor down by 10 dB or more, on target, no clipping`, async () => {
      const a = await analyseAudio(noisy[key]!);
      expect(a.suggestions.map((s) => s.code)).toContain('DENOISE');
      const plain = await render(noisy[key]!, `plain-${key}`);
      const clean = await render(noisy[key]!, `denoised-${key}`, { denoise: true });
      expect(plain.m.noiseFloorDb - clean.m.noiseFloorDb).toBeGreaterThanOrEqual(10);
      expect(Math.abs(clean.m.lufs + 20)).toBeLessThanOrEqual(0.5);
      expect(clean.m.truePeakDb).toBeLessThanOrEqual(-3);
      expect(clean.r.cleanup.denoise?.noiseFloorAfterDbfs).toBeLessThan(clean.r.cleanup.denoise!.noiseFloorBeforeDbfs - 10);
      expect(plain.r.cleanup).toEqual({});
    });
  }

  it('a clean take is not said to need it, and keeps its level with it', async () => {
    const a = await analyseAudio(take);
    expect(a.suggestions).toEqual([]);
    const clean = await render(take, 'clean-denoised', { denoise: true });
    expect(Math.abs(clean.m.lufs + 20)).toBeLessThanOrEqual(0.5);
  });
});

describe('levelling (--level)', () => {
  it('a take whose phrases alternate 14 dB apart: the loudness range shrinks, on target, no clipping, no noise pumped up', async () => {
    const a = await analyseAudio(alternating);
    expect(a.loudnessRangeLu).toBeGreaterThan(10);
    expect(a.suggestions.map((s) => s.code)).toContain('LEVEL');
    const plain = await render(alternating, 'alternating-plain');
    const levelled = await render(alternating, 'alternating-levelled', { level: true });
    expect(levelled.m.lraLu).toBeLessThanOrEqual(plain.m.lraLu * 0.6);
    expect(levelled.m.lraLu).toBeLessThanOrEqual(6);
    expect(Math.abs(levelled.m.lufs + 20)).toBeLessThanOrEqual(0.5);
    expect(levelled.m.truePeakDb).toBeLessThanOrEqual(-3);
    expect(levelled.m.noiseFloorDb).toBeLessThanOrEqual(plain.m.noiseFloorDb + 6);
    expect(levelled.r.cleanup.level!.loudnessRangeAfterLu).toBeLessThan(levelled.r.cleanup.level!.loudnessRangeBeforeLu);
  });

  it('the gain moves phrases two thirds of the way to the median, at most 12 dB, and pauses hold the smaller gain', () => {
    const frames = [...Array(20).fill(-20), ...Array(6).fill(-90), ...Array(20).fill(-40)];
    const g = levellingGainDb({ rate: 8000, frameSamples: 400, frameRmsDb: frames, silenceThresholdDbfs: -60 });
    expect(g[5]).toBeCloseTo(0, 0); // the louder phrase sits at the median
    expect(g[40]).toBeGreaterThan(11); // 20 dB under: two thirds would be 13.3 dB, capped at 12
    expect(g[40]).toBeLessThanOrEqual(12);
    expect(Math.max(...g.slice(20, 23))).toBeLessThan(6); // the pause after the loud phrase is not boosted at once
  });
});

describe('vmgreet prepare', () => {
  beforeAll(async () => { await ensureBuilt(); }, 240_000);

  it('suggests --denoise for a noisy take, says what --denoise did, and tts refuses it', async () => {
    const plain = await runVmgreet(['prepare', noisy['pink-10']!, '-o', path.join(dir, 'cli-plain.wav')]);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/tip: background noise at -\d+ dBFS, \d+ dB under the speech: .*\(add --denoise\)/);
    const clean = await runVmgreet(['prepare', noisy['pink-10']!, '-o', path.join(dir, 'cli-clean.wav'), '--denoise', '--level']);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toMatch(/cleanup {3}noise reduced \(noise floor -\d+ → -\d+ dBFS\); levelled/);
    expect(clean.stderr).not.toContain('add --denoise');
    const tts = await runVmgreet(['tts', 'Hello', '-o', path.join(dir, 'tts.wav'), '--denoise']);
    expect(tts.code).toBe(1);
    expect(tts.stderr).toContain('--denoise and --level are for recordings');
  });
});

// The noise-floor suggestion (DENOISE) and the NOISY warning fire for broadband noise in the pauses only: a steady
// tone fills every frame at one level (no pauses) and puts its power in one band, and is not "noisy background".
// Audio made here: lavfi sine tones, espeak-ng speech with pink or white noise (or a tone) under it.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseAudio, summarise } from '../../../main/core/audio/index.js';
import { quietFlatness } from '../../../main/core/audio/cleanup.js';
import { espeak, ffmpeg, makeTempDir, tone } from '../../helpers/audio-fixtures.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const f: Record<string, string> = {};

/** Speech with 1 s of room before and after, and `under` (a lavfi source at 22.05 kHz) mixed in at `gainDb`. */
async function speechOver(name: string, under: string, gainDb: number): Promise<string> {
  const out = path.join(dir, `${name}.wav`);
  await ffmpeg(['-i', f.speech!, '-f', 'lavfi', '-i', under, '-filter_complex',
    `[0:a]adelay=1000:all=1,apad=pad_dur=1[s];[1:a]volume=${gainDb}dB[n];[s][n]amix=inputs=2:duration=first:normalize=0[o]`, '-map', '[o]', out]);
  return out;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-noise-'));
  f.speech = await espeak(path.join(dir, 'speech.wav'));
  f.tone = await tone(path.join(dir, 'tone-1k.wav'), { freq: 1000, durationSec: 5 });
  f.toneHot = await tone(path.join(dir, 'tone-1k-hot.wav'), { freq: 1000, durationSec: 5, sampleRate: 44100, amplitudeDb: -3 });
  // anoisesrc's amplitude is its peak: white noise (uniform) has an RMS 4.8 dB under it, pink noise about 12 dB.
  f.pink = await speechOver('speech-pink-30', 'anoisesrc=color=pink:amplitude=0.126:r=22050:seed=5', 0);
  f.white = await speechOver('speech-white-30', 'anoisesrc=color=white:amplitude=0.055:r=22050:seed=5', 0);
  f.speechTone = await speechOver('speech-tone-30', 'sine=frequency=1000:sample_rate=22050', -27);
}, 60_000);
afterAll(async () => cleanup());

const codes = (xs: { code: string }[]): string[] => xs.map((x) => x.code);

describe('noise-floor suggestion: broadband noise in the pauses only', () => {
  it('a steady 1 kHz tone (5 s) is not noise: no DENOISE suggestion, no NOISY warning', async () => {
    for (const file of [f.tone!, f.toneHot!]) {
      const a = await analyseAudio(file);
      expect(a.durationSec).toBeCloseTo(5, 1);
      expect(codes(a.suggestions)).not.toContain('DENOISE');
      expect(codes(a.warnings)).not.toContain('NOISY');
    }
  });

  it('speech with pink noise at -30 dBFS: DENOISE suggested', async () => {
    const a = await analyseAudio(f.pink!);
    expect(a.noiseFloorDbfs).toBeGreaterThan(-45);
    expect(a.noiseFloorDbfs).toBeLessThan(-25);
    expect(codes(a.suggestions)).toContain('DENOISE');
  });

  it('speech with white noise at -30 dBFS: DENOISE suggested', async () => {
    const a = await analyseAudio(f.white!);
    expect(a.noiseFloorDbfs).toBeGreaterThan(-45);
    expect(a.noiseFloorDbfs).toBeLessThan(-25);
    expect(codes(a.suggestions)).toContain('DENOISE');
  });

  it('speech over a steady tone at about -30 dBFS: the pauses hold a tone, not noise, so no DENOISE', async () => {
    const a = await analyseAudio(f.speechTone!);
    expect(a.noiseFloorDbfs).toBeGreaterThan(-50);
    expect(codes(a.suggestions)).not.toContain('DENOISE');
  });
});

describe('quietFlatness (pure)', () => {
  const rate = 8000;
  const frames = (x: Float32Array): number[] => {
    const out: number[] = [];
    for (let i = 0; i + 400 <= x.length; i += 400) {
      let s = 0;
      for (let j = i; j < i + 400; j++) s += x[j]! * x[j]!;
      out.push(10 * Math.log10(s / 400 || 1e-30));
    }
    return out;
  };
  const measure = (x: Float32Array): number | undefined => {
    const levels = frames(x);
    return quietFlatness(x, { rate, frameSamples: 400, frameRmsDb: levels, floorDb: [...levels].sort((a, b) => a - b)[Math.floor(0.1 * (levels.length - 1))]! });
  };

  it('white noise is flat (close to 1), a sine is not (close to 0), digital silence is not measured', () => {
    let seed = 1;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const noise = Float32Array.from({ length: rate * 2 }, () => 0.05 * rnd());
    const sine = Float32Array.from({ length: rate * 2 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 1000 * i) / rate));
    expect(measure(noise)).toBeGreaterThan(0.8);
    expect(measure(sine)).toBeLessThan(0.01);
    expect(measure(new Float32Array(rate))).toBeUndefined();
  });
});

describe('summarise (pure): the gates', () => {
  const raw = (frames: number[], quietFlatnessValue?: number) => ({
    frames, peaks: frames.map((x) => x + 10), integratedLufs: -20, truePeakDbfs: -8, clipPeakDb: -8, clipPeakCount: 0, clipSamples: 1000,
    ...(quietFlatnessValue !== undefined ? { quietFlatness: quietFlatnessValue } : {}),
  });
  const speechWithFloor = [...Array(20).fill(-35), ...Array(60).fill(-20), ...Array(20).fill(-35)];

  it('a floor 15 dB under the speech with broadband pauses: DENOISE and NOISY', () => {
    const a = summarise(raw(speechWithFloor, 0.7), undefined);
    expect(codes(a.suggestions)).toContain('DENOISE');
    expect(codes(a.warnings)).toContain('NOISY');
  });

  it('the same levels with a tonal floor (flatness 0.001): neither', () => {
    const a = summarise(raw(speechWithFloor, 0.001), undefined);
    expect(codes(a.suggestions)).not.toContain('DENOISE');
    expect(codes(a.warnings)).not.toContain('NOISY');
  });

  it('one steady level throughout (no pauses), whatever its spectrum: neither', () => {
    const a = summarise(raw(Array(100).fill(-21), 0.9), undefined);
    expect(a.speechFound).toBe(true);
    expect(codes(a.suggestions)).not.toContain('DENOISE');
    expect(codes(a.warnings)).not.toContain('NOISY');
  });
});

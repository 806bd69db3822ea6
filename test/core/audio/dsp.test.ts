// The Node signal processing checked against independent references: ffmpeg's ebur128 for loudness, a 192 kHz
// soxr upsampling (28-bit precision) for true peaks, ffmpeg's own encoders for the 16-bit and G.711 samples. The
// limiter is proven against the true-peak ceiling on signals built to have large inter-sample peaks.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeG711, frameLevels, fromDb, integratedLoudness, LevelMeter, samplePeak, toDb, toInt16, truePeak, TruePeakLimiter } from '../../../main/core/audio/dsp.js';
import { espeak, ffmpeg, makeTempDir } from '../../helpers/audio-fixtures.js';

const execFileP = promisify(execFile);
const RATE = 8000;
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let speech = new Float32Array(0);

async function writeF32(name: string, x: Float32Array): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  return p;
}

/** ffmpeg's ebur128 integrated loudness and true peak of raw 8 kHz float samples (one decimal, as it prints). */
async function ebur128(x: Float32Array): Promise<{ lufs: number; truePeakDb: number }> {
  const file = await writeF32(`m-${Math.random().toString(36).slice(2)}.f32`, x);
  const { stderr } = await execFileP('ffmpeg', ['-hide_banner', '-nostats', '-f', 'f32le', '-ar', String(RATE), '-ac', '1', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-']);
  const s = stderr.slice(stderr.lastIndexOf('Summary:'));
  return { lufs: Number(/I:\s+(-?[\d.]+) LUFS/.exec(s)?.[1]), truePeakDb: Number(/True peak:\s+Peak:\s+(-?[\d.]+) dBFS/.exec(s)?.[1]) };
}

/**
 * True peak by 24× upsampling with soxr at its highest precision: the reference. `wideBand` takes its passband to
 * 99 % of the 4 kHz band (the default stops at 91 %, ~3.65 kHz, and under-reads a signal with content up there).
 */
async function referenceTruePeakDb(x: Float32Array, wideBand = true): Promise<number> {
  const file = await writeF32(`tp-${Math.random().toString(36).slice(2)}.f32`, x);
  const { stderr } = await execFileP('ffmpeg', ['-hide_banner', '-nostats', '-f', 'f32le', '-ar', String(RATE), '-ac', '1', '-i', file,
    '-af', `aresample=192000:resampler=soxr:precision=28${wideBand ? ':cutoff=0.99' : ''},astats=measure_perchannel=none:measure_overall=Peak_level`, '-f', 'null', '-']);
  return Number(/Peak level dB: (-?[\d.]+)/.exec(stderr)?.[1]);
}

/** A tone at a quarter of the rate, sampled 45° off its peaks: every sample is 3 dB under the true peak. */
function quarterRateTone(seconds: number, amplitude: number): Float32Array {
  const x = new Float32Array(seconds * RATE);
  for (let i = 0; i < x.length; i++) x[i] = amplitude * Math.sin((Math.PI / 2) * i + Math.PI / 4);
  return x;
}

/**
 * Noise in the top of the telephone band (3–3.5 kHz), in bursts, brought to 8 kHz the way every input is (soxr):
 * dense inter-sample peaks.
 */
async function highBandBursts(): Promise<Float32Array> {
  const out = path.join(dir, 'hb.f32');
  await ffmpeg(['-f', 'lavfi', '-i', 'anoisesrc=color=white:amplitude=0.5:r=48000:seed=7', '-t', '4',
    '-af', 'highpass=f=3000,highpass=f=3000,highpass=f=3000,lowpass=f=3500,lowpass=f=3500,lowpass=f=3500,' +
      "volume=enable='gte(mod(t,0.5),0.2)':volume=0.1,aresample=8000:resampler=soxr",
    '-f', 'f32le', '-ac', '1', out]);
  const b = await readFile(out);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-dsp-'));
  const wav = await espeak(path.join(dir, 'speech.wav'));
  const raw = path.join(dir, 'speech.f32');
  await ffmpeg(['-i', wav, '-af', 'aresample=8000:resampler=soxr,highpass=f=100', '-f', 'f32le', '-ac', '1', raw]);
  const b = await readFile(raw);
  speech = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
});
afterAll(async () => cleanup());

describe('integratedLoudness (BS.1770, K-weighting for 8 kHz as ffmpeg computes it)', () => {
  it('agrees with ffmpeg ebur128 on speech, a tone and noise', async () => {
    const noise = new Float32Array(RATE * 5);
    let seed = 1;
    for (let i = 0; i < noise.length; i++) { seed = (seed * 1103515245 + 12345) % 2 ** 31; noise[i] = (seed / 2 ** 31 - 0.5) * 0.3; }
    const tone = new Float32Array(RATE * 3).map((_, i) => 0.25 * Math.sin((2 * Math.PI * 1000 * i) / RATE));
    for (const x of [speech, noise, tone, Float32Array.from(speech, (v) => v * 0.05)]) {
      const ours = integratedLoudness(x, RATE);
      const ref = await ebur128(x);
      expect(Math.abs(ours - ref.lufs)).toBeLessThanOrEqual(0.06); // ffmpeg prints one decimal
    }
  });

  it('gives the floor for a signal shorter than one 400 ms block, and for silence', () => {
    expect(integratedLoudness(speech.subarray(0, 3000), RATE)).toBe(-70);
    expect(integratedLoudness(new Float32Array(RATE * 2), RATE)).toBe(-70);
  });
});

describe('LevelMeter (the analysis measured while the decoder still writes)', () => {
  it('gives exactly what the whole-signal functions give, whatever pieces the samples arrive in', () => {
    const meter = new LevelMeter(RATE, 400);
    let available = 0;
    for (const piece of [1, 799, 801, 4096, 12345, 3]) {
      available = Math.min(speech.length, available + piece);
      meter.push(speech, available);
    }
    const m = meter.finish(speech);
    const f = frameLevels(speech, 400);
    expect(m.rmsDb).toEqual(f.rmsDb);
    expect(m.peakDb).toEqual(f.peakDb);
    expect(m.lufs).toBe(integratedLoudness(speech, RATE));
    expect(m.samplePeak).toBe(samplePeak(speech));
  });
});

describe('truePeak', () => {
  it('matches a 192 kHz reference on speech and finds the 3 dB a quarter-rate tone hides between samples', async () => {
    expect(Math.abs(toDb(truePeak(speech)) - (await referenceTruePeakDb(speech)))).toBeLessThan(0.1);
    const tone = quarterRateTone(1, 0.5);
    expect(toDb(Math.max(...tone.map(Math.abs)))).toBeCloseTo(toDb(0.5) - 3.01, 1); // samples: 3 dB under
    expect(Math.abs(toDb(truePeak(tone)) - toDb(0.5))).toBeLessThan(0.15);
    const hb = await highBandBursts();
    expect(Math.abs(toDb(truePeak(hb)) - (await referenceTruePeakDb(hb)))).toBeLessThan(0.15);
  });
});

describe('TruePeakLimiter: the output true peak stays under the limit', () => {
  const opts = (limitDb: number, maxGainDb: number) => ({ limit: fromDb(limitDb), rate: RATE, attackMs: 5, releaseMs: 50, maxGain: fromDb(maxGainDb) });

  it('speech pushed 12 dB into the limiter', async () => {
    const limitDb = -3.5;
    const gainDb = 12;
    const { out, reduced } = new TruePeakLimiter(speech, opts(limitDb, gainDb + 3)).run(fromDb(gainDb));
    expect(reduced).toBe(true);
    expect(toDb(truePeak(out))).toBeLessThanOrEqual(limitDb + 0.01);
    expect(await referenceTruePeakDb(out)).toBeLessThanOrEqual(limitDb + 0.15);
    expect((await ebur128(out)).truePeakDb).toBeLessThanOrEqual(limitDb + 0.15);
    // Only the peaks were turned down: louder than the plain gain that would keep the peak under the limit.
    const plainGainDb = limitDb - toDb(truePeak(speech));
    expect(integratedLoudness(out, RATE) - integratedLoudness(speech, RATE)).toBeGreaterThan(plainGainDb + 2);
  });

  it('a tone whose samples are 3 dB under its peaks (also at the abrupt start and end)', async () => {
    const limitDb = -3;
    const { out, reduced } = new TruePeakLimiter(quarterRateTone(2, 0.3), opts(limitDb, 12)).run(fromDb(9));
    expect(reduced).toBe(true);
    expect(toDb(truePeak(out))).toBeLessThanOrEqual(limitDb + 0.01);
    expect(await referenceTruePeakDb(out)).toBeLessThanOrEqual(limitDb + 0.05);
    // (ffmpeg's ebur128 reads steady tones at 8 kHz 0.2–1.1 dB above their true peak, so it is not the judge here.)
  });

  it('high-band noise bursts pushed 10 dB over the limit', async () => {
    const limitDb = -3;
    const hb = await highBandBursts();
    const gainDb = limitDb - toDb(truePeak(hb)) + 10;
    const { out, reduced } = new TruePeakLimiter(hb, opts(limitDb, gainDb + 3)).run(fromDb(gainDb));
    expect(reduced).toBe(true);
    expect(toDb(truePeak(out))).toBeLessThanOrEqual(limitDb + 0.01);
    expect(await referenceTruePeakDb(out)).toBeLessThanOrEqual(limitDb + 0.15);
    expect((await ebur128(out)).truePeakDb).toBeLessThanOrEqual(limitDb + 0.15);
  });

  it('leaves a signal under the limit untouched', () => {
    const { out, reduced } = new TruePeakLimiter(speech, opts(-1, 0)).run(fromDb(-12));
    expect(reduced).toBe(false);
    expect(out[1234]).toBeCloseTo(speech[1234]! * fromDb(-12), 7);
  });
});

describe('sample encoders are byte-identical to ffmpeg', () => {
  it('16-bit PCM, µ-law and A-law', async () => {
    // Every 16-bit value once, plus float values between them and beyond full scale.
    const x = new Float32Array(65536 + 1000);
    for (let i = 0; i < 65536; i++) x[i] = (i - 32768) / 32768;
    for (let i = 0; i < 1000; i++) x[65536 + i] = Math.sin(i) * 1.2;
    const src = await writeF32('all.f32', x);
    const ours16 = toInt16(x);
    await ffmpeg(['-f', 'f32le', '-ar', '8000', '-ac', '1', '-i', src, '-f', 's16le', '-c:a', 'pcm_s16le', path.join(dir, 'all.s16')]);
    const ref16 = await readFile(path.join(dir, 'all.s16'));
    expect(Buffer.from(ours16.buffer).equals(ref16)).toBe(true);
    for (const [law, codec] of [['ulaw', 'pcm_mulaw'], ['alaw', 'pcm_alaw']] as const) {
      await ffmpeg(['-f', 's16le', '-ar', '8000', '-ac', '1', '-i', path.join(dir, 'all.s16'), '-c:a', codec, '-f', law === 'ulaw' ? 'mulaw' : 'alaw', path.join(dir, `all.${law}`)]);
      expect(Buffer.from(encodeG711(ours16, law)).equals(await readFile(path.join(dir, `all.${law}`)))).toBe(true);
    }
  });
});

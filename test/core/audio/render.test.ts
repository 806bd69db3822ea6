// Renders with real ffmpeg, each checked independently with ffprobe + ebur128 + silencedetect.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getEncoderCapabilities, renderGreeting, SIZE_LIMIT_BYTES, type RenderResult } from '../../../main/core/audio/index.js';
import { makeTempDir, measure, type Measured } from '../../helpers/audio-fixtures.js';
import { buildCorpus } from './corpus.js';

let dir = '';
let tmpRoot = '';
let outDir = '';
let cleanup: () => Promise<void> = async () => undefined;
const f: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-render-test-'));
  const { mkdir } = await import('node:fs/promises');
  tmpRoot = path.join(dir, 'tmp');
  outDir = path.join(dir, 'out');
  await mkdir(tmpRoot);
  await mkdir(outDir);
  // The padded copy: 48 kHz stereo, 3.2 s of silence in front, in a path with spaces, quotes and unicode.
  Object.assign(f, await buildCorpus(dir, `greet 'ünï' "q" 48k.wav`));
});
afterAll(async () => cleanup());

const TARGET = -20;
const CEILING = -3;

async function render(input: string, name: string, extra: Partial<Parameters<typeof renderGreeting>[0]> = {}, onProgress?: (p: { percent: number; stage: string }) => void): Promise<{ r: RenderResult; m: Measured }> {
  const r = await renderGreeting({ inputPath: input, outputPath: path.join(outDir, name), tempDir: tmpRoot, ...extra }, { onProgress });
  const m = await measure(r.outputPath);
  expect(await readdir(tmpRoot)).toEqual([]);
  return { r, m };
}

function expectTelephony(m: Measured, codec: string, r: RenderResult, lufsTolerance: number, target = TARGET, ceiling = CEILING): void {
  expect(m.codec).toBe(codec);
  expect(m.sampleRate).toBe(8000);
  expect(m.channels).toBe(1);
  expect(Math.abs(m.integratedLufs - target)).toBeLessThanOrEqual(lufsTolerance);
  expect(m.truePeakDbfs).toBeLessThanOrEqual(ceiling);
  expect(m.sizeBytes).toBe(r.bytes);
  expect(m.sizeBytes).toBeLessThanOrEqual(SIZE_LIMIT_BYTES);
  expect(m.sizeBytes).toBeLessThanOrEqual(r.plan.predictedBytes);
  expect(m.sizeBytes).toBeGreaterThan(r.plan.predictedBytes * 0.9);
}

describe('renderGreeting', () => {
  let loudDuration = 0;

  it('48 kHz stereo with 3.2 s lead silence (odd path) → wav 8 kHz mono, trimmed, −20 LUFS, peaks ≤ −3 dBFS', async () => {
    const progress: number[] = [];
    const { r, m } = await render(f.padded!, 'loud.wav', {}, (p) => progress.push(p.percent));
    expect(r.format).toBe('wav');
    expect(r.formatReason).toContain('fits');
    expectTelephony(m, 'pcm_s16le', r, 0.5);
    expect(m.leadingSilenceSec).toBeGreaterThanOrEqual(0.1);
    expect(m.leadingSilenceSec).toBeLessThanOrEqual(0.3);
    // speech (≈ source length − 7.2 s of padding) + 150 ms/400 ms margins + lead-in pad
    const speech = r.analysis.speechEndSec - r.analysis.speechStartSec;
    expect(m.durationSec).toBeGreaterThan(speech + 0.5);
    expect(m.durationSec).toBeLessThan(speech + 0.9);
    expect(Math.abs(m.durationSec - r.durationSec)).toBeLessThan(0.05);
    expect(r.analysis.warnings.map((w) => w.message)).toContain('3.2 s of silence at start');
    expect(progress.at(-1)).toBe(100);
    expect(progress.every((p, i) => i === 0 || p >= (progress[i - 1] ?? 0))).toBe(true);
    loudDuration = m.durationSec;
  });

  it('a quiet, noisy recording trims like a loud one and lands on target (wav-ulaw)', async () => {
    const { r, m } = await render(f.quiet!, 'quiet.wav', { format: 'wav-ulaw' });
    expect(r.gainDb).toBeGreaterThan(25);
    expectTelephony(m, 'pcm_mulaw', r, 0.5);
    expect(m.leadingSilenceSec).toBeGreaterThanOrEqual(0.05); // amplified noise floor, not digital silence
    expect(m.leadingSilenceSec).toBeLessThanOrEqual(0.3);
    expect(Math.abs(m.durationSec - loudDuration)).toBeLessThan(0.25);
  });

  it('a clipped recording is turned down to target (wav-alaw)', async () => {
    const { r, m } = await render(f.clipped!, 'clipped.wav', { format: 'wav-alaw' });
    expect(r.gainDb).toBeLessThan(-8);
    expectTelephony(m, 'pcm_alaw', r, 0.5);
    expect(r.analysis.warnings.map((w) => w.code)).toContain('CLIPPED');
  });

  it('webm/opus without a duration → mp3 8 kHz mono', async () => {
    const { r, m } = await render(f.webm!, 'rec.mp3', { format: 'mp3' });
    expectTelephony(m, 'mp3', r, 1);
    expect(r.probe.durationDecoded).toBe(true);
  });

  it('the audio of an mp4 → raw .gsm when libgsm exists', async () => {
    const caps = await getEncoderCapabilities();
    expect(caps.gsm).toBe(true); // Debian's ffmpeg has libgsm; the CI installs it
    const { r, m } = await render(f.mp4!, 'video.gsm', { format: 'gsm' });
    expectTelephony(m, 'gsm', r, 1);
  });

  it('honours start/end, no silence trim, custom target and ceiling', async () => {
    const { r, m } = await render(f.speech!, 'range.wav', { startSec: 1, endSec: 4, trimSilence: false, targetLufs: -16, peakCeilingDbfs: -1 });
    expectTelephony(m, 'pcm_s16le', r, 0.5, -16, -1);
    // 3 s kept + the lead-in pad (speech starts right at 1 s)
    expect(m.durationSec).toBeGreaterThan(3.1);
    expect(m.durationSec).toBeLessThan(3.3);
  });

  it('without normalisation keeps the level', async () => {
    const { r, m } = await render(f.padded!, 'raw.wav', { normalize: false });
    expect(r.gainDb).toBe(0);
    expect(Math.abs(m.integratedLufs - r.analysis.integratedLufs)).toBeLessThan(0.7);
  });

  it('steps down automatically when wav would not fit, and says why', async () => {
    // The same planner as for 8 MB (see formats.test.ts), with a limit small enough for a short file: the ~13 s
    // greeting needs ~200 kB as wav, ~100 kB as wav-ulaw.
    const { r, m } = await render(f.clipped!, 'long.wav', { sizeLimitBytes: 150_000 });
    expect(r.format).toBe('wav-ulaw');
    expect(r.formatReason).toContain('too long for wav');
    expect(r.plan.budgetText).toBe('150 kB ≈ 19 s of wav-ulaw');
    expect(m.codec).toBe('pcm_mulaw');
    expect(m.sizeBytes).toBeLessThanOrEqual(150_000);
  });

  it('leaves only the rendered files in the output folder', async () => {
    expect((await readdir(outDir)).sort()).toEqual(['clipped.wav', 'long.wav', 'loud.wav', 'quiet.wav', 'range.wav', 'raw.wav', 'rec.mp3', 'video.gsm']);
  });
});

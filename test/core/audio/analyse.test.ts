// Probe and analysis against real ffmpeg on fixtures generated here.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseAudio, probeAndAnalyse, probeAudio, summarise } from '../../../main/core/audio/index.js';
import { derive, makeTempDir, tone } from '../../helpers/audio-fixtures.js';
import { buildCorpus } from './corpus.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const f: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-analyse-'));
  Object.assign(f, await buildCorpus(dir));
  f.flac = await tone(path.join(dir, 'tone.flac'), { durationSec: 2, sampleRate: 44100, channels: 2 });
});
afterAll(async () => cleanup());

describe('probeAudio', () => {
  it('reads codec, rate, channels, duration and size', async () => {
    const p = await probeAudio(f.padded!);
    expect(p).toMatchObject({ codec: 'pcm_s16le', sampleRate: 48000, channels: 2, hasVideo: false, durationDecoded: false });
    expect(p.durationSec).toBeCloseTo(await probeAudio(f.speech!).then((s) => s.durationSec + 7.2), 1);
    expect(p.sizeBytes).toBeGreaterThan(1000);
    const flac = await probeAudio(f.flac!);
    expect(flac).toMatchObject({ codec: 'flac', sampleRate: 44100, channels: 2 });
    expect(flac.durationSec).toBeCloseTo(2, 1);
  });

  it('decodes webm from MediaRecorder (no duration in the container) to find its length', async () => {
    const p = await probeAudio(f.webm!);
    const src = await probeAudio(f.speech!);
    expect(p.codec).toBe('opus');
    expect(p.durationDecoded).toBe(true);
    expect(Math.abs(p.durationSec - src.durationSec)).toBeLessThan(0.1);
  });

  it('takes the first audio stream of a video file', async () => {
    const p = await probeAudio(f.mp4!);
    expect(p).toMatchObject({ codec: 'aac', hasVideo: true, channels: 1 });
    expect(p.durationSec).toBeGreaterThan(5);
  });
});

describe('analyseAudio (one pass at 8 kHz)', () => {
  it('finds leading/trailing silence and says so in words', async () => {
    const a = await analyseAudio(f.padded!);
    expect(a.leadingSilenceSec).toBeGreaterThan(3.1);
    expect(a.leadingSilenceSec).toBeLessThan(3.35);
    expect(a.trailingSilenceSec).toBeGreaterThan(3.9);
    expect(a.warnings.map((w) => w.message)).toContain('3.2 s of silence at start');
    expect(a.integratedLufs).toBeGreaterThan(-24);
    expect(a.integratedLufs).toBeLessThan(-17);
    expect(a.clippingRatio).toBeLessThan(0.0005);
    expect(a.warnings.find((w) => w.code === 'CLIPPED')).toBeUndefined();
  });

  it('detects speech in a quiet, noisy recording relative to its own level', async () => {
    const a = await analyseAudio(f.quiet!);
    expect(a.integratedLufs).toBeLessThan(-45);
    expect(a.leadingSilenceSec).toBeGreaterThan(1.9);
    expect(a.leadingSilenceSec).toBeLessThan(2.15);
    expect(a.noiseFloorDbfs).toBeGreaterThan(-100);
    expect(a.noiseFloorDbfs).toBeLessThan(-75);
    expect(a.warnings.map((w) => w.code)).toContain('TOO_QUIET');
    expect(a.warnings.find((w) => w.code === 'TOO_QUIET')?.message).toMatch(/^too quiet/);
  });

  it('flags clipping', async () => {
    const a = await analyseAudio(f.clipped!);
    expect(a.clippingRatio).toBeGreaterThan(0.01);
    expect(a.warnings.find((w) => w.code === 'CLIPPED')?.message).toMatch(/^clipped/);
    expect(a.truePeakDbfs).toBeGreaterThan(-0.5);
  });

  it('warns about an opus recording that peaks above full scale', async () => {
    const hot = await derive(f.speech!, path.join(dir, 'hot.webm'), { gainDb: 1, extraArgs: ['-c:a', 'libopus', '-b:a', '64k'] });
    const a = await analyseAudio(hot);
    expect(a.clippingRatio).toBeLessThan(0.0005);
    expect(a.warnings.find((w) => w.code === 'CLIPPED')?.message).toMatch(/reaches or exceeds full scale/);
  });

  it('analyses only a range and reports progress', async () => {
    const seen: number[] = [];
    const a = await analyseAudio(f.padded!, { startSec: 3, endSec: 6, onProgress: (p) => seen.push(p.percent) });
    expect(a.durationSec).toBeCloseTo(3, 1);
    expect(a.leadingSilenceSec).toBeLessThan(0.3);
    expect(seen.at(-1)).toBe(100);
    expect(seen.every((p, i) => i === 0 || p >= (seen[i - 1] ?? 0))).toBe(true);
  });
});

describe('probeAndAnalyse (probe facts from the analysis pass itself)', () => {
  it('gives the same probe facts as ffprobe for wav, flac, mp4 and MediaRecorder webm', async () => {
    for (const file of [f.padded!, f.flac!, f.mp4!, f.webm!]) {
      const { probe } = await probeAndAnalyse(file, {});
      const ref = await probeAudio(file);
      expect(probe).toMatchObject({ codec: ref.codec, sampleRate: ref.sampleRate, channels: ref.channels, container: ref.container, hasVideo: ref.hasVideo, sizeBytes: ref.sizeBytes, durationDecoded: ref.durationDecoded });
      expect(Math.abs(probe.durationSec - ref.durationSec)).toBeLessThan(0.06);
    }
  });

  it('stops at the header when checkProbe refuses the input', async () => {
    const t0 = performance.now();
    await expect(probeAndAnalyse(f.padded!, { checkProbe: () => { throw new Error('refused'); } })).rejects.toThrow('refused');
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('summarise (pure)', () => {
  const raw = (frames: number[], peaks: number[] = frames.map((x) => x + 12)) => ({
    frames, peaks, integratedLufs: -23, truePeakDbfs: -6, clipPeakDb: -6, clipPeakCount: 2, clipSamples: 1000, lastPtsSec: frames.length * 0.05,
  });

  it('uses a threshold relative to the speech level, ignores single clicks', () => {
    const frames = [...Array(20).fill(-90), -20, ...Array(10).fill(-90), ...Array(40).fill(-23), ...Array(30).fill(-90)];
    const a = summarise(raw(frames), undefined);
    expect(a.speechStartSec).toBeCloseTo(31 * 0.05, 5);
    expect(a.speechEndSec).toBeCloseTo(71 * 0.05, 5);
    expect(a.leadingSilenceSec).toBeCloseTo(1.55, 5);
    expect(a.trailingSilenceSec).toBeCloseTo(1.5, 5);
  });

  it('warns when the source peak reaches full scale even with few clipped samples (decoded opus)', () => {
    const frames = [...Array(10).fill(-90), ...Array(40).fill(-23), ...Array(10).fill(-90)];
    const over = summarise({ ...raw(frames), truePeakDbfs: 1.3, clipPeakDb: 0, clipPeakCount: 3, clipSamples: 100000 }, undefined);
    expect(over.clippingRatio).toBeLessThan(0.0005);
    expect(over.warnings.find((x) => x.code === 'CLIPPED')?.message).toMatch(/^peak 1\.3 dBFS: the recording reaches or exceeds full scale/);
    // The 8 kHz high-passed estimate alone (source at -3 dBFS) is no reason to warn.
    const under = summarise({ ...raw(frames), truePeakDbfs: 1.3, clipPeakDb: -3 }, undefined);
    expect(under.warnings.find((x) => x.code === 'CLIPPED')).toBeUndefined();
  });

  it('reports a silent file', () => {
    const a = summarise({ ...raw(Array(40).fill(Number.NEGATIVE_INFINITY)), integratedLufs: -70 }, 2);
    expect(a.speechFound).toBe(false);
    expect(a.warnings[0]?.code).toBe('SILENT');
    expect(Number.isFinite(a.noiseFloorDbfs)).toBe(true);
  });
});

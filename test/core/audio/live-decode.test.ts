// The live decoder against real ffmpeg: a MediaRecorder-like webm streamed in chunks must give the same probe facts
// and analysis as the file on disk, and a float WAV a render can use; broken input must give undefined (fallback).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseAudio, probeAudio, resolveFfmpeg, startLiveDecode } from '../../../main/core/audio/index.js';
import { derive, espeak, makeTempDir, webmWithoutDuration } from '../../helpers/audio-fixtures.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let webm = '';

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-live-'));
  const speech = await espeak(path.join(dir, 'speech.wav'));
  const padded = await derive(speech, path.join(dir, 'padded.wav'), { leadSilenceSec: 1.2, trailSilenceSec: 2, sampleRate: 48000 });
  webm = await webmWithoutDuration(padded, path.join(dir, 'rec.webm'));
});
afterAll(async () => cleanup());

async function stream(file: string, pcm: string, chunkBytes = 8192) {
  const dec = startLiveDecode(await resolveFfmpeg(), pcm);
  const bytes = await readFile(file);
  for (let i = 0; i < bytes.length; i += chunkBytes) {
    dec.write(bytes.subarray(i, i + chunkBytes));
    if (i % (chunkBytes * 8) === 0) await new Promise((r) => setTimeout(r, 5));
  }
  return dec;
}

describe('startLiveDecode', () => {
  it('gives the analysis and probe facts of the file, and a float WAV of the same length', async () => {
    const pcm = path.join(dir, 'live.wav');
    const r = await (await stream(webm, pcm)).finish();
    expect(r).toBeDefined();
    const ref = await analyseAudio(webm);
    const refProbe = await probeAudio(webm);
    expect(r!.probe).toMatchObject({ codec: refProbe.codec, sampleRate: refProbe.sampleRate, channels: refProbe.channels, durationDecoded: true });
    expect(Math.abs(r!.probe.durationSec - refProbe.durationSec)).toBeLessThan(0.06);
    expect(r!.analysis.integratedLufs).toBeCloseTo(ref.integratedLufs, 1);
    expect(r!.analysis.speechStartSec).toBeCloseTo(ref.speechStartSec, 2);
    expect(r!.analysis.speechEndSec).toBeCloseTo(ref.speechEndSec, 2);
    expect(r!.analysis.truePeakDbfs).toBeCloseTo(ref.truePeakDbfs, 1);
    expect(r!.analysis.warnings.map((w) => w.code)).toEqual(ref.warnings.map((w) => w.code));
    const wav = await probeAudio(pcm);
    expect(wav).toMatchObject({ codec: 'pcm_f32le', sampleRate: r!.pcmProbe.sampleRate, channels: r!.pcmProbe.channels });
    expect(Math.abs(wav.durationSec - r!.pcmProbe.durationSec)).toBeLessThan(0.06);
  });

  it('returns undefined for input that is not audio, and abort stops the process', async () => {
    const junk = path.join(dir, 'junk.bin');
    await writeFile(junk, Buffer.alloc(50_000, 7));
    expect(await (await stream(junk, path.join(dir, 'junk.wav'))).finish()).toBeUndefined();
    const dec = await stream(webm, path.join(dir, 'aborted.wav'));
    const t0 = performance.now();
    await dec.abort();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(await dec.finish()).toBeUndefined();
  });

  it('returns undefined for a truncated recording (the original is used instead)', async () => {
    const bytes = await readFile(webm);
    const cut = path.join(dir, 'cut.webm');
    await writeFile(cut, bytes.subarray(0, 60));
    expect(await (await stream(cut, path.join(dir, 'cut.wav'))).finish()).toBeUndefined();
  });
});

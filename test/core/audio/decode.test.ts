// The decode pass: one ffmpeg process per file and range, shared by callers that ask at the same time, kept for
// the render that follows, started early by a prefetch that can be let go.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearDecodeCache, decodeAudio, prefetchDecode } from '../../../main/core/audio/index.js';
import { splitLogLine } from '../../../main/core/audio/decode.js';
import { derive, espeak, makeTempDir } from '../../helpers/audio-fixtures.js';

const execFileP = promisify(execFile);
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let speech = '';
let long = '';

async function ffmpegRunningOn(file: string): Promise<boolean> {
  const r = await execFileP('pgrep', ['-f', file]).then((x) => x.stdout, () => '');
  return r.trim() !== '';
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-decode-'));
  speech = await espeak(path.join(dir, 'speech.wav'));
  long = await derive(speech, path.join(dir, 'long.wav'), { sampleRate: 48000, channels: 2, extraArgs: ['-af', 'aloop=loop=60:size=2e6'] });
});
afterAll(async () => cleanup());

describe('decodeAudio', () => {
  it('gives 8 kHz mono float PCM of the whole file, with the header facts and no damage', async () => {
    clearDecodeCache();
    const d = await decodeAudio(speech);
    expect(d.header).toMatchObject({ codec: 'pcm_s16le', sampleRate: 22050, channels: 1 });
    expect(d.pcm.length / 8000).toBeCloseTo(d.header!.durationSec, 1);
    expect(d.damage).toMatchObject({ failedPackets: 0, skippedSec: 0, errorLines: 0 });
    expect(d.ffmpegVersion).toMatch(/^\S+$/);
  });

  it('two callers asking at once share one decode; a later caller gets the cached one', async () => {
    clearDecodeCache();
    const [a, b] = await Promise.all([decodeAudio(speech), decodeAudio(speech)]);
    expect(a).toBe(b);
    expect(await decodeAudio(speech)).toBe(a);
  });

  it('cuts a range from a cached whole decode', async () => {
    clearDecodeCache();
    const whole = await decodeAudio(speech);
    const part = await decodeAudio(speech, { startSec: 1, lenSec: 0.5 });
    expect(part.pcm.length).toBe(4000);
    expect(part.pcm[0]).toBe(whole.pcm[8000]);
  });
});

describe('prefetchDecode', () => {
  it('is taken over by the decode that follows', async () => {
    clearDecodeCache();
    const p = await prefetchDecode(speech, { maxSec: 600 });
    const d = await decodeAudio(speech);
    p.release();
    expect(await decodeAudio(speech)).toBe(d);
  });

  it('let go before anyone took it: the ffmpeg process stops, nothing is cached', async () => {
    clearDecodeCache();
    const p = await prefetchDecode(long, { maxSec: 3600 });
    p.release();
    await new Promise((r) => setTimeout(r, 200));
    expect(await ffmpegRunningOn(long)).toBe(false);
    const t0 = performance.now();
    const d = await decodeAudio(long);
    expect(d.pcm.length).toBeGreaterThan(8000 * 60);
    expect(performance.now() - t0).toBeGreaterThan(30); // decoded again (~0.2 s), not a cache hit (under 1 ms)
  });

  it('does not decode a file longer than maxSec', async () => {
    clearDecodeCache();
    const p = await prefetchDecode(long, { maxSec: 10 });
    // The header check stops ffmpeg once the header is read; on a loaded machine that can take more than a moment.
    const deadline = Date.now() + 10_000;
    while ((await ffmpegRunningOn(long)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await ffmpegRunningOn(long)).toBe(false);
    p.release();
    // Nothing was decoded into the cache: the next decode does the work (~0.2 s), it is not a cache hit (under 1 ms).
    const t0 = performance.now();
    await decodeAudio(long);
    expect(performance.now() - t0).toBeGreaterThan(30);
  });

  it('never rejects, for a path that is not there either', async () => {
    const p = await prefetchDecode(path.join(dir, 'missing.wav'), { maxSec: 600 });
    p.release();
  });
});

describe('splitLogLine', () => {
  it('separates context, level and text', () => {
    expect(splitLogLine('[flac @ 0x55d1ccc348c0] [error] invalid residual')).toEqual({ context: 'flac', level: 'error', text: 'invalid residual' });
    expect(splitLogLine('[Parsed_aresample_3 @ 0x55d1] [SWR @ 0x55d2] [verbose] adding 16384 audio samples of silence'))
      .toEqual({ context: 'Parsed_aresample_3', level: 'verbose', text: 'adding 16384 audio samples of silence' });
    expect(splitLogLine('[info]   Duration: 00:00:13.24, start: 0.000000')).toEqual({ context: '', level: 'info', text: '  Duration: 00:00:13.24, start: 0.000000' });
  });
});

// Bad inputs and options: each must fail with a typed error and a human message, and leave no temp file behind.
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VmgsError } from '../../../main/core/errors.js';
import { analyseAudio, clearDecodeCache, MIN_GREETING_SEC, probeAudio, renderGreeting, type RenderOptions } from '../../../main/core/audio/index.js';
import { craftedWav, derive, espeak, makeTempDir, silence, tone, videoOnly } from '../../helpers/audio-fixtures.js';

const execFileP = promisify(execFile);
let dir = '';
let tmpRoot = '';
let outDir = '';
let cleanup: () => Promise<void> = async () => undefined;
const f: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-bad-'));
  tmpRoot = path.join(dir, 'tmp');
  outDir = path.join(dir, 'out');
  await mkdir(tmpRoot);
  await mkdir(outDir);
  f.empty = path.join(dir, 'empty.wav');
  await writeFile(f.empty, '');
  f.text = path.join(dir, 'notes.wav');
  await writeFile(f.text, 'This is a text file, not audio.\n'.repeat(20));
  f.garbage = path.join(dir, 'garbage.mp3');
  await writeFile(f.garbage, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251)));
  f.speech = await espeak(path.join(dir, 'speech.wav'), 'Please leave a message after the tone.');
  const { readFile } = await import('node:fs/promises');
  const wav = await readFile(f.speech);
  f.truncated = path.join(dir, 'truncated.wav');
  await writeFile(f.truncated, wav.subarray(0, 30));
  f.zeroChannels = path.join(dir, 'zero-channels.wav');
  const zero = Buffer.from(wav);
  zero.writeUInt16LE(0, 22);
  await writeFile(f.zeroChannels, zero);
  await Promise.all([
    videoOnly(path.join(dir, 'video-only.mp4')).then((p) => { f.videoOnly = p; }),
    // A real 3-hour file, cheap to make: 8-bit 8 kHz mono silence (86 MB). Must be refused without decoding it.
    craftedWav(path.join(dir, 'three-hours.wav'), { channels: 1, sampleRate: 8000, bitsPerSample: 8, claimedDataBytes: 3 * 3600 * 8000, dataBytes: 3 * 3600 * 8000, fill: 0x80 }).then((p) => { f.threeHours = p; }),
    silence(path.join(dir, 'silence.wav'), 3).then((p) => { f.silence = p; }),
    tone(path.join(dir, 'blip.wav'), { durationSec: 0.05, sampleRate: 48000 }).then((p) => { f.blip = p; }),
    derive(f.speech, path.join(dir, 'cancel-me.wav'), { trailSilenceSec: 0.1, sampleRate: 48000, channels: 2, extraArgs: ['-af', 'aloop=loop=30:size=2e6'] }).then((p) => { f.long = p; }),
  ]);
});
afterAll(async () => cleanup());

afterEach(async () => {
  // No temp folder left by any render, and nothing but finished greetings in the output folder.
  expect(await readdir(tmpRoot)).toEqual([]);
  expect((await readdir(outDir)).filter((n) => !n.startsWith('ok-'))).toEqual([]);
});

async function failure(p: Promise<unknown>): Promise<VmgsError> {
  const result = await p.then(() => undefined, (e: unknown) => e);
  expect(result).toBeInstanceOf(VmgsError);
  const e = result as VmgsError;
  expect(e.message.length).toBeGreaterThan(20);
  expect(e.message).not.toMatch(/undefined|NaN|\[object/);
  return e;
}

function renderOpts(input: string, extra: Partial<RenderOptions> = {}): RenderOptions {
  return { inputPath: input, outputPath: path.join(outDir, 'greeting.wav'), tempDir: tmpRoot, ...extra };
}

describe('bad inputs give typed errors with human messages', () => {
  it('empty file', async () => {
    const e = await failure(renderGreeting(renderOpts(f.empty!)));
    expect(e.code).toBe('AUDIO_EMPTY_FILE');
    expect(e.message).toContain('empty');
  });

  it('text file named .wav', async () => {
    const e = await failure(renderGreeting(renderOpts(f.text!)));
    expect(e.code).toBe('AUDIO_UNREADABLE');
    expect(e.message).toMatch(/not an audio file/);
  });

  it('binary garbage named .mp3', async () => {
    expect((await failure(probeAudio(f.garbage!))).code).toBe('AUDIO_UNREADABLE');
  });

  it('truncated WAV header', async () => {
    expect((await failure(renderGreeting(renderOpts(f.truncated!)))).code).toBe('AUDIO_UNREADABLE');
  });

  it('WAV claiming 0 channels', async () => {
    const e = await failure(renderGreeting(renderOpts(f.zeroChannels!)));
    expect(e.code).toBe('AUDIO_INVALID_STREAM');
    expect(e.message).toContain('damaged');
  });

  it('video without an audio stream', async () => {
    const e = await failure(renderGreeting(renderOpts(f.videoOnly!)));
    expect(e.code).toBe('AUDIO_NO_AUDIO_STREAM');
    expect(e.message).toContain('video without sound');
  });

  it('3-hour input is refused quickly, before any decoding', async () => {
    const t0 = Date.now();
    const e = await failure(renderGreeting(renderOpts(f.threeHours!)));
    expect(e.code).toBe('AUDIO_TOO_LONG');
    expect(e.message).toContain('3 h');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await probeAudio(f.threeHours!)).durationSec).toBe(3 * 3600);
  });

  it('nonexistent path', async () => {
    const e = await failure(renderGreeting(renderOpts(path.join(dir, 'nope', 'missing.wav'))));
    expect(e.code).toBe('AUDIO_NOT_FOUND');
  });

  it('a folder instead of a file (unreadable as audio)', async () => {
    const e = await failure(analyseAudio(dir));
    expect(e.code).toBe('AUDIO_NOT_A_FILE');
    expect(e.message).toContain('folder');
  });

  it('silent recording cannot be normalised', async () => {
    const e = await failure(renderGreeting(renderOpts(f.silence!)));
    expect(e.code).toBe('AUDIO_SILENT');
  });

  it('a 50 ms tone is refused as too short (not as silent), naming the minimum', async () => {
    const e = await failure(renderGreeting(renderOpts(f.blip!)));
    expect(e.code).toBe('AUDIO_TOO_SHORT');
    expect(e.kind).toBe('input');
    expect(e.message).toMatch(/only 0\.05 s long; a greeting needs at least 0\.5 s/);
    // The analysis gives the same reason.
    const a = await analyseAudio(f.blip!);
    expect(a.warnings.map((w) => w.code)).toEqual(['TOO_SHORT']);
    expect(a.warnings[0]?.message).toContain(`at least ${MIN_GREETING_SEC} s`);
  });

  it('a section shorter than the minimum is refused as too short', async () => {
    const e = await failure(renderGreeting(renderOpts(f.speech!, { startSec: 0.5, endSec: 0.8 })));
    expect(e.code).toBe('AUDIO_TOO_SHORT');
    expect(e.message).toMatch(/section is only 0\.30 s long.*Choose a longer section/);
  });

  it('end before start, start beyond the end, negative start', async () => {
    expect((await failure(renderGreeting(renderOpts(f.speech!, { startSec: 2, endSec: 1 })))).code).toBe('AUDIO_RANGE_INVALID');
    const beyond = await failure(renderGreeting(renderOpts(f.speech!, { startSec: 500 })));
    expect(beyond.code).toBe('AUDIO_RANGE_INVALID');
    expect(beyond.message).toMatch(new RegExp(`^The start \\(500 s\\) is past the end of ${path.basename(f.speech!).replace('.', '\\.')} \\(\\d+\\.\\d s\\): choose a start before \\d+\\.\\d s\\.$`));
    expect((await failure(renderGreeting(renderOpts(f.speech!, { startSec: -1 })))).code).toBe('AUDIO_RANGE_INVALID');
    expect((await failure(renderGreeting(renderOpts(f.speech!, { endSec: 500 })))).code).toBe('AUDIO_RANGE_INVALID');
  });

  it('start or end past the end is a problem with the input (exit 2), naming its length; end before start is a bad argument', async () => {
    const start = await failure(renderGreeting(renderOpts(f.speech!, { startSec: 500 })));
    expect(start.kind).toBe('audio');
    expect(start.detail).toMatchObject({ field: 'start', valueSec: 500 });
    const end = await failure(renderGreeting(renderOpts(f.speech!, { endSec: 500 })));
    expect(end.kind).toBe('audio');
    expect(end.message).toMatch(/^The end \(500 s\) is past the end of .+ \(\d+\.\d s\): choose an end up to \d+\.\d s, or none to keep to the end\.$/);
    const swapped = await failure(renderGreeting(renderOpts(f.speech!, { startSec: 2, endSec: 1 })));
    expect(swapped.kind).toBe('usage');
    expect(swapped.message).toBe('The end (1 s) must come after the start (2 s): choose a later end, or an earlier start.');
  });

  it('unknown format', async () => {
    const e = await failure(renderGreeting(renderOpts(f.speech!, { format: 'ogg' as never })));
    expect(e.code).toBe('AUDIO_UNKNOWN_FORMAT');
    expect(e.message).toContain('wav-ulaw');
  });

  it('gsm when this ffmpeg has no libgsm (injected capabilities)', async () => {
    const e = await failure(renderGreeting(renderOpts(f.speech!, { format: 'gsm', capabilities: { gsm: false, mp3: true, formats: ['wav', 'wav-ulaw', 'wav-alaw', 'mp3'] } })));
    expect(e.code).toBe('AUDIO_FORMAT_UNAVAILABLE');
    expect(e.message).toContain('libgsm');
  });

  it('output folder missing', async () => {
    const e = await failure(renderGreeting(renderOpts(f.speech!, { outputPath: path.join(dir, 'no-such-dir', 'x.wav') })));
    expect(e.code).toBe('AUDIO_OUTPUT_DIR_MISSING');
  });

  it('output = input', async () => {
    expect((await failure(renderGreeting(renderOpts(f.speech!, { outputPath: f.speech! })))).code).toBe('AUDIO_OUTPUT_INVALID');
  });

  it('a pinned format that cannot fit is refused before encoding', async () => {
    // 2.5 s of speech is ~40 kB of wav: a 30 kB limit cannot hold it as wav (wav-ulaw would fit).
    const e = await failure(renderGreeting(renderOpts(f.speech!, { format: 'wav', sizeLimitBytes: 30_000 })));
    expect(e.code).toBe('AUDIO_FORMAT_TOO_BIG');
    expect(e.message).toContain('30 kB ≈ 2 s of wav');
  });

  it('a size limit nothing can meet', async () => {
    expect((await failure(renderGreeting(renderOpts(f.speech!, { sizeLimitBytes: 1000 })))).code).toBe('AUDIO_TOO_LONG');
  });

  it('out-of-range loudness options', async () => {
    expect((await failure(renderGreeting(renderOpts(f.speech!, { targetLufs: 3 })))).code).toBe('AUDIO_OPTION_INVALID');
    expect((await failure(renderGreeting(renderOpts(f.speech!, { peakCeilingDbfs: Number.NaN })))).code).toBe('AUDIO_OPTION_INVALID');
  });

  it('an already-aborted signal', async () => {
    const ac = new AbortController();
    ac.abort();
    expect((await failure(renderGreeting(renderOpts(f.speech!), { signal: ac.signal }))).code).toBe('CANCELLED');
  });

  it('cancelled mid-render: ffmpeg is killed, no temp file, no output', async () => {
    const ac = new AbortController();
    let stage = '';
    const p = renderGreeting(renderOpts(f.long!, { outputPath: path.join(outDir, 'cancelled.wav') }), {
      signal: ac.signal,
      onProgress: (pr) => { stage = pr.stage; if (pr.stage === 'render' && pr.percent > 55) ac.abort(); },
    });
    const e = await failure(p);
    expect(e.code).toBe('CANCELLED');
    expect(e.kind).toBe('cancelled');
    expect(stage).toBe('render');
    // no ffmpeg still writing into our temp root
    const ps = await execFileP('pgrep', ['-f', tmpRoot]).then((r) => r.stdout, () => '');
    expect(ps.trim()).toBe('');
  });

  it('cancelled during analysis', async () => {
    clearDecodeCache(); // the render above decoded this file: decode it again, and cancel that
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect((await failure(analyseAudio(f.long!, { signal: ac.signal }))).code).toBe('CANCELLED');
  });
});

describe('odd but valid input paths work', () => {
  it('spaces, quotes, unicode, leading dash', async () => {
    const odd = path.join(dir, `-it's "my" grüße ☎ file.wav`);
    await derive(f.speech!, odd);
    const r = await renderGreeting(renderOpts(odd, { outputPath: path.join(outDir, `ok-"out" ü.wav`) }));
    expect(r.bytes).toBeGreaterThan(10_000);
  });
});

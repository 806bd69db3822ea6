import { execFileSync } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AudioError, capabilitiesFromEncoders, clearDecodeCache, decodeAudio, getEncoderCapabilities, resetFfmpegCache, resolveFfmpeg, resolveFfmpegWith, unpackedAsarPath,
} from '../../../main/core/audio/index.js';
import { espeak, makeTempDir } from '../../helpers/audio-fixtures.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;

/** A fake binary: a shell script that introduces itself like ffmpeg/ffprobe (or fails). */
async function fake(rel: string, name: 'ffmpeg' | 'ffprobe', works = true): Promise<string> {
  const p = path.join(dir, rel);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, works ? `#!/bin/sh\necho "${name} version 9.9-fake"\n` : '#!/bin/sh\nexit 3\n');
  await chmod(p, 0o755);
  return p;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-bin-'));
});
afterAll(async () => cleanup());

const noPackages = (): undefined => undefined;

describe('resolveFfmpegWith (order: env → ffmpeg-static → PATH)', () => {
  it('uses FFMPEG_PATH / FFPROBE_PATH first', async () => {
    const ff = await fake('env/ffmpeg', 'ffmpeg');
    const fp = await fake('env/ffprobe', 'ffprobe');
    const onPath = await fake('pathdir/ffmpeg', 'ffmpeg');
    await fake('pathdir/ffprobe', 'ffprobe');
    const r = await resolveFfmpegWith({ env: { FFMPEG_PATH: ff, FFPROBE_PATH: fp, PATH: path.dirname(onPath) }, loadPackage: noPackages });
    expect(r).toEqual({ ffmpegPath: ff, ffprobePath: fp, source: 'env' });
  });

  it('falls through a broken env binary to ffmpeg-static, rewriting app.asar to app.asar.unpacked', async () => {
    const broken = await fake('broken/ffmpeg', 'ffmpeg', false);
    const unpacked = await fake('res/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg', 'ffmpeg');
    await fake('res/app.asar.unpacked/node_modules/ffmpeg-static/ffprobe', 'ffprobe');
    const asarPath = unpacked.replace('app.asar.unpacked', 'app.asar');
    const r = await resolveFfmpegWith({
      env: { FFMPEG_PATH: broken, PATH: '' },
      loadPackage: (name) => (name === 'ffmpeg-static' ? asarPath : undefined),
    });
    expect(r.source).toBe('ffmpeg-static');
    expect(r.ffmpegPath).toBe(unpacked);
    expect(r.ffprobePath).toBe(path.join(path.dirname(unpacked), 'ffprobe'));
  });

  it('uses ffprobe-static when the package exports { path }', async () => {
    const ff = await fake('static2/ffmpeg', 'ffmpeg');
    const fp = await fake('probe-static/ffprobe', 'ffprobe');
    const r = await resolveFfmpegWith({ env: { PATH: '' }, loadPackage: (n) => (n === 'ffmpeg-static' ? ff : n === 'ffprobe-static' ? { path: fp } : undefined) });
    expect(r).toEqual({ ffmpegPath: ff, ffprobePath: fp, source: 'ffmpeg-static' });
  });

  it('falls back to PATH', async () => {
    const ff = await fake('onpath/ffmpeg', 'ffmpeg');
    const fp = await fake('onpath/ffprobe', 'ffprobe');
    const r = await resolveFfmpegWith({ env: { PATH: `/nonexistent${path.delimiter}${path.dirname(ff)}` }, loadPackage: noPackages });
    expect(r).toEqual({ ffmpegPath: ff, ffprobePath: fp, source: 'path' });
  });

  it('does not accept a program that is not ffmpeg', async () => {
    const impostor = path.join(dir, 'impostor/ffmpeg');
    await mkdir(path.dirname(impostor), { recursive: true });
    await writeFile(impostor, '#!/bin/sh\necho "hello"\n');
    await chmod(impostor, 0o755);
    await expect(resolveFfmpegWith({ env: { FFMPEG_PATH: impostor, PATH: '' }, loadPackage: noPackages })).rejects.toMatchObject({ code: 'FFMPEG_NOT_FOUND' });
  });

  it('fails with one error naming all three places', async () => {
    const broken = await fake('broken2/ffmpeg', 'ffmpeg', false);
    const err = await resolveFfmpegWith({ env: { FFMPEG_PATH: broken, PATH: path.join(dir, 'empty') }, loadPackage: noPackages }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioError);
    const e = err as AudioError;
    expect(e.code).toBe('FFMPEG_NOT_FOUND');
    expect(e.message).toContain('FFMPEG_PATH');
    expect(e.message).toContain('ffmpeg-static');
    expect(e.message).toContain('PATH');
    expect(e.message).toContain('does not run');
  });

  it('rewrites only the app.asar path segment', () => {
    expect(unpackedAsarPath('/opt/App/resources/app.asar/node_modules/ffmpeg-static/ffmpeg')).toBe('/opt/App/resources/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg');
    expect(unpackedAsarPath('C:\\App\\resources\\app.asar\\ffmpeg.exe')).toBe('C:\\App\\resources\\app.asar.unpacked\\ffmpeg.exe');
    expect(unpackedAsarPath('/usr/bin/ffmpeg')).toBe('/usr/bin/ffmpeg');
  });
});

describe('the real ffmpeg of this machine', () => {
  it('resolves and runs', async () => {
    const r = await resolveFfmpeg();
    expect(['env', 'ffmpeg-static', 'path']).toContain(r.source);
    expect(execFileSync(r.ffmpegPath, ['-version']).toString()).toMatch(/^ffmpeg version/);
    expect(await resolveFfmpeg()).toBe(r);
  });

  it('reports encoder capabilities matching `ffmpeg -encoders`, cached', async () => {
    const { ffmpegPath } = await resolveFfmpeg();
    const listing = execFileSync(ffmpegPath, ['-hide_banner', '-encoders']).toString();
    const caps = await getEncoderCapabilities();
    expect(caps.gsm).toBe(/\slibgsm\s/.test(listing));
    expect(caps.mp3).toBe(/\slibmp3lame\s/.test(listing));
    expect(caps.formats.slice(0, 3)).toEqual(['wav', 'wav-ulaw', 'wav-alaw']);
    expect(await getEncoderCapabilities()).toBe(caps);
  });

  it('derives formats from encoder names', () => {
    expect(capabilitiesFromEncoders(new Set(['pcm_s16le'])).formats).toEqual(['wav', 'wav-ulaw', 'wav-alaw']);
    expect(capabilitiesFromEncoders(new Set(['libgsm', 'libmp3lame']))).toEqual({ gsm: true, mp3: true, formats: ['wav', 'wav-ulaw', 'wav-alaw', 'mp3', 'gsm'] });
  });
});

describe('binaries are checked by their first run, not by a -version run each', () => {
  it('an FFMPEG_PATH that is not ffmpeg is passed over at the first decode for the next candidate', async () => {
    const impostor = path.join(dir, 'impostor2/ffmpeg');
    await mkdir(path.dirname(impostor), { recursive: true });
    await writeFile(impostor, '#!/bin/sh\necho "hello"\n');
    await chmod(impostor, 0o755);
    const speech = await espeak(path.join(dir, 'speech.wav'), 'Please leave a message.');
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = impostor;
    try {
      resetFfmpegCache();
      clearDecodeCache();
      expect((await resolveFfmpeg()).ffmpegPath).toBe(impostor); // only "is an executable file" so far
      const d = await decodeAudio(speech);
      expect(d.pcm.length).toBeGreaterThan(8000);
      expect(d.ffmpegVersion).toBeDefined();
      const now = await resolveFfmpeg();
      expect(now.ffmpegPath).not.toBe(impostor);
      expect(now.source).not.toBe('env');
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
      resetFfmpegCache();
      clearDecodeCache();
    }
  });
});

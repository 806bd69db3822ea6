// ffmpeg versions users actually have: the engine's chain runs on an old ffmpeg (a 2018 static build, libavutil
// 56.24, shipped inside the npm package @ffmpeg-installer/ffmpeg: a dev-only test aid) with the same results as on
// Debian's 5.1; an ffmpeg older than that is refused up front, naming the version found, where it was found and the
// version needed (stub binaries that report an old version).
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AudioError, checkFfmpeg, clearDecodeCache, decodeAudio, getEncoderCapabilities, MIN_FFMPEG_RELEASE, renderGreeting, resetFfmpegCache, resolveFfmpeg,
  type FfmpegPaths,
} from '../../../main/core/audio/index.js';
import { ensureBuilt, runVmgreet } from '../../cli/helpers.js';
import { makeTempDir, measure } from '../../helpers/audio-fixtures.js';
import { buildCorpus, type Corpus } from './corpus.js';

const OLD_FFMPEG = (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
let corpus: Corpus;
let system: FfmpegPaths;

/** A stand-in for an old ffmpeg: `-version` tells its version; any other run fails the way 3.x fails on our log level. */
async function stubFfmpeg(name: string, version: string, libavutil: string, mode: 'no-banner' | 'banner-then-wait'): Promise<string> {
  const p = path.join(dir, name, 'ffmpeg');
  await mkdir(path.dirname(p), { recursive: true });
  const versionText = `ffmpeg version ${version} Copyright (c) 2000-2020 the FFmpeg developers\\nbuilt with gcc 7\\nlibavutil      ${libavutil} / ${libavutil}\\n`;
  const run = mode === 'no-banner'
    ? 'echo "Invalid loglevel \\"repeat+level+verbose\\". Possible levels are numbers or:" >&2; exit 1'
    : `printf '[info] ffmpeg version ${version} Copyright (c) 2000-2020 the FFmpeg developers\\n[info]   libavutil      ${libavutil} / ${libavutil}\\n' >&2; exec sleep 5`;
  await writeFile(p, `#!/bin/sh\nfor a in "$@"; do [ "$a" = "-version" ] && { printf '${versionText}'; exit 0; }; done\n${run}\n`);
  await chmod(p, 0o755);
  return p;
}

async function withFfmpegPath<T>(bin: string, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.FFMPEG_PATH;
  process.env.FFMPEG_PATH = bin;
  resetFfmpegCache();
  clearDecodeCache();
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.FFMPEG_PATH;
    else process.env.FFMPEG_PATH = saved;
    resetFfmpegCache();
    clearDecodeCache();
  }
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-ffver-'));
  corpus = await buildCorpus(dir);
  system = await resolveFfmpeg();
});
afterAll(async () => cleanup());

describe('an old ffmpeg (2018 static build) runs the same chain', () => {
  it('is found and accepted by the start-up check', async () => {
    const c = await withFfmpegPath(OLD_FFMPEG, () => checkFfmpeg());
    expect(c.ok).toBe(true);
  });

  for (const [name, file, format, tolerance] of [
    ['48 kHz stereo WAV with silence → wav', 'padded', 'wav', 0.5],
    ['webm/opus without a duration → mp3', 'webm', 'mp3', 1],
    ['clipped → wav-ulaw', 'clipped', 'wav-ulaw', 0.5],
  ] as const) {
    it(`${name}: on target, under the ceiling, trimmed like with ffmpeg 5.1`, async () => {
      const input = corpus[file];
      const oldBins: FfmpegPaths = { ffmpegPath: OLD_FFMPEG, ffprobePath: system.ffprobePath, source: 'env' };
      clearDecodeCache();
      const caps = await getEncoderCapabilities(OLD_FFMPEG);
      const ext = format === 'mp3' ? '.mp3' : '.wav';
      const old = await renderGreeting({ inputPath: input, outputPath: path.join(dir, `old-${file}${ext}`), format, binaries: oldBins, capabilities: caps, tempDir: dir });
      clearDecodeCache();
      const now = await renderGreeting({ inputPath: input, outputPath: path.join(dir, `new-${file}${ext}`), format, tempDir: dir });
      const [mo, mn] = await Promise.all([measure(old.outputPath), measure(now.outputPath)]);
      expect(mo.sampleRate).toBe(8000);
      expect(mo.channels).toBe(1);
      expect(Math.abs(mo.integratedLufs + 20)).toBeLessThanOrEqual(tolerance);
      expect(mo.truePeakDbfs).toBeLessThanOrEqual(-3);
      expect(Math.abs(mo.integratedLufs - mn.integratedLufs)).toBeLessThanOrEqual(0.3);
      expect(Math.abs(old.keptStartSec - now.keptStartSec)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(old.keptEndSec - now.keptEndSec)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(mo.durationSec - mn.durationSec)).toBeLessThanOrEqual(0.02);
    });
  }
});

describe('an ffmpeg older than that is refused up front', () => {
  it('one that cannot even start with our arguments: named with its version, where it was found and what is needed', async () => {
    const stub = await stubFfmpeg('v34', '3.4.8-0ubuntu0.2', '55. 78.100', 'no-banner');
    const err = await withFfmpegPath(stub, () => decodeAudio(corpus.speech)).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AudioError);
    const e = err as AudioError;
    expect(e.code).toBe('FFMPEG_TOO_OLD');
    expect(e.message).toContain('ffmpeg 3.4.8-0ubuntu0.2 (libavutil 55.78)');
    expect(e.message).toContain(`at ${stub} (set by FFMPEG_PATH)`);
    expect(e.message).toContain(`needs ffmpeg ${MIN_FFMPEG_RELEASE} or newer`);
    const c = await withFfmpegPath(stub, () => checkFfmpeg());
    expect(c.ok).toBe(false);
    expect(!c.ok && c.error.code).toBe('FFMPEG_TOO_OLD');
  });

  it('one that starts: refused from its banner, before it decodes anything', async () => {
    const stub = await stubFfmpeg('v40', '4.0.2', '56. 14.100', 'banner-then-wait');
    const t0 = performance.now();
    const err = await withFfmpegPath(stub, () => renderGreeting({ inputPath: corpus.speech, outputPath: path.join(dir, 'never.wav'), tempDir: dir })).then(() => undefined, (e: unknown) => e);
    expect((err as AudioError).code).toBe('FFMPEG_TOO_OLD');
    expect((err as AudioError).message).toMatch(/^ffmpeg 4\.0\.2 \(libavutil 56\.14\) at .* is too old/);
    expect(performance.now() - t0).toBeLessThan(3000); // the stub would take 5 s
  });

  describe('vmgreet prepare', () => {
    beforeAll(async () => { await ensureBuilt(); }, 240_000);
    it('says so and exits non-zero, writing nothing', async () => {
      const stub = await stubFfmpeg('v34cli', '3.4.8', '55. 78.100', 'no-banner');
      const out = path.join(dir, 'cli-old.wav');
      const r = await runVmgreet(['prepare', corpus.speech, '-o', out], { env: { FFMPEG_PATH: stub } });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('ffmpeg 3.4.8 (libavutil 55.78)');
      expect(r.stderr).toContain(`needs ffmpeg ${MIN_FFMPEG_RELEASE} or newer`);
      const ok = await runVmgreet(['prepare', corpus.speech, '-o', path.join(dir, 'cli-2018.wav')], { env: { FFMPEG_PATH: OLD_FFMPEG } });
      expect(ok.code).toBe(0);
    });
  });
});

// Damaged input must never upload as something else: a FLAC of speech (~14 s, built here) with a corrupt stretch
// in the middle is refused (exit 2 in the CLI) with the time range that is damaged; one corrupt frame is only
// warned about, with how much was skipped and where; a clean copy has no such warning.
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseAudio, AudioError, DAMAGE_LIMITS, renderGreeting } from '../../../main/core/audio/index.js';
import { ensureBuilt, runVmgreet } from '../../cli/helpers.js';
import { espeak, ffmpeg, makeTempDir, measure } from '../../helpers/audio-fixtures.js';

const execFileP = promisify(execFile);
let dir = '';
let tmpRoot = '';
let cleanup: () => Promise<void> = async () => undefined;
const f: Record<string, string> = {};
/** Start time and byte position of every FLAC frame of the clean file (ffmpeg's ashowinfo). */
let frames: { sec: number; pos: number }[] = [];

const TEXT = 'Hello, you have reached the voicemail of the sales team. We cannot take your call right now. ' +
  'Please leave your name, your number and a short message after the tone, and we will call you back as soon as we can. Thank you.';

/** Time range of the frames that hold bytes [from, to) of the file. */
function timeOfBytes(from: number, to: number): { startSec: number; endSec: number } {
  const first = [...frames].reverse().find((fr) => fr.pos <= from) ?? frames[0]!;
  const after = frames.find((fr) => fr.pos >= to);
  return { startSec: first.sec, endSec: after?.sec ?? frames.at(-1)!.sec };
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-damaged-'));
  tmpRoot = path.join(dir, 'tmp');
  await mkdir(tmpRoot);
  const speech = await espeak(path.join(dir, 'speech.wav'), TEXT, { speed: 150 });
  f.clean = path.join(dir, 'clean.flac');
  await ffmpeg(['-i', speech, '-ar', '44100', '-c:a', 'flac', f.clean]);
  const { stderr } = await execFileP('ffmpeg', ['-hide_banner', '-nostats', '-i', f.clean, '-af', 'ashowinfo', '-f', 'null', '-'], { maxBuffer: 32 * 1024 * 1024 });
  frames = [...stderr.matchAll(/pts_time:([\d.]+) pos:(\d+)/g)].map((m) => ({ sec: Number(m[1]), pos: Number(m[2]) }));
  const bytes = await readFile(f.clean);
  // A corrupt stretch: the middle fifth of the file overwritten (as a bad sector or a broken copy would).
  const heavy = Buffer.from(bytes);
  for (let i = Math.floor(bytes.length * 0.4); i < Math.floor(bytes.length * 0.6); i++) heavy[i] = (i * 7919) % 251;
  f.heavy = path.join(dir, 'heavy.flac');
  await writeFile(f.heavy, heavy);
  // One corrupt frame: 300 bytes in the middle.
  const light = Buffer.from(bytes);
  const mid = Math.floor(bytes.length * 0.5);
  for (let i = mid; i < mid + 300; i++) light[i] = (i * 7919) % 251;
  f.light = path.join(dir, 'light.flac');
  f.lightAt = String(mid);
  await writeFile(f.light, light);
});
afterAll(async () => cleanup());

describe('damaged input', () => {
  it('the clean FLAC is long speech with no decoding warning', async () => {
    const a = await analyseAudio(f.clean!);
    expect(a.durationSec).toBeGreaterThan(12);
    expect(a.durationSec).toBeLessThan(17);
    expect(a.damage).toBeUndefined();
    expect(a.warnings.map((w) => w.code)).not.toContain('DECODE_ERRORS');
  });

  it('a corrupt stretch is refused as damaged, naming the time range, and nothing is written', async () => {
    const bytes = (await readFile(f.heavy!)).length;
    const corrupt = timeOfBytes(Math.floor(bytes * 0.4), Math.floor(bytes * 0.6));
    const out = path.join(dir, 'heavy.wav');
    const err = await renderGreeting({ inputPath: f.heavy!, outputPath: out, tempDir: tmpRoot }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(AudioError);
    const e = err as AudioError;
    expect(e.code).toBe('AUDIO_DAMAGED');
    expect(e.kind).toBe('input');
    expect(e.message).toMatch(/is damaged between about \d+\.\d s and \d+\.\d s/);
    const d = e.detail as { fromSec: number; toSec: number; skippedSec: number };
    // The range reported covers the corrupt bytes' time and starts at most half a second before them: FLAC's
    // parser looks ahead for the next intact header, and the frames just before the stretch are lost with it.
    expect(d.fromSec).toBeGreaterThanOrEqual(corrupt.startSec - 0.5);
    expect(d.fromSec).toBeLessThanOrEqual(corrupt.endSec);
    expect(d.toSec).toBeGreaterThanOrEqual(corrupt.startSec);
    expect(d.skippedSec).toBeGreaterThanOrEqual(DAMAGE_LIMITS.skippedSec);
    expect(d.skippedSec).toBeLessThanOrEqual(d.toSec - d.fromSec + 0.2);
    expect(await readdir(tmpRoot)).toEqual([]);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
    // The analysis (editor import) refuses it the same way.
    await expect(analyseAudio(f.heavy!)).rejects.toMatchObject({ code: 'AUDIO_DAMAGED' });
  });

  it('one corrupt frame is warned about with where and how much was skipped, and the render goes on', async () => {
    const at = timeOfBytes(Number(f.lightAt), Number(f.lightAt) + 300);
    const r = await renderGreeting({ inputPath: f.light!, outputPath: path.join(dir, 'light.wav'), tempDir: tmpRoot });
    const w = r.analysis.warnings.find((x) => x.code === 'DECODE_ERRORS');
    expect(w?.message).toMatch(/^damaged audio (at|between) about \d+\.\d s.*1 damaged frame.*listen to the result/);
    const d = r.analysis.damage!;
    expect(d.failedPackets).toBeGreaterThanOrEqual(1);
    expect(d.skippedSec).toBeGreaterThan(0);
    expect(d.skippedSec).toBeLessThan(DAMAGE_LIMITS.skippedSec);
    expect(d.fromSec).toBeGreaterThanOrEqual(at.startSec - 0.3);
    expect(d.fromSec).toBeLessThanOrEqual(at.endSec + 0.2);
    // The timeline is kept: the rendered greeting is as long as the clean one.
    const clean = await renderGreeting({ inputPath: f.clean!, outputPath: path.join(dir, 'clean.wav'), tempDir: tmpRoot });
    expect(Math.abs((await measure(r.outputPath)).durationSec - (await measure(clean.outputPath)).durationSec)).toBeLessThan(0.05);
  });

  describe('vmgreet prepare', () => {
    beforeAll(async () => { await ensureBuilt(); }, 240_000);

    it('exits 2 on the damaged file and says which part is damaged', async () => {
      const r = await runVmgreet(['prepare', f.heavy!, '-o', path.join(dir, 'cli-heavy.wav')]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/damaged between about \d+\.\d s and \d+\.\d s/);
      await expect(readFile(path.join(dir, 'cli-heavy.wav'))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    it('prepares the file with one bad frame and warns how much was skipped', async () => {
      const r = await runVmgreet(['prepare', f.light!, '-o', path.join(dir, 'cli-light.wav')]);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/damaged audio (at|between) about .*1 damaged frame/);
    });
  });
});

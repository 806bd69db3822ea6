// `vmgreet prepare` on the inputs a QA pass found mishandled, run as a real child process on audio made here:
// a WAV cut short (its header promises 10 s), a steady tone (not "noisy background"), and --start/--end past the
// end of the input (a bad input, exit 2, naming the input's length and what to give instead). Each child gets a
// temp folder of its own (TMPDIR) so what it leaves behind can be seen.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../main/cli/exit-codes.js';
import { espeak, ffmpeg, makeTempDir } from '../helpers/audio-fixtures.js';
import { ensureBuilt, oneJson, runVmgreet, type RunResult } from './helpers.js';

vi.setConfig({ testTimeout: 60_000 });

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const f: Record<string, string> = {};
let tmpRoot = '';

beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await makeTempDir('vmgs-prepare-qa-'));
  tmpRoot = path.join(dir, 'tmp');
  await mkdir(tmpRoot);
  // 10 s of 8 kHz 16-bit mono (16,000 bytes/s) behind a plain 44-byte header, then only its first 0.7 s kept.
  const speech = await espeak(path.join(dir, 'speech.wav'), 'Hello, please leave a message after the tone.');
  const full = path.join(dir, 'full.wav');
  await ffmpeg(['-i', speech, '-af', 'aresample=8000,apad,atrim=duration=10', '-ac', '1', '-c:a', 'pcm_s16le', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact', full]);
  f.cut = path.join(dir, 'cut.wav');
  await writeFile(f.cut, (await readFile(full)).subarray(0, 44 + 0.7 * 16000));
  f.tone = path.join(dir, 'tone.wav');
  await ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=8000:duration=5', '-af', 'volume=-12dB', f.tone]);
  f.in = path.join(dir, 'in.wav');
  await ffmpeg(['-i', speech, '-af', 'apad,atrim=duration=12.4', f.in]);
}, 60_000);
afterAll(async () => cleanup());

const prepare = (args: string[]): Promise<RunResult> => runVmgreet(['prepare', ...args], { env: { TMPDIR: tmpRoot, TMP: tmpRoot, TEMP: tmpRoot } });

describe('a WAV cut short (header 10 s, 0.7 s of audio)', () => {
  const expected = /The file ends early: the header promises 10\.0 s but only 0\.7 s of audio is there — it may be cut off/;

  it('is prepared with a TRUNCATED warning on stderr', async () => {
    const r = await prepare([f.cut!, '-o', path.join(dir, 'cut-out.wav')]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stderr).toMatch(new RegExp(`warning: ${expected.source}`));
  });

  it('--json carries it in analysis.warnings (code TRUNCATED)', async () => {
    const r = await prepare([f.cut!, '-o', path.join(dir, 'cut-out-json.wav'), '--json']);
    expect(r.code).toBe(EXIT.ok);
    const doc = oneJson(r.stdout) as { analysis: { warnings: { code: string; message: string }[]; durationSec: number } };
    expect(doc.analysis.durationSec).toBeCloseTo(0.7, 1);
    const w = doc.analysis.warnings.find((x) => x.code === 'TRUNCATED');
    expect(w?.message).toMatch(expected);
  });
});

describe('a steady 1 kHz tone', () => {
  it('gets no "noisy background" warning and no --denoise tip', async () => {
    const r = await prepare([f.tone!, '-o', path.join(dir, 'tone-out.wav'), '--json']);
    expect(r.code).toBe(EXIT.ok);
    const doc = oneJson(r.stdout) as { analysis: { warnings: { code: string }[]; suggestions: { code: string }[] } };
    expect(doc.analysis.suggestions.map((s) => s.code)).not.toContain('DENOISE');
    expect(doc.analysis.warnings.map((w) => w.code)).not.toContain('NOISY');
    expect(r.stderr).not.toMatch(/noisy background|--denoise/);
  });
});

describe('--start / --end past the end of the input', () => {
  const leftovers = async (): Promise<string[]> => (await readdir(tmpRoot)).filter((n) => n.startsWith('vmgreet-'));

  it('--start 30 on a 12.4 s input: exit 2, names the length and what to do, nothing left behind', async () => {
    const out = path.join(dir, 'start-out.wav');
    const r = await prepare([f.in!, '-o', out, '--start', '30']);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('--start 30 is past the end of in.wav (12.4 s); choose a start before 12.4 s.');
    expect(await leftovers()).toEqual([]);
    expect((await readdir(dir)).includes('start-out.wav')).toBe(false);
  });

  it('--start in m:ss, with --json: the error document says the same, exit 2', async () => {
    const r = await prepare([f.in!, '-o', path.join(dir, 'start-json.wav'), '--start', '1:00', '--json']);
    expect(r.code).toBe(EXIT.input);
    const doc = oneJson(r.stdout) as { error: { code: string; kind: string; message: string; detail: { field: string; durationSec: number } } };
    expect(doc.error).toMatchObject({ code: 'AUDIO_RANGE_INVALID', kind: 'input', message: '--start 60 is past the end of in.wav (12.4 s); choose a start before 12.4 s.' });
    expect(doc.error.detail).toMatchObject({ field: 'start' });
    expect(doc.error.detail.durationSec).toBeCloseTo(12.4, 1);
  });

  it('--end 30 on a 12.4 s input: exit 2, says to choose an end up to 12.4 s or leave --end out', async () => {
    const r = await prepare([f.in!, '-o', path.join(dir, 'end-out.wav'), '--end', '30']);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('--end 30 is past the end of in.wav (12.4 s); choose an end up to 12.4 s, or leave --end out to keep to the end.');
    expect(await leftovers()).toEqual([]);
  });

  it('--start past the end of a WAV cut short also says that its header promised more', async () => {
    const r = await prepare([f.cut!, '-o', path.join(dir, 'cut-start.wav'), '--start', '5']);
    expect(r.code).toBe(EXIT.input);
    expect(r.stderr).toContain('--start 5 is past the end of cut.wav (0.7 s); choose a start before 0.7 s. (The file ends early: its header promises 10.0 s — it may be cut off.)');
  });

  it('--end not after --start (or --end 0) is a bad argument (exit 1) that says what to give, before any audio is read', async () => {
    const swapped = await prepare([f.in!, '-o', path.join(dir, 'swap.wav'), '--start', '5', '--end', '3']);
    expect(swapped.code).toBe(EXIT.usage);
    expect(swapped.stderr).toContain('--start (5 s) must be before --end (3 s): swap them or drop one.');
    const zero = await prepare([f.in!, '-o', path.join(dir, 'zero.wav'), '--end', '0']);
    expect(zero.code).toBe(EXIT.usage);
    expect(zero.stderr).toContain('--end (0 s) must be after the start of the recording: give a later --end, or leave it out to keep to the end.');
    expect(await leftovers()).toEqual([]);
  });
});

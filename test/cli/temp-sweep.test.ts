// Render folders a killed `vmgreet` leaves in the temp folder are swept by a later run: only folders named like
// ours (vmgreet-XXXXXX), only when nothing in them changed for STALE_TEMP_MS. Proven with a real `vmgreet prepare`
// child that is SIGKILLed mid-render (its temp folder is a per-test one, through TMPDIR).
import { spawn } from 'node:child_process';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { STALE_TEMP_MS, sweepStaleTempDirs } from '../../main/cli/render.js';
import { makeTempDir, tone } from '../helpers/audio-fixtures.js';
import { BIN, childEnv, ensureBuilt, runVmgreet } from './helpers.js';

vi.setConfig({ testTimeout: 240_000 });

let tmp: { dir: string; cleanup: () => Promise<void> };
let long: string;
let short: string;

beforeAll(async () => {
  await ensureBuilt();
  tmp = await makeTempDir('vmgreet-sweep-');
  long = await tone(path.join(tmp.dir, 'long.wav'), { durationSec: 240, freq: 500 });
  short = await tone(path.join(tmp.dir, 'short.wav'), { durationSec: 1, freq: 700 });
}, 180_000);
afterAll(async () => {
  await tmp?.cleanup();
});

/** Sets the modification time of a folder and everything in it to `ageMs` ago. */
async function age(p: string, ageMs: number): Promise<void> {
  const when = new Date(Date.now() - ageMs);
  const st = await stat(p);
  if (st.isDirectory()) for (const name of await readdir(p)) await age(path.join(p, name), ageMs);
  await utimes(p, when, when);
}

const ours = (names: string[]): string[] => names.filter((n) => /^vmgreet-[A-Za-z0-9]{6}$/.test(n)).sort();

describe('sweepStaleTempDirs', () => {
  it('removes only stale folders named like ours', async () => {
    const root = path.join(tmp.dir, 'unit');
    await mkdir(root);
    for (const name of ['vmgreet-Stale1', 'vmgreet-Fresh1', 'vmgreet-keep', 'vmgreet-cli-abcdef', 'other-Stale2']) {
      await mkdir(path.join(root, name));
      await writeFile(path.join(root, name, 'greeting.out'), 'x');
    }
    await writeFile(path.join(root, 'vmgreet-AFile1'), 'a file, not a folder');
    for (const name of ['vmgreet-Stale1', 'vmgreet-keep', 'vmgreet-cli-abcdef', 'other-Stale2', 'vmgreet-AFile1']) await age(path.join(root, name), STALE_TEMP_MS + 60_000);
    // A folder whose own time is old but whose render output was just written is in use.
    await mkdir(path.join(root, 'vmgreet-Busy01', 'vmgs-render-x'), { recursive: true });
    await writeFile(path.join(root, 'vmgreet-Busy01', 'vmgs-render-x', 'greeting.wav'), 'being written');
    await utimes(path.join(root, 'vmgreet-Busy01'), new Date(0), new Date(0));
    const removed = await sweepStaleTempDirs(root);
    expect(removed).toEqual([path.join(root, 'vmgreet-Stale1')]);
    expect((await readdir(root)).sort()).toEqual(['other-Stale2', 'vmgreet-AFile1', 'vmgreet-Busy01', 'vmgreet-Fresh1', 'vmgreet-cli-abcdef', 'vmgreet-keep']);
  });
});

describe('a SIGKILLed vmgreet prepare', () => {
  it('leaves its render folder, which a later run sweeps once it is stale (and not before)', async () => {
    const tmpRoot = path.join(tmp.dir, 'tmproot');
    await mkdir(tmpRoot);
    const env = { TMPDIR: tmpRoot, TMP: tmpRoot, TEMP: tmpRoot };
    // Someone else's folder and one of ours from long ago.
    await mkdir(path.join(tmpRoot, 'other-abcdef'));
    await mkdir(path.join(tmpRoot, 'vmgreet-Old123'));
    await writeFile(path.join(tmpRoot, 'vmgreet-Old123', 'greeting.out'), 'left by a crash');
    await age(path.join(tmpRoot, 'vmgreet-Old123'), STALE_TEMP_MS + 60_000);
    await age(path.join(tmpRoot, 'other-abcdef'), STALE_TEMP_MS + 60_000);

    // Its own process group, so the kill takes ffmpeg with it, as a kill of the whole command does.
    const child = spawn(process.execPath, [BIN, 'prepare', long, '-o', path.join(tmp.dir, 'killed.wav')], { env: childEnv(env), stdio: 'ignore', detached: true });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 60_000;
    let leftover: string[] = [];
    // The render folder appears when the run starts rendering (after it swept the stale one).
    while (Date.now() < deadline) {
      leftover = ours(await readdir(tmpRoot)).filter((n) => n !== 'vmgreet-Old123');
      if (leftover.length > 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(leftover).toHaveLength(1);
    process.kill(-(child.pid ?? 0), 'SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const killedDir = leftover[0]!;
    expect(ours(await readdir(tmpRoot))).toEqual([killedDir]);

    // A later run removes nothing that could still be in use: the fresh leftover stays.
    const again = await runVmgreet(['prepare', short, '-o', path.join(tmp.dir, 'again.wav')], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(ours(await readdir(tmpRoot))).toEqual([killedDir]);
    // Once it has been idle longer than any render takes, the next run sweeps it; others' folders stay.
    await age(path.join(tmpRoot, killedDir), STALE_TEMP_MS + 60_000);
    const third = await runVmgreet(['prepare', short, '-o', path.join(tmp.dir, 'third.wav')], { env });
    expect(third.code, third.stderr).toBe(0);
    expect((await readdir(tmpRoot)).sort()).toEqual(['other-abcdef']);
  });
});

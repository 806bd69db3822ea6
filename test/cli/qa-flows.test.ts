// The `vmgreet` flows a PBX administrator runs, through the real binary against the simulator, held to what they
// print: each thing said once, the right advice for the command at hand, exit codes as documented, and nothing left
// in the queue that could later send an old take over a new one.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { UploadQueue } from '../../main/core/library/index.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak, makeTempDir, tone } from '../helpers/audio-fixtures.js';
import { ensureBuilt, oneJson, runVmgreet } from './helpers.js';

vi.setConfig({ testTimeout: 240_000 });

let sim: Simulator;
let tmp: { dir: string; cleanup: () => Promise<void> };
let takeA: string;
let takeB: string;
let takeC: string;
let m4a: string;
let n = 0;

beforeAll(async () => {
  await ensureBuilt();
  sim = await startSimulator({ extensions: 30, recordDelayMs: 200 });
  tmp = await makeTempDir('vmgreet-qa-');
  takeA = await espeak(path.join(tmp.dir, 'take-a.wav'), 'Hello, this is the first take of the away greeting.');
  takeB = await espeak(path.join(tmp.dir, 'take-b.wav'), 'Hello, this is the second take.');
  takeC = await espeak(path.join(tmp.dir, 'take-c.wav'), 'And this is the third take, the one to keep.');
  m4a = await tone(path.join(tmp.dir, 'jingle.m4a'), { durationSec: 1.5, freq: 500 });
}, 180_000);
afterAll(async () => {
  await sim?.close();
  await tmp?.cleanup();
});

function setup(): { dataDir: string; env: Record<string, string>; profile: string } {
  n += 1;
  const dataDir = path.join(tmp.dir, `data-${n}`);
  return {
    dataDir,
    env: { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret, VMGREET_DATA_DIR: dataDir },
    profile: `cli:${sim.url}#${sim.clientId}`,
  };
}

async function vm(args: string[], env: Record<string, string>) {
  const r = await runVmgreet(args, { env, timeoutMs: 120_000 });
  expect(r.stdout + r.stderr).not.toContain(sim.clientSecret);
  return r;
}

const bytesOf = (ext: string, name: string): Buffer | undefined => sim.greetings(ext).find((g) => g.real_filename === name)?.bytes;

describe('upload, rerun, overwrite, rollback', () => {
  it('says each outcome once and refuses a rollback that would throw away a newer greeting', async () => {
    const c = setup();
    expect((await vm(['upload', takeA, '--ext', '3200', '--name', 'away'], c.env)).code).toBe(0);

    const again = await vm(['upload', takeA, '--ext', '3200', '--name', 'away'], c.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Unchanged: extension 3200 already has away.wav with exactly these bytes; nothing was uploaded.\n');
    expect(again.stdout).not.toMatch(/\(unchanged \(/);

    // Off a terminal the default policy is fail: exit 5, the choice said once (as flags, in the hint).
    const conflict = await vm(['upload', takeB, '--ext', '3200', '--name', 'away'], c.env);
    expect(conflict.code).toBe(5);
    expect(conflict.stderr.match(/overwrite, rename or skip/g)).toHaveLength(1);
    expect(conflict.stderr).toMatch(/^hint: add --if-exists overwrite, rename or skip/m);

    const over = oneJson((await vm(['upload', takeB, '--ext', '3200', '--name', 'away', '--if-exists', 'overwrite', '--json'], c.env)).stdout) as { historyId: string; action: string };
    expect(over.action).toBe('overwritten');
    const newest = oneJson((await vm(['upload', takeC, '--ext', '3200', '--name', 'away', '--if-exists', 'overwrite', '--json'], c.env)).stdout) as { historyId: string };
    const third = bytesOf('3200', 'away.wav');

    // Rolling back the middle upload would put take A back and lose take C, which has no backup: refused.
    const stale = await vm(['rollback', over.historyId, '--json'], c.env);
    expect(stale.code).toBe(2);
    expect((oneJson(stale.stdout) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'HISTORY_ROLLBACK_NOT_LATEST', message: expect.stringContaining(`Roll back ${newest.historyId} first`) });
    expect(bytesOf('3200', 'away.wav')).toEqual(third);

    const undo = await vm(['rollback', newest.historyId], c.env);
    expect(undo.code, undo.stderr).toBe(0);
    const twice = await vm(['rollback', newest.historyId], c.env);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/was already rolled back at .*Nothing was changed\./);
    expect((await vm(['rollback', over.historyId], c.env)).code).toBe(0);
  });
});

describe('greetings rename, record and delete give the advice of their own command', () => {
  it('rename onto a taken name or the same name, record onto a taken name or an unknown phone, delete in use', async () => {
    const c = setup();
    sim.seedGreeting('3201', 'away.wav', Buffer.from('RIFF-away'));
    sim.seedGreeting('3201', 'lunch.wav', Buffer.from('RIFF-lunch'));

    const taken = await vm(['greetings', 'rename', '--ext', '3201', '--file', 'away.wav', '--to', 'lunch'], c.env);
    expect(taken.code).toBe(5);
    expect(taken.stderr).toMatch(/already has a greeting named "lunch\.wav"\. Nothing was renamed: choose another new name\./);
    expect(taken.stderr).not.toMatch(/uploaded|--if-exists/);

    const same = await vm(['greetings', 'rename', '--ext', '3201', '--file', 'away.wav', '--to', 'away'], c.env);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/already has that name, so nothing was renamed/);

    const rec = await vm(['greetings', 'record', '--ext', '3201', '--phone', '3202', '--name', 'away'], c.env);
    expect(rec.code).toBe(5);
    expect(rec.stdout).not.toMatch(/Calling extension/); // nobody was called
    expect(rec.stderr).toMatch(/No call was made/);
    expect(rec.stderr).not.toMatch(/uploaded|--if-exists/);

    const nobody = await vm(['greetings', 'record', '--ext', '3201', '--phone', '3299', '--name', 'fresh', '--timeout', '2'], c.env);
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/no extension with one of these numbers/);
    expect(nobody.stderr).not.toMatch(/greeting does not exist/);

    expect((await vm(['greetings', 'use', 'away', '--ext', '3201', '--when', 'away'], c.env)).code).toBe(0);
    const inUse = await vm(['greetings', 'delete', '--ext', '3201', '--file', 'away.wav'], c.env);
    expect(inUse.code).toBe(3);
    expect(inUse.stderr).toMatch(/so it was not deleted\.\n/);
    expect(inUse.stderr).toMatch(/^hint: .*--reset-statuses/m);
    expect(bytesOf('3201', 'away.wav')).toBeDefined();
  });
});

describe('batch', () => {
  it('a range wider than the PBX: one line for the missing numbers, never "extension N: Extension N"', async () => {
    const c = setup();
    const r = await vm(['batch', '--ext', '3225-3240', takeA, '--name', 'wide', '--dry-run'], c.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rejected: 11 extensions do not exist on this PBX: 3230-3240.\n');
    expect(r.stderr).not.toMatch(/extension (\d+): Extension \1/);
    const one = await vm(['batch', '--ext', '3228-3230', takeA, '--name', 'wide', '--dry-run'], c.env);
    expect(one.stderr).toContain('rejected: Extension 3230 does not exist on this PBX.\n');
  });

  it('a dry run ends with the code the real run would: 5 when a name exists under --if-exists fail', async () => {
    const c = setup();
    sim.seedGreeting('3203', 'dry.wav', Buffer.from('RIFF-other'));
    const r = await vm(['batch', '--ext', '3203-3204', takeA, '--name', 'dry', '--dry-run'], c.env);
    expect(r.stdout).toMatch(/1 would fail/);
    expect(r.code).toBe(5);
    const real = await vm(['batch', '--ext', '3203-3204', takeA, '--name', 'dry'], c.env);
    expect(real.code).toBe(5);
  });

  it('--csv renders any audio (an m4a row is uploaded); only --as-is needs .wav/.mp3/.gsm', async () => {
    const c = setup();
    const csv = path.join(tmp.dir, `map-${n}.csv`);
    await writeFile(csv, `\uFEFFextension,file,name\r\n3205,${path.basename(m4a)},jingle\r\n3206,${path.basename(takeA)},away\r\n`);
    const r = await vm(['batch', '--csv', csv, '--json'], c.env);
    expect(r.code, r.stderr).toBe(0);
    expect(oneJson(r.stdout)).toMatchObject({ created: 2, errors: [] });
    expect(bytesOf('3205', 'jingle.wav')).toBeDefined();

    const asIs = await vm(['batch', '--csv', csv, '--as-is', '--if-exists', 'overwrite', '--dry-run'], c.env);
    expect(asIs.code).toBe(2);
    expect(asIs.stderr).toMatch(/line 2: .*"jingle\.m4a" is not \.wav, \.mp3 or \.gsm; drop --as-is to convert it/);
  });
});

describe('a killed run leaves items behind; starting the same upload again replaces them', () => {
  it('queue list says "interrupted"; the rerun supersedes the leftover, so a later queue run cannot send the old take', async () => {
    const c = setup();
    const queue = new UploadQueue({ dataDir: c.dataDir });
    const [left] = await queue.enqueueMany([{ source: { filePath: takeA }, ext: '3207', policy: 'overwrite', pbxProfileId: c.profile, pbx: { origin: new URL(sim.url).origin, clientId: sim.clientId }, name: 'away' }]);
    // What a SIGKILL mid-upload leaves: the item is "running" and no process holds the queue.
    await queue.save({ ...left!, state: 'running', attempts: 1 });

    const list = await vm(['queue', 'list'], c.env);
    expect(list.stdout).toMatch(/interrupted \(queue run resumes it\)/);

    const rerun = await vm(['upload', takeC, '--ext', '3207', '--name', 'away', '--if-exists', 'overwrite'], c.env);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`Replaced 1 unfinished earlier upload of the same greeting left by an interrupted run (${left!.id}).`);
    expect(await queue.get(left!.id)).toMatchObject({ state: 'cancelled', reason: expect.stringMatching(/^superseded by q-/) });
    const kept = bytesOf('3207', 'away.wav');

    const later = oneJson((await vm(['queue', 'run', '--json'], c.env)).stdout) as { total: number };
    expect(later.total).toBe(0);
    expect(bytesOf('3207', 'away.wav')).toEqual(kept);
  });
});

describe('tts', () => {
  it('free text with a placeholder is refused, nothing written; a template missing {company} is refused before the PBX is asked', async () => {
    const c = setup();
    const out = path.join(tmp.dir, `free-${n}.wav`);
    const free = await vm(['tts', 'Hello {name}, leave a message.', '-o', out], c.env);
    expect(free.code).toBe(2);
    expect(free.stderr).toMatch(/The text contains \{name\}, which would be read out as written/);
    expect(existsSync(out)).toBe(false);

    const before = sim.requestLog().length;
    const noCompany = await vm(['tts', '--template', 'after-hours', '--ext', '3200-3210', '--dry-run'], c.env);
    expect(noCompany.code).toBe(1);
    expect(noCompany.stderr).toMatch(/needs \{company\}, the company name: add --fill company=VALUE\./);
    expect(noCompany.stderr).not.toMatch(/rejected: extension/);
    expect(sim.requestLog().length).toBe(before);
  });
});

describe('connection warnings', () => {
  it('--insecure is warned about once, in the CLI\'s words, not again as "verification is OFF"', async () => {
    const s = await startSimulator({ https: true, extensions: 2 });
    try {
      const r = await runVmgreet(['extensions', '--insecure'], { env: { VMGREET_PBX_URL: s.url, VMGREET_CLIENT_ID: s.clientId, VMGREET_CLIENT_SECRET: s.clientSecret } });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr.match(/--insecure: the PBX certificate is NOT verified/g)).toHaveLength(1);
      expect(r.stderr).not.toMatch(/verification is OFF/);
    } finally {
      await s.close();
    }
  });
});

describe('a PBX without the optional calls', () => {
  it('greetings active says it cannot show (not "cannot choose"); tts --engine pbx is the PBX refusing (exit 3)', async () => {
    const s = await startSimulator({ extensions: 2, selectionFields: 'none', ttsSupported: false });
    const env = { VMGREET_PBX_URL: s.url, VMGREET_CLIENT_ID: s.clientId, VMGREET_CLIENT_SECRET: s.clientSecret, VMGREET_DATA_DIR: path.join(tmp.dir, 'data-variant') };
    try {
      const active = await runVmgreet(['greetings', 'active', '--ext', '3200'], { env });
      expect(active.code).toBe(3);
      expect(active.stderr).toMatch(/^vmgreet: Cannot show which greeting plays on extension 3200: /m);
      const out = path.join(tmp.dir, 'pbx-tts.wav');
      const tts = await runVmgreet(['tts', 'Hello there.', '--engine', 'pbx', '-o', out], { env });
      expect(tts.code).toBe(3);
      expect(tts.stderr).toMatch(/The PBX's text-to-speech cannot be used\. This PBX does not support text-to-speech/);
      expect(existsSync(out)).toBe(false);
    } finally {
      await s.close();
    }
  });
});

describe('bad paths are said once, before the work', () => {
  it('tts and greetings download into a missing folder: exit 2, naming the folder (no temp path, no "unexpected error")', async () => {
    const c = setup();
    const missing = path.join(tmp.dir, 'no-such-folder', 'x.wav');
    const tts = await vm(['tts', 'Hello there.', '-o', missing], c.env);
    expect(tts.code).toBe(2);
    expect(tts.stderr).toMatch(/The output folder ".*no-such-folder" does not exist/);
    expect(tts.stderr).not.toMatch(/unexpected error|greeting\.out|copyfile/);
    sim.seedGreeting('3208', 'keep.wav', Buffer.from('RIFF-keep'));
    const dl = await vm(['greetings', 'download', '--ext', '3208', '--file', 'keep.wav', '-o', missing], c.env);
    expect(dl.code).toBe(2);
    expect(dl.stderr).toMatch(/The output folder ".*no-such-folder" does not exist/);
  });

  it('batch --ext with a missing or unreadable file: one error, not one per extension; a CSV with only its header is refused', async () => {
    const c = setup();
    const gone = await vm(['batch', '--ext', '3200-3209', path.join(tmp.dir, 'gone.wav'), '--dry-run'], c.env);
    expect(gone.code).toBe(2);
    expect(gone.stderr.trim().split('\n')).toHaveLength(1);
    const junk = path.join(tmp.dir, 'junk.wav');
    await writeFile(junk, Buffer.alloc(4000, 7));
    const bad = await vm(['batch', '--ext', '3200-3209', junk, '--dry-run'], c.env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toMatch(/rejected: extension/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const csv = path.join(tmp.dir, 'header-only.csv');
    await writeFile(csv, 'extension,file,name\r\n');
    const empty = await vm(['batch', '--csv', csv, '--dry-run'], c.env);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/has its header row but no rows/);
  });
});

describe('greetings use', () => {
  it('a failed row is said once in text mode (in the table), and on stderr only with --json', async () => {
    const c = setup();
    sim.seedGreeting('3209', 'away.wav', Buffer.from('RIFF-away'));
    const r = await vm(['greetings', 'use', 'away', '--ext', '3209-3210', '--when', 'away'], c.env);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/3210 .* error .*Extension 3210 has no greeting named "away"/);
    expect(r.stderr).not.toMatch(/no greeting named/);
    const j = await vm(['greetings', 'use', 'away', '--ext', '3209-3210', '--when', 'away', '--json'], c.env);
    expect(j.stderr).toMatch(/^Extension 3210 has no greeting named "away"/m);
    expect(oneJson(j.stdout)).toMatchObject({ failed: 1 });
  });
});

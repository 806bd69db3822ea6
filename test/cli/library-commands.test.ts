// drafts / queue / batch / history / rollback through the real binary against an in-process simulator, with a
// per-test data folder (--data-dir / VMGREET_DATA_DIR).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DraftLibrary, UploadQueue } from '../../main/core/library/index.js';
import { originOf } from '../../main/core/pbx/url.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak, makeTempDir, tone } from '../helpers/audio-fixtures.js';
import { ensureBuilt, oneJson, runVmgreet } from './helpers.js';

// Each case spawns the real binary (and often ffmpeg); on a loaded 2-core CI box that takes seconds per run.
vi.setConfig({ testTimeout: 240_000 });

let sim: Simulator;
let tmp: { dir: string; cleanup: () => Promise<void> };
let speech: string;
let beep: string;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  sim = await startSimulator({ extensions: 30 });
  tmp = await makeTempDir('vmgreet-lib-');
  speech = await espeak(path.join(tmp.dir, 'holiday.wav'), 'Our office is closed for the holidays. Please leave a message.');
  beep = await tone(path.join(tmp.dir, 'beep.wav'), { durationSec: 1.5, freq: 660 });
  env = { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret, VMGREET_DATA_DIR: path.join(tmp.dir, 'data') };
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await tmp?.cleanup();
});

async function vm(args: string[], extra: Record<string, string> = {}) {
  const r = await runVmgreet(args, { env: { ...env, ...extra }, timeoutMs: 90_000 });
  expect(r.stdout + r.stderr).not.toContain(sim.clientSecret);
  return r;
}

const names = (ext: string) => sim.greetings(ext).map((g) => g.real_filename).sort();

describe('batch --ext', () => {
  it('dry run asks only, then a real run creates, skip skips, fail exits 5, overwrite backs up, rollback restores', async () => {
    const dry = await vm(['batch', '--ext', '3200-3209', speech, '--name', 'holiday', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const d = oneJson(dry.stdout) as { dryRun: boolean; counts: Record<string, number>; rows: unknown[] };
    expect(d.dryRun).toBe(true);
    expect(d.counts['would-create']).toBe(10);
    expect(names('3200')).toEqual([]);

    const run = await vm(['batch', '--ext', '3200-3209', speech, '--name', 'holiday', '--json']);
    expect(run.code).toBe(0);
    const r = oneJson(run.stdout) as { created: number; failed: number; items: Array<{ ext: string; state: string; historyId: string }> };
    expect(r.created).toBe(10);
    expect(r.failed).toBe(0);
    for (let e = 3200; e <= 3209; e++) expect(names(String(e))).toEqual(['holiday.wav']);
    const original = sim.greetings('3204')[0]!.bytes;

    const skip = oneJson((await vm(['batch', '--ext', '3200-3209', beep, '--name', 'holiday', '--if-exists', 'skip', '--json'])).stdout) as { skipped: number };
    expect(skip.skipped).toBe(10);
    expect(sim.greetings('3204')[0]!.bytes.equals(original)).toBe(true);

    const fail = await vm(['batch', '--ext', '3200-3201', beep, '--name', 'holiday']);
    expect(fail.code).toBe(5);
    expect(fail.stdout).toMatch(/2 items: 2 failed\./);

    const dryOver = oneJson((await vm(['batch', '--ext', '3200-3209', beep, '--name', 'holiday', '--if-exists', 'overwrite', '--dry-run', '--json'])).stdout) as { counts: Record<string, number> };
    expect(dryOver.counts['would-overwrite']).toBe(10);

    const over = await vm(['batch', '--ext', '3200-3209', beep, '--name', 'holiday', '--if-exists', 'overwrite', '--json']);
    expect(over.code).toBe(0);
    const o = oneJson(over.stdout) as { overwritten: number; items: Array<{ ext: string; historyId: string }> };
    expect(o.overwritten).toBe(10);
    expect(sim.greetings('3204')[0]!.bytes.equals(original)).toBe(false);

    const hist = oneJson((await vm(['history', '--ext', '3204', '--json'])).stdout) as { items: Array<{ id: string; result: string; backup: unknown }> };
    expect(hist.items[0]).toMatchObject({ result: 'overwritten' });
    expect(hist.items[0]!.backup).not.toBeNull();
    const id = o.items.find((i) => i.ext === '3204')!.historyId;
    expect(hist.items[0]!.id).toBe(id);

    const rb = await vm(['rollback', id]);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toMatch(/Restored the previous holiday\.wav on extension 3204 from its backup/);
    expect(sim.greetings('3204')[0]!.bytes.equals(original)).toBe(true);
  });

  it('unknown extensions in a range are per-row errors; the known ones still upload (exit 2)', async () => {
    const r = await vm(['batch', '--ext', '3228-3231', beep, '--name', 'edge']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rejected: extension 3230: Extension 3230 does not exist on this PBX\./);
    expect(r.stderr).toMatch(/rejected: extension 3231:/);
    expect(names('3228')).toEqual(['edge.wav']);
    expect(names('3229')).toEqual(['edge.wav']);
  });

  it.each([
    [['3299-3200'], /runs backwards: write the lower number first \(3200-3299\)/],
    [['a-b'], /Extension range "a-b" is not valid/],
  ])('range %j is a usage error', async (range, msg) => {
    const r = await vm(['batch', '--ext', range[0]!, beep]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(msg);
  });

  it('refuses ask, and mixing --csv with a FILE', async () => {
    expect((await vm(['batch', '--ext', '3200', beep, '--if-exists', 'ask'])).code).toBe(1);
    const mixed = await vm(['batch', '--csv', 'x.csv', beep]);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/drop the FILE argument/);
  });
});

describe('batch --csv', () => {
  it('BOM + CRLF: good rows processed, each bad row reported with its line; --all-or-nothing uploads none', async () => {
    const notAudio = path.join(tmp.dir, 'notes.wav');
    await writeFile(notAudio, 'not audio at all\n'.repeat(20));
    const csv = path.join(tmp.dir, 'map.csv');
    await writeFile(
      csv,
      '\uFEFFextension,file,name\r\n' +
        `3215,${path.basename(speech)},welcome\r\n` +
        '3216,notes.wav,broken\r\n' +
        `9999,${path.basename(speech)},ghost\r\n` +
        '3217,missing.wav,gone\r\n' +
        `3218,${path.basename(beep)}\r\n` +
        ',,\r\n',
    );
    const nothing = await vm(['batch', '--csv', csv, '--all-or-nothing', '--json']);
    expect(nothing.code).toBe(2);
    expect(oneJson(nothing.stdout)).toMatchObject({ processed: 0 });
    expect(names('3215')).toEqual([]);
    expect(names('3218')).toEqual([]);

    const dry = await vm(['batch', '--csv', csv, '--dry-run']);
    expect(dry.code).toBe(2);
    expect(dry.stdout).toMatch(/Dry run \(nothing uploaded\): 2 to create/);
    expect(names('3215')).toEqual([]);

    const run = await vm(['batch', '--csv', csv, '--json']);
    expect(run.code).toBe(2);
    const doc = oneJson(run.stdout) as { created: number; errors: Array<{ line: number }> };
    expect(doc.created).toBe(2);
    expect(doc.errors.map((e) => e.line)).toEqual(expect.arrayContaining([3, 4, 5]));
    expect(run.stderr).toMatch(/rejected: line 3: /);
    expect(run.stderr).toMatch(/rejected: line 4: .*9999/);
    expect(names('3215')).toEqual(['welcome.wav']);
    expect(names('3218')).toEqual(['beep.wav']);
    expect(names('3216')).toEqual([]);
    expect(names('3217')).toEqual([]);
  });
});

describe('queue and drafts', () => {
  it('queue run uploads the items queued for this PBX and leaves other profiles alone; retry and cancel', async () => {
    const dataDir = path.join(tmp.dir, 'qdata');
    const queue = new UploadQueue({ dataDir });
    const profile = `cli:${sim.url}#${sim.clientId}`;
    const pbx = { origin: originOf(sim.url), clientId: sim.clientId };
    const mine = await queue.enqueue({ source: { filePath: beep }, ext: '3220', policy: 'fail', pbxProfileId: profile, pbx, name: 'queued' });
    const other = await queue.enqueue({ source: { filePath: beep }, ext: '3221', policy: 'fail', pbxProfileId: 'app-profile-1', pbx: { origin: 'https://other-pbx.example:8088', clientId: 'app' } });
    const extra = await queue.enqueue({ source: { filePath: beep }, ext: '3222', policy: 'fail', pbxProfileId: profile, pbx });

    const cancel = await vm(['queue', 'cancel', extra.id, '--data-dir', dataDir]);
    expect(cancel.code).toBe(0);
    const list = await vm(['queue', 'list', '--data-dir', dataDir]);
    expect(list.stdout).toMatch(new RegExp(`${extra.id}\\s+3222\\s+beep\\.wav\\s+cancelled`));

    const run = await vm(['queue', 'run', '--data-dir', dataDir, '--json']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/1 pending item\(s\) belong to another PBX or to the app/);
    expect(oneJson(run.stdout)).toMatchObject({ total: 1, created: 1, items: [{ id: mine.id, state: 'uploaded' }] });
    expect(names('3220')).toEqual(['queued.wav']);
    expect(names('3221')).toEqual([]);
    expect((await queue.get(other.id)).state).toBe('pending');

    const retry = await vm(['queue', 'retry', extra.id, '--data-dir', dataDir, '--json']);
    expect(oneJson(retry.stdout)).toEqual({ retried: [extra.id] });
    expect((await vm(['queue', 'run', '--data-dir', dataDir])).code).toBe(0);
    expect(names('3222')).toEqual(['beep.wav']);
    const pending = oneJson((await vm(['queue', 'list', '--state', 'pending', '--data-dir', dataDir, '--json'])).stdout) as { items: Array<{ id: string }> };
    expect(pending.items.map((i) => i.id)).toEqual([other.id]);
  });

  it('drafts list/show/delete, and a damaged index is rebuilt with a warning', async () => {
    const dataDir = path.join(tmp.dir, 'ddata');
    const lib = new DraftLibrary({ dataDir });
    const draft = await lib.create({ sourcePath: speech, name: 'Holiday hours', targetExtensions: ['3200', '3201'] });
    const list = await vm(['drafts', 'list', '--data-dir', dataDir]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${draft.id}\\s+Holiday hours\\s+\\(not rendered\\)\\s+3200,3201`));
    const show = oneJson((await vm(['drafts', 'show', draft.id, '--data-dir', dataDir, '--json'])).stdout);
    expect(show).toMatchObject({ id: draft.id, name: 'Holiday hours', rendered: null, targetExtensions: ['3200', '3201'] });

    await writeFile(path.join(dataDir, 'library', 'index.json'), '{"schemaVersion":1,"drafts":[{"id":');
    const recovered = await vm(['drafts', 'list', '--data-dir', dataDir, '--json']);
    expect(recovered.code).toBe(0);
    expect(recovered.stderr).toMatch(/drafts index was damaged; rebuilt it from the draft folders \(1 drafts recovered\)/);
    expect(oneJson(recovered.stdout)).toMatchObject({ total: 1 });
    expect(JSON.parse(await readFile(path.join(dataDir, 'library', 'index.json'), 'utf8'))).toMatchObject({ schemaVersion: 1 });

    const del = await vm(['drafts', 'delete', draft.id, '--data-dir', dataDir]);
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/Moved draft "Holiday hours" .* to the trash\./);
    expect(oneJson((await vm(['drafts', 'list', '--data-dir', dataDir, '--json'])).stdout)).toMatchObject({ total: 0 });
    const missing = await vm(['drafts', 'show', draft.id, '--data-dir', dataDir]);
    expect(missing.code).not.toBe(0);
  });
});

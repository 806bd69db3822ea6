// "Which greeting plays" through the real binary (build/main/cli/vmgreet.js) against simulators: greetings active /
// use / reset / rename / record / delete, upload and batch --use-when, rollback of both, and the exit codes.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../main/sim/index.js';
import { makeTempDir, tone } from '../helpers/audio-fixtures.js';
import { BIN, ROOT, childEnv, ensureBuilt, oneJson, runVmgreet } from './helpers.js';

// Each case spawns the real binary; on a loaded 2-core box that takes a second or more per run.
vi.setConfig({ testTimeout: 240_000 });

let tmp: { dir: string; cleanup: () => Promise<void> };
let take: string;
const sims: Simulator[] = [];

beforeAll(async () => {
  await ensureBuilt();
  tmp = await makeTempDir('vmgreet-presence-');
  take = await tone(path.join(tmp.dir, 'take.wav'), { durationSec: 1, freq: 550, sampleRate: 8000, channels: 1 });
}, 180_000);

afterAll(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
  await tmp?.cleanup();
});

let n = 0;
async function world(opts: SimulatorOptions = {}) {
  const sim = await startSimulator({ extensions: 12, ...opts });
  sims.push(sim);
  const env = { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret, VMGREET_DATA_DIR: path.join(tmp.dir, `data-${n++}`) };
  const vm = async (args: string[]) => {
    const r = await runVmgreet(args, { env, timeoutMs: 90_000 });
    expect(r.stdout + r.stderr).not.toContain(sim.clientSecret);
    return r;
  };
  return { sim, vm };
}

const updates = (sim: Simulator) => sim.requestLog().filter((e) => e.path.endsWith('/extension/update'));

describe('greetings active', () => {
  it('prints the matrix (status -> greeting, plus default) and the same as JSON', async () => {
    const { sim, vm } = await world();
    sim.seedGreeting('3200', 'away.wav', Buffer.from('RIFF-a'));
    sim.seedSelection('3200', { vm_greeting: 'away.wav', presence: { lunch: 'away.wav' } });
    const r = await vm(['greetings', 'active', '--ext', '3200']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Extension 3200: which greeting plays\nSTATUS\s+SET TO\s+CALLERS HEAR\n/);
    expect(r.stdout).toMatch(/Default\s+away\.wav\s+away\.wav/);
    expect(r.stdout).toMatch(/Away\s+\(extension default\)\s+away\.wav/);
    expect(r.stdout).toMatch(/Lunch\s+away\.wav\s+away\.wav/);
    const doc = oneJson((await vm(['greetings', 'active', '--ext', '3200', '--json'])).stdout) as { ext: string; support: { level: string }; slots: { slot: string; value: string; choice: { kind: string } }[] };
    expect(doc.ext).toBe('3200');
    expect(doc.support.level).toBe('full');
    expect(doc.slots.map((s) => s.slot)).toEqual(['default', 'available', 'away', 'do_not_disturb', 'lunch', 'business_trip', 'off_work']);
    expect(doc.slots.find((s) => s.slot === 'away')).toMatchObject({ value: '', choice: { kind: 'extension-default' } });
  });

  it('a PBX without the fields: exit 3 with the reason', async () => {
    const { vm } = await world({ selectionFields: 'none' });
    const r = await vm(['greetings', 'active', '--ext', '3200', '--json']);
    expect(r.code).toBe(3);
    expect(oneJson(r.stdout)).toMatchObject({ error: { code: 'PBX_SELECTION_UNSUPPORTED', exitCode: 3 } });
    expect(r.stderr).toMatch(/does not report which greeting plays/);
  });
});

describe('greetings use / reset', () => {
  it('dry run sends nothing; a real run changes every extension; bad rows exit 2, a bad --when exits 1', async () => {
    const { sim, vm } = await world();
    for (const e of ['3201', '3202', '3203']) sim.seedGreeting(e, 'holiday.wav', Buffer.from(`RIFF-${e}`));
    const dry = await vm(['greetings', 'use', 'holiday', '--ext', '3201-3203', '--when', 'away,dnd', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const d = oneJson(dry.stdout) as { dryRun: boolean; changed: number; items: { ext: string; result: string }[] };
    expect(d).toMatchObject({ dryRun: true, changed: 3 });
    expect(d.items.map((i) => i.result)).toEqual(['would-change', 'would-change', 'would-change']);
    expect(updates(sim)).toHaveLength(0);

    const real = await vm(['greetings', 'use', 'holiday', '--ext', '3201-3203', '--when', 'away,dnd']);
    expect(real.code).toBe(0);
    expect(real.stdout).toMatch(/3201\s+Away, Do not disturb\s+holiday\s+changed\s+away: \(extension default\) -> holiday\.wav/);
    expect(real.stdout).toMatch(/3 extensions: 3 changed, 0 already so\./);
    for (const e of ['3201', '3202', '3203']) expect(sim.selection(e).presence).toMatchObject({ away: 'holiday.wav', do_not_disturb: 'holiday.wav', lunch: '' });

    const again = oneJson((await vm(['greetings', 'use', 'holiday.wav', '--ext', '3201', '--when', 'away', '--json'])).stdout);
    expect(again).toMatchObject({ unchanged: 1, items: [{ result: 'unchanged' }] });

    const mixed = await vm(['greetings', 'use', 'holiday', '--ext', '3201,3204,3299', '--when', 'all', '--json']);
    expect(mixed.code).toBe(2);
    const m = oneJson(mixed.stdout) as { items: { ext: string; result: string; error?: { code: string } }[] };
    expect(m.items.map((i) => [i.ext, i.result, i.error?.code])).toEqual([['3201', 'changed', undefined], ['3204', 'error', 'GREETING_NOT_FOUND'], ['3299', 'error', 'PBX_UNKNOWN_EXTENSION']]);
    expect(sim.selection('3201')).toMatchObject({ vm_greeting: 'holiday.wav', presence: { available: 'holiday.wav', off_work: 'holiday.wav' } });

    const reset = await vm(['greetings', 'reset', '--ext', '3201', '--when', 'all']);
    expect(reset.code).toBe(0);
    expect(sim.selection('3201')).toEqual({ vm_greeting: 'follow_system', presence: { available: '', away: '', do_not_disturb: '', lunch: '', business_trip: '', off_work: '' } });

    const badWhen = await vm(['greetings', 'use', 'holiday', '--ext', '3201', '--when', 'holidays']);
    expect(badWhen.code).toBe(1);
    expect(badWhen.stderr).toMatch(/"holidays" is not a presence status/);
    const noWhen = await vm(['greetings', 'use', 'holiday', '--ext', '3201']);
    expect(noWhen.code).toBe(1);
  });

  it('--csv: one row per extension with its own statuses; the file rows are checked one by one', async () => {
    const { sim, vm } = await world();
    sim.seedGreeting('3205', 'a.wav', Buffer.from('RIFF-a'));
    sim.seedGreeting('3206', 'b.wav', Buffer.from('RIFF-b'));
    const csv = path.join(tmp.dir, 'plan.csv');
    await writeFile(csv, 'extension,name,when\n3205,a,away;lunch\n3206,b.wav,default\nabc,b,away\n3205,a,off\n');
    const r = await vm(['greetings', 'use', '--csv', csv, '--json']);
    expect(r.code).toBe(2);
    const doc = oneJson(r.stdout) as { items: { line: number; result: string }[] };
    expect(doc.items.map((i) => [i.line, i.result])).toEqual([[2, 'changed'], [3, 'changed'], [4, 'error'], [5, 'changed']]);
    // Two rows for 3205: the second read the first's result and kept it.
    expect(sim.selection('3205').presence).toMatchObject({ away: 'a.wav', lunch: 'a.wav', off_work: 'a.wav' });
    expect(sim.selection('3206').vm_greeting).toBe('b.wav');
  });

  it('lunch spelled launch and selection by real_filename: use still works and writes what was read', async () => {
    const { sim, vm } = await world({ lunchSpelling: 'launch', selectionValue: 'real_filename' });
    sim.seedGreeting('3207', 'eat.wav', Buffer.from('RIFF-e'), { listedFile: 'eat' });
    const r = await vm(['greetings', 'use', 'eat', '--ext', '3207', '--when', 'lunch']);
    expect(r.code).toBe(0);
    expect(sim.selection('3207').presence.lunch).toBe('eat.wav');
    const bodies = updates(sim).map((u) => (u.body as { presence_list: { status: string; vm_greeting: string }[] }).presence_list.find((i) => i.status === 'launch')!.vm_greeting);
    expect(bodies).toEqual(['eat', 'eat.wav']);
  });
});

describe('upload --use-when and rollback', () => {
  it('uploads and activates; the history keeps the previous choice; rollback restores it and removes the upload', async () => {
    const { sim, vm } = await world();
    sim.seedGreeting('3200', 'old.wav', Buffer.from('RIFF-old'));
    sim.seedSelection('3200', { presence: { away: 'old.wav' } });
    const up = await vm(['upload', take, '--ext', '3200', '--name', 'away', '--as-is', '--use-when', 'away,dnd', '--if-exists', 'fail']);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Uploaded away\.wav to extension 3200 \(new greeting/);
    expect(up.stdout).toMatch(/Callers of extension 3200 now hear away\.wav when: Away, Do not disturb\./);
    expect(sim.selection('3200').presence).toMatchObject({ away: 'away.wav', do_not_disturb: 'away.wav' });

    const hist = oneJson((await vm(['history', '--ext', '3200', '--json'])).stdout) as { items: { id: string; previousSelection: unknown; activation: unknown }[] };
    expect(hist.items[0]).toMatchObject({ previousSelection: { slots: { away: 'old.wav', do_not_disturb: '' } }, activation: { ok: true, slots: ['away', 'do_not_disturb'] } });

    const rb = await vm(['rollback', hist.items[0]!.id]);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toMatch(/Removed away\.wav from extension 3200/);
    expect(rb.stdout).toMatch(/Away, Do not disturb: back to the greeting chosen before\./);
    expect(sim.selection('3200').presence).toMatchObject({ away: 'old.wav', do_not_disturb: '' });
    expect(sim.greetings('3200').map((g) => g.real_filename)).toEqual(['old.wav']);
  });

  it('rollback is refused (exit 3, nothing changes) while a status chosen since plays the upload; after a reset it works', async () => {
    const { sim, vm } = await world();
    const up = oneJson((await vm(['upload', take, '--ext', '3208', '--name', 'away', '--as-is', '--use-when', 'away', '--json'])).stdout) as { historyId: string };
    expect((await vm(['greetings', 'use', 'away', '--ext', '3208', '--when', 'lunch'])).code).toBe(0);
    const before = sim.selection('3208');
    const no = await vm(['rollback', up.historyId]);
    expect(no.code).toBe(3);
    expect(no.stderr).toMatch(/away\.wav plays on extension 3208 for Lunch, chosen after that upload, so the rollback was refused and nothing changed\. .*greetings reset --ext 3208 --when lunch/);
    expect(sim.selection('3208')).toEqual(before);
    expect((await vm(['greetings', 'reset', '--ext', '3208', '--when', 'lunch'])).code).toBe(0);
    const yes = await vm(['rollback', up.historyId]);
    expect(yes.code).toBe(0);
    expect(sim.greetings('3208')).toHaveLength(0);
    expect(sim.selection('3208').presence).toMatchObject({ away: '', lunch: '' });
  });

  it('--json carries the activation; a PBX without selection is refused before anything is uploaded (exit 3)', async () => {
    const { sim, vm } = await world();
    const doc = oneJson((await vm(['upload', take, '--ext', '3201', '--name', 'hi', '--as-is', '--use-when', 'default', '--json'])).stdout);
    expect(doc).toMatchObject({ action: 'created', activation: { ok: true, slots: ['default'], value: 'hi.wav' }, previousSelection: { slots: { default: 'follow_system' } } });
    expect(sim.selection('3201').vm_greeting).toBe('hi.wav');

    const none = await world({ selectionFields: 'none' });
    const r = await none.vm(['upload', take, '--ext', '3201', '--name', 'hi', '--as-is', '--use-when', 'away']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/Nothing was uploaded; drop --use-when to upload only/);
    expect(none.sim.greetings('3201')).toHaveLength(0);
  });

  it('batch --use-when activates on every extension and rollback of one restores only that one', async () => {
    const { sim, vm } = await world();
    const r = await vm(['batch', '--ext', '3202-3205', take, '--name', 'closed', '--as-is', '--use-when', 'off,trip', '--json']);
    expect(r.code).toBe(0);
    const doc = oneJson(r.stdout) as { created: number; activations: { ext: string; ok: boolean; historyId: string }[] };
    expect(doc.created).toBe(4);
    expect(doc.activations.map((a) => [a.ext, a.ok])).toEqual([['3202', true], ['3203', true], ['3204', true], ['3205', true]]);
    for (const e of ['3202', '3203', '3204', '3205']) expect(sim.selection(e).presence).toMatchObject({ off_work: 'closed.wav', business_trip: 'closed.wav' });
    const human = await vm(['batch', '--ext', '3206', take, '--name', 'closed', '--as-is', '--use-when', 'off']);
    expect(human.stdout).toMatch(/Playing for Off work on 1 extension\./);

    const rb = await vm(['rollback', doc.activations.find((a) => a.ext === '3203')!.historyId]);
    expect(rb.code).toBe(0);
    expect(sim.selection('3203').presence).toMatchObject({ off_work: '', business_trip: '' });
    expect(sim.selection('3204').presence.off_work).toBe('closed.wav');
  });
});

describe('rename, record, delete', () => {
  it('rename keeps the statuses on the greeting; a PBX without rename answers exit 3', async () => {
    const { sim, vm } = await world();
    sim.seedGreeting('3200', 'away.wav', Buffer.from('RIFF-a'));
    sim.seedSelection('3200', { presence: { away: 'away.wav' } });
    const r = await vm(['greetings', 'rename', '--ext', '3200', '--file', 'away.wav', '--to', 'vacation']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Renamed away\.wav to vacation\.wav on extension 3200\. Away still play it/);
    expect(sim.selection('3200').presence.away).toBe('vacation.wav');

    const off = await world({ greetingUpdate: false });
    off.sim.seedGreeting('3200', 'away.wav', Buffer.from('RIFF-a'));
    const no = await off.vm(['greetings', 'rename', '--ext', '3200', '--file', 'away.wav', '--to', 'vacation', '--json']);
    expect(no.code).toBe(3);
    expect(oneJson(no.stdout)).toMatchObject({ error: { code: 'PBX_RENAME_UNSUPPORTED' } });
  });

  it('record rings the phone and waits for the file; nobody answering ends in exit 3 after the timeout', async () => {
    const { sim, vm } = await world({ recordDelayMs: 300 });
    const r = await vm(['greetings', 'record', '--ext', '3200', '--phone', '3201', '--name', 'away', '--json']);
    expect(r.code).toBe(0);
    expect(oneJson(r.stdout)).toMatchObject({ ext: '3200', phone: '3201', greeting: { realFilename: 'away.wav' } });
    expect(sim.greetings('3200').map((g) => g.real_filename)).toEqual(['away.wav']);

    const silent = await world();
    const t = await silent.vm(['greetings', 'record', '--ext', '3200', '--phone', '3201', '--name', 'away', '--timeout', '2']);
    expect(t.code).toBe(3);
    expect(t.stderr).toMatch(/Extension 3201 was called to record "away" for extension 3200, but no greeting of that name appeared within 2 s/);
  });

  it('delete refuses a greeting in use (exit 3, naming the statuses); --reset-statuses moves them first', async () => {
    const { sim, vm } = await world({ deleteInUse: 'follow_system' });
    sim.seedGreeting('3200', 'away.wav', Buffer.from('RIFF-a'));
    sim.seedSelection('3200', { presence: { away: 'away.wav', off_work: 'away.wav' } });
    const no = await vm(['greetings', 'delete', '--ext', '3200', '--file', 'away.wav']);
    expect(no.code).toBe(3);
    expect(no.stderr).toMatch(/away\.wav plays on extension 3200 for Away, Off work, so it was not deleted/);
    expect(sim.greetings('3200')).toHaveLength(1);
    const yes = await vm(['greetings', 'delete', '--ext', '3200', '--file', 'away.wav', '--reset-statuses']);
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/Put Away, Off work back to the default, then deleted away\.wav from extension 3200\./);
    expect(sim.greetings('3200')).toHaveLength(0);
    expect(sim.selection('3200').presence).toMatchObject({ away: '', off_work: '' });
  });
});

describe('vmgreet sim switches', () => {
  it('the flags reach the simulator: no selection fields, no rename, launch, nobody answers', async () => {
    const child = spawn(process.execPath, [BIN, 'sim', '--json', '--selection-fields', 'none', '--rename', '10001', '--lunch-spelling', 'launch', '--record-delay', 'never', '--delete-in-use', 'follow_system', '--selection-value', 'real_filename'], { cwd: ROOT, env: childEnv() });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    try {
      const deadline = Date.now() + 30_000;
      while (!/\n}\n/.test(out)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no JSON from vmgreet sim: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const doc = JSON.parse(out) as { env: Record<string, string>; variants: Record<string, unknown> };
      expect(doc.variants).toMatchObject({ selectionFields: 'none', greetingUpdate: false, lunchSpelling: 'launch', recordDelayMs: null, deleteInUse: 'follow_system', selectionValue: 'real_filename' });
      const active = await runVmgreet(['greetings', 'active', '--ext', '3200'], { env: doc.env });
      expect(active.code).toBe(3);
      const rename = await runVmgreet(['greetings', 'rename', '--ext', '3200', '--file', 'x.wav', '--to', 'y'], { env: doc.env });
      expect(rename.code).toBe(2); // no greeting x.wav: refused before the PBX is asked to rename
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
    const bad = await runVmgreet(['sim', '--selection-fields', 'some']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--selection-fields "some" is not valid: choose one of all, default-only, none/);
  });
});

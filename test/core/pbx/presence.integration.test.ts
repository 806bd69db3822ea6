// Greeting selection, rename, record by phone and safe delete: the client against the simulator under every
// variant switch of the UNCONFIRMED points, asserting on the request bodies the simulator received.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  GreetingInUseError,
  PbxApiError,
  RecordTimeoutError,
  RenameUnsupportedError,
  SelectionUnsupportedError,
  activeMatrix,
  chooseGreeting,
  deleteGreetingSafely,
  findGreeting,
  probeRename,
  readSelection,
  readSelections,
  recordByPhone,
  renameGreeting,
  restoreSelection,
  activateUploaded,
  type PbxClient,
} from '../../../main/core/pbx/index.js';
import type { Simulator, SimulatorOptions } from '../../../main/sim/index.js';
import { caughtErr, simHarness, wavBytes } from './sim-helpers.js';

const h = simHarness();

async function setup(opts: SimulatorOptions = {}): Promise<{ sim: Simulator; c: PbxClient }> {
  const sim = await h.sim('http', { extensions: 12, ...opts });
  return { sim, c: h.client(sim) };
}

const updates = (sim: Simulator, endpoint = 'extension/update') => sim.requestLog().filter((e) => e.path === `/openapi/v1.0/${endpoint}`);

/** The extension as the PBX answers extension/get (what the client read). */
async function rawDetail(c: PbxClient, id: number): Promise<Record<string, unknown>> {
  return (await c.apiGet('extension/get', { id: String(id) }, z.object({ data: z.record(z.string(), z.unknown()) }))).data;
}

describe('reading the selection', () => {
  it('reports the default and all six statuses of a fresh extension, lunch included', async () => {
    const { c } = await setup();
    const read = await readSelection(c, '3200');
    expect(read.support).toEqual({ level: 'full' });
    expect(read.supported).toEqual(['default', 'available', 'away', 'do_not_disturb', 'lunch', 'business_trip', 'off_work']);
    expect(read.values).toMatchObject({ default: 'follow_system', away: '', lunch: '' });
    const m = await activeMatrix(c, '3200', read);
    expect(m.slots.find((s) => s.slot === 'away')).toMatchObject({ choice: { kind: 'extension-default' }, effective: { kind: 'system' } });
  });

  it('reads many extensions with extension/query and names the unknown ones', async () => {
    const { sim, c } = await setup();
    const all = await readSelections(c, ['3200', '3201', '3202', '3203', '3204', '3205', '9999']);
    expect([...all.keys()].sort()).toEqual(['3200', '3201', '3202', '3203', '3204', '3205', '9999']);
    expect((all.get('9999') as Error & { code: string }).code).toBe('PBX_UNKNOWN_EXTENSION');
    expect(all.get('3203')).toMatchObject({ ext: '3203', support: { level: 'full' } });
    expect(updates(sim, 'extension/query').length).toBe(1);
  });

  it('fields absent entirely: a typed "not supported" with the reason, and nothing is written', async () => {
    const { sim, c } = await setup({ selectionFields: 'none' });
    sim.seedGreeting('3200', 'away.wav', wavBytes());
    const read = await readSelection(c, '3200');
    expect(read.support.level).toBe('none');
    expect(read.supported).toEqual([]);
    const err = await caughtErr(() => chooseGreeting(c, '3200', ['away'], { kind: 'greeting', greeting: findGreeting(sim.greetings('3200').map(toGreeting), '3200', 'away') }));
    expect(err).toBeInstanceOf(SelectionUnsupportedError);
    expect((err as SelectionUnsupportedError).reason).toMatch(/does not report which greeting plays/);
    expect(updates(sim)).toHaveLength(0);
  });

  it('default only: the default can be chosen, a status cannot', async () => {
    const { sim, c } = await setup({ selectionFields: 'default-only' });
    sim.seedGreeting('3200', 'away.wav', wavBytes());
    const g = findGreeting(await c.listGreetings('3200'), '3200', 'away');
    const err = await caughtErr(() => chooseGreeting(c, '3200', ['away'], { kind: 'greeting', greeting: g }));
    expect(err.code).toBe('PBX_SELECTION_UNSUPPORTED');
    expect(updates(sim)).toHaveLength(0);
    const res = await chooseGreeting(c, '3200', ['default'], { kind: 'greeting', greeting: g });
    expect(res.after).toEqual({ default: 'away.wav' });
    expect(sim.selection('3200').vm_greeting).toBe('away.wav');
    expect(updates(sim)[0]!.body).toEqual({ id: 1, vm_greeting: 'away.wav' });
  });
});

function toGreeting(g: { id: number; file: string; real_filename: string; suffix: string; type: string }) {
  return { id: g.id, file: g.file, realFilename: g.real_filename, suffix: g.suffix, type: g.type };
}

describe('writing: read-modify-write sends only what was read', () => {
  it('changes only the chosen statuses, every presence item goes back with all its keys as read', async () => {
    const { sim, c } = await setup();
    sim.seedGreeting('3201', 'holiday.wav', wavBytes());
    const before = await rawDetail(c, 2);
    const g = findGreeting(await c.listGreetings('3201'), '3201', 'holiday');
    const res = await chooseGreeting(c, '3201', ['away', 'do_not_disturb'], { kind: 'greeting', greeting: g });
    expect(res).toMatchObject({ ext: '3201', before: { away: '', do_not_disturb: '' }, after: { away: 'holiday.wav', do_not_disturb: 'holiday.wav' }, value: 'holiday.wav', unchanged: false });

    const [u] = updates(sim);
    const body = u!.body as { id: unknown; presence_list: Record<string, unknown>[] };
    expect(Object.keys(body)).toEqual(['id', 'presence_list']);
    expect(body.id).toBe(before.id);
    const read = before.presence_list as Record<string, unknown>[];
    expect(body.presence_list).toHaveLength(read.length);
    body.presence_list.forEach((item, i) => {
      const orig = read[i]!;
      expect(Object.keys(item)).toEqual(Object.keys(orig));
      const changed = item.status === 'away' || item.status === 'do_not_disturb';
      expect(item).toEqual(changed ? { ...orig, vm_greeting: 'holiday.wav' } : orig);
    });
    // The other settings of those statuses survive on the PBX (the simulator stores presence items as sent).
    const after = (await rawDetail(c, 2)).presence_list as Record<string, unknown>[];
    expect(after.map((i) => i.ring_timeout)).toEqual(read.map((i) => i.ring_timeout));
    expect(sim.selection('3201').presence).toMatchObject({ away: 'holiday.wav', do_not_disturb: 'holiday.wav', available: '' });
    expect(sim.selection('3201').vm_greeting).toBe('follow_system');
  });

  it('an unknown greeting is refused by the PBX and nothing changes', async () => {
    const { sim, c } = await setup();
    const fake = { id: 999, file: 'nope.wav', realFilename: 'nope.wav', suffix: '.wav', type: 'record' };
    const err = await caughtErr(() => chooseGreeting(c, '3200', ['away'], { kind: 'greeting', greeting: fake }));
    expect(err).toBeInstanceOf(PbxApiError);
    expect((err as PbxApiError).errcode).toBe(40002);
    expect(err.detail?.['invalidFields']).toEqual(['presence_list.vm_greeting']);
    expect(sim.selection('3200').presence.away).toBe('');
  });

  it('choosing what is already chosen sends nothing; reset puts statuses and the default back', async () => {
    const { sim, c } = await setup();
    sim.seedGreeting('3200', 'a.wav', wavBytes());
    const g = findGreeting(await c.listGreetings('3200'), '3200', 'a.wav');
    await chooseGreeting(c, '3200', ['default', 'lunch'], { kind: 'greeting', greeting: g });
    const again = await chooseGreeting(c, '3200', ['default', 'lunch'], { kind: 'greeting', greeting: g });
    expect(again.unchanged).toBe(true);
    expect(updates(sim)).toHaveLength(1);
    const reset = await chooseGreeting(c, '3200', ['default', 'lunch'], { kind: 'reset' });
    expect(reset.after).toEqual({ default: 'follow_system', lunch: '' });
    expect(sim.selection('3200')).toMatchObject({ vm_greeting: 'follow_system', presence: { lunch: '' } });
    expect(updates(sim)[1]!.body).toMatchObject({ vm_greeting: 'follow_system' });
  });
});

describe('value forms: file vs real_filename', () => {
  it('file (default): a recorded greeting is selected by its listed file, one update', async () => {
    const { sim, c } = await setup({ selectionValue: 'file' });
    sim.seedGreeting('3200', 'away.wav', wavBytes(), { listedFile: 'away' });
    const g = findGreeting(await c.listGreetings('3200'), '3200', 'away');
    expect(g).toMatchObject({ file: 'away', realFilename: 'away.wav' });
    const res = await chooseGreeting(c, '3200', ['away'], { kind: 'greeting', greeting: g });
    expect(res.value).toBe('away');
    expect(res.after).toEqual({ away: 'away' });
    expect(updates(sim)).toHaveLength(1);
    expect(sim.selection('3200').presence.away).toBe('away.wav');
  });

  it('real_filename: the listed file is refused, the other form is tried once and taken', async () => {
    const { sim, c } = await setup({ selectionValue: 'real_filename' });
    sim.seedGreeting('3200', 'away.wav', wavBytes(), { listedFile: 'away' });
    const g = findGreeting(await c.listGreetings('3200'), '3200', 'away');
    const res = await chooseGreeting(c, '3200', ['away'], { kind: 'greeting', greeting: g });
    expect(res.value).toBe('away.wav');
    const sent = updates(sim).map((u) => ((u.body as { presence_list: { status: string; vm_greeting: string }[] }).presence_list.find((i) => i.status === 'away')!.vm_greeting));
    expect(sent).toEqual(['away', 'away.wav']);
    expect(updates(sim).map((u) => u.errcode)).toEqual([40002, 0]);
  });

  it('real_filename: a greeting already selected teaches the form, so the first try is right', async () => {
    const { sim, c } = await setup({ selectionValue: 'real_filename' });
    sim.seedGreeting('3200', 'old.wav', wavBytes(), { listedFile: 'old' });
    sim.seedGreeting('3200', 'new.wav', wavBytes(100, 3), { listedFile: 'new' });
    sim.seedSelection('3200', { vm_greeting: 'old.wav' });
    const greetings = await c.listGreetings('3200');
    const res = await chooseGreeting(c, '3200', ['away'], { kind: 'greeting', greeting: findGreeting(greetings, '3200', 'new') });
    expect(res.value).toBe('new.wav');
    expect(updates(sim)).toHaveLength(1);
  });

  it('file: a greeting already selected by its file teaches that form too', async () => {
    const { sim, c } = await setup({ selectionValue: 'file' });
    sim.seedGreeting('3200', 'old.wav', wavBytes(), { listedFile: 'old' });
    sim.seedGreeting('3200', 'new.wav', wavBytes(100, 3), { listedFile: 'new' });
    sim.seedSelection('3200', { presence: { off_work: 'old.wav' } });
    expect((await readSelection(c, '3200')).values.off_work).toBe('old');
    const res = await chooseGreeting(c, '3200', ['away'], { kind: 'greeting', greeting: findGreeting(await c.listGreetings('3200'), '3200', 'new') });
    expect(res.value).toBe('new');
    expect(updates(sim)).toHaveLength(1);
  });
});

describe('lunch spelling', () => {
  it.each(['lunch', 'launch'] as const)('%s: read as lunch, written back with the PBX’s own spelling', async (spelling) => {
    const { sim, c } = await setup({ lunchSpelling: spelling });
    sim.seedGreeting('3200', 'eat.wav', wavBytes());
    const read = await readSelection(c, '3200');
    expect(read.supported).toContain('lunch');
    expect(read.spelling.lunch).toBe(spelling);
    await chooseGreeting(c, '3200', ['lunch'], { kind: 'greeting', greeting: findGreeting(await c.listGreetings('3200'), '3200', 'eat') });
    const items = (updates(sim)[0]!.body as { presence_list: { status: string; vm_greeting: string }[] }).presence_list;
    expect(items.map((i) => i.status)).toEqual(['available', 'away', 'do_not_disturb', spelling, 'business_trip', 'off_work']);
    expect(items.find((i) => i.status === spelling)!.vm_greeting).toBe('eat.wav');
    expect(sim.selection('3200').presence.lunch).toBe('eat.wav');
  });

  it('the simulator refuses the spelling it does not use (so writing back what was read matters)', async () => {
    const { c } = await setup({ lunchSpelling: 'launch' });
    const err = await caughtErr(() => c.apiPost('extension/update', { id: 1, presence_list: [{ status: 'lunch', vm_greeting: '' }] }, z.object({})));
    expect((err as PbxApiError).errcode).toBe(40002);
  });
});

describe('deleting a greeting in use', () => {
  it.each(['70091', 'follow_system'] as const)('PBX %s: the client refuses and names the statuses; nothing is deleted', async (deleteInUse) => {
    const { sim, c } = await setup({ deleteInUse });
    sim.seedGreeting('3200', 'away.wav', wavBytes());
    sim.seedSelection('3200', { presence: { away: 'away.wav', lunch: 'away.wav' } });
    const err = await caughtErr(() => deleteGreetingSafely(c, '3200', 'away.wav', 'refuse'));
    expect(err).toBeInstanceOf(GreetingInUseError);
    expect(err.message).toMatch(/for Away, Lunch/);
    expect((err as GreetingInUseError).slots).toEqual(['away', 'lunch']);
    expect(sim.greetings('3200')).toHaveLength(1);
    expect(sim.requestLog().filter((e) => e.path.endsWith('/delete'))).toHaveLength(0);
  });

  it.each(['70091', 'follow_system'] as const)('PBX %s: with reset, the statuses go to the default first, then the file goes', async (deleteInUse) => {
    const { sim, c } = await setup({ deleteInUse });
    sim.seedGreeting('3200', 'away.wav', wavBytes());
    sim.seedGreeting('3200', 'keep.wav', wavBytes());
    sim.seedSelection('3200', { vm_greeting: 'away.wav', presence: { away: 'away.wav', off_work: 'keep.wav' } });
    const res = await deleteGreetingSafely(c, '3200', 'away', 'reset');
    expect(res.reset).toEqual(['default', 'away']);
    expect(sim.greetings('3200').map((g) => g.real_filename)).toEqual(['keep.wav']);
    expect(sim.selection('3200')).toMatchObject({ vm_greeting: 'follow_system', presence: { away: '', off_work: 'keep.wav' } });
    const deletes = sim.requestLog().filter((e) => e.path.endsWith('/delete'));
    expect(deletes.map((e) => e.errcode)).toEqual([0]);
  });

  it('the simulator switch itself: 70091 refuses a direct delete, follow_system falls back', async () => {
    const a = await setup({ deleteInUse: '70091' });
    a.sim.seedGreeting('3200', 'x.wav', wavBytes());
    a.sim.seedSelection('3200', { presence: { away: 'x.wav' } });
    expect(((await caughtErr(() => a.c.deleteGreeting('3200', 'x.wav'))) as PbxApiError).errcode).toBe(70091);
    const b = await setup({ deleteInUse: 'follow_system' });
    b.sim.seedGreeting('3200', 'x.wav', wavBytes());
    b.sim.seedSelection('3200', { vm_greeting: 'x.wav', presence: { away: 'x.wav' } });
    await b.c.deleteGreeting('3200', 'x.wav');
    expect(b.sim.selection('3200')).toMatchObject({ vm_greeting: 'follow_system', presence: { away: '' } });
  });
});

describe('rename', () => {
  it.each([false, true])('present (PBX carries the choice: %s): renamed in place, the statuses still play it', async (renameCarriesSelection) => {
    const { sim, c } = await setup({ renameCarriesSelection });
    sim.seedGreeting('3200', 'away.wav', wavBytes());
    sim.seedSelection('3200', { presence: { away: 'away.wav', do_not_disturb: 'away.wav' } });
    expect(await probeRename(c)).toEqual({ supported: true });
    const res = await renameGreeting(c, '3200', 'away.wav', 'holiday');
    expect(res.to).toMatchObject({ id: res.from.id, realFilename: 'holiday.wav' });
    expect(res.carried).toEqual(['away', 'do_not_disturb']);
    expect(res.carriedBy).toBe(renameCarriesSelection ? 'pbx' : 'client');
    expect(sim.selection('3200').presence).toMatchObject({ away: 'holiday.wav', do_not_disturb: 'holiday.wav' });
    const rename = updates(sim, 'extension_vm_greeting/update').filter((u) => u.errcode === 0);
    expect(rename.map((u) => u.body)).toEqual([{ id: res.from.id, number: '3200', file: 'holiday' }]);
    expect(updates(sim)).toHaveLength(renameCarriesSelection ? 0 : 1);
  });

  it('absent (10001): a typed "not supported", probe says so, nothing changes', async () => {
    const { sim, c } = await setup({ greetingUpdate: false });
    sim.seedGreeting('3200', 'away.wav', wavBytes());
    expect(await probeRename(c)).toEqual({ supported: false, reason: expect.stringMatching(/10001/) });
    const err = await caughtErr(() => renameGreeting(c, '3200', 'away.wav', 'holiday'));
    expect(err).toBeInstanceOf(RenameUnsupportedError);
    expect(sim.greetings('3200')[0]!.real_filename).toBe('away.wav');
  });

  it('refuses a bad or taken new name before asking the PBX', async () => {
    const { sim, c } = await setup();
    sim.seedGreeting('3200', 'a.wav', wavBytes());
    sim.seedGreeting('3200', 'b.wav', wavBytes());
    expect((await caughtErr(() => renameGreeting(c, '3200', 'a.wav', 'b'))).code).toBe('GREETING_EXISTS');
    expect((await caughtErr(() => renameGreeting(c, '3200', 'a.wav', 'has space'))).code).toBe('PBX_BAD_FILE_NAME');
    expect((await caughtErr(() => renameGreeting(c, '3200', 'zzz', 'c'))).code).toBe('GREETING_NOT_FOUND');
    expect(updates(sim, 'extension_vm_greeting/update')).toHaveLength(0);
  });
});

describe('record by phone', () => {
  it('rings the phone and returns the greeting once it appears', async () => {
    const { sim, c } = await setup({ recordDelayMs: 60 });
    const waits: number[] = [];
    const g = await recordByPhone(c, { ext: '3200', phone: '3201', name: 'away', pollMs: 25, timeoutMs: 5000, onWaiting: (s) => waits.push(s) });
    expect(g).toMatchObject({ file: 'away', realFilename: 'away.wav' });
    const call = sim.requestLog().find((e) => e.path.endsWith('/record'))!;
    expect(call.query).toMatchObject({ owner: '3200', recorder: '3201', file: 'away' });
  });

  it('times out with a clear message when nobody records', async () => {
    const { c } = await setup();
    const err = await caughtErr(() => recordByPhone(c, { ext: '3200', phone: '3201', name: 'away', pollMs: 20, timeoutMs: 100 }));
    expect(err).toBeInstanceOf(RecordTimeoutError);
    expect(err.message).toMatch(/Extension 3201 was called to record "away" for extension 3200, but no greeting of that name appeared within 0 s/);
  });

  it('refuses a name that exists (the new file could not be told apart) and a bad name', async () => {
    const { sim, c } = await setup({ recordDelayMs: 10 });
    sim.seedGreeting('3200', 'away.wav', wavBytes());
    expect((await caughtErr(() => recordByPhone(c, { ext: '3200', phone: '3201', name: 'away' }))).code).toBe('GREETING_EXISTS');
    expect((await caughtErr(() => recordByPhone(c, { ext: '3200', phone: '3201', name: 'a.b' }))).code).toBe('PBX_BAD_FILE_NAME');
    expect(sim.requestLog().filter((e) => e.path.endsWith('/record'))).toHaveLength(0);
  });
});

describe('activation and its rollback', () => {
  it('activates an uploaded greeting, then restores exactly the previous raw values', async () => {
    const { sim, c } = await setup();
    sim.seedGreeting('3200', 'old.wav', wavBytes());
    sim.seedGreeting('3200', 'new.wav', wavBytes(100, 2));
    sim.seedSelection('3200', { presence: { away: 'old.wav' } });
    const act = await activateUploaded(c, '3200', 'new.wav', ['away', 'lunch']);
    expect(act.previous).toEqual({ away: 'old.wav', lunch: '' });
    expect(sim.selection('3200').presence).toMatchObject({ away: 'new.wav', lunch: 'new.wav' });
    // Someone changes lunch afterwards: rollback leaves that alone.
    sim.seedSelection('3200', { presence: { lunch: 'old.wav' } });
    const res = await restoreSelection(c, '3200', { extId: act.extId, slots: act.previous }, 'new.wav');
    expect(res).toEqual({ restored: ['away'], changedSince: ['lunch'], resetToDefault: [] });
    expect(sim.selection('3200').presence).toMatchObject({ away: 'old.wav', lunch: 'old.wav' });
  });

  it('a previous greeting that is gone is replaced by the default instead of a missing file', async () => {
    const { sim, c } = await setup({ deleteInUse: 'follow_system' });
    sim.seedGreeting('3200', 'old.wav', wavBytes());
    sim.seedGreeting('3200', 'new.wav', wavBytes(100, 2));
    sim.seedSelection('3200', { vm_greeting: 'old.wav' });
    const act = await activateUploaded(c, '3200', 'new.wav', ['default']);
    await c.deleteGreeting('3200', 'old.wav');
    const res = await restoreSelection(c, '3200', { extId: act.extId, slots: act.previous }, 'new.wav');
    expect(res.resetToDefault).toEqual(['default']);
    expect(sim.selection('3200').vm_greeting).toBe('follow_system');
  });
});

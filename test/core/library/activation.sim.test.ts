// Upload and activate in one go through the queue worker, against the simulator: the history keeps the previous
// selection, rollback restores both the selection and the audio, and an activation failure is recorded, not fatal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PbxClient } from '../../../main/core/pbx/index.js';
import { originOf } from '../../../main/core/pbx/url.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../main/sim/index.js';
import { HistoryStore, QueueWorker, UploadQueue, rollback, type QueueItem } from '../../../main/core/library/index.js';
import type { SelectionSlot } from '../../../main/core/domain.js';
import { makeWav } from './helpers/audio.js';
import { fakeAudio, makeTmp } from './helpers/tmp.js';
import { FakeTransport } from './helpers/fake-transport.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
const sims: Simulator[] = [];
const clients: PbxClient[] = [];

beforeEach(async () => {
  tmp = await makeTmp();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.signOut().catch(() => undefined)));
  await Promise.all(sims.splice(0).map((s) => s.close()));
  await tmp.cleanup();
});

async function world(opts: SimulatorOptions = {}) {
  const sim = await startSimulator({ extensions: 10, ...opts });
  sims.push(sim);
  const client = new PbxClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, onWarning: () => undefined });
  clients.push(client);
  const queue = new UploadQueue({ dataDir: tmp.dir });
  const history = new HistoryStore({ dataDir: tmp.dir });
  const worker = new QueueWorker({ queue, history, transportFor: () => client, concurrency: 2 });
  const run = async (file: string, ext: string, activate: SelectionSlot[] | undefined, policy: QueueItem['policy'] = 'overwrite') => {
    const item = await queue.enqueue({ source: { filePath: file }, ext, policy, pbxProfileId: 'sim', pbx: { origin: originOf(sim.url), clientId: sim.clientId }, name: 'away', ...(activate ? { activate } : {}) });
    await worker.run({ ids: [item.id] });
    const done = await queue.get(item.id);
    return { item: done, entry: await history.get(done.historyId!) };
  };
  return { sim, client, queue, history, run };
}

describe('activate after upload', () => {
  it('records the previous selection; rollback of a created greeting restores the selection first, then removes it', async () => {
    const { sim, client, history, run } = await world();
    sim.seedGreeting('3201', 'old.wav', Buffer.from('RIFF-old'));
    sim.seedSelection('3201', { presence: { away: 'old.wav' } });
    const file = await makeWav(tmp.dir, 'take.wav', 440);
    const { item, entry } = await run(file, '3201', ['away', 'do_not_disturb']);
    expect(item).toMatchObject({ state: 'uploaded', action: 'created', activate: ['away', 'do_not_disturb'] });
    expect(entry.previousSelection).toEqual({ extId: 2, slots: { away: 'old.wav', do_not_disturb: '' } });
    expect(entry.activation).toEqual({ slots: ['away', 'do_not_disturb'], value: 'away.wav', ok: true, error: null });
    expect(sim.selection('3201').presence).toMatchObject({ away: 'away.wav', do_not_disturb: 'away.wav' });

    const res = await rollback(entry.id, { history, transportFor: () => client });
    expect(res.action).toBe('removed');
    expect(res.selection).toEqual({ restored: ['away', 'do_not_disturb'], changedSince: [], resetToDefault: [] });
    expect(sim.selection('3201').presence).toMatchObject({ away: 'old.wav', do_not_disturb: '' });
    expect(sim.greetings('3201').map((g) => g.real_filename)).toEqual(['old.wav']);
    // The selection was written back before the delete: the delete never met a greeting in use (70091).
    const log = sim.requestLog().filter((e) => e.path.endsWith('/extension/update') || e.path.endsWith('/delete'));
    expect(log.map((e) => `${e.path.split('/').pop()}:${e.errcode}`).slice(-2)).toEqual(['update:0', 'delete:0']);
  });

  it('rollback of a created greeting that was chosen for another status since: refused, nothing changes', async () => {
    const { sim, client, history, run } = await world();
    const file = await makeWav(tmp.dir, 'take.wav', 440);
    const { entry } = await run(file, '3205', ['away']);
    sim.seedSelection('3205', { presence: { lunch: 'away.wav' } });
    const before = sim.selection('3205');
    const err = await rollback(entry.id, { history, transportFor: () => client }).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/away\.wav plays on extension 3205 for Lunch, chosen after that upload, so the rollback was refused and nothing changed/);
    expect((err as Error & { code?: string }).code).toBe('HISTORY_ROLLBACK_IN_USE');
    expect(sim.selection('3205')).toEqual(before);
    expect(sim.greetings('3205').map((g) => g.real_filename)).toEqual(['away.wav']);
  });

  it('rollback of a plain upload (no activation) chosen since by hand: refused before the delete', async () => {
    const { sim, client, history, run } = await world();
    const file = await makeWav(tmp.dir, 'take.wav', 440);
    const { entry } = await run(file, '3206', undefined);
    sim.seedSelection('3206', { vm_greeting: 'away.wav' });
    const err = await rollback(entry.id, { history, transportFor: () => client }).catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/plays on extension 3206 for Default/);
    expect(sim.requestLog().filter((e) => e.path.endsWith('/delete'))).toHaveLength(0);
  });

  it('overwrite + activate: rollback restores the old audio from the backup and the old default', async () => {
    const { sim, client, history, run } = await world();
    const first = await makeWav(tmp.dir, 'first.wav', 330);
    await run(first, '3202', undefined);
    const original = sim.greetings('3202')[0]!.bytes;
    const second = await makeWav(tmp.dir, 'second.wav', 990);
    const { item, entry } = await run(second, '3202', ['default']);
    expect(item.action).toBe('overwritten');
    expect(entry.previousSelection).toEqual({ extId: 3, slots: { default: 'follow_system' } });
    expect(sim.selection('3202').vm_greeting).toBe('away.wav');
    const res = await rollback(entry.id, { history, transportFor: () => client });
    expect(res.action).toBe('restored');
    expect(sim.selection('3202').vm_greeting).toBe('follow_system');
    expect(sim.greetings('3202')[0]!.bytes.equals(original)).toBe(true);
  });

  it('a skipped upload does not activate someone else’s greeting of that name', async () => {
    const { sim, run } = await world();
    sim.seedGreeting('3203', 'away.wav', Buffer.from('RIFF-theirs'));
    const file = await makeWav(tmp.dir, 'mine.wav', 550);
    const { item, entry } = await run(file, '3203', ['away'], 'skip');
    expect(item.state).toBe('skipped');
    expect(entry.activation).toBeUndefined();
    expect(sim.selection('3203').presence.away).toBe('');
  });

  it('a PBX without the selection fields: uploaded, activation recorded as failed with the reason', async () => {
    const { sim, run } = await world({ selectionFields: 'none' });
    const file = await makeWav(tmp.dir, 'x.wav', 440);
    const { item, entry } = await run(file, '3204', ['away']);
    expect(item.state).toBe('uploaded');
    expect(sim.greetings('3204').map((g) => g.real_filename)).toEqual(['away.wav']);
    expect(entry.activation).toMatchObject({ ok: false, value: null, error: { code: 'PBX_SELECTION_UNSUPPORTED' } });
    expect(entry.activation!.error!.message).toMatch(/does not report which greeting plays/);
    expect(entry.previousSelection).toBeNull();
  });

  it('a transport that cannot select: recorded as unsupported, upload intact', async () => {
    const queue = new UploadQueue({ dataDir: tmp.dir });
    const history = new HistoryStore({ dataDir: tmp.dir });
    const fake = new FakeTransport();
    const worker = new QueueWorker({ queue, history, transportFor: () => fake });
    const file = await fakeAudio(tmp.dir, 'f.wav', 'a');
    const item = await queue.enqueue({ source: { filePath: file }, ext: '3200', policy: 'fail', pbxProfileId: 'p', pbx: { origin: 'http://127.0.0.1:1', clientId: 'x' }, activate: ['lunch'] });
    await worker.run();
    const done = await queue.get(item.id);
    expect(done.state).toBe('uploaded');
    expect((await history.get(done.historyId!)).activation).toMatchObject({ ok: false, error: { code: 'QUEUE_ACTIVATION_UNSUPPORTED' } });
  });
});

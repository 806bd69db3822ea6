// A rollback puts back what was there before one upload, without a backup of what is there now: it must refuse when
// it would throw away a newer greeting (an entry rolled back twice, or an older upload after a newer one).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HistoryStore, QueueWorker, UploadQueue, rollback } from '../../../main/core/library/index.js';
import { FakeTransport } from './helpers/fake-transport.js';
import { fakeAudio, makeTmp } from './helpers/tmp.js';

const PBX = { origin: 'https://pbx1.example:8088', clientId: 'client-1' };
let tmp: { dir: string; cleanup: () => Promise<void> };
let t: FakeTransport;
let queue: UploadQueue;
let history: HistoryStore;
let clock = Date.parse('2026-03-01T10:00:00Z');

beforeEach(async () => {
  tmp = await makeTmp();
  t = new FakeTransport();
  // A clock that moves on: history order must not depend on two uploads landing in different milliseconds.
  const now = (): number => (clock += 1000);
  queue = new UploadQueue({ dataDir: tmp.dir, now });
  history = new HistoryStore({ dataDir: tmp.dir, now });
});
afterEach(async () => {
  await tmp.cleanup();
});

/** Uploads `content` to 3200 as away.wav with policy overwrite; returns the history id. */
async function upload(content: string, n: number): Promise<string> {
  const file = await fakeAudio(tmp.dir, `take-${n}.wav`, content);
  const [item] = await queue.enqueueMany([{ source: { filePath: file }, ext: '3200', policy: 'overwrite', pbxProfileId: 'pbx1', pbx: PBX, name: 'away' }]);
  await new QueueWorker({ queue, history, transportFor: () => t, sleep: async () => undefined }).run({ ids: [item!.id] });
  return (await queue.get(item!.id)).historyId!;
}

const onPbx = (): string | undefined => t.greetings('3200').get('away.wav')?.toString('latin1');

describe('rollback order', () => {
  it('refuses an older upload while a newer one changed the same greeting; after the newer is rolled back, the older is allowed', async () => {
    const h1 = await upload('take one', 1);
    const h2 = await upload('take two', 2);
    const h3 = await upload('take three', 3);
    const newest = onPbx();

    const err = await rollback(h2, { history, transportFor: () => t }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HISTORY_ROLLBACK_NOT_LATEST', kind: 'input' });
    expect((err as Error).message).toContain(`Roll back ${h3} first`);
    expect(onPbx()).toBe(newest); // nothing changed on the PBX
    await expect(rollback(h1, { history, transportFor: () => t })).rejects.toMatchObject({ code: 'HISTORY_ROLLBACK_NOT_LATEST' });

    expect((await rollback(h3, { history, transportFor: () => t })).action).toBe('restored');
    expect((await rollback(h2, { history, transportFor: () => t })).action).toBe('restored');
    expect((await rollback(h1, { history, transportFor: () => t })).action).toBe('removed');
    expect(onPbx()).toBeUndefined();
  });

  it('refuses to roll back the same entry twice, and changes nothing', async () => {
    await upload('first', 1);
    const h2 = await upload('second', 2);
    await rollback(h2, { history, transportFor: () => t });
    const before = onPbx();
    const calls = t.calls.length;
    const err = await rollback(h2, { history, transportFor: () => t }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'HISTORY_ALREADY_ROLLED_BACK', kind: 'input' });
    expect((err as Error).message).toMatch(/was already rolled back at .* Nothing was changed\./);
    expect(onPbx()).toBe(before);
    expect(t.calls.length).toBe(calls);
  });

  it('an upload to another greeting name or extension does not block the rollback', async () => {
    const h1 = await upload('one', 1);
    const other = await fakeAudio(tmp.dir, 'other.wav', 'other');
    await queue.enqueueMany([
      { source: { filePath: other }, ext: '3200', policy: 'overwrite', pbxProfileId: 'pbx1', pbx: PBX, name: 'lunch' },
      { source: { filePath: other }, ext: '3201', policy: 'overwrite', pbxProfileId: 'pbx1', pbx: PBX, name: 'away' },
    ]);
    await new QueueWorker({ queue, history, transportFor: () => t, sleep: async () => undefined }).run();
    expect((await rollback(h1, { history, transportFor: () => t })).action).toBe('removed');
  });
});

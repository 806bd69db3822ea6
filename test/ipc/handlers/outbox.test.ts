// Outbox handlers over the real core and the simulator: every upload is a queue item the Outbox drains by itself.
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../main/sim/index.js';
import { laterSim, saveSimProfile, sim, speechBytes, startApp, tempDir, waitFor, type TestApp } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(): Promise<{ dir: string; t: TestApp }> {
  const tmp = await tempDir();
  const t = startApp(`${tmp.dir}/data`);
  cleanups.push(tmp.cleanup, () => t.dispose());
  return { dir: tmp.dir, t };
}

function onSim(s: Simulator, ext: string, name: string): boolean {
  return s.greetings(ext).some((g) => g.real_filename === name);
}

describe('Outbox', () => {
  it('an upload made offline stays pending with the reason, and drains when the PBX comes up', async () => {
    const { dir, t } = await setup();
    const later = await laterSim();
    const profileId = await saveSimProfile(t, later);
    const src = await t.h.importBytes({ name: 'hello.wav', bytes: await speechBytes(dir) }, t.ctx);
    const { itemIds } = await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3200', '3201'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false, profileId }, t.ctx);
    expect(itemIds).toHaveLength(2);
    await waitFor(async () => {
      const page = await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx);
      return page.items.every((i) => i.state === 'pending' && (i.waitingReason ?? '').includes('cannot be reached'));
    }, 10_000, 'pending with a reason');
    // Offline for many retry periods (300 ms here): the items stay pending, their retry budget is not spent.
    await new Promise((r) => setTimeout(r, 3000));
    const still = await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx);
    expect(still.items.map((i) => i.state)).toEqual(['pending', 'pending']);
    expect(Math.max(...still.items.map((i) => i.attempts))).toBeLessThanOrEqual(3);
    const s = await later.start();
    cleanups.push(() => s.close());
    await waitFor(() => onSim(s, '3200', 'away.wav') && onSim(s, '3201', 'away.wav'), 15_000, 'drained to the simulator');
    await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx)).counts.uploaded === 2, 5000, 'uploaded');
    const draft = await t.h.getDraft({ draftId: src.draftId }, t.ctx);
    expect(draft.format).toBe('wav');
    expect(t.events.some((e) => e.name === 'outbox')).toBe(true);
  });

  it('items for a profile without credentials wait with "Connect to …"', async () => {
    const { dir, t } = await setup();
    const s = await sim();
    cleanups.push(() => s.close());
    const p = await t.h.saveProfile({ name: 'Branch', baseUrl: s.url, clientId: s.clientId, tls: { mode: 'system' } }, t.ctx);
    const src = await t.h.importBytes({ name: 'hello.wav', bytes: await speechBytes(dir) }, t.ctx);
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3200'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false, profileId: p.id }, t.ctx);
    await new Promise((r) => setTimeout(r, 400));
    const page = await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx);
    expect(page.items[0]).toMatchObject({ state: 'pending', waitingReason: expect.stringContaining('Connect to Branch') });
    expect(onSim(s, '3200', 'away.wav')).toBe(false);
    // Entering the secret lets it go.
    await t.h.saveProfile({ id: p.id, name: 'Branch', baseUrl: s.url, clientId: s.clientId, clientSecret: s.clientSecret, tls: { mode: 'system' } }, t.ctx);
    await waitFor(() => onSim(s, '3200', 'away.wav'), 10_000, 'sent after the secret was entered');
  });

  it('queueing the same greeting again replaces the earlier item still waiting (superseded)', async () => {
    const { dir, t } = await setup();
    const later = await laterSim();
    const profileId = await saveSimProfile(t, later);
    const a = await t.h.importBytes({ name: 'first.wav', bytes: await speechBytes(dir, 'First take.') }, t.ctx);
    const b = await t.h.importBytes({ name: 'second.wav', bytes: await speechBytes(dir, 'Second take, the one to keep.') }, t.ctx);
    const first = await t.h.enqueueUploads({ draftId: a.draftId, extensions: ['3200'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false, profileId }, t.ctx);
    await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx)).items.every((i) => i.state === 'pending' && i.waitingReason !== null), 10_000, 'waiting');
    const second = await t.h.enqueueUploads({ draftId: b.draftId, extensions: ['3200'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false, profileId }, t.ctx);
    const page = await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx);
    expect(page.items.find((i) => i.id === first.itemIds[0])).toMatchObject({ state: 'cancelled' });
    expect(page.items.find((i) => i.id === second.itemIds[0])?.state).toMatch(/^(pending|running)$/);
    const s = await later.start();
    cleanups.push(() => s.close());
    await waitFor(() => s.greetings('3200').some((g) => g.real_filename === 'away.wav'), 15_000, 'the newer take sent');
    const draft = await t.h.getDraft({ draftId: b.draftId }, t.ctx);
    expect(s.greetings('3200').find((g) => g.real_filename === 'away.wav')!.bytes.length).toBe(draft.renderedBytes);
    expect(s.requestLog().filter((r) => r.path.endsWith('extension_vm_greeting/upload')).length).toBeLessThanOrEqual(2);
  });

  it('checkNames tells which extensions hold the name, identical bytes, and the keep-both name; offline: unchecked', async () => {
    const { dir, t } = await setup();
    const s = await sim();
    cleanups.push(() => s.close());
    const profileId = await saveSimProfile(t, s);
    const src = await t.h.importBytes({ name: 'hello.wav', bytes: await speechBytes(dir) }, t.ctx);
    expect(await t.h.checkNames({ draftId: src.draftId, extensions: ['3200'], name: 'away' }, t.ctx)).toEqual({ checked: false, existing: [], keepBothNames: {} });
    await t.h.connect({ id: profileId }, t.ctx);
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3200'], name: 'away', ifExists: 'fail', allowOverwriteWithoutBackup: false }, t.ctx);
    await waitFor(() => onSim(s, '3200', 'away.wav'), 10_000);
    s.seedGreeting('3201', 'away.wav', Buffer.from('RIFF other bytes'));
    const check = await t.h.checkNames({ draftId: src.draftId, extensions: ['3200', '3201', '3202'], name: 'away' }, t.ctx);
    expect(check.checked).toBe(true);
    expect(check.existing).toEqual([{ ext: '3200', identical: true }, { ext: '3201', identical: false }]);
    expect(check.keepBothNames).toMatchObject({ '3201': 'away-2.wav' });
    // The worker agrees: same bytes → unchanged.
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3200'], name: 'away', ifExists: 'fail', allowOverwriteWithoutBackup: false }, t.ctx);
    await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx)).items.some((i) => i.action === 'unchanged'), 10_000, 'unchanged');
    expect(s.greetings('3200').filter((g) => g.real_filename.startsWith('away'))).toHaveLength(1);
  });

  it('cancel takes pending items out; outbox events are throttled while it drains', async () => {
    const { dir, t } = await setup();
    const s = await sim();
    cleanups.push(() => s.close());
    s.injectFault({ kind: 'latency', ms: 150, path: 'extension_vm_greeting/upload', times: 1000 });
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);
    const src = await t.h.importBytes({ name: 'hello.wav', bytes: await speechBytes(dir) }, t.ctx);
    t.events.length = 0;
    const t0 = Date.now();
    const exts = ['3200', '3201', '3202', '3203', '3204', '3205', '3206', '3207', '3208', '3209'];
    const { itemIds } = await t.h.enqueueUploads({ draftId: src.draftId, extensions: exts, name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false }, t.ctx);
    expect(await t.h.cancelOutbox({ ids: [itemIds[9]!, itemIds[8]!] }, t.ctx)).toEqual({ cancelled: 2 });
    await waitFor(async () => {
      const p = await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx);
      return p.counts.pending + p.counts.running === 0;
    }, 20_000, 'drained');
    const elapsed = Date.now() - t0;
    const p = await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx);
    expect(p.counts).toMatchObject({ uploaded: 8, cancelled: 2 });
    expect(s.greetings('3209')).toEqual([]);
    expect(s.greetings('3208')).toEqual([]);
    const outboxEvents = t.events.filter((e) => e.name === 'outbox').length;
    // At most one per throttle period (30 ms in these tests), plus the trailing one.
    expect(outboxEvents).toBeGreaterThan(0);
    expect(outboxEvents).toBeLessThanOrEqual(Math.ceil(elapsed / 30) + 2);
  });

  it('a number not on the PBX fails on its own item; retry takes it again; clearing keeps failed items', async () => {
    const { dir, t } = await setup();
    const s = await sim();
    cleanups.push(() => s.close());
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);
    const src = await t.h.importBytes({ name: 'hello.wav', bytes: await speechBytes(dir) }, t.ctx);
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3200', '9999'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false }, t.ctx);
    await waitFor(async () => {
      const p = await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx);
      return p.counts.uploaded === 1 && p.counts.failed === 1;
    }, 15_000, 'one uploaded, one failed');
    const page = await t.h.listOutbox({ page: 1, pageSize: 50, states: ['failed'] }, t.ctx);
    expect(page.items[0]).toMatchObject({ ext: '9999', state: 'failed', error: { code: expect.any(String) } });
    expect(await t.h.retryOutbox({}, t.ctx)).toEqual({ retried: 1 });
    await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 50 }, t.ctx)).counts.failed === 1, 15_000, 'failed again');
    expect((await t.h.clearFinishedOutbox({}, t.ctx)).removed).toBe(1);
  });
});

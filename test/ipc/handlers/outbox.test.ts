// Outbox handlers over the real core and the simulator: every upload is a queue item the Outbox drains by itself.
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../../main/sim/index.js';
import { laterSim, saveSimProfile, sha256, sim, speechBytes, startApp, tempDir, waitFor, type TestApp } from './helpers.js';

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

  it('a number not on the PBX fails on its own item; retry and cancel work on items', async () => {
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
    expect(sha256(Buffer.from('x'))).toHaveLength(64);
  });
});

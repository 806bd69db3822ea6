// Honest connection state and the offline directory, over the real PbxClient and the simulator: a PBX that stops
// answering is marked unreachable by the periodic check within seconds (the issue asks ≤ 15 s), an upload made then
// waits in the Outbox, extension search answers from the cached directory, and the PBX's return drains the Outbox.
import { afterEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ConnectionState } from '../../../main/ipc/channels.js';
import { saveSimProfile, sim, speechBytes, startApp, tempDir, waitFor } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('connection monitor', () => {
  it('PBX stops → unreachable within 15 s (default 5 s check); uploads wait; search uses the cache; PBX returns → online and drained', async () => {
    const tmp = await tempDir();
    const data = path.join(tmp.dir, 'data');
    // The default period of the light check (5 s), as the app runs it.
    const t = startApp(data, { connectionCheckMs: undefined });
    let s = await sim();
    const { port, clientId, clientSecret } = s;
    cleanups.push(tmp.cleanup, () => t.dispose(), () => s.close());
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);
    const live = await t.h.searchExtensions({ query: '', page: 1, pageSize: 5 }, t.ctx);
    expect(live).toMatchObject({ source: 'live', total: 12 });
    // Connecting read the whole directory into <dataDir>/directory/<key>.json.
    await waitFor(async () => (await readdir(path.join(data, 'directory')).catch(() => [])).some((f) => /^[0-9a-f]{16}\.json$/.test(f)), 5000, 'directory cached');

    await s.close();
    const stoppedAt = Date.now();
    await waitFor(async () => (await t.h.connectionState({}, t.ctx)).status === 'unreachable', 15_000, 'unreachable');
    const detectMs = Date.now() - stoppedAt;
    console.log(`PBX stopped → connection 'unreachable' after ${detectMs} ms`);
    expect(detectMs).toBeLessThan(15_000);
    const state = t.events.filter((e) => e.name === 'connection').map((e) => (e.payload as ConnectionState).status);
    expect(state).toContain('unreachable');
    expect((await t.h.connectionState({}, t.ctx)).message).toMatch(/cannot be reached/);

    const offline = await t.h.searchExtensions({ query: '3205', page: 1, pageSize: 10 }, t.ctx);
    expect(offline).toMatchObject({ source: 'cache', total: 1, profileId, items: [{ number: '3205' }] });
    expect(offline.fetchedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    // A number typed that is not in the directory is accepted now; it fails on its own item once online.
    const src = await t.h.importBytes({ name: 'hello.wav', bytes: await speechBytes(tmp.dir) }, t.ctx);
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3204', '9999'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false }, t.ctx);
    await new Promise((r) => setTimeout(r, 500));
    const waiting = await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx);
    expect(waiting.items.map((i) => i.state)).toEqual(['pending', 'pending']);
    expect(waiting.items[0]?.waitingReason).toMatch(/cannot be reached/);
    expect(await t.h.checkNames({ draftId: src.draftId, extensions: ['3204'], name: 'away' }, t.ctx)).toMatchObject({ checked: false });

    s = await sim({ port, clientId, clientSecret });
    await waitFor(async () => (await t.h.connectionState({}, t.ctx)).status === 'online', 15_000, 'online again');
    await waitFor(() => s.greetings('3204').some((g) => g.real_filename === 'away.wav'), 15_000, 'drained after the PBX returned');
    await waitFor(async () => {
      const p = await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx);
      return p.counts.uploaded === 1 && p.counts.failed === 1;
    }, 15_000, 'the unknown number failed on its own');
    const failed = (await t.h.listOutbox({ page: 1, pageSize: 10, states: ['failed'] }, t.ctx)).items[0];
    expect(failed).toMatchObject({ ext: '9999', error: { code: 'PBX_60001' } });
  });

  it('a failed call marks the PBX unreachable at once; reconnect brings it back', async () => {
    const tmp = await tempDir();
    const t = startApp(path.join(tmp.dir, 'data'), { connectionCheckMs: 60_000 });
    let s = await sim();
    const { port, clientId, clientSecret } = s;
    cleanups.push(tmp.cleanup, () => t.dispose(), () => s.close());
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);
    await s.close();
    await expect(t.h.listGreetings({ ext: '3200' }, t.ctx)).rejects.toMatchObject({ kind: 'network' });
    expect((await t.h.connectionState({}, t.ctx)).status).toBe('unreachable');
    expect((await t.h.reconnect({}, t.ctx)).status).toBe('unreachable');
    s = await sim({ port, clientId, clientSecret });
    expect((await t.h.reconnect({}, t.ctx)).status).toBe('online');
  });
});

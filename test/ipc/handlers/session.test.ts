// Session handlers over fakes: profiles, connect, the demo PBX, extension search, links.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHandlers, type AppHandlers, type HandlerContext } from '../../../main/ipc/handlers/index.js';
import { fakePbxState, fakeServices, type FakePbxState } from '../fakes.js';

let dir: string;
let state: FakePbxState;
let svc: ReturnType<typeof fakeServices>;
let app: AppHandlers;
const ctx: HandlerContext = { emit: () => undefined };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-session-test-'));
  state = fakePbxState(30);
  svc = fakeServices(dir, state);
  app = createHandlers(svc);
});
afterEach(async () => {
  await app.dispose();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 }); // a directory-cache write finishing during dispose can race the first pass
});
const h = () => app.handlers;
const office = { name: 'Office', baseUrl: 'https://pbx:8088', clientId: 'id', clientSecret: 'right-secret', tls: { mode: 'system' as const } };

describe('profiles and connection', () => {
  it('connects with a stored profile and reports the extension count; wrong secret gives the client error', async () => {
    const p = await h().saveProfile(office, ctx);
    await expect(h().connect({ id: p.id }, ctx)).resolves.toMatchObject({ profileName: 'Office', extensionCount: 30 });
    expect(await h().connectionState({}, ctx)).toMatchObject({ status: 'online', profileId: p.id });
    const bad = await h().saveProfile({ ...office, name: 'Bad', clientSecret: 'nope' }, ctx);
    await expect(h().testConnection({ id: bad.id }, ctx)).rejects.toMatchObject({ code: 'PBX_-1' });
    await h().disconnect({}, ctx);
    expect(await h().connectionState({}, ctx)).toMatchObject({ status: 'offline', profileId: null });
  });

  it('test connection releases its token (8-token limit)', async () => {
    const p = await h().saveProfile(office, ctx);
    await h().testConnection({ id: p.id }, ctx);
    expect(state.signOuts).toBe(1);
  });

  it('explains a profile without a stored secret', async () => {
    const p = await h().saveProfile({ ...office, name: 'NoSecret', clientSecret: undefined }, ctx);
    await expect(h().connect({ id: p.id }, ctx)).rejects.toMatchObject({ code: 'PROFILE_NO_SECRET' });
  });

  it('a changed origin drops the stored secret: connect refuses instead of sending it there', async () => {
    const p = await h().saveProfile(office, ctx);
    const moved = await h().saveProfile({ id: p.id, name: 'Office', baseUrl: 'https://pbx:9443', clientId: 'id', tls: { mode: 'system' } }, ctx);
    expect(moved.hasSecret).toBe(false);
    await expect(h().connect({ id: p.id }, ctx)).rejects.toMatchObject({ code: 'PROFILE_NO_SECRET' });
    // Same origin, other name: the secret stays.
    const renamed = await h().saveProfile({ id: p.id, name: 'HQ', baseUrl: 'https://pbx:9443', clientId: 'id', clientSecret: 'right-secret', tls: { mode: 'system' } }, ctx);
    expect((await h().saveProfile({ id: renamed.id, name: 'HQ 2', baseUrl: 'https://PBX:9443/', clientId: 'id', tls: { mode: 'system' } }, ctx)).hasSecret).toBe(true);
  });

  it('starts the demo PBX once, lists it as a profile, connects, and stops it on dispose', async () => {
    const a = await h().startDemo({}, ctx);
    const b = await h().startDemo({}, ctx);
    expect(a.profile).toMatchObject({ id: 'demo', demo: true });
    expect(b.connection.extensionCount).toBe(30);
    expect((await h().listProfiles({}, ctx)).profiles.map((p) => p.id)).toEqual(['demo']);
    await app.dispose();
    expect(svc.demoClosed).toBe(1);
  });

  it('searches extensions live, listing all for an empty query', async () => {
    await h().startDemo({}, ctx);
    const all = await h().searchExtensions({ query: '', page: 2, pageSize: 10 }, ctx);
    expect(all).toMatchObject({ total: 30, page: 2, source: 'live', fetchedAt: null, profileId: 'demo' });
    expect(all.items[0]?.number).toBe('3210');
    const hit = await h().searchExtensions({ query: 'person 1', page: 1, pageSize: 50 }, ctx);
    expect(hit.items.map((e) => e.number)).toContain('3201');
  });

  it('search without any profile says to connect', async () => {
    await expect(h().searchExtensions({ query: '', page: 1, pageSize: 10 }, ctx)).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
  });

  it('opens only allow-listed links', async () => {
    await expect(h().openExternal({ url: 'https://help.yeastar.com/en/p-series' }, ctx)).resolves.toEqual({ opened: true });
    await expect(h().openExternal({ url: 'http://help.yeastar.com/' }, ctx)).rejects.toMatchObject({ code: 'LINK_NOT_ALLOWED' });
    await expect(h().openExternal({ url: 'https://evil.example/' }, ctx)).rejects.toMatchObject({ code: 'LINK_NOT_ALLOWED' });
    expect(svc.opened).toEqual(['https://help.yeastar.com/en/p-series']);
  });
});

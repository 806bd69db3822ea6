// Issue 8 §1: a stored secret is bound to the origin (scheme, host, port) it was entered for. Through the real
// dispatcher and the app's real profile store, with a second 127.0.0.1 server standing in for an attacker that a
// compromised renderer points the profile at.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tone } from '../helpers/audio-fixtures.js';
import type { IpcResult, ProfileSummary } from '../../main/ipc/channels.js';
import { createDispatcher, trustOrigin, type Dispatch } from '../../main/ipc/register.js';
import { FileProfileStore } from '../../main/shell/profile-store.js';
import type { SecretStore } from '../../main/shell/secret-store.js';
import type { Simulator } from '../../main/sim/index.js';
import { sim, startApp, tempDir, type TestApp } from './handlers/helpers.js';

const SECRET = 'the-real-client-secret-4711';
/** Stands in for safeStorage: reversible, but not plain text on disk. */
const secrets: SecretStore = {
  status: () => ({ available: true, backend: 'test' }),
  encrypt: (s) => Buffer.from(s).reverse().toString('base64'),
  decrypt: (s) => Buffer.from(s, 'base64').reverse().toString(),
};

let t: TestApp;
let pbx: Simulator;
let attacker: http.Server;
let attackerUrl = '';
const received: string[] = [];
let dispatch: Dispatch;
let cleanup: () => Promise<void>;
const ev = { senderFrame: { url: 'app://vmgs/index.html' }, sender: { send: () => undefined } };
async function call<T>(name: string, payload: unknown): Promise<IpcResult<T>> {
  return (await dispatch(name, payload, ev)) as IpcResult<T>;
}

beforeEach(async () => {
  const tmp = await tempDir('vmgs-secret-');
  cleanup = tmp.cleanup;
  pbx = await sim({ clientSecret: SECRET });
  received.length = 0;
  attacker = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(`${req.method} ${req.url ?? ''} ${body}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ errcode: 0, errmsg: 'SUCCESS', access_token: 'x', refresh_token: 'y', access_token_expire_time: 1800, refresh_token_expire_time: 86400 }));
    });
  });
  await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  t = startApp(path.join(tmp.dir, 'data'), { profiles: new FileProfileStore(path.join(tmp.dir, 'settings.json'), secrets) as never });
  dispatch = createDispatcher(t.app.handlers, { isTrustedSender: trustOrigin('app://vmgs') });
});
afterEach(async () => {
  await t.dispose();
  await pbx.close();
  await new Promise<void>((r) => attacker.close(() => r()));
  await cleanup();
});

describe('a stored secret follows no edited address', () => {
  it('saveProfile with another origin and no secret drops it; testConnection and connect send nothing there', async () => {
    const saved = await call<ProfileSummary>('saveProfile', { name: 'Office', baseUrl: pbx.url, clientId: pbx.clientId, clientSecret: SECRET, tls: { mode: 'system' } });
    expect(saved).toMatchObject({ ok: true, value: { hasSecret: true } });
    const id = saved.ok ? saved.value.id : '';
    expect(await call('testConnection', { id })).toMatchObject({ ok: true, value: { reachable: true } });

    // The compromised page points the profile at its own server and leaves the secret out ("keep the stored one").
    const moved = await call<ProfileSummary>('saveProfile', { id, name: 'Office', baseUrl: attackerUrl, clientId: pbx.clientId, tls: { mode: 'system' } });
    expect(moved).toMatchObject({ ok: true, value: { hasSecret: false } });
    expect(await call('testConnection', { id })).toMatchObject({ ok: false, error: { code: 'PROFILE_NO_SECRET' } });
    expect(await call('connect', { id })).toMatchObject({ ok: false, error: { code: 'PROFILE_NO_SECRET' } });
    expect(await call('reconnect', {})).toMatchObject({ ok: true });
    // Back to the real address: the secret stays dropped until someone enters it again.
    const back = await call<ProfileSummary>('saveProfile', { id, name: 'Office', baseUrl: pbx.url, clientId: pbx.clientId, tls: { mode: 'system' } });
    expect(back).toMatchObject({ ok: true, value: { hasSecret: false } });
    await new Promise((r) => setTimeout(r, 400)); // the Outbox and the checks had their chance
    expect(received.filter((r) => r.includes(SECRET))).toEqual([]);
    expect(received).toEqual([]);
  });

  it('a changed port or scheme counts as another origin; the same origin spelled differently keeps the secret', async () => {
    const saved = await call<ProfileSummary>('saveProfile', { name: 'Office', baseUrl: pbx.url, clientId: pbx.clientId, clientSecret: SECRET, tls: { mode: 'system' } });
    const id = saved.ok ? saved.value.id : '';
    const u = new URL(pbx.url);
    const same = await call<ProfileSummary>('saveProfile', { id, name: 'Office 2', baseUrl: `${u.protocol}//${u.hostname.toUpperCase()}:${u.port}/`, clientId: pbx.clientId, tls: { mode: 'system' } });
    expect(same).toMatchObject({ ok: true, value: { hasSecret: true } });
    expect(await call('connect', { id })).toMatchObject({ ok: true });
    const https = await call<ProfileSummary>('saveProfile', { id, name: 'Office', baseUrl: `https://${u.host}`, clientId: pbx.clientId, tls: { mode: 'system' } });
    expect(https).toMatchObject({ ok: true, value: { hasSecret: false } });
    await call('saveProfile', { id, name: 'Office', baseUrl: pbx.url, clientId: pbx.clientId, clientSecret: SECRET, tls: { mode: 'system' } });
    const port = await call<ProfileSummary>('saveProfile', { id, name: 'Office', baseUrl: attackerUrl, clientId: pbx.clientId, tls: { mode: 'system' } });
    expect(port).toMatchObject({ ok: true, value: { hasSecret: false } });
    expect(await call('testConnection', { id })).toMatchObject({ ok: false, error: { code: 'PROFILE_NO_SECRET' } });
    expect(received).toEqual([]);
  });

  it('queued items never follow a profile to a new address', async () => {
    const saved = await call<ProfileSummary>('saveProfile', { name: 'Office', baseUrl: pbx.url, clientId: pbx.clientId, tls: { mode: 'system' } });
    const id = saved.ok ? saved.value.id : '';
    const wav = await tone(path.join(path.dirname(t.app.context.dataDir), 't.wav'), { durationSec: 1.5 });
    const src = await t.h.importBytes({ name: 'x.wav', bytes: new Uint8Array(await readFile(wav)) }, t.ctx);
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3200'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false, profileId: id }, t.ctx);
    // The profile moves and even gets a secret for the new address: the item stays for the PBX it was queued for.
    await call('saveProfile', { id, name: 'Office', baseUrl: attackerUrl, clientId: pbx.clientId, clientSecret: 'typed-for-the-new-address', tls: { mode: 'system' } });
    await new Promise((r) => setTimeout(r, 700));
    const page = await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx);
    expect(page.items[0]).toMatchObject({ state: 'pending', waitingReason: expect.stringContaining('No PBX profile') });
    expect(received).toEqual([]);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, startSimulator, type Simulator, type SimulatorOptions } from '../../main/sim/index.js';
import { api, getToken, rawRequest, parseJson } from './helpers.js';

let sim: Simulator | undefined;
async function start(o: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator(o);
  return sim;
}
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('envelope and request rules', () => {
  it('rejects a missing or empty User-Agent with 40002, on get_token and elsewhere', async () => {
    const s = await start();
    const noUa = await api(s, 'get_token', { json: { username: s.clientId, password: s.clientSecret }, userAgent: null });
    expect(noUa.errcode).toBe(40002);
    expect(noUa.errmsg).toBe('PARAMETER ERROR');
    const empty = await api(s, 'get_token', { json: { username: s.clientId, password: s.clientSecret }, userAgent: '' });
    expect(empty.errcode).toBe(40002);
    const { access } = await getToken(s);
    expect((await api(s, 'extension/list', { token: access, userAgent: null })).errcode).toBe(40002);
    expect(s.liveTokenCount()).toBe(1);
  });

  it('answers every API error with HTTP 200 + JSON', async () => {
    const s = await start();
    const r = await rawRequest(`${s.url}/openapi/v1.0/extension/list`);
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(parseJson(r)).toEqual({ errcode: 10004, errmsg: 'TOKEN EXPIRED' });
  });

  it('ignores the Authorization header: the token is read from access_token only', async () => {
    const s = await start();
    const { access } = await getToken(s);
    const bearer = await api(s, 'extension/list', { headers: { Authorization: `Bearer ${access}` } });
    expect(bearer.errcode).toBe(10004);
    expect((await api(s, 'extension/list', { token: access })).errcode).toBe(0);
  });

  it('answers a wrong verb or an unknown path with 10001', async () => {
    const s = await start();
    const { access } = await getToken(s);
    expect((await api(s, 'extension/list', { token: access, method: 'POST', json: {} })).errcode).toBe(10001);
    expect((await api(s, 'get_token', { method: 'GET' })).errcode).toBe(10001);
    expect((await api(s, 'extension_vm_greeting/upload', { token: access, method: 'GET' })).errcode).toBe(10001);
    expect((await api(s, 'prompt/upload', { token: access, method: 'POST', json: {} })).errcode).toBe(10001);
    const other = parseJson(await rawRequest(`${s.url}/openapi/v2.0/extension/list?access_token=${access}`, {}));
    expect(other.errcode).toBe(10001);
    expect(other.errmsg).toBe('INTERFACE NOT EXISTED');
  });

  it('answers 10004 for a missing, unknown or revoked token on every token-protected endpoint', async () => {
    const s = await start();
    const endpoints: [string, string][] = [
      ['GET', 'del_token'], ['GET', 'extension/list'], ['GET', 'extension/search'], ['GET', 'extension/get'],
      ['GET', 'extension/query'], ['GET', 'extension_vm_greeting/list'], ['POST', 'extension_vm_greeting/upload'],
      ['GET', 'extension_vm_greeting/download'], ['GET', 'extension_vm_greeting/play'], ['GET', 'extension_vm_greeting/delete'],
      ['GET', 'extension_vm_greeting/record'],
    ];
    for (const [method, ep] of endpoints) {
      const missing = await api(s, ep, { method, ...(method === 'POST' ? { body: 'x' } : {}) });
      expect(missing.errcode, `${ep} without token`).toBe(10004);
      const unknown = await api(s, ep, { method, token: 'A'.repeat(32) });
      expect(unknown.errcode, `${ep} unknown token`).toBe(10004);
    }
  });
});

describe('tokens', () => {
  it('issues 32-char tokens and reports the TTLs', async () => {
    const s = await start();
    const r = await api(s, 'get_token', { json: { username: s.clientId, password: s.clientSecret } });
    expect(r.errcode).toBe(0);
    expect(r.errmsg).toBe('SUCCESS');
    expect(r.access_token_expire_time).toBe(1800);
    expect(r.refresh_token_expire_time).toBe(86400);
    expect(r.access_token).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(r.refresh_token).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('rejects bad credentials with -1 and invalid_param_list; missing fields with 40002', async () => {
    const s = await start();
    const bad = await api(s, 'get_token', { json: { username: s.clientId, password: 'wrong' } });
    expect(bad).toEqual({ errcode: -1, errmsg: 'FAILURE', invalid_param_list: [{ field: 'username or password', value: 'error' }] });
    const missing = await api(s, 'get_token', { json: { username: s.clientId } });
    expect(missing.errcode).toBe(40002);
    expect(missing.invalid_param_list).toEqual([{ field: 'password', validation_type: 'required' }]);
    expect(s.liveTokenCount()).toBe(0);
  });

  it('caps live access tokens at 8 (60002) and del_token frees a slot', async () => {
    const s = await start();
    const tokens: string[] = [];
    for (let i = 0; i < 8; i++) tokens.push((await getToken(s)).access);
    expect(s.liveTokenCount()).toBe(8);
    const ninth = await api(s, 'get_token', { json: { username: s.clientId, password: s.clientSecret } });
    expect(ninth.errcode).toBe(60002);
    expect(ninth.errmsg).toBe('MAX LIMITATION EXCEEDED');
    expect((await api(s, 'del_token', { token: tokens[0] as string })).errcode).toBe(0);
    expect(s.liveTokenCount()).toBe(7);
    expect((await api(s, 'extension/list', { token: tokens[0] as string })).errcode).toBe(10004);
    expect((await api(s, 'extension/list', { token: tokens[1] as string })).errcode).toBe(0);
    await getToken(s);
    expect(s.liveTokenCount()).toBe(8);
  });

  it('expires access tokens after 1800 s and refresh tokens after 86400 s on the injected clock', async () => {
    const clock = new ManualClock();
    const s = await start({ now: clock.now });
    const { access, refresh } = await getToken(s);
    clock.advance(1799_000);
    expect((await api(s, 'extension/list', { token: access })).errcode).toBe(0);
    clock.advance(1_000);
    expect((await api(s, 'extension/list', { token: access })).errcode).toBe(10004);
    expect(s.liveTokenCount()).toBe(0);
    const refreshed = await api(s, 'refresh_token', { json: { refresh_token: refresh } });
    expect(refreshed.errcode).toBe(0);
    expect(refreshed.access_token_expire_time).toBe(1800);
    const second = await getToken(s);
    clock.advance(86_400_000);
    expect((await api(s, 'refresh_token', { json: { refresh_token: second.refresh } })).errcode).toBe(10004);
  });

  it('expired tokens free their slot in the cap', async () => {
    const clock = new ManualClock();
    const s = await start({ now: clock.now });
    for (let i = 0; i < 8; i++) await getToken(s);
    expect((await api(s, 'get_token', { json: { username: s.clientId, password: s.clientSecret } })).errcode).toBe(60002);
    clock.advance(1800_000);
    expect(s.liveTokenCount()).toBe(0);
    await getToken(s);
  });

  it('refresh invalidates the old access and refresh token by default', async () => {
    const s = await start();
    const { access, refresh } = await getToken(s);
    const r = await api(s, 'refresh_token', { json: { refresh_token: refresh } });
    expect(r.errcode).toBe(0);
    expect(r.access_token).not.toBe(access);
    expect((await api(s, 'extension/list', { token: access })).errcode).toBe(10004);
    expect((await api(s, 'extension/list', { token: r.access_token as string })).errcode).toBe(0);
    expect((await api(s, 'refresh_token', { json: { refresh_token: refresh } })).errcode).toBe(10004);
    expect(s.liveTokenCount()).toBe(1);
  });

  it('keeps the old tokens valid when refreshInvalidatesOld is switched off (also via setOptions)', async () => {
    const s = await start({ refreshInvalidatesOld: false });
    const { access, refresh } = await getToken(s);
    const r = await api(s, 'refresh_token', { json: { refresh_token: refresh } });
    expect((await api(s, 'extension/list', { token: access })).errcode).toBe(0);
    expect((await api(s, 'extension/list', { token: r.access_token as string })).errcode).toBe(0);
    expect(s.liveTokenCount()).toBe(2);
    s.setOptions({ refreshInvalidatesOld: true });
    const r2 = await api(s, 'refresh_token', { json: { refresh_token: r.refresh_token as string } });
    expect(r2.errcode).toBe(0);
    expect((await api(s, 'extension/list', { token: r.access_token as string })).errcode).toBe(10004);
  });

  it('refresh_token with an unknown or missing token', async () => {
    const s = await start();
    expect((await api(s, 'refresh_token', { json: { refresh_token: 'nope' } })).errcode).toBe(10004);
    expect((await api(s, 'refresh_token', { json: {} })).errcode).toBe(40002);
    expect((await api(s, 'refresh_token', { method: 'POST', body: '{not json' })).errcode).toBe(40001);
  });

  it('blocks an IP after 5 consecutive failures (70004 + block_expire_time) until unblockAll or expiry', async () => {
    const clock = new ManualClock();
    const s = await start({ now: clock.now });
    const wrong = { username: s.clientId, password: 'bad' };
    for (let i = 0; i < 5; i++) expect((await api(s, 'get_token', { json: wrong })).errcode).toBe(-1);
    const blocked = await api(s, 'get_token', { json: { username: s.clientId, password: s.clientSecret } });
    expect(blocked.errcode).toBe(70004);
    expect(blocked.errmsg).toBe('ACCOUNT IP BLOCKED');
    expect(blocked.block_expire_time).toBe(Math.floor(clock.now() / 1000) + 1800);
    s.unblockAll();
    await getToken(s);
    for (let i = 0; i < 5; i++) await api(s, 'get_token', { json: wrong });
    expect((await api(s, 'get_token', { json: wrong })).errcode).toBe(70004);
    clock.advance(1800_000);
    await getToken(s);
  });

  it('a success resets the failure count', async () => {
    const s = await start();
    const wrong = { username: 'x', password: 'y' };
    for (let i = 0; i < 4; i++) await api(s, 'get_token', { json: wrong });
    await getToken(s);
    for (let i = 0; i < 4; i++) expect((await api(s, 'get_token', { json: wrong })).errcode).toBe(-1);
    await getToken(s);
  });

  it('honours configured client id/secret, cap and TTL', async () => {
    const s = await start({ clientId: 'id1', clientSecret: 'secret1', maxTokens: 2, accessTtlSec: 60 });
    expect(s.clientId).toBe('id1');
    const r = await api(s, 'get_token', { json: { username: 'id1', password: 'secret1' } });
    expect(r.access_token_expire_time).toBe(60);
    await getToken(s);
    expect((await api(s, 'get_token', { json: { username: 'id1', password: 'secret1' } })).errcode).toBe(60002);
  });

  it('logs requests with the access token redacted', async () => {
    const s = await start();
    const { access } = await getToken(s);
    await api(s, 'extension/list', { token: access, query: { page: 1 } });
    const log = s.requestLog();
    const last = log[log.length - 1];
    expect(last).toMatchObject({ method: 'GET', path: '/openapi/v1.0/extension/list', query: { access_token: '***', page: '1' }, userAgent: 'OpenAPI', errcode: 0, status: 200 });
    expect(JSON.stringify(log)).not.toContain(access);
    expect(JSON.stringify(log)).not.toContain(s.clientSecret);
  });
});

// Token lifecycle against the simulator: expiry mid-session, shared refreshes, the 8-token cap, bad credentials, IP block.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../main/sim/index.js';
import { PbxClient } from '../../../main/core/pbx/index.js';
import { caughtErr, countCalls, expectClean, simHarness, type Scheme } from './sim-helpers.js';

const h = simHarness();
const MIN = 60_000;

describe.each<Scheme>(['http', 'https'])('token lifecycle over %s', (scheme) => {
  it('refreshes proactively before expiry, so no call ever sees 10004, and holds one token', async () => {
    const clock = new ManualClock();
    const sim = await h.sim(scheme, { now: clock.now });
    const c = h.client(sim, { now: clock.now });
    await c.listExtensions();
    clock.advance(29.5 * MIN); // inside the refresh margin
    await c.listExtensions();
    expect(countCalls(sim, 'get_token')).toBe(1);
    expect(countCalls(sim, 'refresh_token')).toBe(1);
    expect(sim.requestLog().some((e) => e.errcode === 10004 && !e.path.endsWith('del_token'))).toBe(false);
    expect(sim.liveTokenCount()).toBe(1);
    clock.advance(45 * MIN); // past expiry entirely
    await c.listExtensions();
    expect(countCalls(sim, 'refresh_token')).toBe(2);
    expect(sim.liveTokenCount()).toBe(1);
    await c.signOut();
    expect(sim.liveTokenCount()).toBe(0);
    expect(countCalls(sim, 'del_token')).toBeGreaterThanOrEqual(1);
  });

  it('recovers from a token expiring mid-session (10004): one refresh, one retry', async () => {
    const sim = await h.sim(scheme);
    const c = h.client(sim);
    await c.listExtensions();
    sim.injectFault({ kind: 'expire-token', path: 'extension/search' });
    expect((await c.searchExtensions('3200')).total).toBeGreaterThan(0);
    const searches = sim.requestLog().filter((e) => e.path.endsWith('/extension/search'));
    expect(searches.map((e) => e.errcode)).toEqual([10004, 0]);
    expect(countCalls(sim, 'refresh_token')).toBe(1);
    expect(countCalls(sim, 'get_token')).toBe(1);
    expect(sim.liveTokenCount()).toBe(1);
  });

  it('falls back to get_token when the refresh token is dead too', async () => {
    const clock = new ManualClock();
    const sim = await h.sim(scheme, { now: clock.now });
    const c = h.client(sim, { now: clock.now });
    await c.listExtensions();
    clock.advance(25 * 60 * MIN); // beyond the 24 h refresh token
    await c.listExtensions();
    expect(countCalls(sim, 'get_token')).toBe(2);
    expect(sim.liveTokenCount()).toBe(1);
  });

  it('uploads survive an expired token too (the body is rebuilt for the retry)', async () => {
    const sim = await h.sim(scheme);
    const c = h.client(sim);
    await c.listExtensions();
    sim.injectFault({ kind: 'expire-token', path: 'extension_vm_greeting/upload' });
    const bytes = Buffer.alloc(50_000, 5);
    await c.uploadGreetingFile({ ext: '3200', filePath: h.file('a.wav', bytes), fileName: 'a.wav', mode: 'force' });
    expect(sim.greetings('3200')[0]!.bytes.equals(bytes)).toBe(true);
  });
});

describe('shared token requests', () => {
  it('concurrent calls on a new client share one get_token', async () => {
    const sim = await h.sim('http', { extensions: 50 });
    const c = h.client(sim);
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? c.listExtensions({ page: (i % 5) + 1 }) : c.searchExtensions(String(3200 + i)))));
    expect(countCalls(sim, 'get_token')).toBe(1);
    expect(sim.liveTokenCount()).toBe(1);
  });

  it('concurrent calls hitting an expired token share one refresh', async () => {
    const sim = await h.sim('https');
    const c = h.client(sim);
    await c.listExtensions();
    sim.injectFault({ kind: 'expire-token', path: 'extension/list' });
    const results = await Promise.all(Array.from({ length: 8 }, () => c.listExtensions()));
    expect(results.every((r) => r.total === 20)).toBe(true);
    expect(countCalls(sim, 'refresh_token')).toBe(1);
    expect(countCalls(sim, 'get_token')).toBe(1);
    expect(sim.requestLog().filter((e) => e.errcode === 10004).length).toBeGreaterThanOrEqual(1);
    expect(sim.liveTokenCount()).toBe(1);
  });

  it('concurrent calls after the clock passes expiry share one refresh', async () => {
    const clock = new ManualClock();
    const sim = await h.sim('http', { now: clock.now });
    const c = h.client(sim, { now: clock.now });
    await c.listExtensions();
    clock.advance(31 * MIN);
    await Promise.all(Array.from({ length: 10 }, () => c.listGreetings('3200')));
    expect(countCalls(sim, 'refresh_token')).toBe(1);
    expect(sim.liveTokenCount()).toBe(1);
  });

  it('revokes the old access token when refresh leaves it alive (variant refreshInvalidatesOld=false)', async () => {
    const clock = new ManualClock();
    const sim = await h.sim('http', { now: clock.now, refreshInvalidatesOld: false });
    const c = h.client(sim, { now: clock.now });
    await c.listExtensions();
    clock.advance(29.5 * MIN);
    await c.listExtensions();
    expect(countCalls(sim, 'refresh_token')).toBe(1);
    expect(sim.liveTokenCount()).toBe(1);
  });
});

describe('credential and cap refusals', () => {
  it('60002: the token cap is reported, not retried, and signing out elsewhere frees a slot', async () => {
    const sim = await h.sim('http', { maxTokens: 2 });
    const a = h.client(sim);
    const b = h.client(sim);
    await a.listExtensions();
    await b.listExtensions();
    const c = h.client(sim);
    const e = await caughtErr(() => c.listExtensions());
    expect(e.code).toBe('PBX_60002');
    expect(e.message).toMatch(/8 tokens in use/);
    expect(countCalls(sim, 'get_token')).toBe(3);
    expectClean(e, sim);
    await a.signOut();
    expect((await c.listExtensions()).total).toBe(20);
    expect(sim.liveTokenCount()).toBe(2);
  });

  it('-1: wrong credentials are sent once per client, never retried', async () => {
    const sim = await h.sim('https');
    const c = h.client(sim, { clientSecret: 'WrongSecretWrongSecretWrong12345' });
    const e1 = await caughtErr(() => c.listExtensions());
    const e2 = await caughtErr(() => c.uploadGreetingFile({ ext: '3200', filePath: h.file('a.wav', Buffer.alloc(10)), fileName: 'a.wav', mode: 'force' }));
    expect(e1.code).toBe('PBX_-1');
    expect(e1.message).toMatch(/Client ID or Client Secret.*Integrations > API/);
    expect(e2.code).toBe('PBX_-1');
    expect(countCalls(sim, 'get_token')).toBe(1);
    expectClean(e1, sim);
    expect(JSON.stringify(e1)).not.toContain('WrongSecret');
  });

  it('70004: after 5 failed logins the IP is blocked, with unblocking advice; unblocking lets a good client in', async () => {
    const sim = await h.sim('http');
    for (let i = 0; i < 5; i++) {
      const bad = new PbxClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: `bad-secret-${i}`, onWarning: () => undefined });
      expect((await caughtErr(() => bad.listExtensions())).code).toBe('PBX_-1');
    }
    const good = h.client(sim);
    const e = await caughtErr(() => good.listExtensions());
    expect(e.code).toBe('PBX_70004');
    expect(e.message).toMatch(/blocked.*Security > Security Rules > Blocked IPs/);
    expectClean(e, sim);
    sim.unblockAll();
    expect((await good.listExtensions()).total).toBe(20);
  });

  it('10005: missing API permission is explained', async () => {
    const sim = await h.sim('http', { deniedEndpoints: ['extension/list'] });
    const e = await caughtErr(() => h.client(sim).listExtensions());
    expect(e.code).toBe('PBX_10005');
    expect(e.message).toMatch(/Integrations > API/);
  });
});

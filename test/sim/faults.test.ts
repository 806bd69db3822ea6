import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../main/sim/index.js';
import { api, getToken, greetingParts, multipart, rawRequest, parseJson } from './helpers.js';

let sim: Simulator | undefined;
let token = '';
async function start(o: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ extensions: 5, ...o });
  token = (await getToken(sim)).access;
  return sim;
}
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const listUrl = (s: Simulator): string => `${s.url}/openapi/v1.0/extension/list?access_token=${token}`;

function uploadRequest(s: Simulator, name: string) {
  const { body, contentType } = multipart(greetingParts('3200', name, Buffer.alloc(64, 1), 'force'));
  return rawRequest(`${s.url}/openapi/v1.0/extension_vm_greeting/upload?access_token=${token}`, { method: 'POST', body, headers: { 'Content-Type': contentType } });
}

describe('fault injection', () => {
  it('latency delays the answer once (times defaults to 1)', async () => {
    const s = await start();
    s.injectFault({ kind: 'latency', ms: 300 });
    let t = Date.now();
    expect(parseJson(await rawRequest(listUrl(s))).errcode).toBe(0);
    expect(Date.now() - t).toBeGreaterThanOrEqual(290);
    t = Date.now();
    await rawRequest(listUrl(s));
    expect(Date.now() - t).toBeLessThan(290);
    expect(s.requestLog().filter((e) => e.fault === 'latency')).toHaveLength(1);
  });

  it('status answers the HTTP 5xx without processing the request', async () => {
    const s = await start();
    s.injectFault({ kind: 'status', status: 503, path: 'extension_vm_greeting/upload' });
    const other = await rawRequest(listUrl(s));
    expect(other.status).toBe(200);
    const r = await uploadRequest(s, 'a.wav');
    expect(r.status).toBe(503);
    expect(parseJson(r).errcode).toBe(-2);
    expect(s.greetings('3200')).toEqual([]);
    expect((await uploadRequest(s, 'a.wav')).status).toBe(200);
    expect(s.greetings('3200')).toHaveLength(1);
  });

  it('reset-mid-body destroys the connection after part of the answer (the request itself was processed)', async () => {
    const s = await start();
    s.injectFault({ kind: 'reset-mid-body', path: 'extension_vm_greeting/upload' });
    await expect(uploadRequest(s, 'cut.wav')).rejects.toThrow();
    expect(s.greetings('3200').map((g) => g.real_filename)).toEqual(['cut.wav']);
    s.injectFault({ kind: 'reset-mid-body' });
    await expect(rawRequest(listUrl(s))).rejects.toThrow();
    expect(parseJson(await rawRequest(listUrl(s))).errcode).toBe(0);
    expect(s.requestLog().filter((e) => e.fault === 'reset-mid-body')).toHaveLength(2);
  });

  it('reset-mid-body can cut a greeting download (resource path filter)', async () => {
    const s = await start();
    s.seedGreeting('3200', 'a.wav', Buffer.alloc(100_000, 5));
    const r = await api(s, 'extension_vm_greeting/download', { token, query: { extension: '3200', file: 'a.wav' } });
    s.injectFault({ kind: 'reset-mid-body', path: '/api/download/*' });
    const url = `${s.url}${r.download_resource_url as string}?access_token=${token}`;
    await expect(rawRequest(url)).rejects.toThrow();
    expect((await rawRequest(url)).body.length).toBe(100_000);
  });

  it('garbled-json sends 200 application/json that does not parse', async () => {
    const s = await start();
    s.injectFault({ kind: 'garbled-json' });
    const r = await rawRequest(listUrl(s));
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(() => JSON.parse(r.body.toString())).toThrow();
  });

  it('html-error sends a 502 text/html page', async () => {
    const s = await start();
    s.injectFault({ kind: 'html-error', path: 'get_token' });
    const r = await rawRequest(`${s.url}/openapi/v1.0/get_token`, { method: 'POST', body: JSON.stringify({ username: s.clientId, password: s.clientSecret }) });
    expect(r.status).toBe(502);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body.toString()).toContain('<title>502 Bad Gateway</title>');
    expect(s.liveTokenCount()).toBe(1);
  });

  it('expire-token makes the next call with a live token answer 10004; the refresh token still works', async () => {
    const s = await start();
    const { access, refresh } = await getToken(s);
    s.injectFault({ kind: 'expire-token' });
    expect((await api(s, 'get_token', { json: { username: s.clientId, password: s.clientSecret } })).errcode).toBe(0); // not consumed here
    expect((await api(s, 'extension/list', { token: access })).errcode).toBe(10004);
    expect((await api(s, 'extension/list', { token })).errcode).toBe(0);
    const r = await api(s, 'refresh_token', { json: { refresh_token: refresh } });
    expect(r.errcode).toBe(0);
    expect((await api(s, 'extension/list', { token: r.access_token as string })).errcode).toBe(0);
  });

  it('times, rate and path filters', async () => {
    const rolls = [0.5, 0.01, 0.9, 0.02];
    const s = await start({ random: () => rolls.shift() ?? 1 });
    s.injectFault({ kind: 'status', status: 500, times: 2, path: 'extension/list' });
    expect((await rawRequest(listUrl(s))).status).toBe(500);
    expect(parseJson(await rawRequest(`${s.url}/openapi/v1.0/extension_vm_greeting/list?extension=3200&access_token=${token}`)).errcode).toBe(0);
    expect((await rawRequest(listUrl(s))).status).toBe(500);
    expect((await rawRequest(listUrl(s))).status).toBe(200);

    s.injectFault({ kind: 'status', status: 502, rate: 0.05 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await rawRequest(listUrl(s))).status);
    expect(statuses).toEqual([200, 502, 200, 502, 200]); // rate without times keeps firing
    s.clearFaults();

    s.injectFault({ kind: 'html-error', path: 'extension_vm_greeting/*', times: 10 });
    expect((await rawRequest(listUrl(s))).status).toBe(200);
    expect((await rawRequest(`${s.url}/openapi/v1.0/extension_vm_greeting/list?extension=3200&access_token=${token}`)).status).toBe(502);
    s.clearFaults();
    expect((await rawRequest(`${s.url}/openapi/v1.0/extension_vm_greeting/list?extension=3200&access_token=${token}`)).status).toBe(200);
  });
});

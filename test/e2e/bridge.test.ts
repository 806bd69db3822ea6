// The e2e test bridge on its own (no browser): static serving under the app's CSP, calls through the real
// dispatcher (sender check, validation, envelope), bytes both ways, and events queued until the page's stream opens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AnalysisResult, IpcResult, SourceBytes, SourceInfo } from '../../main/ipc/channels.js';
import { CONTENT_SECURITY_POLICY } from '../../main/shell/csp.js';
import { tone } from '../helpers/audio-fixtures.js';
import { startBridge, type Bridge } from './bridge/server.js';
import { decodeWire, encodeWire } from './bridge/wire.js';

let tmp = '';
let bridge: Bridge;
let wav: Buffer;

async function call<T>(channel: string, payload: unknown, opts: { origin?: string; client?: string } = {}): Promise<IpcResult<T>> {
  const r = await fetch(`${bridge.origin}/__vmgs/call/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: opts.origin ?? bridge.origin, ...(opts.client ? { 'x-vmgs-client': opts.client } : {}) },
    body: encodeWire(payload),
  });
  expect(r.status).toBe(200);
  return decodeWire(await r.text()) as IpcResult<T>;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-e2e-bridge-'));
  const renderer = path.join(tmp, 'renderer');
  await mkdir(path.join(renderer, 'assets'), { recursive: true });
  await writeFile(path.join(renderer, 'index.html'), '<!doctype html><title>t</title>');
  await writeFile(path.join(renderer, 'assets', 'a.js'), 'export {};');
  await writeFile(path.join(tmp, 'secret.txt'), 'outside the renderer');
  wav = await readFile(await tone(path.join(tmp, 'tone.wav'), { durationSec: 1.5, sampleRate: 16000 }));
  bridge = await startBridge({
    rendererDir: renderer,
    dataDir: path.join(tmp, 'data'),
    startDemoPbx: async () => {
      throw new Error('not used here');
    },
  });
});

afterAll(async () => {
  await bridge?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('e2e test bridge', () => {
  it('serves the renderer under the app CSP and nothing outside it', async () => {
    const index = await fetch(`${bridge.origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect((await fetch(`${bridge.origin}/assets/a.js`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/missing.js']) {
      expect((await fetch(`${bridge.origin}${p}`)).status, p).toBe(404);
    }
  });

  it('routes calls through the real dispatcher: sender check, validation, envelope', async () => {
    expect(await call('listProfiles', {}, { origin: 'http://127.0.0.1:1' })).toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN_SENDER' } });
    expect(await call('nope', {})).toMatchObject({ ok: false, error: { code: 'IPC_BAD_PAYLOAD' } });
    expect(await call('saveProfile', { name: 'x', baseUrl: 'ftp://pbx', clientId: 'c', tls: { mode: 'system' } })).toMatchObject({ ok: false, error: { code: 'IPC_BAD_PAYLOAD' } });
    expect(await call('searchExtensions', { query: '', page: 1, pageSize: 10 })).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
    const saved = await call<{ id: string; hasSecret: boolean }>('saveProfile', { name: 'Office', baseUrl: 'https://pbx.example:8088', clientId: 'c', clientSecret: 's', tls: { mode: 'system' } });
    expect(saved).toMatchObject({ ok: true, value: { hasSecret: true } });
    expect(await call('listProfiles', {})).toMatchObject({ ok: true, value: { profiles: [{ name: 'Office' }] } });
  });

  it('carries bytes both ways and streams progress events, queued until the event stream connects', async () => {
    const client = 'client-1';
    const imported = await call<SourceInfo>('importBytes', { name: 'tone.wav', bytes: new Uint8Array(wav) }, { client });
    expect(imported.ok).toBe(true);
    const src = (imported as { value: SourceInfo }).value;
    expect(src.durationSec).toBeCloseTo(1.5, 1);
    const back = await call<SourceBytes>('readSource', { sourceId: src.sourceId }, { client });
    expect(back.ok && back.value.bytes).toBeInstanceOf(Uint8Array);
    expect(back.ok && Buffer.compare(Buffer.from(back.value.bytes), wav)).toBe(0);

    // Progress is emitted before the page listens: the bridge keeps it for this client.
    const analysed = await call<AnalysisResult>('analyse', { sourceId: src.sourceId, operationId: 'an-1' }, { client });
    expect(analysed.ok).toBe(true);
    const ac = new AbortController();
    const res = await fetch(`${bridge.origin}/__vmgs/events?client=${client}`, { signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes('"an-1"') && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString('utf8');
    }
    ac.abort();
    const events = text.split('\n\n').filter((l) => l.startsWith('data: ')).map((l) => decodeWire(l.slice(6)) as { event: string; payload: { operationId: string } });
    const progress = events.filter((e) => e.event === 'progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((e) => e.payload.operationId === 'an-1')).toBe(true);
    // Everything else on the stream is the app's own broadcast (Outbox, connection), never another page's progress.
    expect(events.every((e) => ['progress', 'outbox', 'connection'].includes(e.event))).toBe(true);
    expect(bridge.calls.map((c) => c.channel)).toContain('analyse');
  });
});

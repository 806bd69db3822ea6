// The test bridge used by the Chromium e2e: same dispatcher (sender check, validation), bytes survive the trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHandlers, type AppHandlers } from '../../main/ipc/handlers/index.js';
import { CHANNEL_NAMES } from '../../main/ipc/channels.js';
import { bridgeClientScript, startHttpBridge, type HttpBridge } from './http-bridge.js';
import { fakeServices } from './fakes.js';

let dir: string;
let app: AppHandlers;
let bridge: HttpBridge;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-bridge-test-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>x</title>');
  app = createHandlers(fakeServices(path.join(dir, 'data')));
  bridge = await startHttpBridge({ handlers: app.handlers, rendererDir: dir });
});
afterAll(async () => {
  await bridge.close();
  await app.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function post(name: string, body: unknown, referer = `${bridge.url}/`) {
  const r = await fetch(`${bridge.url}/ipc/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Referer: referer }, body: JSON.stringify(body) });
  return (await r.json()) as { ok: boolean; value?: unknown; error?: { code: string } };
}

describe('HTTP test bridge', () => {
  it('serves the renderer with the CSP header and refuses traversal', async () => {
    const r = await fetch(`${bridge.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${bridge.url}/..%2f..%2fetc%2fpasswd`)).status).toBe(404);
  });

  it('runs the handlers through the same sender check and validation', async () => {
    expect(await post('listProfiles', {})).toMatchObject({ ok: true });
    expect(await post('listProfiles', {}, 'http://evil.example/')).toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN_SENDER' } });
    expect(await post('searchExtensions', { query: 1 })).toMatchObject({ ok: false, error: { code: 'IPC_BAD_PAYLOAD' } });
  });

  it('round-trips bytes as {$bytes: base64}', async () => {
    const imported = await post('importBytes', { name: 'a.wav', bytes: { $bytes: Buffer.alloc(3000, 5).toString('base64') } });
    expect(imported).toMatchObject({ ok: true, value: { sizeBytes: 3000 } });
    const back = await post('readSource', { sourceId: (imported.value as { sourceId: string }).sourceId });
    const b64 = (back.value as { bytes: { $bytes: string } }).bytes.$bytes;
    expect(Buffer.from(b64, 'base64')).toEqual(Buffer.alloc(3000, 5));
  });

  it('provides a page shim that defines one function per channel', () => {
    const script = bridgeClientScript(CHANNEL_NAMES);
    expect(script).toContain('window.vmgs = Object.freeze(api)');
    for (const n of ['startDemo', 'enqueueUploads', 'listOutbox', 'importDropped']) expect(script).toContain(`"${n}"`);
    for (const n of ['upload', 'decide', 'importPath', 'pathForFile']) expect(script).not.toContain(`"${n}"`);
  });
});

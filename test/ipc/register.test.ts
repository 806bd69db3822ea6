import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHandlers, type AppHandlers } from '../../main/ipc/handlers/index.js';
import { createDispatcher, registerIpcHandlers, trustOrigin, type IpcMainInvokeEventLike, type IpcMainLike } from '../../main/ipc/register.js';
import { CHANNEL_NAMES, ipcChannel } from '../../main/ipc/channels.js';
import { fakeServices } from './fakes.js';

const APP = 'app://vmgs';
function event(url: string | null, sent: [string, unknown][] = []): IpcMainInvokeEventLike {
  return { senderFrame: url === null ? null : { url }, sender: { send: (ch: string, payload: unknown) => void sent.push([ch, payload]) } };
}

let dir: string;
let app: AppHandlers;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-ipc-test-'));
  app = createHandlers(fakeServices(dir));
});
afterEach(async () => {
  await app.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('trustOrigin', () => {
  it('accepts only the exact app origin', () => {
    const t = trustOrigin(APP);
    expect(t('app://vmgs/index.html')).toBe(true);
    expect(t('app://evil/index.html')).toBe(false);
    expect(t('https://vmgs/index.html')).toBe(false);
    expect(t('file:///index.html')).toBe(false);
    expect(t('app://user:pw@vmgs/')).toBe(false);
    expect(t('not a url')).toBe(false);
    expect(trustOrigin('http://127.0.0.1:5173')('http://127.0.0.1:5173/x')).toBe(true);
    expect(trustOrigin('http://127.0.0.1:5173')('http://127.0.0.1:5174/x')).toBe(false);
  });
});

describe('dispatcher', () => {
  it('answers a valid call from the app page', async () => {
    const d = createDispatcher(app.handlers, { isTrustedSender: trustOrigin(APP) });
    const r = await d('listProfiles', {}, event('app://vmgs/index.html'));
    expect(r).toEqual({ ok: true, value: { profiles: [], secretStorage: { available: true, backend: 'memory' } } });
  });

  it('refuses a foreign sender frame, and a missing one, without running the handler', async () => {
    const d = createDispatcher(app.handlers, { isTrustedSender: trustOrigin(APP) });
    const payload = { name: 'x', baseUrl: 'https://pbx.example:8088', clientId: 'id', clientSecret: 's', tls: { mode: 'system' } };
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', null]) {
      const r = await d('saveProfile', payload, event(url));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('IPC_FORBIDDEN_SENDER');
    }
    const list = await d('listProfiles', {}, event('app://vmgs/'));
    expect(list.ok && list.value).toMatchObject({ profiles: [] });
  });

  it.each([
    ['saveProfile', { name: 'x', baseUrl: 'ftp://pbx', clientId: 'id', tls: { mode: 'system' } }, 'baseUrl'],
    ['saveProfile', { name: 'x', baseUrl: 'https://pbx', clientId: 'id', tls: { mode: 'pin', pinSha256: 'zz' } }, 'tls.pinSha256'],
    ['saveProfile', { name: 'x', baseUrl: 'https://pbx', clientId: 'id', tls: { mode: 'system' }, extra: 1 }, ''],
    ['searchExtensions', { query: 'a', page: 0, pageSize: 10 }, 'page'],
    ['searchExtensions', { query: 'a'.repeat(65), page: 1, pageSize: 10 }, 'query'],
    ['appendChunk', { takeId: '../../etc', seq: 0, bytes: new Uint8Array(1) }, 'takeId'],
    ['appendChunk', { takeId: 'abc', seq: 0, bytes: 'not bytes' }, 'bytes'],
    ['enqueueUploads', { draftId: 'd', extensions: ['3200'], name: 'bad name!', ifExists: 'overwrite' }, 'name'],
    ['enqueueUploads', { draftId: 'd', extensions: [], name: 'ok', ifExists: 'overwrite' }, 'extensions'],
    ['enqueueUploads', { draftId: 'd', extensions: ['3200'], name: 'ok', ifExists: 'ask' }, 'ifExists'],
    ['importDropped', { path: '/etc/passwd' }, ''],
    ['renderPreview', { sourceId: 's', operationId: 'o', startSec: 5, endSec: 2, format: 'wav' }, ''],
    ['importDropped', { token: '../x' }, 'token'],
    ['listProfiles', null, ''],
    ['listProfiles', 'x', ''],
  ])('rejects a malformed %s payload', async (name, payload, pathName) => {
    const d = createDispatcher(app.handlers, { isTrustedSender: trustOrigin(APP) });
    const r = await d(name, payload, event('app://vmgs/index.html'));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('IPC_BAD_PAYLOAD');
      const issues = (r.error.detail?.['issues'] ?? []) as { path: string }[];
      expect(issues.map((i) => i.path)).toContain(pathName);
    }
  });

  it('rejects an unknown channel', async () => {
    const d = createDispatcher(app.handlers, { isTrustedSender: trustOrigin(APP) });
    const r = await d('__proto__', {}, event('app://vmgs/'));
    expect(r.ok).toBe(false);
  });

  it('turns a handler error into a typed envelope and hides non-VmgsError text', async () => {
    const d = createDispatcher(
      { ...app.handlers, listProfiles: async () => { throw new Error('secret internal path /home/x'); } },
      { isTrustedSender: trustOrigin(APP) },
    );
    const r = await d('listProfiles', {}, event('app://vmgs/'));
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toContain('/home/x');
    const r2 = await d('searchExtensions', { query: '', page: 1, pageSize: 10 }, event('app://vmgs/'));
    expect(r2).toMatchObject({ ok: false, error: { code: 'NOT_CONNECTED' } });
  });

  it('sends progress events to the requesting sender on the event channel', async () => {
    const d = createDispatcher(app.handlers, { isTrustedSender: trustOrigin(APP) });
    const imported = await d('importBytes', { name: 'a.wav', bytes: new Uint8Array(3000) }, event('app://vmgs/'));
    expect(imported.ok).toBe(true);
    const sent: [string, unknown][] = [];
    const sourceId = imported.ok ? (imported.value as { sourceId: string }).sourceId : '';
    const r = await d('analyse', { sourceId, operationId: 'op-1' }, event('app://vmgs/', sent));
    expect(r.ok).toBe(true);
    expect(sent).toContainEqual(['vmgs-event:progress', { operationId: 'op-1', percent: 50, stage: 'analyse' }]);
  });
});

describe('registerIpcHandlers', () => {
  it('registers one handle per channel under the vmgs: namespace and removes them again', async () => {
    const registry = new Map<string, (e: IpcMainInvokeEventLike, ...a: unknown[]) => unknown>();
    const ipc: IpcMainLike = { handle: (c, l) => void registry.set(c, l), removeHandler: (c) => void registry.delete(c) };
    const off = registerIpcHandlers(ipc, app.handlers, { isTrustedSender: trustOrigin(APP) });
    expect([...registry.keys()].sort()).toEqual(CHANNEL_NAMES.map(ipcChannel).sort());
    const r = await registry.get('vmgs:listProfiles')?.(event('https://evil.example/'), {});
    expect(r).toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN_SENDER' } });
    off();
    expect(registry.size).toBe(0);
  });
});

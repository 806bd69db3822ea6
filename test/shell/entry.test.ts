// The Electron entry wires every security module: mocked electron, real modules.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHANNEL_NAMES, ipcChannel } from '../../main/ipc/channels.js';

interface Recorder {
  events: Map<string, ((...a: unknown[]) => unknown)[]>;
  calls: string[];
  ipc: Map<string, unknown>;
  windows: { options: { webPreferences: Record<string, unknown> }; url?: string }[];
  lock: boolean;
  userData: string;
  ready: () => void;
}
const rec: Recorder = { events: new Map(), calls: [], ipc: new Map(), windows: [], lock: true, userData: '', ready: () => undefined };

vi.mock('electron', () => {
  const readyPromise = () => new Promise<void>((resolve) => (rec.ready = resolve));
  let ready: Promise<void> | null = null;
  const on = (ev: string, l: (...a: unknown[]) => unknown) => {
    rec.events.set(ev, [...(rec.events.get(ev) ?? []), l]);
  };
  class BrowserWindow {
    webContents = { on: () => undefined, setWindowOpenHandler: () => undefined, send: () => undefined };
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      rec.windows.push(this as unknown as Recorder['windows'][number]);
    }
    once() {}
    on() {}
    show() {}
    async loadURL(url: string) {
      (this as unknown as { url: string }).url = url;
    }
  }
  return {
    app: {
      requestSingleInstanceLock: () => rec.lock,
      quit: () => rec.calls.push('quit'),
      on,
      whenReady: () => (ready ??= readyPromise()),
      getPath: () => rec.userData,
      getName: () => 'VM Greeting Studio',
      isPackaged: true,
    },
    BrowserWindow,
    dialog: {},
    ipcMain: { handle: (ch: string, l: unknown) => rec.ipc.set(ch, l), removeHandler: () => undefined },
    Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: () => rec.calls.push('menu') },
    net: { fetch: async () => new Response('') },
    protocol: {
      registerSchemesAsPrivileged: (s: { scheme: string; privileges: Record<string, boolean> }[]) => rec.calls.push(`scheme:${s[0]?.scheme}:${JSON.stringify(s[0]?.privileges)}`),
      handle: (scheme: string) => rec.calls.push(`handle:${scheme}`),
    },
    safeStorage: { isEncryptionAvailable: () => false, encryptString: () => Buffer.alloc(0), decryptString: () => '' },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: () => rec.calls.push('csp') },
        setPermissionRequestHandler: (h: unknown) => h && rec.calls.push('permission-request'),
        setPermissionCheckHandler: (h: unknown) => h && rec.calls.push('permission-check'),
      },
    },
    shell: { openExternal: async () => undefined },
    systemPreferences: { askForMediaAccess: async () => true },
  };
});

beforeEach(async () => {
  vi.resetModules();
  rec.events.clear();
  rec.calls = [];
  rec.ipc.clear();
  rec.windows = [];
  rec.userData = await mkdtemp(path.join(os.tmpdir(), 'vmgs-entry-test-'));
  // The app's drafts/queue/history folder is the one `vmgreet` uses: point it at the test's folder.
  process.env['VMGREET_DATA_DIR'] = path.join(rec.userData, 'shared-data');
});
afterEach(async () => {
  for (const l of rec.events.get('before-quit') ?? []) l({ preventDefault: () => undefined });
  await new Promise((r) => setTimeout(r, 20));
  await rm(rec.userData, { recursive: true, force: true });
});

describe('Electron entry', () => {
  it('quits at once when another instance holds the lock', async () => {
    rec.lock = false;
    await import('../../main/shell/index.js');
    expect(rec.calls).toContain('quit');
    expect(rec.ipc.size).toBe(0);
    rec.lock = true;
  });

  it('registers the secure app:// scheme before ready, then protocol, CSP, permissions, IPC, menu and the window', async () => {
    await import('../../main/shell/index.js');
    expect(rec.calls[0]).toBe('scheme:app:{"standard":true,"secure":true,"supportFetchAPI":true,"stream":true,"codeCache":true}');
    expect(rec.events.has('second-instance')).toBe(true);
    expect(rec.events.has('web-contents-created')).toBe(true);
    rec.ready();
    await vi.waitFor(() => expect(rec.windows).toHaveLength(1));
    expect(rec.calls).toEqual(expect.arrayContaining(['handle:app', 'csp', 'permission-request', 'permission-check', 'menu']));
    // One handler per channel, plus the preload-only channel that turns a dropped file's path into a token.
    expect([...rec.ipc.keys()].sort()).toEqual([...CHANNEL_NAMES.map(ipcChannel), 'vmgs-preload:registerDroppedPath'].sort());
    const register = rec.ipc.get('vmgs-preload:registerDroppedPath') as (e: unknown, p: unknown) => Promise<unknown>;
    await expect(register({ senderFrame: { url: 'https://evil.example/' }, sender: { send: () => undefined } }, '/etc/passwd')).resolves.toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN_SENDER' } });
    await expect(register({ senderFrame: { url: 'app://vmgs/index.html' }, sender: { send: () => undefined } }, '/home/me/a.wav')).resolves.toMatchObject({ ok: true, value: { token: expect.any(String) } });
    const win = rec.windows[0]!;
    expect(win.url).toBe('app://vmgs/index.html');
    expect(win.options.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false });
    // a call from a foreign frame is refused by the registered handler
    const handler = rec.ipc.get('vmgs:listProfiles') as (e: unknown, p: unknown) => Promise<unknown>;
    await expect(handler({ senderFrame: { url: 'https://evil.example/' }, sender: { send: () => undefined } }, {})).resolves.toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN_SENDER' } });
    await expect(handler({ senderFrame: { url: 'app://vmgs/index.html' }, sender: { send: () => undefined } }, {})).resolves.toMatchObject({
      ok: true, value: { secretStorage: { available: false } },
    });
    // Drafts live in the data folder shared with the CLI, not under userData.
    const drafts = rec.ipc.get('vmgs:listDrafts') as (e: unknown, p: unknown) => Promise<unknown>;
    await drafts({ senderFrame: { url: 'app://vmgs/index.html' }, sender: { send: () => undefined } }, { page: 1, pageSize: 10 });
    await expect(stat(path.join(rec.userData, 'shared-data', 'library', 'index.json'))).resolves.toBeTruthy();
  });
});

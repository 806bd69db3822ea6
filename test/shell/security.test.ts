// Main-process security policy with a mocked electron module: window webPreferences, CSP, permissions,
// navigation blocking and the custom protocol's path handling.
import { describe, expect, it, vi, beforeEach } from 'vitest';

const opened: string[] = [];
vi.mock('electron', () => {
  class BrowserWindow {
    static instances: BrowserWindow[] = [];
    readonly listeners = new Map<string, ((...a: unknown[]) => unknown)[]>();
    readonly onceListeners = new Map<string, () => void>();
    windowOpenHandler: ((d: { url: string }) => { action: string }) | undefined;
    loaded: string | undefined;
    shown = false;
    readonly webContents = {
      on: (ev: string, l: (...a: unknown[]) => unknown) => {
        this.listeners.set(ev, [...(this.listeners.get(ev) ?? []), l]);
      },
      setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => {
        this.windowOpenHandler = h;
      },
    };
    constructor(readonly options: Record<string, unknown>) {
      BrowserWindow.instances.push(this);
    }
    once(ev: string, l: () => void) {
      this.onceListeners.set(ev, l);
    }
    show() {
      this.shown = true;
    }
    async loadURL(url: string) {
      this.loaded = url;
    }
  }
  return { BrowserWindow, shell: { openExternal: vi.fn(async (u: string) => void opened.push(u)) } };
});

import { BrowserWindow, shell } from 'electron';
import { createMainWindow, secureWebPreferences } from '../../main/shell/window.js';
import { CONTENT_SECURITY_POLICY, installCsp, withCsp } from '../../main/shell/csp.js';
import { allowPermissionCheck, allowPermissionRequest, askForMicrophone, installPermissionHandlers, type PermissionSessionLike } from '../../main/shell/permissions.js';
import { APP_ORIGIN, APP_START_URL, handleAppProtocol, resolveAppPath } from '../../main/shell/protocol.js';
import { trustOrigin } from '../../main/ipc/register.js';

type FakeWin = InstanceType<typeof BrowserWindow> & {
  options: { webPreferences: Record<string, unknown> };
  listeners: Map<string, ((...a: unknown[]) => unknown)[]>;
  onceListeners: Map<string, () => void>;
  windowOpenHandler: (d: { url: string }) => { action: string };
  loaded: string;
  shown: boolean;
};

const isApp = trustOrigin(APP_ORIGIN);

function makeWindow(): FakeWin {
  return createMainWindow(BrowserWindow as never, { preloadPath: '/app/preload.cjs', startUrl: APP_START_URL, openExternal: (u) => shell.openExternal(u) }) as unknown as FakeWin;
}
function fire(win: FakeWin, ev: string, url: string): boolean {
  let prevented = false;
  for (const l of win.listeners.get(ev) ?? []) l({ preventDefault: () => (prevented = true) }, url);
  return prevented;
}

beforeEach(() => {
  opened.length = 0;
});

describe('main window', () => {
  it('uses isolated, sandboxed web preferences with no Node and web security on', () => {
    const win = makeWindow();
    const wp = win.options.webPreferences;
    expect(wp).toMatchObject({
      contextIsolation: true, sandbox: true, nodeIntegration: false, nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false,
      webSecurity: true, allowRunningInsecureContent: false, experimentalFeatures: false, webviewTag: false, preload: '/app/preload.cjs',
    });
    expect(wp).not.toHaveProperty('enableBlinkFeatures');
    expect(secureWebPreferences('x').sandbox).toBe(true);
    expect(win.options).toMatchObject({ minWidth: 1024, minHeight: 700, show: false });
    expect(win.loaded).toBe('app://vmgs/index.html');
    win.onceListeners.get('ready-to-show')?.();
    expect(win.shown).toBe(true);
  });

  it('blocks every navigation and redirect; opens only allow-listed links externally', async () => {
    const win = makeWindow();
    expect(fire(win, 'will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(fire(win, 'will-navigate', 'app://vmgs/other.html')).toBe(true);
    expect(fire(win, 'will-navigate', 'https://help.yeastar.com/en/p-series-software-edition')).toBe(true);
    expect(fire(win, 'will-redirect', 'https://evil.example/')).toBe(true);
    expect(fire(win, 'will-attach-webview', '')).toBe(true);
    await Promise.resolve();
    expect(opened).toEqual(['https://help.yeastar.com/en/p-series-software-edition']);
  });

  it('denies window.open, handing allow-listed https links to the OS browser only', async () => {
    const win = makeWindow();
    expect(win.windowOpenHandler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(win.windowOpenHandler({ url: 'http://help.yeastar.com/' })).toEqual({ action: 'deny' });
    expect(win.windowOpenHandler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(win.windowOpenHandler({ url: 'https://github.com/x/y' })).toEqual({ action: 'deny' });
    await Promise.resolve();
    expect(opened).toEqual(['https://github.com/x/y']);
  });
});

describe('content security policy', () => {
  it('allows no remote origin and no inline or eval script', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['media-src']).toEqual(["'self'", 'blob:']);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/https?:|\*|unsafe-eval/);
  });

  it('is added to every response, replacing a header the response brought', () => {
    let listener: ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: { responseHeaders?: Record<string, string[]> }) => void) => void) | undefined;
    installCsp({ webRequest: { onHeadersReceived: (l) => void (listener = l) } });
    let out: Record<string, string[]> | undefined;
    listener?.({ responseHeaders: { 'content-security-policy': ["default-src *"], 'Content-Type': ['text/html'] } }, (r) => (out = r.responseHeaders));
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY], 'X-Content-Type-Options': ['nosniff'] });
    expect(withCsp(undefined)['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
  });

  it('matches the meta tag in the renderer page', async () => {
    const { readFile } = await import('node:fs/promises');
    const html = await readFile(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
    // frame-ancestors is ignored in a meta tag; everything else must be identical.
    expect(meta).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
  });
});

describe('permissions', () => {
  function session() {
    const calls: string[] = [];
    let request: Parameters<PermissionSessionLike['setPermissionRequestHandler']>[0] = null;
    let check: Parameters<PermissionSessionLike['setPermissionCheckHandler']>[0] = null;
    const ses: PermissionSessionLike = {
      setPermissionRequestHandler: (h) => { calls.push(h ? 'request' : 'request-reset'); request = h; },
      setPermissionCheckHandler: (h) => { calls.push(h ? 'check' : 'check-reset'); check = h; },
    };
    installPermissionHandlers(ses, isApp);
    const ask = (permission: string, details: { requestingUrl?: string; mediaTypes?: ('audio' | 'video')[] }) => {
      let granted: boolean | undefined;
      request?.({}, permission, (g) => (granted = g), details);
      return granted;
    };
    const probe = (permission: string, origin: string, mediaType?: 'audio' | 'video' | 'unknown') =>
      check?.({}, permission, origin, mediaType ? { mediaType } : {});
    return { calls, ask, probe };
  }

  it('installs both handlers, resetting them first', () => {
    expect(session().calls).toEqual(['request-reset', 'check-reset', 'request', 'check']);
  });

  it('grants the microphone to the app page only', () => {
    const { ask, probe } = session();
    expect(ask('media', { requestingUrl: 'app://vmgs/index.html', mediaTypes: ['audio'] })).toBe(true);
    expect(probe('media', 'app://vmgs', 'audio')).toBe(true);
    expect(ask('media', { requestingUrl: 'https://evil.example/', mediaTypes: ['audio'] })).toBe(false);
    expect(probe('media', 'https://evil.example', 'audio')).toBe(false);
    expect(ask('media', { requestingUrl: 'file:///x.html', mediaTypes: ['audio'] })).toBe(false);
  });

  it('denies the camera, audio+video, geolocation, notifications and everything else', () => {
    const { ask, probe } = session();
    expect(ask('media', { requestingUrl: 'app://vmgs/', mediaTypes: ['video'] })).toBe(false);
    expect(ask('media', { requestingUrl: 'app://vmgs/', mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(ask('media', { requestingUrl: 'app://vmgs/', mediaTypes: [] })).toBe(false);
    expect(probe('media', 'app://vmgs', 'video')).toBe(false);
    for (const p of ['geolocation', 'notifications', 'display-capture', 'clipboard-read', 'openExternal', 'midiSysex', 'hid', 'usb']) {
      expect(ask(p, { requestingUrl: 'app://vmgs/' })).toBe(false);
      expect(probe(p, 'app://vmgs')).toBe(false);
    }
    expect(allowPermissionRequest('media', {}, isApp)).toBe(false);
    expect(allowPermissionCheck('media', 'app://vmgs', { mediaType: 'audio', requestingUrl: 'https://evil.example/' }, isApp)).toBe(false);
  });

  it('asks macOS for microphone access, and nothing elsewhere', async () => {
    const prefs = { askForMediaAccess: vi.fn(async () => true) };
    await expect(askForMicrophone('darwin', prefs)).resolves.toBe(true);
    await expect(askForMicrophone('linux', prefs)).resolves.toBe(true);
    expect(prefs.askForMediaAccess).toHaveBeenCalledTimes(1);
    expect(prefs.askForMediaAccess).toHaveBeenCalledWith('microphone');
  });
});

describe('app:// protocol', () => {
  it('maps URLs inside the renderer folder and refuses traversal and other hosts', () => {
    expect(resolveAppPath('/r', 'app://vmgs/')).toBe('/r/index.html');
    expect(resolveAppPath('/r', 'app://vmgs/assets/index-1.js')).toBe('/r/assets/index-1.js');
    expect(resolveAppPath('/r', 'app://vmgs/../etc/passwd')).toBe('/r/etc/passwd');
    expect(resolveAppPath('/r', 'app://vmgs/%2e%2e/%2e%2e/etc/passwd')).toBe('/r/etc/passwd');
    expect(resolveAppPath('/r', 'app://vmgs/a%00b')).toBeNull();
    expect(resolveAppPath('/r', 'app://vmgs/%E0%A4%A')).toBeNull();
    expect(resolveAppPath('/r', 'app://other/index.html')).toBeNull();
    expect(resolveAppPath('/r', 'file:///r/index.html')).toBeNull();
  });

  it('serves files with the CSP header and 404s the rest', async () => {
    let handler: ((r: Request) => Response | Promise<Response>) | undefined;
    const fetched: string[] = [];
    handleAppProtocol({ handle: (_s, h) => void (handler = h) }, async (u) => {
      fetched.push(u);
      return u.endsWith('/missing.js') ? new Response('', { status: 404 }) : new Response('<html>');
    }, '/r');
    const ok = await handler!(new Request('app://vmgs/index.html'));
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect((await handler!(new Request('app://vmgs/missing.js'))).status).toBe(404);
    expect((await handler!(new Request('app://evil/index.html'))).status).toBe(404);
    expect((await handler!(new Request('app://vmgs/x', { method: 'POST', body: 'x' }))).status).toBe(405);
    expect(fetched).toEqual(['file:///r/index.html', 'file:///r/missing.js']);
  });
});

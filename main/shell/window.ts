// The one application window and the navigation rules for every web contents: the page never navigates away,
// never opens windows, never attaches webviews; allow-listed links go to the system browser.
import { isAllowedExternalUrl } from '../ipc/channels.js';

export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}

export interface PreventableEvent {
  preventDefault(): void;
}
export interface WebContentsLike {
  on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
}

export interface HardenOptions {
  openExternal(url: string): Promise<void> | void;
}

/** Blocks navigation, redirects, popups and webviews; hands allow-listed https links to the OS browser. */
export function hardenWebContents(wc: WebContentsLike, opts: HardenOptions): void {
  const maybeOpen = (url: string) => {
    if (isAllowedExternalUrl(url)) void Promise.resolve(opts.openExternal(url)).catch(() => undefined);
  };
  wc.on('will-navigate', (event, url) => {
    event.preventDefault();
    maybeOpen(url);
  });
  wc.on('will-redirect', (event) => {
    event.preventDefault();
  });
  wc.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  wc.setWindowOpenHandler(({ url }) => {
    maybeOpen(url);
    return { action: 'deny' };
  });
}

export interface BrowserWindowCtor<W> {
  new (options: {
    width: number;
    height: number;
    minWidth: number;
    minHeight: number;
    title: string;
    show: boolean;
    backgroundColor: string;
    webPreferences: ReturnType<typeof secureWebPreferences>;
  }): W;
}

export interface WindowLike {
  webContents: WebContentsLike;
  once(event: 'ready-to-show', listener: () => void): unknown;
  show(): void;
  loadURL(url: string): Promise<void>;
}

export function createMainWindow<W extends WindowLike>(
  BrowserWindow: BrowserWindowCtor<W>,
  opts: { preloadPath: string; startUrl: string } & HardenOptions,
): W {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 1024,
    minHeight: 700,
    title: 'VM Greeting Studio',
    show: false,
    backgroundColor: '#f7f7f8',
    webPreferences: secureWebPreferences(opts.preloadPath),
  });
  hardenWebContents(win.webContents, opts);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(opts.startUrl);
  return win;
}

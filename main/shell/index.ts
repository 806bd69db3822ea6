// Electron entry point. Kept thin: each security rule lives in its own module; logic lives in main/core and the
// IPC handlers (main/ipc), which are plain Node and shared with the tests.
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, safeStorage, session, shell, systemPreferences } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAllowedExternalUrl, ipcEventChannel, type MenuCommand } from '../ipc/channels.js';
import type { AppHandlers } from '../ipc/handlers/index.js';
import { registerIpcHandlers, registerPreloadChannels, trustOrigin } from '../ipc/register.js';
import { composeApp } from './compose.js';
import { installCsp } from './csp.js';
import { electronDialogs } from './dialogs.js';
import { buildMenuTemplate } from './menu.js';
import { askForMicrophone, installPermissionHandlers } from './permissions.js';
import { FileProfileStore } from './profile-store.js';
import { APP_ORIGIN, APP_START_URL, handleAppProtocol, registerAppScheme } from './protocol.js';
import { ElectronSecretStore } from './secret-store.js';
import { createMainWindow, hardenWebContents } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '..', '..', 'renderer');
const isAppUrl = trustOrigin(APP_ORIGIN);
const openExternal = async (url: string): Promise<void> => {
  if (isAllowedExternalUrl(url)) await shell.openExternal(url);
};

let mainWindow: BrowserWindow | null = null;
let appHandlers: AppHandlers | null = null;

registerAppScheme(protocol);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  // Every web contents (including any the app did not create itself) gets the navigation rules.
  app.on('web-contents-created', (_e, wc) => hardenWebContents(wc, { openExternal }));

  void app.whenReady().then(async () => {
    handleAppProtocol(protocol, (u) => net.fetch(u), rendererDir);
    installCsp(session.defaultSession);
    installPermissionHandlers(session.defaultSession, isAppUrl);
    await askForMicrophone(process.platform, systemPreferences);

    const userData = app.getPath('userData');
    const profiles = new FileProfileStore(path.join(userData, 'settings.json'), new ElectronSecretStore(safeStorage));
    // Drafts, the Outbox (queue) and history live in the data folder shared with `vmgreet` (VMGREET_DATA_DIR, else
    // defaultDataDir()); profiles and their encrypted secrets stay in the app's own settings.
    appHandlers = composeApp({
      profiles,
      legacyWorkspaceDir: path.join(userData, 'workspace'),
      dialogs: electronDialogs(dialog, () => mainWindow ?? undefined),
      openExternal,
      broadcast: {
        emit(event, payload) {
          const wc = mainWindow?.webContents;
          if (wc && wc.isDestroyed?.() !== true) wc.send(ipcEventChannel(event), payload);
        },
      },
    });
    registerIpcHandlers(ipcMain, appHandlers.handlers, { isTrustedSender: isAppUrl });
    registerPreloadChannels(ipcMain, appHandlers.dropped, { isTrustedSender: isAppUrl });

    const send = (command: MenuCommand) => mainWindow?.webContents.send(ipcEventChannel('menu'), { command });
    const template = buildMenuTemplate({
      isMac: process.platform === 'darwin',
      appName: app.getName(),
      devTools: !app.isPackaged,
      send,
      openHelp: () => void openExternal('https://help.yeastar.com/en/p-series-software-edition/developer-guide/about-this-guide.html'),
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template as Electron.MenuItemConstructorOptions[]));

    mainWindow = createMainWindow(BrowserWindow, { preloadPath: path.join(here, 'preload.cjs'), startUrl: APP_START_URL, openExternal });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  });

  app.on('window-all-closed', () => {
    app.quit();
  });

  let disposed = false;
  app.on('before-quit', (event) => {
    if (disposed || !appHandlers) return;
    // Sign out of the PBX, stop the demo simulator and remove previews before quitting.
    event.preventDefault();
    disposed = true;
    void appHandlers.dispose().finally(() => app.quit());
  });
}

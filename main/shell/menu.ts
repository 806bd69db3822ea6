// Application menu with the usual shortcuts; app-specific items send a MenuCommand to the renderer.
import type { MenuCommand } from '../ipc/channels.js';

export interface MenuItemSpec {
  label?: string;
  role?: string;
  accelerator?: string;
  type?: 'separator';
  click?: () => void;
  submenu?: MenuItemSpec[];
}

export function buildMenuTemplate(opts: { isMac: boolean; appName: string; devTools: boolean; send(command: MenuCommand): void; openHelp(): void }): MenuItemSpec[] {
  const sep: MenuItemSpec = { type: 'separator' };
  const template: MenuItemSpec[] = [];
  if (opts.isMac) {
    template.push({
      label: opts.appName,
      submenu: [{ role: 'about' }, sep, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, sep, { role: 'quit' }],
    });
  }
  template.push({
    label: 'File',
    submenu: [
      { label: 'Connect to PBX…', accelerator: 'CmdOrCtrl+K', click: () => opts.send('connect') },
      { label: 'Import Audio…', accelerator: 'CmdOrCtrl+O', click: () => opts.send('import') },
      { label: 'Record', accelerator: 'CmdOrCtrl+Shift+R', click: () => opts.send('record') },
      sep,
      opts.isMac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({
    label: 'Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, sep, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  });
  template.push({
    label: 'View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      sep,
      { role: 'togglefullscreen' },
      ...(opts.devTools ? [sep, { role: 'toggleDevTools' }] : []),
    ],
  });
  template.push({ label: 'Window', submenu: [{ role: 'minimize' }, ...(opts.isMac ? [{ role: 'zoom' }, sep, { role: 'front' }] : [{ role: 'close' }])] });
  template.push({
    role: 'help',
    submenu: [
      { label: 'Keyboard Shortcuts', click: () => opts.send('help') },
      { label: 'Yeastar P-Series API Help', click: () => opts.openHelp() },
    ],
  });
  return template;
}

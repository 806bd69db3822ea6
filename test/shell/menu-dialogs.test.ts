import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate, type MenuItemSpec } from '../../main/shell/menu.js';
import { electronDialogs } from '../../main/shell/dialogs.js';

function flat(items: MenuItemSpec[]): MenuItemSpec[] {
  return items.flatMap((i) => [i, ...flat(i.submenu ?? [])]);
}

describe('application menu', () => {
  it('has the usual edit/view shortcuts and app commands that reach the renderer', () => {
    const send = vi.fn();
    const items = flat(buildMenuTemplate({ isMac: false, appName: 'VM Greeting Studio', devTools: false, send, openHelp: vi.fn() }));
    const roles = items.map((i) => i.role).filter(Boolean);
    for (const r of ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'zoomIn', 'zoomOut', 'resetZoom', 'togglefullscreen', 'quit', 'minimize']) expect(roles).toContain(r);
    expect(roles).not.toContain('toggleDevTools');
    expect(roles).not.toContain('reload');
    const byLabel = (l: string) => items.find((i) => i.label === l)!;
    expect(byLabel('Import Audio…').accelerator).toBe('CmdOrCtrl+O');
    expect(byLabel('Connect to PBX…').accelerator).toBe('CmdOrCtrl+K');
    byLabel('Import Audio…').click?.();
    byLabel('Record').click?.();
    expect(send.mock.calls).toEqual([['import'], ['record']]);
  });

  it('adds the macOS app menu, and dev tools only in development', () => {
    const items = buildMenuTemplate({ isMac: true, appName: 'VM Greeting Studio', devTools: true, send: vi.fn(), openHelp: vi.fn() });
    expect(items[0]?.label).toBe('VM Greeting Studio');
    expect(flat(items).map((i) => i.role)).toContain('toggleDevTools');
  });
});

describe('file dialogs', () => {
  it('offers only audio files and maps cancel to null', async () => {
    const dialog = {
      showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: ['/home/me/a.wav'] })),
      showSaveDialog: vi.fn(async () => ({ canceled: true, filePath: '' })),
    };
    const d = electronDialogs(dialog, () => 'win');
    await expect(d.openAudioFile()).resolves.toBe('/home/me/a.wav');
    const opts = dialog.showOpenDialog.mock.calls[0] as unknown as [string, { filters: { extensions: string[] }[]; properties: string[] }];
    expect(opts[0]).toBe('win');
    expect(opts[1].properties).toEqual(['openFile']);
    expect(opts[1].filters[0]?.extensions).toEqual(expect.arrayContaining(['wav', 'mp3', 'gsm', 'webm']));
    await expect(d.saveFile('x.wav')).resolves.toBeNull();
  });
});

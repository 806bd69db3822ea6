// Native file dialogs behind the DialogsPort used by the IPC handlers.
import { IMPORT_EXTENSIONS } from '../ipc/workspace.js';
import type { DialogsPort } from '../ipc/services.js';

export interface DialogLike<W> {
  showOpenDialog(win: W, options: { title: string; properties: 'openFile'[]; filters: { name: string; extensions: string[] }[] }): Promise<{ canceled: boolean; filePaths: string[] }>;
  showSaveDialog(win: W, options: { title: string; defaultPath: string }): Promise<{ canceled: boolean; filePath?: string }>;
}

export function electronDialogs<W>(dialog: DialogLike<W>, getWindow: () => W): DialogsPort {
  return {
    async openAudioFile() {
      const r = await dialog.showOpenDialog(getWindow(), {
        title: 'Import a greeting',
        properties: ['openFile'],
        filters: [{ name: 'Audio', extensions: IMPORT_EXTENSIONS.map((e) => e.slice(1)) }],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async openTemplatesFile() {
      const r = await dialog.showOpenDialog(getWindow(), { title: 'Import greeting templates', properties: ['openFile'], filters: [{ name: 'Templates', extensions: ['json'] }] });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async openCsvFile() {
      const r = await dialog.showOpenDialog(getWindow(), {
        title: 'Choose a CSV mapping (extension,file[,name])',
        properties: ['openFile'],
        filters: [{ name: 'CSV', extensions: ['csv', 'txt'] }],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async openCertificateFile() {
      const r = await dialog.showOpenDialog(getWindow(), {
        title: 'Choose the PBX or CA certificate (PEM)',
        properties: ['openFile'],
        filters: [{ name: 'Certificates', extensions: ['pem', 'crt', 'cer'] }, { name: 'All files', extensions: ['*'] }],
      });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
    async saveFile(defaultName) {
      const r = await dialog.showSaveDialog(getWindow(), { title: 'Save greeting', defaultPath: defaultName });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
  };
}

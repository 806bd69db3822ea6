// Preload (sandboxed): exposes a narrow, named API to the renderer, never the raw ipcRenderer.
// A sandboxed preload cannot require project files, so this is bundled to one CommonJS file by preload.vite.config.ts.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('vmgs', {
  version: '0.1.0',
});

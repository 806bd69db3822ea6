// Preload (sandboxed): exposes window.vmgs = one named function per channel of the typed map, plus typed event
// subscriptions. Never the raw ipcRenderer. Bundled to one CommonJS file by preload.vite.config.ts, because a
// sandboxed preload can only require('electron').
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildVmgsApi } from './preload-api.js';

contextBridge.exposeInMainWorld('vmgs', buildVmgsApi(ipcRenderer, webUtils));

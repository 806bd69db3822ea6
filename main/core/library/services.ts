// One call for the CLI and the app: the drafts library, queue, history and a worker over one data folder.
import { DraftLibrary, type OpenReport } from './drafts.js';
import { HistoryStore } from './history.js';
import { UploadQueue } from './queue.js';
import type { RenderFn } from './types.js';
import { QueueWorker, type QueueWorkerOptions, type TransportFor } from './worker.js';

export interface LibraryServices {
  dataDir: string;
  drafts: DraftLibrary;
  queue: UploadQueue;
  history: HistoryStore;
  worker: QueueWorker;
  /** What `drafts.open()` found (recovered index etc.); show it when `recovered` is true. */
  openReport: OpenReport;
}

export async function openLibrary(opts: {
  dataDir: string;
  renderer?: RenderFn;
  transportFor: TransportFor;
  worker?: Omit<QueueWorkerOptions, 'queue' | 'history' | 'transportFor'>;
}): Promise<LibraryServices> {
  const drafts = new DraftLibrary({ dataDir: opts.dataDir, ...(opts.renderer ? { renderer: opts.renderer } : {}) });
  const openReport = await drafts.open();
  const queue = new UploadQueue({ dataDir: opts.dataDir, drafts });
  const history = new HistoryStore({ dataDir: opts.dataDir });
  const worker = new QueueWorker({ ...opts.worker, queue, history, transportFor: opts.transportFor });
  return { dataDir: opts.dataDir, drafts, queue, history, worker, openReport };
}

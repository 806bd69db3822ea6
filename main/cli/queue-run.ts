// Runs queue items through the library's worker with the CLI's connection, showing per-item lines on a terminal
// and turning the run's summary into an exit code.
import type { QueueItem, QueueProgress, QueueRunSummary } from '../core/library/index.js';
import type { PbxClient } from '../core/pbx/index.js';
import type { ResolvedConnection } from './connection.js';
import { UsageError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { isForConnection } from './library-context.js';
import type { Output } from './output.js';
import { renderTable } from './table.js';

const NETWORK_CODES = /^(PBX_(CONNECTION|TLS|TIMEOUT|HTML|INVALID_JSON|UNEXPECTED|HTTP_STATUS|NETWORK|UNREACHABLE|HOST_NOT_FOUND|HTTPS?_TO))/;

/**
 * 0 when every item ended well; otherwise the code of the worst failure: 4 network/TLS, 3 PBX refused,
 * 5 only "name exists" under --if-exists fail, 2 only bad input rows, 1 when items were cancelled or left unfinished.
 */
export function batchExit(items: readonly Pick<QueueItem, 'state' | 'lastError'>[], inputErrors: number): number {
  const failed = items.filter((i) => i.state === 'failed');
  if (failed.length > 0) {
    const codes = failed.map((i) => i.lastError?.code ?? '');
    if (codes.some((c) => NETWORK_CODES.test(c))) return EXIT.network;
    if (codes.every((c) => c === 'GREETING_EXISTS')) return EXIT.exists;
    return EXIT.pbx;
  }
  if (inputErrors > 0) return EXIT.input;
  if (items.some((i) => i.state === 'cancelled' || i.state === 'pending' || i.state === 'running')) return EXIT.usage;
  return EXIT.ok;
}

export async function runQueueItems(opts: {
  dataDir: string;
  client: PbxClient;
  conn: ResolvedConnection;
  ids: string[];
  concurrency: number;
  out: Output;
  signal: AbortSignal;
}): Promise<{ summary: QueueRunSummary; items: QueueItem[] }> {
  const { UploadQueue, HistoryStore, QueueWorker, DraftLibrary } = await import('../core/library/index.js');
  const drafts = new DraftLibrary({ dataDir: opts.dataDir });
  const queue = new UploadQueue({ dataDir: opts.dataDir, drafts });
  const history = new HistoryStore({ dataDir: opts.dataDir });
  const worker = new QueueWorker({
    queue,
    history,
    concurrency: opts.concurrency,
    holder: 'cli',
    transportFor: (target) => {
      if (!isForConnection(target, opts.conn)) throw new UsageError(`This queue item is for another PBX (${target.pbx.origin || target.pbxProfileId}); run it with that PBX's connection settings.`, 'CLI_OTHER_PBX');
      return opts.client;
    },
  });
  const bar = opts.out.progress('Uploading', Math.max(1, opts.ids.length), 'items');
  const onProgress = (p: QueueProgress): void => {
    bar.update(p.done);
    if (p.state === 'failed' || p.state === 'uploaded' || p.state === 'skipped' || p.state === 'renamed' || p.state === 'cancelled') {
      if (!opts.out.interactive) return;
      opts.out.info(`  ${p.ext.padStart(6)}  ${(p.target ?? '').padEnd(24)}  ${p.state}${p.error ? `: ${p.error.message}` : ''}`);
    } else if (p.error?.retryInMs !== undefined) {
      opts.out.warn(`extension ${p.ext}: ${p.error.message} (retrying in ${(p.error.retryInMs / 1000).toFixed(1)} s)`);
    }
  };
  try {
    const summary = await worker.run({ ids: opts.ids, signal: opts.signal, onProgress });
    return { summary, items: await queue.list({ ids: opts.ids }) };
  } finally {
    bar.stop();
  }
}

export function itemsTable(items: readonly QueueItem[]): string {
  return renderTable(items, [
    { header: 'EXT', value: (i) => i.ext, align: 'right' },
    { header: 'NAME', value: (i) => i.target ?? i.fileName },
    { header: 'RESULT', value: (i) => (i.state === 'uploaded' ? (i.action ?? 'uploaded') : i.state) },
    { header: 'DETAIL', value: (i) => i.reason ?? i.lastError?.message ?? '' },
    { header: 'HISTORY', value: (i) => i.historyId ?? '' },
  ]);
}

export function summaryLine(s: QueueRunSummary): string {
  const parts = [
    s.created ? `${s.created} created` : '',
    s.overwritten ? `${s.overwritten} overwritten (old greeting backed up)` : '',
    s.renamed ? `${s.renamed} renamed` : '',
    s.skipped ? `${s.skipped} skipped` : '',
    s.failed ? `${s.failed} failed` : '',
    s.cancelled ? `${s.cancelled} cancelled` : '',
    s.unfinished ? `${s.unfinished} unfinished` : '',
  ].filter(Boolean);
  return `${s.total} item${s.total === 1 ? '' : 's'}: ${parts.join(', ') || 'nothing to do'}.`;
}

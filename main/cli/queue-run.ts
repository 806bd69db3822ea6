// Runs queue items through the library's worker with the CLI's connection (the same worker the app runs: ask, backup
// before overwrite, force, history), showing per-item lines on a terminal and turning the outcome into an exit code.
import type { DryRunReport, DryRunRow, QueueItem, QueueProgress, QueueRunSummary } from '../core/library/index.js';
import type { PbxClient } from '../core/pbx/index.js';
import { UPLOAD_ACTION_LABELS } from '../core/domain.js';
import type { ResolvedConnection } from './connection.js';
import { UsageError } from './errors.js';
import { EXIT, exitCodeForKind } from './exit-codes.js';
import { isForConnection } from './library-context.js';
import type { Output } from './output.js';
import { renderTable } from './table.js';

type ExitItem = Pick<QueueItem, 'state' | 'lastError'>;

/**
 * 0 when every item ended well; otherwise the code of the worst problem, read from the kind each failure's error
 * class gave it: 4 network/TLS (also: the PBX became unreachable and items stay queued), 3 PBX refused, 5 only "name
 * exists" under --if-exists fail, 2 only bad input rows, 1 when items were cancelled or left unfinished.
 */
export function batchExit(items: readonly ExitItem[], inputErrors: number): number {
  const failed = items.filter((i) => i.state === 'failed');
  const offline = items.some((i) => (i.state === 'pending' || i.state === 'running') && i.lastError?.unreachable === true);
  // Files written before errors kept their kind were PBX or network failures; the PBX is the safer guess.
  const codes = failed.map((i) => exitCodeForKind(i.lastError?.kind ?? 'pbx'));
  if (offline || codes.includes(EXIT.network)) return EXIT.network;
  if (codes.length > 0) {
    if (codes.every((c) => c === EXIT.exists)) return EXIT.exists;
    if (codes.includes(EXIT.pbx)) return EXIT.pbx;
    return Math.max(...codes.filter((c) => c !== EXIT.exists));
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
  /** Stops the run: unfinished items go back to pending (a later `queue run` finishes them). */
  signal?: AbortSignal;
  /** Cancels the items instead (a one-off `upload` that is interrupted should not upload later). */
  cancelOn?: AbortSignal;
  onProgress?: (p: QueueProgress) => void;
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
    opts.onProgress?.(p);
    bar.update(p.done);
    // Per-item lines and retry notes are progress: shown on a terminal only. The table and the history keep the rest.
    if (!opts.out.interactive) return;
    if (p.state === 'failed' || p.state === 'uploaded' || p.state === 'skipped' || p.state === 'renamed' || p.state === 'cancelled') {
      opts.out.info(`  ${p.ext.padStart(6)}  ${(p.target ?? '').padEnd(24)}  ${p.state}${p.error ? `: ${p.error.message}` : ''}`);
    } else if (p.error?.retryInMs !== undefined) {
      opts.out.warn(`extension ${p.ext}: ${p.error.message} (retrying in ${(p.error.retryInMs / 1000).toFixed(1)} s)`);
    }
  };
  const onCancel = (): void => {
    for (const id of opts.ids) void worker.cancel(id).catch(() => undefined);
  };
  opts.cancelOn?.addEventListener('abort', onCancel, { once: true });
  try {
    const summary = await worker.run({ ids: opts.ids, ...(opts.signal ? { signal: opts.signal } : {}), onProgress });
    return { summary, items: await queue.list({ ids: opts.ids }) };
  } finally {
    opts.cancelOn?.removeEventListener('abort', onCancel);
    bar.stop();
  }
}

/** The result word of an item: its outcome when it reached the PBX, else its state. */
export function resultOf(i: Pick<QueueItem, 'state' | 'action'>): string {
  return i.state === 'uploaded' ? (i.action ?? 'uploaded') : i.state;
}

/** Why an item is where it is, only for items that did not succeed (a retry that healed is kept in the history). */
export function detailOf(i: Pick<QueueItem, 'state' | 'reason' | 'lastError'>): string {
  if (i.state === 'uploaded' || i.state === 'renamed' || i.state === 'skipped') return '';
  return i.reason ?? i.lastError?.message ?? '';
}

/** The PBX an item is for, as people recognise it. */
export function pbxLabel(i: Pick<QueueItem, 'pbx' | 'pbxProfileId'>): string {
  return i.pbx.origin !== '' ? i.pbx.origin : i.pbxProfileId.replace(/^cli:/, '');
}

export function itemsTable(items: readonly QueueItem[]): string {
  return renderTable(items, [
    { header: 'EXT', value: (i) => i.ext, align: 'right' },
    { header: 'NAME', value: (i) => i.target ?? i.fileName },
    { header: 'RESULT', value: resultOf },
    { header: 'DETAIL', value: detailOf },
    { header: 'HISTORY', value: (i) => i.historyId ?? '' },
  ]);
}

export function summaryLine(s: QueueRunSummary): string {
  const parts = [
    s.created ? `${s.created} created` : '',
    s.overwritten ? `${s.overwritten} ${UPLOAD_ACTION_LABELS.overwritten}` : '',
    s.unchanged ? `${s.unchanged} ${UPLOAD_ACTION_LABELS.unchanged}` : '',
    s.renamed ? `${s.renamed} renamed` : '',
    s.skipped ? `${s.skipped} skipped` : '',
    s.failed ? `${s.failed} failed` : '',
    s.cancelled ? `${s.cancelled} cancelled` : '',
    s.unfinished ? `${s.unfinished} unfinished` : '',
  ].filter(Boolean);
  return `${s.total} item${s.total === 1 ? '' : 's'}: ${parts.join(', ') || 'nothing to do'}.`;
}

/** The line after a run whose PBX could not be reached: what stays queued and how to finish it. */
export function offlineLine(items: readonly QueueItem[]): string | undefined {
  const waiting = items.filter((i) => (i.state === 'pending' || i.state === 'running') && i.lastError?.unreachable === true);
  const first = waiting[0];
  if (!first) return undefined;
  return `The PBX at ${pbxLabel(first)} could not be reached (${first.lastError?.message ?? 'no answer'}); ${waiting.length} item${waiting.length === 1 ? '' : 's'} stay queued. Run \`vmgreet queue run\` when it is reachable again.`;
}

const VERDICT_TEXT: Readonly<Record<DryRunRow['verdict'], string>> = {
  'would-create': 'would create',
  'would-overwrite': 'would overwrite (after a backup)',
  'would-skip': 'would skip (exists)',
  'would-rename': 'would rename',
  'would-fail': 'would fail (exists)',
  unchanged: 'unchanged (already on the PBX)',
  error: 'error',
};

/** What a dry run says one row would do, in words. */
export function verdictText(r: Pick<DryRunRow, 'verdict' | 'target' | 'error'>): string {
  return (r.verdict === 'would-rename' ? `would rename to ${r.target ?? '?'}` : VERDICT_TEXT[r.verdict]) + (r.error ? `: ${r.error.message}` : '');
}

/** The counts of a dry run as one phrase ("3 to create, 0 to overwrite, …"), plus rows refused before asking. */
export function dryRunCountsText(c: DryRunReport['counts'], refused: { count: number; label: string }): string {
  return [
    `${c['would-create']} to create`, `${c['would-overwrite']} to overwrite`, `${c['would-skip']} to skip`, `${c['would-rename']} to rename`,
    ...(c.unchanged ? [`${c.unchanged} unchanged`] : []),
    ...(c['would-fail'] ? [`${c['would-fail']} would fail`] : []), ...(c.error ? [`${c.error} errors`] : []),
    ...(refused.count ? [`${refused.count} ${refused.label}`] : []),
  ].join(', ');
}

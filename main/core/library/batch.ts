// Batch planning and execution: one greeting to many extensions, or a CSV of many files to many extensions.
// A dry run only asks the PBX (`is_check=ask`) and says what would happen; a real run goes through the persistent
// queue, so a crash mid-batch loses nothing and a restart finishes it.
import path from 'node:path';
import { classifyError } from './classify.js';
import type { EnqueueInput, UploadQueue } from './queue.js';
import type { GreetingTransport, IfExistsPolicy } from './types.js';
import { safeGreetingBase } from './util.js';
import type { QueueProgress, QueueRunSummary, QueueWorker } from './worker.js';

export interface BatchItem {
  ext: string;
  filePath: string;
  /** Greeting name (without suffix); default: the file's base name. */
  name?: string;
}

export type DryRunVerdict = 'would-create' | 'would-overwrite' | 'would-skip' | 'would-rename' | 'would-fail' | 'error';

export interface DryRunRow {
  ext: string;
  fileName: string;
  verdict: DryRunVerdict;
  /** For would-rename: the name it would get. */
  target?: string;
  error?: { code: string; message: string };
}

export interface DryRunReport {
  rows: DryRunRow[];
  counts: Record<DryRunVerdict, number>;
}

/** The PBX file name a batch item gets (same rule as the queue). */
export function batchFileName(item: BatchItem): string {
  const suffix = path.extname(item.filePath).toLowerCase();
  return `${safeGreetingBase(item.name ?? path.basename(item.filePath, path.extname(item.filePath)))}${suffix}`;
}

/** One greeting file to many extensions. */
export function itemsForExtensions(exts: string[], filePath: string, name?: string): BatchItem[] {
  return exts.map((ext) => ({ ext, filePath, ...(name !== undefined ? { name } : {}) }));
}

/** Asks the PBX about every item (ask only: nothing is stored) with up to `concurrency` questions at a time. */
export async function dryRunBatch(
  transport: GreetingTransport,
  items: BatchItem[],
  policy: IfExistsPolicy,
  opts: { concurrency?: number; signal?: AbortSignal; onProgress?: (p: { done: number; of: number; row: DryRunRow }) => void } = {},
): Promise<DryRunReport> {
  const rows: DryRunRow[] = new Array<DryRunRow>(items.length);
  let next = 0;
  let done = 0;
  const one = async (item: BatchItem): Promise<DryRunRow> => {
    const fileName = batchFileName(item);
    try {
      const ex = await transport.greetingExists(item.ext, fileName);
      if (!ex.exists) return { ext: item.ext, fileName, verdict: 'would-create' };
      if (policy === 'overwrite') return { ext: item.ext, fileName, verdict: 'would-overwrite' };
      if (policy === 'skip') return { ext: item.ext, fileName, verdict: 'would-skip' };
      if (policy === 'fail') return { ext: item.ext, fileName, verdict: 'would-fail' };
      const suffix = path.extname(fileName);
      const base = fileName.slice(0, fileName.length - suffix.length);
      for (let n = 2; n < 1000; n += 1) {
        const candidate = `${base}-${n}${suffix}`;
        if (!(await transport.greetingExists(item.ext, candidate)).exists) return { ext: item.ext, fileName, verdict: 'would-rename', target: candidate };
      }
      return { ext: item.ext, fileName, verdict: 'error', error: { code: 'QUEUE_NO_FREE_NAME', message: `No free name like ${base}-N${suffix}.` } };
    } catch (err) {
      const c = classifyError(err);
      return { ext: item.ext, fileName, verdict: 'error', error: { code: c.code, message: c.message } };
    }
  };
  const slot = async (): Promise<void> => {
    for (;;) {
      opts.signal?.throwIfAborted();
      const i = next;
      next += 1;
      const item = items[i];
      if (!item) return;
      const row = await one(item);
      rows[i] = row;
      done += 1;
      opts.onProgress?.({ done, of: items.length, row });
    }
  };
  const width = Math.max(1, Math.min(opts.concurrency ?? 4, 4, items.length));
  await Promise.all(Array.from({ length: width }, slot));
  const counts: Record<DryRunVerdict, number> = { 'would-create': 0, 'would-overwrite': 0, 'would-skip': 0, 'would-rename': 0, 'would-fail': 0, error: 0 };
  for (const r of rows) counts[r.verdict] += 1;
  return { rows, counts };
}

/** Enqueues every item (durably) and runs the worker over exactly those items. */
export async function runBatch(opts: {
  queue: UploadQueue;
  worker: QueueWorker;
  items: BatchItem[];
  policy: IfExistsPolicy;
  pbxProfileId: string;
  allowOverwriteWithoutBackup?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: QueueProgress) => void;
}): Promise<QueueRunSummary & { itemIds: string[] }> {
  const inputs: EnqueueInput[] = opts.items.map((item) => ({
    source: { filePath: item.filePath },
    ext: item.ext,
    policy: opts.policy,
    pbxProfileId: opts.pbxProfileId,
    ...(item.name !== undefined ? { name: item.name } : {}),
    ...(opts.allowOverwriteWithoutBackup ? { allowOverwriteWithoutBackup: true } : {}),
  }));
  const queued = await opts.queue.enqueueMany(inputs);
  const itemIds = queued.map((q) => q.id);
  const summary = await opts.worker.run({ ids: itemIds, ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  return { ...summary, itemIds };
}

/** Exit status for the CLI: 0 only when nothing failed and nothing was left unfinished. */
export function batchExitCode(summary: Pick<QueueRunSummary, 'failed' | 'unfinished'>): 0 | 1 {
  return summary.failed > 0 || summary.unfinished > 0 ? 1 : 0;
}

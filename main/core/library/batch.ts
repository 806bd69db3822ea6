// Batch planning and execution: one greeting to many extensions, or a CSV of many files to many extensions.
// A dry run only asks the PBX (`is_check=ask`) and says what would happen; a real run goes through the persistent
// queue, so a crash mid-batch loses nothing and a restart finishes it.
import path from 'node:path';
import { safeBaseName } from '../audio/filename.js';
import { hashFile } from './atomic.js';
import { classifyError } from './classify.js';
import type { EnqueueInput, UploadQueue } from './queue.js';
import type { PbxRef } from './schemas.js';
import { holdsBytes, keepBothTarget } from './target.js';
import type { GreetingTransport, IfExistsPolicy } from './types.js';
import type { QueueProgress, QueueRunSummary, QueueWorker } from './worker.js';

export interface BatchItem {
  ext: string;
  filePath: string;
  /** Greeting name (without suffix); default: the file's base name. */
  name?: string;
}

/** `unchanged`: the name already holds exactly these bytes (the same rule as the worker: nothing would be written). */
export type DryRunVerdict = 'would-create' | 'would-overwrite' | 'would-skip' | 'would-rename' | 'would-fail' | 'unchanged' | 'error';

export interface DryRunRow {
  ext: string;
  fileName: string;
  verdict: DryRunVerdict;
  /** For would-rename: the name it would get; for unchanged: the name that holds the bytes. */
  target?: string;
  error?: { code: string; message: string };
}

export interface DryRunReport {
  rows: DryRunRow[];
  counts: Record<DryRunVerdict, number>;
}

/** The PBX file name a batch item gets (same rule as the queue: a given name as is, else the file's name made safe). */
export function batchFileName(item: BatchItem): string {
  const suffix = path.extname(item.filePath).toLowerCase();
  return `${item.name ?? safeBaseName(path.basename(item.filePath, path.extname(item.filePath)))}${suffix}`;
}

/** One greeting file to many extensions. */
export function itemsForExtensions(exts: string[], filePath: string, name?: string): BatchItem[] {
  return exts.map((ext) => ({ ext, filePath, ...(name !== undefined ? { name } : {}) }));
}

/**
 * Asks the PBX about every item with up to `concurrency` questions at a time. Nothing is stored: where a name exists
 * its greeting is downloaded (into `workDir`, default the temp folder) to tell "already these bytes" from a conflict.
 */
export async function dryRunBatch(
  transport: GreetingTransport,
  items: BatchItem[],
  policy: IfExistsPolicy,
  opts: { concurrency?: number; signal?: AbortSignal; workDir?: string; onProgress?: (p: { done: number; of: number; row: DryRunRow }) => void } = {},
): Promise<DryRunReport> {
  const rows: DryRunRow[] = new Array<DryRunRow>(items.length);
  let next = 0;
  let done = 0;
  const hashes = new Map<string, Promise<string>>();
  const shaOf = (file: string): Promise<string> => {
    let h = hashes.get(file);
    if (!h) {
      h = hashFile(file).then((r) => r.sha256);
      hashes.set(file, h);
    }
    return h;
  };
  const one = async (item: BatchItem): Promise<DryRunRow> => {
    const fileName = batchFileName(item);
    try {
      const ex = await transport.greetingExists(item.ext, fileName);
      if (!ex.exists) return { ext: item.ext, fileName, verdict: 'would-create' };
      const sha = await shaOf(item.filePath);
      const holdsOurs = (name: string): Promise<boolean> =>
        holdsBytes(transport, item.ext, name, sha, { ...(opts.workDir ? { workDir: opts.workDir } : {}), ...(opts.signal ? { signal: opts.signal } : {}) });
      if (await holdsOurs(fileName)) return { ext: item.ext, fileName, verdict: 'unchanged', target: fileName };
      if (policy === 'overwrite') return { ext: item.ext, fileName, verdict: 'would-overwrite' };
      if (policy === 'skip') return { ext: item.ext, fileName, verdict: 'would-skip' };
      if (policy === 'fail') return { ext: item.ext, fileName, verdict: 'would-fail' };
      const target = await keepBothTarget(item.ext, fileName, { exists: async (n) => (await transport.greetingExists(item.ext, n)).exists, holdsOurs }, opts.signal);
      return { ext: item.ext, fileName, verdict: target.unchanged ? 'unchanged' : 'would-rename', target: target.name };
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
  const counts: Record<DryRunVerdict, number> = { 'would-create': 0, 'would-overwrite': 0, 'would-skip': 0, 'would-rename': 0, 'would-fail': 0, unchanged: 0, error: 0 };
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
  pbx: PbxRef;
  allowOverwriteWithoutBackup?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: QueueProgress) => void;
}): Promise<QueueRunSummary & { itemIds: string[] }> {
  const inputs: EnqueueInput[] = opts.items.map((item) => ({
    source: { filePath: item.filePath },
    ext: item.ext,
    policy: opts.policy,
    pbxProfileId: opts.pbxProfileId,
    pbx: opts.pbx,
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

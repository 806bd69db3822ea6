// Batch channels (one greeting to many extensions, a CSV mapping of files to extensions, the per-extension status
// table): spread into `channels` in ../channels.ts. Imports nothing but zod and the domain, because the renderer
// bundles it; OutboxItem is a type-only import (no runtime cycle).
import { z } from 'zod';
import { IF_EXISTS_POLICIES, SELECTION_SLOTS, SELECTION_SLOT_LABELS, UPLOAD_ACTION_LABELS, type SelectionSlot } from '../../core/domain.js';
import type { OutboxItem } from '../channels.js';

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid id');
const ExtNumber = z.string().regex(/^[0-9A-Za-z*#+_-]{1,32}$/, 'Invalid extension number');
const Slots = z.array(z.enum(SELECTION_SLOTS)).min(1).max(7);
function res<T>(): T {
  return undefined as unknown as T;
}

/** Which statuses this PBX lets the app choose a greeting for (read from the extension), and why not when none. */
export interface SelectionSupportInfo {
  /** False when the PBX could not be asked (offline): the choice is kept and the worker reports what it could do. */
  known: boolean;
  supported: SelectionSlot[];
  /** Why some or all statuses cannot be chosen (the PBX's API has no such fields), in words. */
  reason: string | null;
}

export interface CsvPreviewRow {
  line: number;
  extension: string;
  /** The file's base name (the page never sees paths). */
  fileName: string;
  /** The greeting name the upload will use (the row's, else made from the file name). */
  name: string;
}
export interface CsvPreviewError {
  line: number;
  code: string;
  message: string;
  extension: string | null;
}
export interface CsvPreview {
  /** Names this parsed mapping in main for runCsvMapping. */
  token: string;
  csvName: string;
  rows: CsvPreviewRow[];
  errors: CsvPreviewError[];
  /** True when the rows were checked against the PBX's directory (extensions that do not exist are errors). */
  checkedAgainstDirectory: boolean;
}
export interface CsvRunResult {
  itemIds: string[];
  /** Good rows that could not be queued after all (the file could not be imported), with their line. */
  failed: CsvPreviewError[];
}

/** An Outbox item as the batch status table shows it, with what the activation did once it ran. */
export interface BatchRow extends OutboxItem {
  activation: { ok: boolean; slots: SelectionSlot[]; message: string | null } | null;
}

export const batchChannels = {
  selectionSupport: { request: z.strictObject({ ext: ExtNumber }), response: res<SelectionSupportInfo>() },
  /** The native open dialog for a CSV mapping; parsed in main with the CLI's parser (`vmgreet batch --csv`). */
  pickCsvMapping: { request: z.strictObject({}), response: res<CsvPreview | null>() },
  /** Imports each good row's file as a draft (rendered like any import) and queues it; `lines`: only those rows. */
  runCsvMapping: {
    request: z.strictObject({
      token: Id,
      ifExists: z.enum(IF_EXISTS_POLICIES),
      activate: Slots.optional(),
      lines: z.array(z.number().int().min(1)).max(5000).optional(),
    }),
    response: res<CsvRunResult>(),
  },
  /** The Outbox items of one batch, in the order asked (ids no longer in the queue are left out). */
  batchItems: { request: z.strictObject({ ids: z.array(Id).min(1).max(5000) }), response: res<BatchRow[]>() },
  /** The batch's result as CSV through the native save dialog. */
  exportBatchCsv: { request: z.strictObject({ ids: z.array(Id).min(1).max(5000) }), response: res<{ saved: boolean; rows: number }>() },
} as const;

// ---------- one wording of a batch row's outcome (status table and CSV export) ----------

export type BatchOutcome = 'queued' | 'uploading' | 'created' | 'overwritten' | 'unchanged' | 'renamed' | 'skipped' | 'failed' | 'cancelled';

export function batchOutcome(item: Pick<OutboxItem, 'state' | 'action'>): BatchOutcome {
  switch (item.state) {
    case 'pending': return 'queued';
    case 'running': return 'uploading';
    case 'failed': return 'failed';
    case 'cancelled': return 'cancelled';
    case 'skipped': return 'skipped';
    case 'renamed': return 'renamed';
    case 'uploaded': return item.action === 'overwritten' ? 'overwritten' : item.action === 'unchanged' ? 'unchanged' : item.action === 'skipped' ? 'skipped' : 'created';
  }
}

export function isFinished(o: BatchOutcome): boolean {
  return o !== 'queued' && o !== 'uploading';
}

/** "Away, Lunch" for slots. */
export function slotList(slots: readonly SelectionSlot[]): string {
  return slots.map((s) => SELECTION_SLOT_LABELS[s]).join(', ');
}

/** The row's outcome in words: "uploading 42 %", "failed: <reason>", "kept both: stored as away-2.wav". */
export function batchOutcomeText(row: Pick<BatchRow, 'state' | 'action' | 'percent' | 'error' | 'target' | 'waitingReason'>): string {
  const o = batchOutcome(row);
  switch (o) {
    case 'queued': return row.waitingReason ? `queued: ${row.waitingReason}` : 'queued';
    case 'uploading': return `uploading ${Math.round(row.percent ?? 0)} %`;
    case 'failed': return `failed: ${row.error?.message ?? 'unknown reason'}`;
    case 'cancelled': return 'cancelled';
    case 'renamed': return `kept both: stored as ${row.target ?? '?'}`;
    default: return UPLOAD_ACTION_LABELS[o];
  }
}

/** What callers hear after the row's activation ("callers now hear away.wav for Away"); null when none was asked. */
export function activationText(row: Pick<BatchRow, 'activation' | 'activate' | 'target' | 'fileName' | 'state'>): string | null {
  if (!row.activate || row.activate.length === 0) return null;
  const name = row.target ?? row.fileName;
  if (!row.activation) return isFinished(batchOutcome({ state: row.state, action: null })) ? null : `will play for ${slotList(row.activate)}`;
  return row.activation.ok ? `callers now hear ${name} for ${slotList(row.activation.slots)}` : `uploaded but not activated: ${row.activation.message ?? 'unknown reason'}`;
}

// zod schemas for everything the library keeps on disk: a file that fails these is treated as corrupt, never trusted.
import { z } from 'zod';
import { SELECTION_SLOTS } from '../domain.js';

const isoDate = z.string().min(10);
const formatChoice = z.enum(['wav', 'wav-ulaw', 'wav-alaw', 'mp3', 'gsm', 'auto']);
const greetingFormat = z.enum(['wav', 'wav-ulaw', 'wav-alaw', 'mp3', 'gsm']);
export const extensionNumber = z.string().regex(/^\d{1,12}$/, 'an extension number is digits only');
export const draftId = z.string().regex(/^d-[a-z0-9]+-[a-f0-9]{8}$/);

export const DraftSettingsSchema = z.object({
  trimStartSec: z.number().min(0).nullable(),
  trimEndSec: z.number().min(0).nullable(),
  trimSilence: z.boolean(),
  normalize: z.boolean(),
  targetLufs: z.number().min(-70).max(0),
  format: formatChoice,
});
export type DraftSettings = z.infer<typeof DraftSettingsSchema>;

export const DraftSchema = z.object({
  schemaVersion: z.literal(1),
  id: draftId,
  name: z.string().min(1).max(200),
  createdAt: isoDate,
  updatedAt: isoDate,
  source: z.object({ file: z.string().min(1), originalName: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().length(64) }),
  settings: DraftSettingsSchema,
  rendered: z
    .object({
      file: z.string().min(1),
      format: greetingFormat,
      formatReason: z.string(),
      bytes: z.number().int().nonnegative(),
      sha256: z.string().length(64),
      durationSec: z.number().nonnegative(),
      renderedAt: isoDate,
      settingsHash: z.string(),
    })
    .nullable(),
  analysisFile: z.string().nullable(),
  targetExtensions: z.array(extensionNumber),
  trashedAt: isoDate.nullable(),
});
export type Draft = z.infer<typeof DraftSchema>;

export const DraftIndexEntrySchema = z.object({ id: draftId, name: z.string(), createdAt: isoDate, updatedAt: isoDate });
export const DraftIndexSchema = z.object({ schemaVersion: z.literal(1), drafts: z.array(DraftIndexEntrySchema) });
export type DraftIndexEntry = z.infer<typeof DraftIndexEntrySchema>;

export const policySchema = z.enum(['overwrite', 'skip', 'rename', 'fail']);
const selectionSlot = z.enum(SELECTION_SLOTS);
/** What an activation step did after the upload (see activation.ts). */
export const ActivationSchema = z.object({
  slots: z.array(selectionSlot).min(1),
  /** The value written ('' / follow_system / the greeting's name), null when nothing had to change or it failed. */
  value: z.string().nullable(),
  ok: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});
/** The raw values the PBX held for the activated slots before, so rollback can write them back exactly. */
export const PreviousSelectionSchema = z.object({ extId: z.number().int(), slots: z.partialRecord(selectionSlot, z.string()) });
export type PreviousSelection = z.infer<typeof PreviousSelectionSchema>;
export const queueStateSchema = z.enum(['pending', 'running', 'uploaded', 'skipped', 'renamed', 'failed', 'cancelled']);
export type QueueState = z.infer<typeof queueStateSchema>;
export const TERMINAL_STATES: readonly QueueState[] = ['uploaded', 'skipped', 'renamed', 'failed', 'cancelled'];

export const QueueItemSchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^q-[a-z0-9]+-[a-f0-9]{8}$/),
  seq: z.number().int().nonnegative(),
  createdAt: isoDate,
  updatedAt: isoDate,
  pbxProfileId: z.string().min(1),
  ext: extensionNumber,
  /** The greeting name asked for; `target` is the name actually written (differs after a rename). */
  fileName: z.string().min(1),
  policy: policySchema,
  allowOverwriteWithoutBackup: z.boolean(),
  source: z.object({ kind: z.enum(['draft', 'file']), ref: z.string(), label: z.string() }),
  blob: z.object({ sha256: z.string().length(64), bytes: z.number().int().nonnegative(), suffix: z.string() }),
  state: queueStateSchema,
  /**
   * Durable progress marker. `writing` is persisted BEFORE a force upload is sent: after a crash, an item found in
   * this phase is re-checked with `ask` (and its content compared) before any new force.
   */
  phase: z.enum(['check', 'backup', 'writing']).nullable(),
  target: z.string().nullable(),
  existedBefore: z.boolean().nullable(),
  backupHistoryId: z.string().nullable(),
  attempts: z.number().int().nonnegative(),
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  reason: z.string().nullable(),
  parked: z.boolean(),
  action: z.enum(['created', 'overwritten', 'skipped', 'renamed']).nullable(),
  historyId: z.string().nullable(),
  finishedAt: isoDate.nullable(),
  /** Optional: after a successful upload, make the greeting play for these slots (presence statuses / default). */
  activate: z.array(selectionSlot).min(1).optional(),
});
export type QueueItem = z.infer<typeof QueueItemSchema>;

export const HistoryEntrySchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^h-[a-z0-9]+-[a-f0-9]{8}$/),
  at: isoDate,
  pbxProfileId: z.string(),
  ext: extensionNumber,
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().nullable(),
  result: z.enum(['created', 'overwritten', 'skipped', 'renamed', 'failed', 'cancelled', 'rolled-back', 'removed']),
  reason: z.string().nullable(),
  queueItemId: z.string().nullable(),
  backup: z.object({ file: z.string(), fileName: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().length(64) }).nullable(),
  rollbackOf: z.string().nullable(),
  /** Set by the activation step of an item that had `activate`. */
  previousSelection: PreviousSelectionSchema.nullable().optional(),
  activation: ActivationSchema.optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

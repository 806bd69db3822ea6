// zod schemas for everything the library keeps on disk: a file that fails these is treated as corrupt, never trusted.
import { z } from 'zod';
import { FORMAT_CHOICES, GREETING_FORMATS, IF_EXISTS_POLICIES, SELECTION_SLOTS, UPLOAD_ACTIONS } from '../domain.js';
import { ERROR_KINDS } from '../errors.js';
import { originOf } from '../pbx/url.js';

const isoDate = z.string().min(10);
const formatChoice = z.enum(FORMAT_CHOICES);
const greetingFormat = z.enum(GREETING_FORMATS);
export const extensionNumber = z.string().regex(/^\d{1,12}$/, 'an extension number is digits only');
export const draftId = z.string().regex(/^d-[a-z0-9]+-[a-f0-9]{8}$/);

export const DraftSettingsSchema = z.object({
  trimStartSec: z.number().min(0).nullable(),
  trimEndSec: z.number().min(0).nullable(),
  trimSilence: z.boolean(),
  normalize: z.boolean(),
  targetLufs: z.number().min(-70).max(0),
  format: formatChoice,
  /** Noise reduction and levelling (main/core/audio/cleanup.ts); absent = off, so older drafts keep their render. */
  denoise: z.boolean().optional(),
  level: z.boolean().optional(),
});
export type DraftSettings = z.infer<typeof DraftSettingsSchema>;

/** How a draft's source came to be (engine's Draft v2 names; optional until v2 makes them required). */
export const DRAFT_ORIGINS = ['recording', 'import', 'tts', 'copy'] as const;
export type DraftOrigin = (typeof DRAFT_ORIGINS)[number];

export const DraftProbeSchema = z.object({
  durationSec: z.number().nonnegative().nullable(),
  codec: z.string(),
  sampleRate: z.number().nonnegative(),
  channels: z.number().int().nonnegative(),
});
export type DraftProbe = z.infer<typeof DraftProbeSchema>;

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
  origin: z.enum(DRAFT_ORIGINS).optional(),
  /** The script read while recording or spoken by TTS. */
  script: z.string().max(4000).nullable().optional(),
  /**
   * A recording still being written (chunks are appended to the source as they arrive): true from the first byte
   * until Stop. A draft left true by a process that died is an unfinished take, restorable. Absent in older files.
   */
  unfinished: z.boolean().optional(),
  /** What a probe of the source found (the app's SourceInfo); absent until probed, and in older files. */
  probe: DraftProbeSchema.nullable().optional(),
  /** The analysis of the source as the app shows it (loudness, silence, suggested trim); absent until analysed. */
  sourceAnalysis: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type Draft = z.infer<typeof DraftSchema>;

export const DraftIndexEntrySchema = z.object({ id: draftId, name: z.string(), createdAt: isoDate, updatedAt: isoDate, unfinished: z.boolean().optional() });
export const DraftIndexSchema = z.object({ schemaVersion: z.literal(1), drafts: z.array(DraftIndexEntrySchema) });
export type DraftIndexEntry = z.infer<typeof DraftIndexEntrySchema>;

export const policySchema = z.enum(IF_EXISTS_POLICIES);
const selectionSlot = z.enum(SELECTION_SLOTS);
/** What an activation step did after the upload (see activation.ts). */
export const ActivationSchema = z.object({
  slots: z.array(selectionSlot).min(1),
  /** The value written ('' / follow_system / the greeting's name), null when nothing had to change or it failed. */
  value: z.string().nullable(),
  ok: z.boolean(),
  /** `kind` decides the CLI's exit code, like any error's kind. */
  error: z.object({ code: z.string(), message: z.string(), kind: z.enum(ERROR_KINDS).optional() }).nullable(),
});
/** The raw values the PBX held for the activated slots before, so rollback can write them back exactly. */
export const PreviousSelectionSchema = z.object({ extId: z.number().int(), slots: z.partialRecord(selectionSlot, z.string()) });
export type PreviousSelection = z.infer<typeof PreviousSelectionSchema>;
export const queueStateSchema = z.enum(['pending', 'running', 'uploaded', 'skipped', 'renamed', 'failed', 'cancelled']);
export type QueueState = z.infer<typeof queueStateSchema>;
export const TERMINAL_STATES: readonly QueueState[] = ['uploaded', 'skipped', 'renamed', 'failed', 'cancelled'];

/**
 * The PBX an item or history entry is for: its origin (`scheme://host:port`, see originOf in main/core/pbx/url.ts)
 * and the API client ID. `pbxProfileId` stays the routing key (one transport per profile); this says, in a form any
 * process can match against its own connection settings, which PBX that profile is.
 */
export const PbxRefSchema = z.object({ origin: z.string(), clientId: z.string() });
export type PbxRef = z.infer<typeof PbxRefSchema>;

/**
 * Files written before items named their PBX have no `pbx`: the CLI's profile ids (`cli:<base URL>#<client ID>`)
 * spell it out; for any other profile it is unknown (empty strings) and only `pbxProfileId` routes the item.
 */
function withPbxRef(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || 'pbx' in raw) return raw;
  const id = (raw as { pbxProfileId?: unknown }).pbxProfileId;
  const m = typeof id === 'string' ? /^cli:([^#]+)#(.*)$/.exec(id) : null;
  let origin = '';
  try {
    if (m?.[1]) origin = originOf(m[1]);
  } catch {
    // Not an address after all: the PBX stays unknown.
  }
  return { ...raw, pbx: { origin, clientId: origin !== '' ? (m?.[2] ?? '') : '' } };
}

/**
 * The last error of an item, with the decisions its error class made (main/core/errors.ts), so a later reader (the
 * CLI's exit code, the app's Outbox) does not re-derive them from the code. Older files carry only code and message.
 */
export const ItemErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  kind: z.enum(ERROR_KINDS).optional(),
  retryable: z.boolean().optional(),
  unreachable: z.boolean().optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type ItemError = z.infer<typeof ItemErrorSchema>;

const QueueItemObject = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^q-[a-z0-9]+-[a-f0-9]{8}$/),
  seq: z.number().int().nonnegative(),
  createdAt: isoDate,
  updatedAt: isoDate,
  pbxProfileId: z.string().min(1),
  pbx: PbxRefSchema,
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
  lastError: ItemErrorSchema.nullable(),
  reason: z.string().nullable(),
  parked: z.boolean(),
  /**
   * How an item that reached the PBX ended. `unchanged` (state `uploaded`): the name already held exactly these
   * bytes, so nothing was written; `target` is the name that holds them.
   */
  action: z.enum(UPLOAD_ACTIONS).nullable(),
  historyId: z.string().nullable(),
  finishedAt: isoDate.nullable(),
  /** Optional: after a successful upload, make the greeting play for these slots (presence statuses / default). */
  activate: z.array(selectionSlot).min(1).optional(),
});
export const QueueItemSchema = z.preprocess(withPbxRef, QueueItemObject);
export type QueueItem = z.infer<typeof QueueItemObject>;

const HistoryEntryObject = z.object({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^h-[a-z0-9]+-[a-f0-9]{8}$/),
  at: isoDate,
  pbxProfileId: z.string(),
  pbx: PbxRefSchema,
  ext: extensionNumber,
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().nullable(),
  result: z.enum([...UPLOAD_ACTIONS, 'failed', 'cancelled', 'rolled-back', 'removed']),
  reason: z.string().nullable(),
  queueItemId: z.string().nullable(),
  backup: z.object({ file: z.string(), fileName: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().length(64) }).nullable(),
  rollbackOf: z.string().nullable(),
  /** Set by the activation step of an item that had `activate`. */
  previousSelection: PreviousSelectionSchema.nullable().optional(),
  activation: ActivationSchema.optional(),
});
export const HistoryEntrySchema = z.preprocess(withPbxRef, HistoryEntryObject);
export type HistoryEntry = z.infer<typeof HistoryEntryObject>;

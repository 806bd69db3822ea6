// Channels of the content side of the app: greeting-script templates, the teleprompter's filled script,
// text-to-speech drafts, personalised batches (one template × many extensions → drafts → Outbox) and the clean-up
// of a recording (noise reduction, levelling, with an A/B). Spread into `channels` in ../channels.ts. Like that file
// it imports nothing but zod (the renderer bundles it).
import { z } from 'zod';

function res<T>(): T {
  return undefined as unknown as T;
}
const Empty = z.strictObject({});
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid id');
const ExtNumber = z.string().regex(/^[0-9A-Za-z*#+_-]{1,32}$/, 'Invalid extension number');
/** Template names are checked in main by the same rules as `vmgreet templates add` (checkTemplate). */
const TemplateName = z.string().trim().min(1, 'Enter a template name').max(80);
const ScriptText = z.string().max(4000);

export const PLACEHOLDER_NAMES = ['name', 'extension', 'company', 'back_date'] as const;
export type PlaceholderName = (typeof PLACEHOLDER_NAMES)[number];
const Values = z.strictObject({
  name: z.string().max(200).optional(),
  extension: z.string().max(32).optional(),
  company: z.string().max(200).optional(),
  back_date: z.string().max(100).optional(),
});
export type PlaceholderInputs = z.infer<typeof Values>;

export const TTS_ENGINE_CHOICES = ['espeak-ng', 'flite', 'macos-say', 'windows-sapi', 'pbx'] as const;
export type TtsEngineChoice = (typeof TTS_ENGINE_CHOICES)[number];
const Engine = z.enum(TTS_ENGINE_CHOICES);
const Voice = z.string().max(80).optional();
const Rate = z.number().int().min(50).max(200).optional();

export interface TemplateInfo {
  name: string;
  title: string;
  text: string;
  kind: 'built-in' | 'edited' | 'custom';
  placeholders: PlaceholderName[];
  updatedAt: string | null;
}
export interface TemplateImportResult {
  file: string;
  added: string[];
  replaced: string[];
  unchanged: string[];
}
export interface FilledScriptInfo {
  /** What the greeting says (the teleprompter shows it; it is stored with the draft). */
  script: string;
  used: PlaceholderName[];
  /** Placeholders left unfilled, unknown ones, stray braces: in words. Empty when it can be spoken. */
  problems: string[];
}
export interface TtsEngineView {
  id: TtsEngineChoice;
  label: string;
  available: boolean;
  /** Why it cannot be used here, in words (null when available). */
  reason: string | null;
  version: string | null;
  voices: { id: string; label: string; language: string | null }[];
  maxChars: number;
  licence: string;
}
export interface PersonalRowInfo {
  ext: string;
  name: string | null;
  /** What this extension's greeting will say; null when it cannot be made. */
  script: string | null;
  problems: string[];
}
export interface PersonalPlanInfo {
  greetingName: string;
  fileName: string;
  directory: { source: 'live' | 'cache'; fetchedAt: string | null; size: number };
  rows: PersonalRowInfo[];
  ready: number;
  rejected: number;
}
export interface PersonalBatchResult {
  created: { ext: string; draftId: string; script: string }[];
  failed: { ext: string; code: string; message: string }[];
  cancelled: boolean;
  /** Outbox items (one per created draft); empty when nothing was queued. */
  itemIds: string[];
  warnings: string[];
}
export interface CleanupSuggestion {
  code: 'DENOISE' | 'LEVEL';
  message: string;
}
export interface CleanupState {
  denoise: boolean;
  level: boolean;
  /** What the analysis suggests for this recording (empty when it is clean and even). */
  suggestions: CleanupSuggestion[];
  noiseFloorDbfs: number | null;
}
export interface CleanupVariant {
  playback: Uint8Array;
  mime: string;
  bytes: number;
  durationSec: number;
}
export interface CleanupComparison {
  /** The draft's settings with noise reduction and levelling off (A) and with the chosen ones on (B). */
  without: CleanupVariant;
  with: CleanupVariant;
  denoise: boolean;
  level: boolean;
}

const PersonalRequest = {
  template: TemplateName,
  /** Extension numbers, or ranges/lists as the CLI takes them ("3200-3219, 3300"). */
  exts: z.array(ExtNumber).max(5000).optional(),
  spec: z.string().max(2000).optional(),
  values: Values.default({}),
  greetingName: z.string().max(64).optional(),
  engine: Engine,
  voice: Voice,
  ratePercent: Rate,
};

export const contentChannels = {
  // templates (the same store and checks as `vmgreet templates`)
  listTemplates: { request: Empty, response: res<TemplateInfo[]>() },
  saveTemplate: {
    request: z.strictObject({ name: TemplateName, title: z.string().max(200), text: ScriptText, replace: z.boolean().default(false) }),
    response: res<TemplateInfo>(),
  },
  removeTemplate: { request: z.strictObject({ name: TemplateName }), response: res<{ name: string; result: 'removed' | 'restored' }>() },
  /** All templates to a file the person picks in the native save dialog. */
  exportTemplates: { request: Empty, response: res<{ saved: boolean; count: number; file: string | null }>() },
  /** A templates file picked in the native open dialog (null: cancelled). */
  importTemplatesWithDialog: { request: z.strictObject({ replace: z.boolean().default(false) }), response: res<TemplateImportResult | null>() },
  /** A templates file the page read (file input): the same validation as a file main opened. */
  importTemplatesText: {
    request: z.strictObject({ fileName: z.string().min(1).max(255), text: z.string().max(1024 * 1024), replace: z.boolean().default(false) }),
    response: res<TemplateImportResult>(),
  },
  fillTemplate: { request: z.strictObject({ text: ScriptText, values: Values }), response: res<FilledScriptInfo>() },

  // text-to-speech
  /** The engines of this computer, plus the PBX's own when connected (probed). */
  ttsEngines: { request: Empty, response: res<TtsEngineView[]>() },
  /** Speaks the text into a new draft (origin tts, the text stored as its script) and renders it like a recording. */
  createTtsDraft: {
    request: z.strictObject({
      operationId: Id,
      engine: Engine,
      voice: Voice,
      ratePercent: Rate,
      text: z.string().min(1).max(4000),
      name: z.string().trim().min(1).max(200),
      /** The PBX engine speaks into an extension's greeting list: which one. */
      ext: ExtNumber.optional(),
    }),
    response: res<{ draftId: string; script: string }>(),
  },

  // personalised batch
  planPersonalBatch: { request: z.strictObject(PersonalRequest), response: res<PersonalPlanInfo>() },
  runPersonalBatch: {
    request: z.strictObject({
      ...PersonalRequest,
      operationId: Id,
      ifExists: z.enum(['overwrite', 'rename', 'skip', 'fail']),
      /** Default: the connected profile, else the last used one. */
      profileId: Id.optional(),
    }),
    response: res<PersonalBatchResult>(),
  },

  // cleaner audio
  cleanupState: { request: z.strictObject({ draftId: Id }), response: res<CleanupState>() },
  setCleanup: { request: z.strictObject({ draftId: Id, denoise: z.boolean().optional(), level: z.boolean().optional() }), response: res<CleanupState>() },
  /** Renders the draft without and with the clean-up, to hear the difference. */
  compareCleanup: {
    request: z.strictObject({ draftId: Id, operationId: Id, denoise: z.boolean(), level: z.boolean() }),
    response: res<CleanupComparison>(),
  },
} as const;

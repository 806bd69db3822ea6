// The one typed IPC channel map shared by the main-process handlers, the preload and the renderer.
// It imports nothing but zod because the renderer bundles it. Every request is validated with its schema in main;
// responses are plain data (structured-clone safe) described by TypeScript types.
import { z } from 'zod';
import { greetingNameProblem } from './names.js';
import { contentChannels } from './channels/content.js';
import { connectChannels } from './channels/connect.js';
import {
  FORMAT_CHOICES,
  GREETING_FORMATS,
  IF_EXISTS_POLICIES,
  SELECTION_SLOTS,
  type Extension,
  type Greeting,
  type GreetingFormat as DomainGreetingFormat,
  type IfExistsPolicy,
  type SelectionSlot,
  type UploadAction,
} from '../core/domain.js';
import { batchChannels } from './channels/batch.js';
export type { Extension, Greeting, IfExistsPolicy, SelectionSlot, UploadAction };
import { greetChannels } from './channels/greet.js';

// ---------- shared value schemas ----------

/** Fingerprint in Node's X509Certificate.fingerprint256 form ('AB:CD:...', 32 bytes). */
export const Fingerprint256 = z
  .string()
  .transform((s) => s.trim().toUpperCase())
  .pipe(z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'Expected a SHA-256 fingerprint like AB:CD:…'));

export const TlsOption = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('system') }),
  z.strictObject({ mode: z.literal('pin'), pinSha256: Fingerprint256 }),
  z.strictObject({ mode: z.literal('ca'), caPem: z.string().min(1).max(20_000) }),
]);
export type TlsOption = z.infer<typeof TlsOption>;

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid id');
const ExtNumber = z.string().regex(/^[0-9A-Za-z*#+_-]{1,32}$/, 'Invalid extension number');
/** A PBX greeting file name as listed by the PBX (basename + audio extension). */
const GreetingFile = z.string().regex(/^[^/\\\0]{1,255}$/, 'Invalid file name').refine((s) => s !== '.' && s !== '..');
const OperationId = Id;
const HttpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, 'Enter the PBX address as https://host:port');

export { GREETING_FORMATS };
export const GreetingFormat = z.enum(GREETING_FORMATS);
export type GreetingFormat = DomainGreetingFormat;
export const FormatChoice = z.enum(FORMAT_CHOICES);
export type FormatChoice = z.infer<typeof FormatChoice>;

export { greetingNameProblem, MAX_GREETING_NAME, EXTERNAL_LINK_ALLOW_LIST, isAllowedExternalUrl } from './names.js';
export const GreetingName = z.string().superRefine((s, ctx) => {
  const problem = greetingNameProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** What the worker does when the name exists: decided before anything is queued (never per item while it runs). */
export const IfExists = z.enum(IF_EXISTS_POLICIES);
export const SelectionSlotSchema = z.enum(SELECTION_SLOTS);

/** Biggest single recorded chunk or imported file accepted over IPC. */
export const MAX_CHUNK_BYTES = 4 * 1024 * 1024;
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;
const Bytes = (max: number) =>
  z.instanceof(Uint8Array).refine((b) => b.byteLength <= max, `At most ${max} bytes`);

// ---------- response types ----------

export interface IpcError {
  code: string;
  kind: string;
  message: string;
  detail?: Record<string, unknown>;
}
/** Every handler resolves to this envelope (thrown errors lose their code across Electron IPC). */
export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: IpcError };

export interface ProfileSummary {
  id: string;
  name: string;
  baseUrl: string;
  clientId: string;
  tls: TlsOption;
  hasSecret: boolean;
  /** True when the secret could not be encrypted and is kept in memory until the app quits. */
  secretSessionOnly: boolean;
  demo: boolean;
}
export interface SecretStorageStatus {
  available: boolean;
  /** e.g. 'keychain', 'dpapi', 'gnome_libsecret', 'kwallet5', 'basic_text', 'memory' */
  backend: string;
  /** Shown to the person when secrets cannot be saved. */
  message?: string;
}
export interface ProfilesListing {
  profiles: ProfileSummary[];
  secretStorage: SecretStorageStatus;
}
export interface ConnectionResult {
  profileId: string;
  profileName: string;
  reachable: true;
  tokenOk: true;
  extensionCount: number;
}
export interface ExtensionPage {
  total: number;
  page: number;
  pageSize: number;
  items: Extension[];
  /** `live`: read from the PBX now; `cache`: the directory last fetched for this profile (offline). */
  source: 'live' | 'cache';
  /** When the directory was fetched (ISO); null when live or never fetched. */
  fetchedAt: string | null;
  /** The profile whose directory this is (connected, or the last used when offline); null: none known. */
  profileId: string | null;
}
/** The source of a draft: every import or recording is a draft from its first byte, so sourceId IS the draft id. */
export interface SourceInfo {
  sourceId: string;
  draftId: string;
  name: string;
  origin: 'import' | 'recording';
  durationSec: number | null;
  codec: string;
  sampleRate: number;
  channels: number;
  sizeBytes: number;
}
export interface AnalysisWarning {
  code: string;
  message: string;
}
export interface AnalysisResult {
  sourceId: string;
  durationSec: number;
  integratedLufs: number;
  truePeakDbfs: number;
  leadingSilenceSec: number;
  trailingSilenceSec: number;
  speechStartSec: number;
  speechEndSec: number;
  clippingRatio: number;
  noiseFloorDbfs: number;
  warnings: AnalysisWarning[];
  /** Trim handles pre-set from the automatic silence trim (a little padding around speech). */
  suggestedTrim: { startSec: number; endSec: number };
}
export interface FormatPlanInfo {
  format: GreetingFormat;
  reason: string;
  predictedBytes: number;
  maxDurationSec: number;
  budgetText: string;
}
export interface Capabilities {
  formats: GreetingFormat[];
}
export interface PreviewResult {
  renderId: string;
  format: GreetingFormat;
  formatReason: string;
  bytes: number;
  durationSec: number;
  plan: FormatPlanInfo;
  /** What the renderer plays: the render itself, or a lossless PCM copy when the browser cannot decode it (gsm, G.711). */
  playback: Uint8Array;
  playbackMime: string;
}
export interface SourceBytes {
  bytes: Uint8Array;
  mime: string;
}
export interface TakeStarted {
  takeId: string;
  maxDurationSec: number;
}
export interface ChunkAck {
  takeId: string;
  seq: number;
  totalBytes: number;
}
export interface UnfinishedTake {
  takeId: string;
  startedAt: string;
  bytes: number;
  mimeType: string;
}
export interface DemoStarted {
  profile: ProfileSummary;
  connection: ConnectionResult;
}
export interface GreetingAudio {
  bytes: Uint8Array;
  mime: string;
}

// ---------- drafts (main/core/library DraftLibrary behind it) ----------

export type DraftOriginName = 'recording' | 'import' | 'tts' | 'copy';
export interface DraftSettingsInfo {
  trimStartSec: number | null;
  trimEndSec: number | null;
  normalize: boolean;
  format: FormatChoice;
}
export interface DraftSummary {
  id: string;
  name: string;
  origin: DraftOriginName | null;
  createdAt: string;
  updatedAt: string;
  /** Of the source (from its analysis); null until analysed. */
  durationSec: number | null;
  integratedLufs: number | null;
  /** Of the last render; null when never rendered (or the settings changed since). */
  format: GreetingFormat | null;
  renderedBytes: number | null;
  sourceBytes: number;
  targets: string[];
  script: string | null;
  trashedAt: string | null;
  /** A recording whose window closed before Stop: restorable, shown as such. */
  unfinished: boolean;
}
export interface DraftPage {
  total: number;
  page: number;
  pageSize: number;
  items: DraftSummary[];
}
export interface DraftDetail extends DraftSummary {
  settings: DraftSettingsInfo;
  source: SourceInfo;
  analysis: AnalysisResult | null;
}

// ---------- outbox (the persistent queue and its worker) ----------

export type OutboxState = 'pending' | 'running' | 'uploaded' | 'skipped' | 'renamed' | 'failed' | 'cancelled';
export interface OutboxItem {
  id: string;
  createdAt: string;
  updatedAt: string;
  ext: string;
  /** The name asked for; `target` is the name written (differs after keep-both). */
  fileName: string;
  target: string | null;
  policy: IfExistsPolicy;
  /** Profile name when this app knows it, else the PBX origin. */
  pbxLabel: string;
  pbxProfileId: string;
  pbxOrigin: string;
  state: OutboxState;
  /** Set while running. */
  percent: number | null;
  action: UploadAction | null;
  attempts: number;
  parked: boolean;
  error: IpcError | null;
  /** Why a pending item is not moving (no credentials for its PBX, PBX unreachable…), with what to do. */
  waitingReason: string | null;
  draftId: string | null;
  sourceLabel: string;
  backupTaken: boolean;
  activate: SelectionSlot[] | null;
}
export interface OutboxPage {
  total: number;
  page: number;
  pageSize: number;
  items: OutboxItem[];
  counts: Record<OutboxState, number>;
  /** True while this app's worker drains the queue. */
  draining: boolean;
  /** Who holds the queue lock when it is not this app (e.g. "vmgreet batch, pid 4242"); null otherwise. */
  lockedBy: string | null;
}
export interface NameCheck {
  /** False when the PBX could not be asked (offline): the policy chosen up front applies. */
  checked: boolean;
  /** Extensions that already hold this name, with whether their bytes equal this draft's render. */
  existing: { ext: string; identical: boolean }[];
  /** The name keep-both would use on each of those. */
  keepBothNames: Record<string, string>;
}

// ---------- history ----------

export interface HistoryItem {
  id: string;
  at: string;
  pbxLabel: string;
  ext: string;
  fileName: string;
  bytes: number;
  result: UploadAction | 'failed' | 'cancelled' | 'rolled-back' | 'removed';
  reason: string | null;
  backupTaken: boolean;
  /** Rollback is offered only for the latest entry of that greeting with a backup (or a created one: delete it). */
  canRollback: boolean;
  rolledBack: boolean;
}
export interface HistoryPage {
  total: number;
  page: number;
  pageSize: number;
  items: HistoryItem[];
}

// ---------- connection state ----------

export type ConnectionStatus = 'offline' | 'connecting' | 'online' | 'unreachable';
export interface ConnectionState {
  status: ConnectionStatus;
  /** The profile connected (or last tried); null when none. */
  profileId: string | null;
  profileName: string | null;
  /** ISO time of the last status change. */
  since: string;
  /** Why it is unreachable, in words, with what to do. */
  message: string | null;
}

/** Phantom marker so the map can carry a response type without a runtime schema. */
function res<T>(): T {
  return undefined as unknown as T;
}
const Empty = z.strictObject({});

// ---------- the channel map: API method name -> request schema + response type ----------

export const channels = {
  ...connectChannels,
  // profiles & connection
  listProfiles: { request: Empty, response: res<ProfilesListing>() },
  saveProfile: {
    request: z.strictObject({
      id: Id.optional(),
      name: z.string().trim().min(1, 'Enter a profile name').max(64),
      baseUrl: HttpUrl,
      clientId: z.string().trim().min(1, 'Enter the Client ID').max(256),
      /** Omit to keep the stored secret when editing. */
      clientSecret: z.string().min(1).max(256).optional(),
      tls: TlsOption,
    }),
    response: res<ProfileSummary>(),
  },
  deleteProfile: { request: z.strictObject({ id: Id }), response: res<{ deleted: boolean }>() },
  testConnection: { request: z.strictObject({ id: Id }), response: res<ConnectionResult>() },
  connect: { request: z.strictObject({ id: Id }), response: res<ConnectionResult>() },
  disconnect: { request: Empty, response: res<{ disconnected: boolean }>() },
  connectionState: { request: Empty, response: res<ConnectionState>() },
  /** Try the current (or last used) profile again now. */
  reconnect: { request: Empty, response: res<ConnectionState>() },
  startDemo: { request: Empty, response: res<DemoStarted>() },

  // extensions & greetings on the connected PBX
  searchExtensions: {
    request: z.strictObject({
      query: z.string().max(64),
      page: z.number().int().min(1).max(100_000),
      pageSize: z.number().int().min(1).max(100),
      /** Offline: whose cached directory to search (default: the last used profile). */
      profileId: Id.optional(),
    }),
    response: res<ExtensionPage>(),
  },
  listGreetings: { request: z.strictObject({ ext: ExtNumber }), response: res<Greeting[]>() },
  playGreeting: { request: z.strictObject({ ext: ExtNumber, file: GreetingFile }), response: res<GreetingAudio>() },
  downloadGreeting: {
    request: z.strictObject({ ext: ExtNumber, file: GreetingFile }),
    response: res<{ saved: boolean; bytes: number }>(),
  },
  deleteGreeting: { request: z.strictObject({ ext: ExtNumber, file: GreetingFile }), response: res<{ deleted: true }>() },

  // sources: import & recording
  importWithDialog: { request: Empty, response: res<SourceInfo | null>() },
  /**
   * A dropped file, by the one-time token the preload obtained for a path Electron gave it (webUtils.getPathForFile
   * on a real drop). The page never names a path: a path it made up has no token.
   */
  importDropped: { request: z.strictObject({ token: Id }), response: res<SourceInfo>() },
  importBytes: {
    request: z.strictObject({ name: z.string().min(1).max(255), bytes: Bytes(MAX_IMPORT_BYTES) }),
    response: res<SourceInfo>(),
  },
  readSource: { request: z.strictObject({ sourceId: Id }), response: res<SourceBytes>() },
  startTake: {
    request: z.strictObject({ mimeType: z.string().regex(/^audio\/[A-Za-z0-9.+-]+(;\s*codecs=[A-Za-z0-9.,"' -]+)?$/).max(100) }),
    response: res<TakeStarted>(),
  },
  appendChunk: {
    request: z.strictObject({ takeId: Id, seq: z.number().int().min(0), bytes: Bytes(MAX_CHUNK_BYTES) }),
    response: res<ChunkAck>(),
  },
  finishTake: { request: z.strictObject({ takeId: Id }), response: res<SourceInfo>() },
  abortTake: { request: z.strictObject({ takeId: Id }), response: res<{ aborted: boolean }>() },
  listUnfinishedTakes: { request: Empty, response: res<UnfinishedTake[]>() },
  restoreTake: { request: z.strictObject({ takeId: Id }), response: res<SourceInfo>() },
  discardTake: { request: z.strictObject({ takeId: Id }), response: res<{ discarded: boolean }>() },

  // audio
  capabilities: { request: Empty, response: res<Capabilities>() },
  analyse: { request: z.strictObject({ sourceId: Id, operationId: OperationId }), response: res<AnalysisResult>() },
  planFormat: {
    request: z.strictObject({ durationSec: z.number().min(0).max(86_400), format: FormatChoice }),
    response: res<FormatPlanInfo>(),
  },
  renderPreview: {
    request: z
      .strictObject({
        sourceId: Id,
        operationId: OperationId,
        startSec: z.number().min(0).optional(),
        endSec: z.number().min(0).optional(),
        format: FormatChoice,
        normalize: z.boolean().default(true),
      })
      .refine((r) => r.startSec === undefined || r.endSec === undefined || r.endSec > r.startSec, {
        message: 'The end of the selection must be after its start',
      }),
    response: res<PreviewResult>(),
  },

  cancel: { request: z.strictObject({ operationId: OperationId }), response: res<{ cancelled: boolean }>() },

  // drafts
  listDrafts: {
    request: z.strictObject({
      page: z.number().int().min(1).max(100_000),
      pageSize: z.number().int().min(1).max(200),
      trash: z.boolean().default(false),
      query: z.string().max(64).default(''),
    }),
    response: res<DraftPage>(),
  },
  getDraft: { request: z.strictObject({ draftId: Id }), response: res<DraftDetail>() },
  /** Saves the editor's state into the draft (trim, format, normalise, intended targets). */
  saveDraft: {
    request: z.strictObject({
      draftId: Id,
      settings: z
        .strictObject({
          trimStartSec: z.number().min(0).nullable(),
          trimEndSec: z.number().min(0).nullable(),
          normalize: z.boolean(),
          format: FormatChoice,
        })
        .partial()
        .optional(),
      targets: z.array(ExtNumber).max(5000).optional(),
      script: z.string().max(4000).nullable().optional(),
    }),
    response: res<DraftSummary>(),
  },
  renameDraft: { request: z.strictObject({ draftId: Id, name: z.string().trim().min(1).max(200) }), response: res<DraftSummary>() },
  duplicateDraft: { request: z.strictObject({ draftId: Id }), response: res<DraftSummary>() },
  /** Renders the draft with its saved settings (kept in the draft folder). */
  renderDraft: { request: z.strictObject({ draftId: Id, operationId: OperationId }), response: res<DraftSummary>() },
  trashDraft: { request: z.strictObject({ draftId: Id }), response: res<{ trashed: boolean }>() },
  restoreDraft: { request: z.strictObject({ draftId: Id }), response: res<DraftSummary>() },
  emptyTrash: { request: Empty, response: res<{ removed: number }>() },
  /** "Save as file…": the rendered greeting to a place the person picks in the native dialog. */
  exportDraft: { request: z.strictObject({ draftId: Id }), response: res<{ saved: boolean; bytes: number }>() },

  // outbox: every upload, one extension or many, is a queue item carried out by the library's worker
  checkNames: {
    request: z.strictObject({ draftId: Id, extensions: z.array(ExtNumber).min(1).max(5000), name: GreetingName }),
    response: res<NameCheck>(),
  },
  enqueueUploads: {
    request: z.strictObject({
      draftId: Id,
      extensions: z.array(ExtNumber).min(1).max(5000),
      name: GreetingName,
      ifExists: IfExists,
      /** Overwrite even when the backup of the old greeting fails (the person chose it explicitly). */
      allowOverwriteWithoutBackup: z.boolean().default(false),
      /** Make it play for these statuses after upload. */
      activate: z.array(SelectionSlotSchema).min(1).max(7).optional(),
      /** Default: the connected profile, else the last used one. */
      profileId: Id.optional(),
    }),
    response: res<{ itemIds: string[] }>(),
  },
  listOutbox: {
    request: z.strictObject({
      page: z.number().int().min(1).max(100_000),
      pageSize: z.number().int().min(1).max(200),
      states: z.array(z.enum(['pending', 'running', 'uploaded', 'skipped', 'renamed', 'failed', 'cancelled'])).optional(),
    }),
    response: res<OutboxPage>(),
  },
  /** No ids: every failed or parked item. */
  retryOutbox: { request: z.strictObject({ ids: z.array(Id).max(5000).optional() }), response: res<{ retried: number }>() },
  cancelOutbox: { request: z.strictObject({ ids: z.array(Id).min(1).max(5000) }), response: res<{ cancelled: number }>() },
  clearFinishedOutbox: { request: Empty, response: res<{ removed: number }>() },

  // history
  listHistory: {
    request: z.strictObject({
      page: z.number().int().min(1).max(100_000),
      pageSize: z.number().int().min(1).max(200),
      ext: ExtNumber.optional(),
    }),
    response: res<HistoryPage>(),
  },
  rollback: { request: z.strictObject({ historyId: Id }), response: res<{ result: string; message: string }>() },
  exportHistoryCsv: { request: Empty, response: res<{ saved: boolean; rows: number }>() },

  // links
  openExternal: { request: z.strictObject({ url: z.string().max(2048) }), response: res<{ opened: boolean }>() },
  ...contentChannels,
  ...batchChannels,
  ...greetChannels,
} as const;

export type Channels = typeof channels;
export type ChannelName = keyof Channels;
export type RequestOf<K extends ChannelName> = z.input<Channels[K]['request']>;
export type ParsedRequestOf<K extends ChannelName> = z.output<Channels[K]['request']>;
export type ResponseOf<K extends ChannelName> = Channels[K]['response'];
export const CHANNEL_NAMES = Object.keys(channels) as ChannelName[];

/** The Electron IPC channel string for an API method (one namespace so nothing else collides). */
export function ipcChannel(name: ChannelName): string {
  return `vmgs:${name}`;
}

// ---------- events main -> renderer ----------

export interface ProgressEvent {
  operationId: string;
  percent: number;
  stage: string;
}
/** The Outbox changed (an item moved, progressed or was added): the renderer re-reads the page it shows. */
export interface OutboxEvent {
  counts: Record<OutboxState, number>;
  draining: boolean;
  /** The item that progressed, when one did. */
  itemId: string | null;
  percent: number | null;
}
export type MenuCommand = 'import' | 'record' | 'connect' | 'help';
export interface MenuEvent {
  command: MenuCommand;
}
export interface EventMap {
  progress: ProgressEvent;
  outbox: OutboxEvent;
  connection: ConnectionState;
  menu: MenuEvent;
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = ['progress', 'outbox', 'connection', 'menu'];
export function ipcEventChannel(name: EventName): string {
  return `vmgs-event:${name}`;
}

/** The API the preload exposes as window.vmgs: one named function per channel plus typed event subscriptions. */
export type VmgsApi = {
  [K in ChannelName]: (request: RequestOf<K>) => Promise<IpcResult<ResponseOf<K>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  /**
   * Import a dropped File by its real path (Electron only: the preload asks webUtils.getPathForFile and main hands
   * out a one-time token for it). Absent elsewhere, and for Files the page made itself: then import its bytes.
   */
  importDroppedFile?: (file: object) => Promise<IpcResult<SourceInfo>>;
};

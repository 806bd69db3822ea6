// The one typed IPC channel map shared by the main-process handlers, the preload and the renderer.
// It imports nothing but zod because the renderer bundles it. Every request is validated with its schema in main;
// responses are plain data (structured-clone safe) described by TypeScript types.
import { z } from 'zod';
import { greetingNameProblem } from './names.js';

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

export const GREETING_FORMATS = ['wav', 'wav-ulaw', 'wav-alaw', 'mp3', 'gsm'] as const;
export const GreetingFormat = z.enum(GREETING_FORMATS);
export type GreetingFormat = z.infer<typeof GreetingFormat>;
export const FormatChoice = z.enum([...GREETING_FORMATS, 'auto']);
export type FormatChoice = z.infer<typeof FormatChoice>;

export { greetingNameProblem, MAX_GREETING_NAME, EXTERNAL_LINK_ALLOW_LIST, isAllowedExternalUrl } from './names.js';
export const GreetingName = z.string().superRefine((s, ctx) => {
  const problem = greetingNameProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const UploadPolicy = z.enum(['ask', 'overwrite', 'rename', 'skip', 'fail']);
export type UploadPolicy = z.infer<typeof UploadPolicy>;
export const UploadDecision = z.enum(['overwrite', 'rename', 'skip', 'cancel']);
export type UploadDecision = z.infer<typeof UploadDecision>;

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
export interface Extension {
  id: number;
  number: string;
  callerIdName: string;
  email: string;
  presence: string;
  online: boolean;
}
export interface ExtensionPage {
  total: number;
  page: number;
  pageSize: number;
  items: Extension[];
}
export interface Greeting {
  id: number | string;
  file: string;
  realFilename: string;
  suffix: string;
  type: string;
}
export interface SourceInfo {
  sourceId: string;
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
export interface UploadOutcome {
  ext: string;
  fileName: string;
  action: 'created' | 'overwritten' | 'skipped' | 'renamed' | 'failed' | 'cancelled';
  existed: boolean;
  bytes: number;
  error?: IpcError;
}
export interface UploadResult {
  outcomes: UploadOutcome[];
}
export interface DemoStarted {
  profile: ProfileSummary;
  connection: ConnectionResult;
}
export interface GreetingAudio {
  bytes: Uint8Array;
  mime: string;
}

/** Phantom marker so the map can carry a response type without a runtime schema. */
function res<T>(): T {
  return undefined as unknown as T;
}
const Empty = z.strictObject({});

// ---------- the channel map: API method name -> request schema + response type ----------

export const channels = {
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
  startDemo: { request: Empty, response: res<DemoStarted>() },

  // extensions & greetings on the connected PBX
  searchExtensions: {
    request: z.strictObject({
      query: z.string().max(64),
      page: z.number().int().min(1).max(100_000),
      pageSize: z.number().int().min(1).max(100),
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
  importPath: { request: z.strictObject({ path: z.string().min(1).max(4096) }), response: res<SourceInfo>() },
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

  // upload
  upload: {
    request: z.strictObject({
      operationId: OperationId,
      renderId: Id,
      extensions: z.array(ExtNumber).min(1).max(500),
      name: GreetingName,
      policy: UploadPolicy,
    }),
    response: res<UploadResult>(),
  },
  decide: { request: z.strictObject({ operationId: OperationId, decision: UploadDecision }), response: res<{ accepted: boolean }>() },
  cancel: { request: z.strictObject({ operationId: OperationId }), response: res<{ cancelled: boolean }>() },

  // links
  openExternal: { request: z.strictObject({ url: z.string().max(2048) }), response: res<{ opened: boolean }>() },
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
export interface DecisionNeededEvent {
  operationId: string;
  ext: string;
  fileName: string;
}
export type MenuCommand = 'import' | 'record' | 'connect' | 'help';
export interface MenuEvent {
  command: MenuCommand;
}
export interface EventMap {
  progress: ProgressEvent;
  decisionNeeded: DecisionNeededEvent;
  menu: MenuEvent;
}
export type EventName = keyof EventMap;
export const EVENT_NAMES: readonly EventName[] = ['progress', 'decisionNeeded', 'menu'];
export function ipcEventChannel(name: EventName): string {
  return `vmgs-event:${name}`;
}

/** The API the preload exposes as window.vmgs: one named function per channel plus typed event subscriptions. */
export type VmgsApi = {
  [K in ChannelName]: (request: RequestOf<K>) => Promise<IpcResult<ResponseOf<K>>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  /** Absolute path of a dropped File (Electron only; absent elsewhere: then import its bytes). */
  pathForFile?: (file: object) => string | undefined;
};

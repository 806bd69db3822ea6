// Ports the IPC handlers depend on. The Electron shell and the e2e test bridge inject real core services
// (see core-services.ts); unit tests inject fakes. Shapes match the core's exports (main/core/audio, main/core/pbx)
// structurally, so the handlers do not import the core modules directly.
import type {
  Capabilities,
  EventMap,
  EventName,
  Extension,
  FormatChoice,
  FormatPlanInfo,
  Greeting,
  GreetingFormat,
  ProfileSummary,
  SecretStorageStatus,
  TlsOption,
} from './channels.js';
import type { GreetingTransport } from '../core/library/types.js';

/** What the handlers and the Outbox ask of a PBX client (PbxClient in the app): browse, and the queue's transport. */
export interface PbxClientLike extends GreetingTransport {
  testConnection(opts?: { signal?: AbortSignal }): Promise<{ reachable: true; tokenOk: true; extensionCount: number }>;
  listExtensions(opts: { page?: number; pageSize?: number }): Promise<{ total: number; items: Extension[] }>;
  searchExtensions(text: string, opts: { page?: number; pageSize?: number }): Promise<{ total: number; items: Extension[] }>;
  listGreetings(ext: string): Promise<Greeting[]>;
  signOut(): Promise<void>;
}

export interface PbxConnectionConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tls: TlsOption;
  /** The client's security warnings (plain HTTP, insecure TLS), to show to the person. */
  onWarning?: (message: string) => void;
}

export interface AudioProbeLike {
  durationSec: number | null;
  codec: string;
  sampleRate: number;
  channels: number;
  sizeBytes: number;
  container: string;
  hasVideo: boolean;
}
export interface AudioAnalysisLike {
  integratedLufs: number;
  truePeakDbfs: number;
  leadingSilenceSec: number;
  trailingSilenceSec: number;
  speechStartSec: number;
  speechEndSec: number;
  clippingRatio: number;
  noiseFloorDbfs: number;
  durationSec: number;
  warnings: { code: string; message: string }[];
  /** Clean-up the analysis suggests (DENOISE, LEVEL). */
  suggestions?: { code: string; message: string }[];
}
export interface RenderOptionsLike {
  inputPath: string;
  outputPath: string;
  format?: FormatChoice;
  startSec?: number;
  endSec?: number;
  trimSilence?: boolean;
  normalize?: boolean;
  denoise?: boolean;
  level?: boolean;
  /** Only for local playback copies, which are never uploaded: lifts the PBX's 8 MB limit (default: the limit). */
  sizeLimitBytes?: number;
}
export interface RenderResultLike {
  outputPath: string;
  format: GreetingFormat;
  formatReason: string;
  bytes: number;
  durationSec: number;
  plan: FormatPlanInfo;
}
export interface Progress {
  percent: number;
  stage: string;
}
export interface AudioPort {
  probe(path: string, opts: { signal?: AbortSignal }): Promise<AudioProbeLike>;
  analyse(path: string, opts: { signal?: AbortSignal; onProgress?: (p: Progress) => void }): Promise<AudioAnalysisLike>;
  render(opts: RenderOptionsLike, ctl: { signal?: AbortSignal; onProgress?: (p: Progress) => void }): Promise<RenderResultLike>;
  planFormat(durationSec: number, choice: FormatChoice): Promise<FormatPlanInfo>;
  capabilities(): Promise<Capabilities>;
  /**
   * The window the automatic silence trim keeps for a file analysed earlier (optional). When the renderer asks for
   * exactly this window, the handler renders "whole file, trim silence" so the earlier analysis is reused.
   */
  suggestTrim?(path: string): { startSec: number; endSec: number } | undefined;
  /** Safe PBX file name for a user-chosen greeting name. */
  greetingFileName(name: string, format: GreetingFormat): string;
}

export interface ProfileRecord extends ProfileSummary {}
export interface BoundSecret {
  secret: string;
  /** originOf(baseUrl) of the profile when the secret was entered. */
  origin: string;
}
export interface ProfileInput {
  id?: string;
  name: string;
  baseUrl: string;
  clientId: string;
  clientSecret?: string;
  tls: TlsOption;
}
export interface ProfileStorePort {
  list(): Promise<ProfileSummary[]>;
  save(input: ProfileInput): Promise<ProfileSummary>;
  delete(id: string): Promise<boolean>;
  /**
   * The decrypted secret with the origin (scheme://host:port) it was entered for, or undefined when none is stored.
   * The handlers never send it to any other origin.
   */
  getSecret(id: string): Promise<BoundSecret | undefined>;
  secretStatus(): SecretStorageStatus;
}

export interface DialogsPort {
  /** Absolute path chosen by the person, or null when cancelled. */
  openAudioFile(): Promise<string | null>;
  saveFile(defaultName: string): Promise<string | null>;
  /** A greeting-templates file (.json) to import; absent where there is no native dialog (the page reads the file). */
  openTemplatesFile?(): Promise<string | null>;
  /** A CSV mapping (extension,file[,name]) chosen by the person, or null when cancelled. Absent: not offered. */
  openCsvFile?(): Promise<string | null>;
  /** A CA or PBX certificate file (PEM) for the Connect screen; absent where there is no native dialog. */
  openCertificateFile?(): Promise<string | null>;
}

/** Events main → every window (the Outbox and the connection state change without a request). */
export interface Broadcaster {
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
}

/** Time for the periodic connection check and the Outbox's waits (tests inject a fake one). */
export interface ClockPort {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const systemClock: ClockPort = {
  now: () => Date.now(),
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref?.();
    return h;
  },
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    h.unref?.();
    return h;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface DemoPbx {
  url: string;
  clientId: string;
  clientSecret: string;
  fingerprint256?: string;
  close(): Promise<void>;
}

export interface AppServices<C extends PbxClientLike = PbxClientLike> {
  profiles: ProfileStorePort;
  createPbxClient(config: PbxConnectionConfig): C;
  audio: AudioPort;
  /** Starts the built-in simulator on 127.0.0.1 (wired by the composition root: main/ipc never imports main/sim). */
  startDemoPbx(): Promise<DemoPbx>;
  dialogs: DialogsPort;
  openExternal(url: string): Promise<void>;
  /** The data folder shared with the CLI (drafts, queue, history, directory cache): defaultDataDir() by default. */
  dataDir: string;
  /** Longest recording accepted, seconds. */
  maxRecordingSec?: number;
  /** The previous version's workspace (<userData>/workspace): its unfinished takes become unfinished drafts. */
  legacyWorkspaceDir?: string;
  /** Events to every window; default: none (each request's own window still gets its progress events). */
  broadcast?: Broadcaster;
  clock?: ClockPort;
  /** Period of the light connection check while connected (default 5000 ms). */
  connectionCheckMs?: number;
  /** Outbox worker options (tests shorten the backoff). */
  outbox?: { concurrency?: number; backoff?: { baseMs?: number; maxMs?: number; maxAttempts?: number }; offlineAfter?: number; throttleMs?: number; offlineRetryMs?: number };
}

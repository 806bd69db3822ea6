// Ports the IPC handlers depend on. The Electron shell and the e2e test bridge inject real core services
// (see core-services.ts); unit tests inject fakes. Shapes follow /tmp/team/contracts.md structurally, so the
// handlers do not import the core modules directly.
import type {
  Capabilities,
  Extension,
  FormatChoice,
  FormatPlanInfo,
  Greeting,
  GreetingFormat,
  ProfileSummary,
  SecretStorageStatus,
  TlsOption,
  UploadDecision,
  UploadPolicy,
} from './channels.js';

export interface PbxClientLike {
  testConnection(): Promise<{ reachable: true; tokenOk: true; extensionCount: number }>;
  listExtensions(opts: { page?: number; pageSize?: number }): Promise<{ total: number; items: Extension[] }>;
  searchExtensions(text: string, opts: { page?: number; pageSize?: number }): Promise<{ total: number; items: Extension[] }>;
  listGreetings(ext: string): Promise<Greeting[]>;
  downloadGreeting(ext: string, fileName: string, destPath: string): Promise<{ bytes: number }>;
  deleteGreeting(ext: string, fileName: string): Promise<void>;
  signOut(): Promise<void>;
}

export interface PbxConnectionConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tls: TlsOption;
}

export interface UploadPolicyResult {
  ext: string;
  fileName: string;
  action: 'created' | 'overwritten' | 'skipped' | 'renamed';
  existed: boolean;
  bytes: number;
}
export type UploadWithPolicy<C extends PbxClientLike = PbxClientLike> = (
  client: C,
  opts: {
    ext: string;
    filePath: string;
    fileName: string;
    policy: UploadPolicy;
    decide?: (existing: { ext: string; fileName: string }) => Promise<UploadDecision>;
    signal?: AbortSignal;
    onProgress?: (sent: number, total: number) => void;
  },
) => Promise<UploadPolicyResult>;

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
}
export interface RenderOptionsLike {
  inputPath: string;
  outputPath: string;
  format?: FormatChoice;
  startSec?: number;
  endSec?: number;
  trimSilence?: boolean;
  normalize?: boolean;
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
  /** The decrypted secret, or undefined when none is stored. */
  getSecret(id: string): Promise<string | undefined>;
  secretStatus(): SecretStorageStatus;
}

export interface DialogsPort {
  /** Absolute path chosen by the person, or null when cancelled. */
  openAudioFile(): Promise<string | null>;
  saveFile(defaultName: string): Promise<string | null>;
}

export interface DemoPbx {
  url: string;
  clientId: string;
  clientSecret: string;
  fingerprint256?: string;
  close(): Promise<void>;
}

/** C is the concrete client type (PbxClient in the app), so uploadWithPolicy gets the client it was built for. */
export interface AppServices<C extends PbxClientLike = PbxClientLike> {
  profiles: ProfileStorePort;
  createPbxClient(config: PbxConnectionConfig): C;
  uploadWithPolicy: UploadWithPolicy<C>;
  audio: AudioPort;
  /** Starts the built-in simulator (main/sim) on 127.0.0.1. */
  startDemoPbx(): Promise<DemoPbx>;
  dialogs: DialogsPort;
  openExternal(url: string): Promise<void>;
  /** Persistent folder for imported sources and recorded takes (userData in Electron). */
  dataDir: string;
  /** Longest recording accepted, seconds. */
  maxRecordingSec?: number;
}

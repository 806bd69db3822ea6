// Collaborator interfaces the library takes by injection, shaped after the audio and PBX contracts
// (main/core/audio renderGreeting, main/core/pbx PbxClient), so tests can pass fakes and the app the real thing.
import type { FormatChoice, GreetingFormat, IfExistsPolicy } from '../domain.js';

export type { FormatChoice, GreetingFormat, IfExistsPolicy };

export interface RenderRequest {
  inputPath: string;
  outputPath: string;
  format?: FormatChoice;
  startSec?: number;
  endSec?: number;
  trimSilence?: boolean;
  normalize?: boolean;
  targetLufs?: number;
  denoise?: boolean;
  level?: boolean;
}

export interface RenderOutcome {
  outputPath: string;
  format: GreetingFormat;
  formatReason: string;
  bytes: number;
  durationSec: number;
  analysis: unknown;
}

export interface RenderControl {
  signal?: AbortSignal;
  onProgress?: (p: { percent: number; stage: string }) => void;
}

/** Matches `renderGreeting` from main/core/audio. */
export type RenderFn = (opts: RenderRequest, ctl?: RenderControl) => Promise<RenderOutcome>;

/** The subset of PbxClient the queue, backup and batch need. One instance per PBX profile (one live token). */
export interface GreetingTransport {
  greetingExists(ext: string, fileName: string): Promise<{ exists: boolean; existType?: string }>;
  uploadGreetingFile(opts: {
    ext: string;
    filePath: string;
    fileName: string;
    mode: 'ask' | 'force';
    signal?: AbortSignal;
    onProgress?: (sent: number, total: number) => void;
  }): Promise<unknown>;
  downloadGreeting(ext: string, fileName: string, destPath: string): Promise<{ bytes: number }>;
  deleteGreeting(ext: string, fileName: string): Promise<void>;
}

/** Optional: what the batch planner needs to reject unknown extensions. */
export interface ExtensionDirectory {
  listExtensions(opts?: { page?: number; pageSize?: number }): Promise<{ total: number; items: { number: string }[] }>;
}

/** Matches `probeAudio` from main/core/audio (only the fields the CSV check reads). */
export type ProbeFn = (path: string, opts?: { signal?: AbortSignal }) => Promise<{ durationSec: number; codec: string; channels: number }>;

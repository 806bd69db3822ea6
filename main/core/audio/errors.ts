// Typed errors of the audio engine. Codes are stable (CLI exit codes, IPC and tests switch on them); messages say
// what happened and what to do.
import { VmgsError, type ErrorKind } from '../errors.js';

export type AudioErrorCode =
  | 'FFMPEG_NOT_FOUND'
  | 'FFMPEG_FAILED'
  | 'FFMPEG_TOO_OLD'
  | 'AUDIO_NOT_FOUND'
  | 'AUDIO_NOT_A_FILE'
  | 'AUDIO_UNREADABLE_PATH'
  | 'AUDIO_EMPTY_FILE'
  | 'AUDIO_UNREADABLE'
  | 'AUDIO_NO_AUDIO_STREAM'
  | 'AUDIO_INVALID_STREAM'
  | 'AUDIO_SILENT'
  | 'AUDIO_TOO_SHORT'
  | 'AUDIO_DAMAGED'
  | 'AUDIO_TOO_LONG'
  | 'AUDIO_FORMAT_TOO_BIG'
  | 'AUDIO_FORMAT_UNAVAILABLE'
  | 'AUDIO_UNKNOWN_FORMAT'
  | 'AUDIO_RANGE_INVALID'
  | 'AUDIO_OPTION_INVALID'
  | 'AUDIO_OUTPUT_DIR_MISSING'
  | 'AUDIO_OUTPUT_INVALID'
  | 'AUDIO_OUTPUT_TOO_BIG';

export class AudioError extends VmgsError {
  declare readonly code: AudioErrorCode;

  constructor(code: AudioErrorCode, message: string, options?: { cause?: unknown; detail?: Record<string, unknown>; kind?: ErrorKind }) {
    const kind: ErrorKind = options?.kind ?? (code.startsWith('FFMPEG_') ? 'internal' : 'audio');
    super(kind, code, message, options);
  }
}

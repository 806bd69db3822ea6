// Output presets and the size planner: which format a greeting of a given length is written in, and why.
// Sizes are predicted from duration × preset byte rate (+ container overhead) before anything is encoded.
import { GREETING_FORMATS, isGreetingFormat, type FormatChoice, type GreetingFormat } from '../domain.js';
import { AudioError } from './errors.js';

// The formats themselves are domain vocabulary (main/core/domain.ts); re-exported for the engine's callers.
export { GREETING_FORMATS, isGreetingFormat, type FormatChoice, type GreetingFormat };

/** Conservative PBX upload limit: the Yeastar doc says "8 MB" without saying 8·10⁶ or 8·2²⁰. */
export const SIZE_LIMIT_BYTES = 8_000_000;
export const TARGET_SAMPLE_RATE = 8000;

export interface EncoderCapabilities {
  gsm: boolean;
  mp3: boolean;
  formats: GreetingFormat[];
}

export interface FormatPreset {
  format: GreetingFormat;
  label: string;
  extension: '.wav' | '.mp3' | '.gsm';
  /** Payload bytes per second of audio. */
  bytesPerSec: number;
  /** Fixed container overhead (headers, encoder priming) allowed for in predictions. */
  overheadBytes: number;
  /** ffmpeg output arguments (codec, muxer); rate/channels are added by the renderer. */
  ffmpegArgs: string[];
}

/** mp3 at 8 kHz mono (MPEG-2.5): 24 kbit/s is clear for speech and far smaller than PCM. */
export const MP3_BITRATE_KBPS = 24;

export const PRESETS: Readonly<Record<GreetingFormat, FormatPreset>> = {
  wav: { format: 'wav', label: 'WAV PCM 16-bit 8 kHz mono', extension: '.wav', bytesPerSec: 16_000, overheadBytes: 44, ffmpegArgs: ['-c:a', 'pcm_s16le', '-f', 'wav'] },
  'wav-ulaw': { format: 'wav-ulaw', label: 'WAV G.711 µ-law 8 kHz mono', extension: '.wav', bytesPerSec: 8_000, overheadBytes: 58, ffmpegArgs: ['-c:a', 'pcm_mulaw', '-f', 'wav'] },
  'wav-alaw': { format: 'wav-alaw', label: 'WAV G.711 A-law 8 kHz mono', extension: '.wav', bytesPerSec: 8_000, overheadBytes: 58, ffmpegArgs: ['-c:a', 'pcm_alaw', '-f', 'wav'] },
  mp3: {
    format: 'mp3', label: `MP3 ${MP3_BITRATE_KBPS} kbit/s 8 kHz mono`, extension: '.mp3', bytesPerSec: (MP3_BITRATE_KBPS * 1000) / 8, overheadBytes: 2_000,
    ffmpegArgs: ['-c:a', 'libmp3lame', '-b:a', `${MP3_BITRATE_KBPS}k`, '-id3v2_version', '0', '-write_id3v1', '0', '-f', 'mp3'],
  },
  // GSM 06.10: 33 bytes per 20 ms frame = 1650 B/s.
  gsm: { format: 'gsm', label: 'GSM 06.10 8 kHz mono', extension: '.gsm', bytesPerSec: 1_650, overheadBytes: 33, ffmpegArgs: ['-c:a', 'libgsm', '-f', 'gsm'] },
};

/** The order 'auto' tries: best quality first, smallest last. */
export const AUTO_ORDER: readonly GreetingFormat[] = ['wav', 'wav-ulaw', 'mp3', 'gsm'];

export function parseFormatChoice(value: unknown): FormatChoice {
  if (value === 'auto' || isGreetingFormat(value)) return value;
  throw new AudioError('AUDIO_UNKNOWN_FORMAT', `Unknown output format ${JSON.stringify(value)}. Choose one of: auto, ${GREETING_FORMATS.join(', ')}.`, { kind: 'usage' });
}

export function extensionFor(format: GreetingFormat): '.wav' | '.mp3' | '.gsm' {
  return PRESETS[format].extension;
}

export function predictBytes(format: GreetingFormat, durationSec: number): number {
  const p = PRESETS[format];
  if (format === 'gsm') return Math.ceil(durationSec / 0.02) * 33;
  return Math.ceil(durationSec * p.bytesPerSec) + p.overheadBytes;
}

export function maxDurationSec(format: GreetingFormat, limitBytes = SIZE_LIMIT_BYTES): number {
  const p = PRESETS[format];
  return Math.max(0, (limitBytes - p.overheadBytes) / p.bytesPerSec);
}

/** "8 min 20 s", "1 h 20 min 48 s", "45 s". */
export function formatDuration(sec: number): string {
  const total = Math.round(sec);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const parts: string[] = [];
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (s || parts.length === 0) parts.push(`${s} s`);
  return parts.join(' ');
}

function formatMb(bytes: number): string {
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
  const mb = bytes / 1_000_000;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** "8 MB ≈ 8 min 20 s of wav" */
export function budgetText(format: GreetingFormat, limitBytes = SIZE_LIMIT_BYTES): string {
  return `${formatMb(limitBytes)} ≈ ${formatDuration(maxDurationSec(format, limitBytes))} of ${format}`;
}

export interface FormatPlan {
  format: GreetingFormat;
  reason: string;
  predictedBytes: number;
  maxDurationSec: number;
  budgetText: string;
}

function available(format: GreetingFormat, caps: EncoderCapabilities): boolean {
  return caps.formats.includes(format);
}

function unavailableMessage(format: GreetingFormat): string {
  const encoder = format === 'gsm' ? 'libgsm' : 'libmp3lame';
  return `This ffmpeg cannot write ${format} (it has no ${encoder} encoder). Choose another format or install an ffmpeg built with ${encoder}.`;
}

/**
 * Chooses the output format for `durationSec` of audio. A pinned format that cannot fit (or cannot be encoded) is
 * refused here, before any encoding; 'auto' steps down wav → wav-ulaw → mp3 → gsm and says why.
 */
export function planFormat(durationSec: number, choice: FormatChoice, caps: EncoderCapabilities, limitBytes = SIZE_LIMIT_BYTES): FormatPlan {
  if (!Number.isFinite(durationSec) || durationSec < 0) {
    throw new AudioError('AUDIO_OPTION_INVALID', `Cannot plan a greeting of ${durationSec} seconds.`);
  }
  const build = (format: GreetingFormat, reason: string): FormatPlan => ({
    format, reason, predictedBytes: predictBytes(format, durationSec), maxDurationSec: maxDurationSec(format, limitBytes), budgetText: budgetText(format, limitBytes),
  });
  const len = formatDuration(durationSec);
  if (choice !== 'auto') {
    if (!isGreetingFormat(choice)) parseFormatChoice(choice);
    if (!available(choice, caps)) throw new AudioError('AUDIO_FORMAT_UNAVAILABLE', unavailableMessage(choice), { kind: 'usage', detail: { format: choice } });
    const plan = build(choice, `${choice} was requested.`);
    if (plan.predictedBytes > limitBytes) {
      throw new AudioError('AUDIO_FORMAT_TOO_BIG',
        `A ${len} greeting in ${choice} would be about ${formatMb(plan.predictedBytes)}, over the PBX limit (${plan.budgetText}). ` +
        `Shorten it to at most ${formatDuration(Math.floor(plan.maxDurationSec))} or choose a smaller format (or 'auto').`,
        { kind: 'input', detail: { format: choice, predictedBytes: plan.predictedBytes, limitBytes } });
    }
    return plan;
  }
  const skipped: string[] = [];
  for (const format of AUTO_ORDER) {
    if (!available(format, caps)) { skipped.push(`${format} is not available in this ffmpeg`); continue; }
    const plan = build(format, '');
    if (plan.predictedBytes <= limitBytes) {
      plan.reason = skipped.length === 0
        ? `${format}: the best quality, and ${len} fits (${plan.budgetText}).`
        : `${format}: ${skipped.join('; ')}; ${len} fits in ${format} (${plan.budgetText}).`;
      return plan;
    }
    skipped.push(`${len} is too long for ${format} (${plan.budgetText})`);
  }
  const smallest = [...AUTO_ORDER].reverse().find((f) => available(f, caps)) ?? 'wav';
  throw new AudioError('AUDIO_TOO_LONG',
    `A ${len} greeting does not fit the PBX limit in any available format (${skipped.join('; ')}). ` +
    `Choose a section of at most ${formatDuration(Math.floor(maxDurationSec(smallest, limitBytes)))} with start/end.`,
    { kind: 'input', detail: { durationSec, limitBytes } });
}

/** The longest greeting any available format can hold (used to refuse absurdly long inputs before decoding them). */
export function longestFittingSec(caps: EncoderCapabilities, limitBytes = SIZE_LIMIT_BYTES): number {
  return Math.max(0, ...caps.formats.map((f) => maxDurationSec(f, limitBytes)));
}

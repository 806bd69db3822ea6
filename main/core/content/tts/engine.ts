// The one text-to-speech port. Every engine turns text into an audio file in a folder it is given; the caller then
// sends that file through the same render as a recording (renderGreeting: 8 kHz, loudness target, lead-in), so a
// spoken greeting is as loud as a recorded one. Engines are found at run time; nothing is downloaded.
import { ContentError } from '../errors.js';

export const TTS_ENGINE_IDS = ['espeak-ng', 'flite', 'macos-say', 'windows-sapi', 'pbx'] as const;
export type TtsEngineId = (typeof TTS_ENGINE_IDS)[number];

export interface TtsEngineInfo {
  id: TtsEngineId;
  label: string;
  /** SPDX id where there is one, else the licence's own name. */
  licence: string;
  /** Why using it fits an MIT app that ships installers. */
  licenceNote: string;
  /** `system`: installed with (or onto) the operating system and spawned as a program; `pbx`: runs on the PBX. Nothing ships inside the app. */
  supplied: 'system' | 'pbx';
  /** Platforms where it can exist. */
  platforms: readonly NodeJS.Platform[];
  /** Longest text it takes in one go. */
  maxChars: number;
}

export interface TtsVoice {
  id: string;
  label: string;
  language: string | null;
}

export interface TtsProbe {
  id: TtsEngineId;
  available: boolean;
  /** The program that would run (absolute path), or the PBX address. */
  program: string | null;
  version: string | null;
  /** Why it is not available, in words (null when it is). */
  reason: string | null;
  voices: TtsVoice[];
}

export interface SynthesizeRequest {
  text: string;
  /** A folder the engine may write into (the caller's private temp folder). */
  dir: string;
  voice?: string | undefined;
  /** Speaking rate in percent of the engine's normal rate (50–200). */
  ratePercent?: number | undefined;
  /** The extension the greeting is for (the PBX engine creates its temporary greeting there). */
  ext?: string | undefined;
  signal?: AbortSignal | undefined;
}

export interface SynthesizeResult {
  /** The audio file written (WAV or AIFF; anything ffmpeg reads). */
  file: string;
  engine: TtsEngineId;
  voice: string | null;
  /** Things the caller should pass on (e.g. a temporary PBX greeting that could not be removed). */
  warnings: string[];
}

export interface TtsEngine {
  readonly info: TtsEngineInfo;
  probe(signal?: AbortSignal): Promise<TtsProbe>;
  synthesize(req: SynthesizeRequest): Promise<SynthesizeResult>;
}

export const MIN_RATE = 50;
export const MAX_RATE = 200;

/** Text as engines take it: no control characters, single spaces; refused when empty or too long for this engine. */
export function prepareText(text: string, info: TtsEngineInfo): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (clean === '') throw new ContentError('usage', 'TTS_EMPTY_TEXT', 'There is no text to speak. Give the words of the greeting.');
  if (clean.length > info.maxChars) {
    throw new ContentError('input', 'TTS_TEXT_TOO_LONG', `The text has ${clean.length} characters; ${info.label} takes at most ${info.maxChars}. Shorten it.`, {
      detail: { chars: clean.length, maxChars: info.maxChars },
    });
  }
  return clean;
}

export function checkRate(ratePercent: number | undefined): number {
  const r = ratePercent ?? 100;
  if (!Number.isFinite(r) || r < MIN_RATE || r > MAX_RATE) {
    throw new ContentError('usage', 'TTS_BAD_RATE', `The speaking rate must be ${MIN_RATE} to ${MAX_RATE} percent of normal (got ${String(ratePercent)}).`);
  }
  return r;
}

export function unavailable(info: TtsEngineInfo, reason: string, program: string | null = null): TtsProbe {
  return { id: info.id, available: false, program, version: null, reason, voices: [] };
}

/** The error for a program that ran but did not produce speech: its own words, shortened. */
export function engineFailed(info: TtsEngineInfo, detail: string): ContentError {
  const text = detail.replace(/\s+/g, ' ').trim().slice(0, 300);
  return new ContentError('audio', 'TTS_ENGINE_FAILED', `${info.label} could not speak the text${text ? `: ${text}` : ''}. Try another voice or engine (vmgreet tts --engines lists them).`);
}

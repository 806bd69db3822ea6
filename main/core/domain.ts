// The vocabulary every layer shares: the core (audio, pbx, library), the IPC contract, the CLI and the renderer.
// Runtime-neutral on purpose: it imports nothing (no Node, no zod), so the renderer can bundle it and every layer
// states a format, a policy, an extension, a greeting or an outcome exactly once — here.

// ---------- formats ----------

/** What the PBX accepts: PCM, µ-law and A-law WAV (8 kHz mono), MP3 and GSM 06.10. */
export const GREETING_FORMATS = ['wav', 'wav-ulaw', 'wav-alaw', 'mp3', 'gsm'] as const;
export type GreetingFormat = (typeof GREETING_FORMATS)[number];
/** A format, or 'auto': the best that fits the PBX's size limit (wav, then µ-law, MP3, GSM). */
export const FORMAT_CHOICES = [...GREETING_FORMATS, 'auto'] as const;
export type FormatChoice = (typeof FORMAT_CHOICES)[number];

export function isGreetingFormat(value: unknown): value is GreetingFormat {
  return typeof value === 'string' && (GREETING_FORMATS as readonly string[]).includes(value);
}

/** The file suffix a greeting of this format carries on the PBX. */
export function suffixFor(format: GreetingFormat): '.wav' | '.mp3' | '.gsm' {
  return format === 'mp3' ? '.mp3' : format === 'gsm' ? '.gsm' : '.wav';
}

// ---------- greeting names ----------

/** Longest greeting base name (without suffix) anything in the app or CLI creates. */
export const MAX_GREETING_NAME = 64;
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * The one rule for a greeting name typed or supplied by a person (app field, `--name`, a CSV cell, a template):
 * letters, digits, `-` and `_`. Returns what is wrong in words, or null when the name is fine.
 */
export function greetingNameProblem(name: string): string | null {
  if (name.length === 0) return 'Enter a name for the greeting.';
  if (name.length > MAX_GREETING_NAME) return `Use at most ${MAX_GREETING_NAME} characters.`;
  if (!NAME_PATTERN.test(name)) return 'Use only letters, digits, "-" and "_" (no spaces or accents): the PBX rejects other characters.';
  return null;
}

/**
 * The one rule for "keep both": the n-th alternative of `fileName` (n ≥ 2), `away.wav` → `away-2.wav`, with the stem
 * shortened so the base name stays within MAX_GREETING_NAME.
 */
export function keepBothName(fileName: string, n: number): string {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  const suffix = dot > 0 ? fileName.slice(dot) : '';
  const tail = `-${n}`;
  return `${stem.slice(0, MAX_GREETING_NAME - tail.length)}${tail}${suffix}`;
}

// ---------- the PBX's objects ----------

/** Presence statuses of a Yeastar P-Series extension (the web API spells lunch `launch`; see main/core/pbx). */
export const PRESENCE_STATUSES = ['available', 'away', 'do_not_disturb', 'lunch', 'business_trip', 'off_work'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];

/**
 * Where a greeting can be chosen to play: the extension's default (`default`, used by every status left on
 * "extension default") or one presence status.
 */
export const SELECTION_SLOTS = ['default', ...PRESENCE_STATUSES] as const;
export type SelectionSlot = (typeof SELECTION_SLOTS)[number];

/** Labels for people (CLI tables, the app). */
export const SELECTION_SLOT_LABELS: Readonly<Record<SelectionSlot, string>> = {
  default: 'Default',
  available: 'Available',
  away: 'Away',
  do_not_disturb: 'Do not disturb',
  lunch: 'Lunch',
  business_trip: 'Business trip',
  off_work: 'Off work',
};

export interface Extension {
  id: number;
  number: string;
  callerIdName: string;
  email: string;
  /** A PresenceStatus, or '' when the PBX did not say. */
  presence: string;
  /** Any endpoint (SIP phone, Linkus desktop/mobile/web) online. */
  online: boolean;
}

export interface Greeting {
  /** The PBX's integer id. */
  id: number;
  file: string;
  /** Full name with suffix: what play, download and delete take. */
  realFilename: string;
  suffix: string;
  /** 'record' (recorded by phone or uploaded) or 'tts'. */
  type: string;
}

// ---------- uploads and their outcomes ----------

/** What to do when the greeting name already exists on the extension. `overwrite` always backs the old one up first. */
export const IF_EXISTS_POLICIES = ['overwrite', 'rename', 'skip', 'fail'] as const;
export type IfExistsPolicy = (typeof IF_EXISTS_POLICIES)[number];

/**
 * How an upload that reached the PBX ended. `unchanged`: the PBX already held exactly these bytes under that name, so
 * nothing was written. `renamed`: stored under a keep-both name.
 */
export const UPLOAD_ACTIONS = ['created', 'overwritten', 'unchanged', 'renamed', 'skipped'] as const;
export type UploadAction = (typeof UPLOAD_ACTIONS)[number];

/** One line of text per outcome, used by the CLI tables, the app's status table and the history. */
export const UPLOAD_ACTION_LABELS: Readonly<Record<UploadAction, string>> = {
  created: 'created',
  overwritten: 'overwritten (old greeting backed up)',
  unchanged: 'unchanged (already on the PBX)',
  renamed: 'kept both (renamed)',
  skipped: 'skipped (name exists)',
};

// ---------- extension lists typed by people ----------

/** Most extensions one typed list ("3200-3299, 3300") may name. */
export const MAX_EXTENSIONS_PER_SPEC = 10_000;

export type ExtensionListParse = { ok: true; extensions: string[] } | { ok: false; part: string; why: string };

/**
 * The one rule for a typed extension list, used by the CLI (`--ext`) and the app's picker: numbers and ranges
 * separated by commas ("3200-3299,3305"), input order, duplicates dropped. A range keeps the width of its start
 * (`0100-0105`); both ends of a range with leading zeros need the same number of digits.
 */
export function parseExtensionRanges(spec: string): ExtensionListParse {
  const parts = spec.split(',').map((p) => p.trim());
  if (spec.trim() === '' || parts.some((p) => p === '')) return { ok: false, part: spec, why: 'it is empty or has an empty item between commas' };
  const out = new Set<string>();
  for (const part of parts) {
    const m = /^(\d{1,12})(?:\s*-\s*(\d{1,12}))?$/.exec(part);
    if (!m) return { ok: false, part, why: 'use extension numbers (digits) or ranges like 3200-3299' };
    const startText = m[1] ?? '';
    const endText = m[2];
    if (endText === undefined) {
      out.add(startText);
      continue;
    }
    const start = Number(startText);
    const end = Number(endText);
    if (end < start) return { ok: false, part, why: `the range runs backwards; write ${endText}-${startText}` };
    if (startText.length !== endText.length && (startText.startsWith('0') || endText.startsWith('0'))) {
      return { ok: false, part, why: 'both ends of a range with leading zeros need the same number of digits' };
    }
    if (end - start + 1 + out.size > MAX_EXTENSIONS_PER_SPEC) return { ok: false, part, why: `more than ${MAX_EXTENSIONS_PER_SPEC} extensions` };
    for (let n = start; n <= end; n += 1) out.add(String(n).padStart(startText.length, '0'));
  }
  return { ok: true, extensions: [...out] };
}

/** "“32x0” is not a valid extension list: use extension numbers …." — the message both the CLI and the app show. */
export function extensionListProblem(p: { part: string; why: string }): string {
  return `"${p.part}" is not a valid extension list: ${p.why}.`;
}

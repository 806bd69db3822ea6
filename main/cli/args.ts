// Validation of command-line values with zod. Commander hands us strings; these schemas turn them into typed,
// checked values and produce one clear UsageError ("what is wrong, what to type instead") when they do not fit.
import { createRequire } from 'node:module';
import type * as Zod from 'zod/v3';
import { FORMAT_CHOICES, IF_EXISTS_POLICIES, greetingNameProblem, type IfExistsPolicy } from '../core/domain.js';
import { showValue } from '../core/errors.js';
import { UsageError } from './errors.js';

export { FORMAT_CHOICES, showValue };
/** What `upload --if-exists` takes: the domain's policies, plus asking on a terminal (then one of them is queued). */
export const UPLOAD_POLICIES = ['ask', ...IF_EXISTS_POLICIES] as const;
export type UploadPolicy = (typeof UPLOAD_POLICIES)[number];
export type { IfExistsPolicy };

// These few checks use zod's v3 API (shipped inside the zod 4 package as `zod/v3`): it loads as one bundle in ~12 ms,
// where zod 4's API is some 95 modules and ~50 ms, the largest part of a `vmgreet prepare` start on this machine.
// The action wrapper loads it (loadZod) before a command's values are checked, so a command that checks none
// (--help) does not load it; a direct caller (a test) gets it on the first check.
let zod: typeof Zod.z | undefined;
export async function loadZod(): Promise<void> {
  zod ??= (await import('zod/v3')).z;
}
function z(): typeof Zod.z {
  return (zod ??= (createRequire(import.meta.url)('zod/v3') as typeof Zod).z);
}

function parseWith<T>(schema: Zod.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const shown = typeof value === 'string' ? showValue(value) : String(value);
  throw new UsageError(`${what} ${shown} is not valid: ${first?.message ?? 'invalid value'}.`, 'CLI_BAD_ARGUMENT', { argument: what });
}

// Yeastar extension numbers are digits. Anything else (&, /, spaces) would end up inside a query string or a
// multipart field, so it is refused here, before any request is made.
let extSchemaMemo: Zod.ZodType<string> | undefined;
const extSchema = (): Zod.ZodType<string> => (extSchemaMemo ??= z()
  .string()
  .max(15, { message: 'an extension number has at most 15 digits' })
  .regex(/^[0-9]+$/, { message: 'use the extension number, digits only (for example 3200)' }));

export function parseExt(value: string): string {
  return parseWith(extSchema(), value, 'Extension');
}

/** `3200-3299` or `3200` or `3200,3201,3300-3310` → ordered, de-duplicated list of extension numbers. */
export function parseExtRange(value: string, max = 10_000): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const part of value.split(',')) {
    const m = /^\s*([0-9]{1,15})\s*(?:-\s*([0-9]{1,15})\s*)?$/.exec(part);
    if (!m || m[1] === undefined) {
      throw new UsageError(`Extension range ${showValue(part)} is not valid: write a number (3200), a range (3200-3299) or a comma-separated list of both.`, 'CLI_BAD_RANGE');
    }
    const from = m[1];
    const to = m[2] ?? from;
    const a = Number(from);
    const b = Number(to);
    if (b < a) throw new UsageError(`Extension range ${showValue(part)} runs backwards: write the lower number first (${to}-${from}).`, 'CLI_BAD_RANGE');
    if (b - a + 1 + out.length > max) throw new UsageError(`Extension range ${showValue(value)} has more than ${max} extensions.`, 'CLI_BAD_RANGE');
    for (let n = a; n <= b; n++) {
      // Keep leading zeros of the written form ("0100-0105" → "0100" … "0105").
      const s = String(n).padStart(from.length, '0');
      if (!seen.has(s)) {
        seen.add(s);
        out.push(s);
      }
    }
  }
  return out;
}

/**
 * A greeting name given with --name: the one name rule of the domain (greetingNameProblem), the same for the app's
 * field and a CSV name cell. An optional .wav/.mp3/.gsm suffix is tolerated and returned separately.
 */
export function parseGreetingName(value: string): { base: string; suffix: '.wav' | '.mp3' | '.gsm' | undefined } {
  const m = /^(.*)\.(wav|mp3|gsm)$/i.exec(value);
  const base = m?.[1] ?? value;
  const suffix = m?.[2] ? (`.${m[2].toLowerCase()}` as '.wav' | '.mp3' | '.gsm') : undefined;
  const problem = greetingNameProblem(base);
  if (problem !== null) throw new UsageError(`Name ${showValue(base)} is not valid: ${problem.charAt(0).toLowerCase()}${problem.slice(1)}`, 'CLI_BAD_ARGUMENT', { argument: 'Name' });
  return { base, suffix };
}

// An existing greeting's file name (for download/delete): whatever the PBX lists, but never a path or control chars.
let fileSchemaMemo: Zod.ZodType<string> | undefined;
const fileSchema = (): Zod.ZodType<string> => (fileSchemaMemo ??= z()
  .string()
  .min(1, { message: 'the file name is empty' })
  .max(255, { message: 'use at most 255 characters' })
  // eslint-disable-next-line no-control-regex
  .regex(/^[^/\\\u0000-\u001f\u007f]+$/, { message: 'give the file name as `greetings list` shows it, without a folder or control characters' }));

export function parseGreetingFile(value: string): string {
  return parseWith(fileSchema(), value, 'File name');
}

function intSchema(min: number, max: number) {
  return z().coerce
    .number({ message: 'expected a whole number' })
    .int({ message: 'expected a whole number' })
    .min(min, { message: `use a number from ${min} to ${max}` })
    .max(max, { message: `use a number from ${min} to ${max}` });
}

export function parseIntArg(value: string, what: string, min: number, max: number): number {
  if (!/^\s*-?[0-9]+\s*$/.test(value)) throw new UsageError(`${what} ${showValue(value)} is not valid: expected a whole number from ${min} to ${max}.`, 'CLI_BAD_ARGUMENT', { argument: what });
  return parseWith(intSchema(min, max), value, what);
}

/** Seconds as `12.5`, `1:02.5` or `01:02:03`. */
export function parseSeconds(value: string, what: string): number {
  const m = /^\s*(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d+)?)\s*$/.exec(value);
  if (!m) throw new UsageError(`${what} ${showValue(value)} is not valid: give seconds (12.5) or minutes:seconds (1:02.5).`, 'CLI_BAD_ARGUMENT', { argument: what });
  const parts = [m[1], m[2], m[3]].filter((p): p is string => p !== undefined).map(Number);
  const seconds = parts.reduce((acc, p) => acc * 60 + p, 0);
  return parseWith(z().number().finite().min(0).max(24 * 3600, { message: 'that is longer than a day' }), seconds, what);
}

export function parseLufs(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`Target loudness ${showValue(value)} is not valid: give LUFS as a negative number, for example -20.`, 'CLI_BAD_ARGUMENT');
  return parseWith(z().number().min(-40, { message: 'use a value from -40 to -10 LUFS (telephony: about -20)' }).max(-10, { message: 'use a value from -40 to -10 LUFS (telephony: about -20)' }), n, 'Target loudness');
}

export function parseChoice<T extends string>(value: string, choices: readonly T[], what: string): T {
  const r = z().enum(choices as unknown as [T, ...T[]]).safeParse(value);
  if (r.success) return r.data;
  throw new UsageError(`${what} ${showValue(value)} is not valid: choose one of ${choices.join(', ')}.`, 'CLI_BAD_ARGUMENT', { argument: what });
}

export function checkRange(start: number | undefined, end: number | undefined): void {
  if (start !== undefined && end !== undefined && start >= end) {
    throw new UsageError(`--start (${start} s) must be before --end (${end} s): swap them or drop one.`, 'CLI_BAD_RANGE');
  }
  if (start === undefined && end !== undefined && end <= 0) {
    throw new UsageError(`--end (${end} s) must be after the start of the recording: give a later --end, or leave it out to keep to the end.`, 'CLI_BAD_RANGE');
  }
}

/** SHA-256 fingerprint as 64 hex digits, with or without colons → Node's `AB:CD:…` form. */
export function parsePin(value: string): string {
  const hex = value.replace(/^sha256\//i, '').replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new UsageError('The --pin value is not a SHA-256 fingerprint: give 64 hex digits, with or without colons (as `vmgreet sim --https` or `openssl x509 -fingerprint -sha256` prints it).', 'CLI_BAD_PIN');
  }
  return hex.toUpperCase().match(/../g)!.join(':');
}

// Rendering through the audio engine into a private temp folder (removed on success, error and Ctrl-C), plus the
// wording the CLI uses to explain the chosen format.
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FormatChoice, GreetingFormat, RenderResult } from '../core/audio/index.js';
import { isVmgsError } from '../core/errors.js';
import { InputError } from './errors.js';
import type { Output } from './output.js';

export const FORMAT_LABEL: Readonly<Record<GreetingFormat, string>> = {
  wav: 'WAV, PCM 16-bit 8 kHz mono',
  'wav-ulaw': 'WAV, G.711 µ-law 8 kHz mono',
  'wav-alaw': 'WAV, G.711 A-law 8 kHz mono',
  mp3: 'MP3, 8 kHz mono',
  gsm: 'GSM 06.10, 8 kHz mono',
};

export interface RenderSettings {
  format: FormatChoice;
  startSec?: number | undefined;
  endSec?: number | undefined;
  trimSilence: boolean;
  normalize: boolean;
  targetLufs?: number | undefined;
  /** Noise reduction and levelling (--denoise, --level). */
  denoise?: boolean | undefined;
  level?: boolean | undefined;
}

/** What mkdtemp makes of 'vmgreet-': the prefix and six letters or digits. Other names are never touched. */
const TEMP_NAME = /^vmgreet-[A-Za-z0-9]{6}$/;
/**
 * A render folder untouched for this long belongs to a run that was killed (SIGKILL, power cut) and could not clean
 * up: no render comes near a day (the longest greeting the PBX takes, 81 minutes of GSM, renders in well under a
 * minute), and a live render keeps touching its files, so an active folder is never this old.
 */
export const STALE_TEMP_MS = 24 * 60 * 60 * 1000;

/** Newest modification time of a folder and everything in it (a render writing its output counts as activity). */
async function newestMtime(p: string, depth = 0): Promise<number> {
  const st = await stat(p);
  let newest = st.mtimeMs;
  if (st.isDirectory() && depth < 4) {
    for (const name of await readdir(p)) newest = Math.max(newest, await newestMtime(path.join(p, name), depth + 1).catch(() => 0));
  }
  return newest;
}

/**
 * Removes render folders of earlier runs that were killed before they could clean up: only folders named like
 * ours, only when nothing in them changed for STALE_TEMP_MS. Best effort: a folder that cannot be read is left.
 */
export async function sweepStaleTempDirs(root: string = os.tmpdir(), now: number = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isDirectory() || !TEMP_NAME.test(e.name)) continue;
    const dir = path.join(root, e.name);
    const newest = await newestMtime(dir).catch(() => now);
    if (now - newest < STALE_TEMP_MS) continue;
    await rm(dir, { recursive: true, force: true }).then(() => removed.push(dir), () => undefined);
  }
  return removed;
}

let swept = false;

/** Creates a temp folder, runs `fn` in it, and always removes it. The first call of a run sweeps stale ones. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  if (!swept) {
    swept = true;
    await sweepStaleTempDirs();
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgreet-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Renders `inputPath` into `dir`, showing a progress bar on a terminal. */
export async function renderInto(dir: string, inputPath: string, settings: RenderSettings, out: Output, signal: AbortSignal): Promise<RenderResult> {
  const { renderGreeting } = await import('../core/audio/index.js');
  const bar = out.progress('Preparing', 100, 'percent');
  try {
    return await renderGreeting(
      {
        inputPath,
        outputPath: path.join(dir, 'greeting.out'),
        // The engine's own temp folder goes inside ours, so one sweep covers what a killed run leaves.
        tempDir: dir,
        format: settings.format,
        ...(settings.startSec !== undefined ? { startSec: settings.startSec } : {}),
        ...(settings.endSec !== undefined ? { endSec: settings.endSec } : {}),
        trimSilence: settings.trimSilence,
        normalize: settings.normalize,
        ...(settings.targetLufs !== undefined ? { targetLufs: settings.targetLufs } : {}),
        denoise: settings.denoise === true,
        level: settings.level === true,
      },
      { signal, onProgress: (p) => bar.update(Math.max(0, Math.min(100, Math.round(p.percent)))) },
    );
  } catch (e) {
    throw await rangeInFlags(e, inputPath);
  } finally {
    bar.stop();
  }
}

const secText = (sec: number): string => String(Math.round(sec * 1000) / 1000);
const clockText = (sec: number): string => (sec < 60 ? `${sec.toFixed(1)} s` : `${Math.floor(sec / 60)}:${(sec % 60).toFixed(1).padStart(4, '0')}`);

/**
 * The engine's "start/end past the end of the recording" in the words of the command line: the flag, the input's
 * length and what to give instead ("--start 30 is past the end of in.wav (12.4 s); choose a start before 12.4 s"),
 * and, for a WAV cut short, that its header promised more. A bad input (exit 2), as the engine says; other errors
 * pass unchanged.
 */
export async function rangeInFlags(e: unknown, inputPath: string): Promise<unknown> {
  if (!isVmgsError(e) || e.code !== 'AUDIO_RANGE_INVALID' || !e.detail) return e;
  const { field, valueSec, durationSec } = e.detail;
  if ((field !== 'start' && field !== 'end') || typeof valueSec !== 'number' || typeof durationSec !== 'number') return e;
  const dur = clockText(durationSec);
  const advice = field === 'start' ? `choose a start before ${dur}` : `choose an end up to ${dur}, or leave --end out to keep to the end`;
  const { truncationOf, wavDeclaredLength } = await import('../core/audio/declared-length.js');
  const size = (await stat(inputPath).catch(() => undefined))?.size;
  const cut = size === undefined ? undefined : truncationOf(await wavDeclaredLength(inputPath, size).catch(() => undefined));
  const early = cut ? ` (The file ends early: its header promises ${clockText(cut.declaredSec)} — it may be cut off.)` : '';
  return new InputError(`--${field} ${secText(valueSec)} is past the end of ${path.basename(inputPath)} (${dur}); ${advice}.${early}`, e.code, { cause: e, detail: { ...e.detail } });
}

/**
 * Why this format, in words: the engine's reason; without --format (the default, auto) and wav chosen, the case for
 * it. When wav does not fit, auto's reason says which smaller format was taken and why.
 */
export function formatReason(r: RenderResult, formatGiven: boolean): string {
  if (formatGiven || r.plan.format !== 'wav') return r.formatReason;
  return `wav is the default when it fits: uncompressed telephone quality, and ${r.durationSec.toFixed(1)} s fits easily (${r.plan.budgetText}).`;
}

/** Lines that tell an administrator what was produced and why. */

export function describeRender(r: RenderResult, settings: RenderSettings, formatGiven: boolean): string[] {
  const a = r.analysis;
  const lines = [
    `  format    ${r.format} (${FORMAT_LABEL[r.format]})`,
    `  why       ${formatReason(r, formatGiven)}`,
    `  length    ${r.durationSec.toFixed(1)} s, ${formatKb(r.bytes)} (limit ${r.plan.budgetText})`,
  ];
  const level = settings.normalize
    ? `source ${fmtDb(a.integratedLufs)} LUFS, normalised to ${settings.targetLufs ?? -20} LUFS`
    : `source ${fmtDb(a.integratedLufs)} LUFS, not normalised (--no-normalize)`;
  lines.push(`  level     ${level}`);
  if (settings.trimSilence) {
    const cut = [
      a.leadingSilenceSec >= 0.05 ? `${a.leadingSilenceSec.toFixed(1)} s at the start` : '',
      a.trailingSilenceSec >= 0.05 ? `${a.trailingSilenceSec.toFixed(1)} s at the end` : '',
    ].filter(Boolean);
    if (cut.length > 0) lines.push(`  silence   trimmed ${cut.join(' and ')}`);
  }
  const c = r.cleanup;
  const done = [
    c.denoise ? `noise reduced (noise floor ${c.denoise.noiseFloorBeforeDbfs.toFixed(0)} → ${c.denoise.noiseFloorAfterDbfs.toFixed(0)} dBFS)` : '',
    c.level ? `levelled (loudness range ${c.level.loudnessRangeBeforeLu.toFixed(0)} → ${c.level.loudnessRangeAfterLu.toFixed(0)} LU)` : '',
  ].filter(Boolean);
  if (done.length > 0) lines.push(`  cleanup   ${done.join('; ')}`);
  return lines;
}

const SUGGESTION_FLAG: Readonly<Record<string, string>> = { DENOISE: '--denoise', LEVEL: '--level' };

/** The analysis's warnings, then the clean-up it suggests that was not asked for ("tip: … (add --denoise)"). */
export function reportAnalysisWarnings(r: RenderResult, out: Output): void {
  for (const w of r.analysis.warnings) out.warn(w.message);
  for (const s of r.analysis.suggestions) {
    if ((s.code === 'DENOISE' && r.cleanup.denoise) || (s.code === 'LEVEL' && r.cleanup.level)) continue;
    out.problem(`tip: ${s.message} (add ${SUGGESTION_FLAG[s.code] ?? s.code.toLowerCase()})`);
  }
}

function fmtDb(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : 'silent';
}

function formatKb(n: number): string {
  return n < 1_000_000 ? `${(n / 1000).toFixed(1)} kB` : `${(n / 1_000_000).toFixed(2)} MB`;
}

// Rendering through the audio engine into a private temp folder (removed on success, error and Ctrl-C), plus the
// wording the CLI uses to explain the chosen format.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FormatChoice, GreetingFormat, RenderResult } from '../core/audio/index.js';
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
}

/** Creates a temp folder, runs `fn` in it, and always removes it. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
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
        format: settings.format,
        ...(settings.startSec !== undefined ? { startSec: settings.startSec } : {}),
        ...(settings.endSec !== undefined ? { endSec: settings.endSec } : {}),
        trimSilence: settings.trimSilence,
        normalize: settings.normalize,
        ...(settings.targetLufs !== undefined ? { targetLufs: settings.targetLufs } : {}),
      },
      { signal, onProgress: (p) => bar.update(Math.max(0, Math.min(100, Math.round(p.percent)))) },
    );
  } finally {
    bar.stop();
  }
}

/** Lines that tell an administrator what was produced and why. */
/** Why this format, in words: the engine's reason, or for the default format the case for it. */
export function formatReason(r: RenderResult, formatGiven: boolean): string {
  if (formatGiven || r.plan.format !== 'wav' || r.formatReason !== 'wav was requested.') return r.formatReason;
  return `wav is the default: uncompressed telephone quality, and ${r.durationSec.toFixed(1)} s fits easily (${r.plan.budgetText}).`;
}

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
  return lines;
}

export function reportAnalysisWarnings(r: RenderResult, out: Output): void {
  for (const w of r.analysis.warnings) out.warn(w.message);
}

function fmtDb(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : 'silent';
}

function formatKb(n: number): string {
  return n < 1_000_000 ? `${(n / 1000).toFixed(1)} kB` : `${(n / 1_000_000).toFixed(2)} MB`;
}

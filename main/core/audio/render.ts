// Renders a greeting: analyse (one 8 kHz pass) → plan the format against the size limit → one ffmpeg render with a
// linear gain computed from the analysis and a limiter for the peak ceiling. No two-pass loudnorm: the gain lands
// where it is computed because the analysis measured exactly the signal the render amplifies.
import { copyFile, mkdtemp, rename, rm, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CancelledError } from '../errors.js';
import { analyseAudio, predictedLimiterLoss, probeAndAnalyse, validateRange, type AudioAnalysis } from './analyse.js';
import { getEncoderCapabilities, resolveFfmpeg, type FfmpegPaths } from './binaries.js';
import { AudioError } from './errors.js';
import { runFfmpeg } from './ffmpeg-adapter.js';
import { renderArgs, type RenderChainParams } from './filters.js';
import {
  formatDuration, isGreetingFormat, longestFittingSec, parseFormatChoice, planFormat, PRESETS, SIZE_LIMIT_BYTES,
  type EncoderCapabilities, type FormatChoice, type FormatPlan, type GreetingFormat,
} from './formats.js';
import { probeAudio, type AudioProbe } from './probe.js';

export interface RenderOptions {
  inputPath: string;
  /** Full path of the file to write; its folder must exist. Written atomically (temp file, then rename). */
  outputPath: string;
  /** Default 'auto': wav whenever it fits, else the next smaller format (wav-ulaw → mp3 → gsm). */
  format?: FormatChoice | undefined;
  startSec?: number | undefined;
  endSec?: number | undefined;
  trimSilence?: boolean | undefined;
  normalize?: boolean | undefined;
  targetLufs?: number | undefined;
  peakCeilingDbfs?: number | undefined;
  sizeLimitBytes?: number | undefined;
  /** Root for the per-render temp folder (default os.tmpdir()). */
  tempDir?: string | undefined;
  /** Skip the analysis pass when the caller already analysed this input (only used without start/end). */
  analysis?: AudioAnalysis | undefined;
  /** Skip the probe when the caller already probed this input (its durationSec must be the real length). */
  probe?: AudioProbe | undefined;
  /** Injected for tests and for callers that already resolved them. */
  capabilities?: EncoderCapabilities | undefined;
  binaries?: FfmpegPaths | undefined;
}

export interface RenderControl {
  signal?: AbortSignal | undefined;
  onProgress?: ((p: { percent: number; stage: string }) => void) | undefined;
}

export interface RenderResult {
  outputPath: string;
  format: GreetingFormat;
  formatReason: string;
  bytes: number;
  /** Predicted duration of the written greeting (seconds). */
  durationSec: number;
  /** Analysis of the rendered range of the source. */
  analysis: AudioAnalysis;
  plan: FormatPlan;
  probe: AudioProbe;
  gainDb: number;
  /** Where the kept audio starts/ends in the source, and the silence padded in front. */
  keptStartSec: number;
  keptEndSec: number;
  leadInPadSec: number;
  /** The exact render parameters (the benchmark replays them with bare ffmpeg). */
  renderParams: RenderChainParams;
}

export const MARGIN_BEFORE_SEC = 0.15;
export const MARGIN_AFTER_SEC = 0.4;
/** Lead-in before speech in the output (100–300 ms required); silence is padded up to this. */
export const LEAD_IN_SEC = 0.2;
export const FADE_SEC = 0.015;
/** Sample-peak headroom under the true-peak ceiling: inter-sample peaks at 8 kHz and codec overshoot. */
const LIMITER_HEADROOM_DB: Readonly<Record<GreetingFormat, number>> = { wav: 0.5, 'wav-ulaw': 0.7, 'wav-alaw': 0.7, mp3: 1, gsm: 2.5 };
/** Loudness the lossy codecs take away from speech (measured with ebur128 on rendered speech), added back before them. */
const CODEC_LOUDNESS_OFFSET_DB: Readonly<Record<GreetingFormat, number>> = { wav: 0, 'wav-ulaw': 0, 'wav-alaw': 0, mp3: 0.25, gsm: 0.6 };
const MAX_LIMITER_COMPENSATION_DB = 6;

/** Linear gain that lands the output on `targetLufs` after the limiter (whose loss is predicted from the analysis). */
export function computeGainDb(analysis: AudioAnalysis, targetLufs: number, limiterDbfs: number, format: GreetingFormat): number {
  const base = targetLufs - analysis.integratedLufs + CODEC_LOUDNESS_OFFSET_DB[format];
  let gain = base;
  for (let i = 0; i < 6; i++) {
    const loss = Math.min(MAX_LIMITER_COMPENSATION_DB, predictedLimiterLoss(analysis.crestProfile, analysis.integratedLufs + gain, limiterDbfs));
    gain = base + loss;
  }
  return Math.max(-MAX_GAIN_DB, Math.min(MAX_GAIN_DB, gain));
}
const MAX_GAIN_DB = 50;

function checkNumber(name: string, v: number, min: number, max: number): number {
  if (!Number.isFinite(v) || v < min || v > max) throw new AudioError('AUDIO_OPTION_INVALID', `${name} must be a number between ${min} and ${max} (got ${Number.isFinite(v) ? v : String(v).replace('NaN', 'no number')}).`, { kind: 'usage' });
  return v;
}

async function checkOutput(outputPath: string, inputPath: string): Promise<string> {
  if (typeof outputPath !== 'string' || outputPath.trim() === '') throw new AudioError('AUDIO_OUTPUT_INVALID', 'No output file was given.', { kind: 'usage' });
  const out = path.resolve(outputPath);
  if (out === path.resolve(inputPath)) throw new AudioError('AUDIO_OUTPUT_INVALID', 'The output file cannot be the input file. Choose another name.', { kind: 'usage' });
  const dir = path.dirname(out);
  const st = await stat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new AudioError('AUDIO_OUTPUT_DIR_MISSING', `The output folder ${dir} does not exist. Create it or choose another folder.`, { kind: 'input' });
  const existing = await stat(out).catch(() => undefined);
  if (existing?.isDirectory()) throw new AudioError('AUDIO_OUTPUT_INVALID', `The output path ${out} is a folder. Give a file name.`, { kind: 'usage' });
  return out;
}

/** Rename into place; across file systems copy next to the target first so the final step is still a rename. */
async function moveIntoPlace(tmpFile: string, out: string): Promise<void> {
  try {
    await rename(tmpFile, out);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    const part = `${out}.${randomBytes(4).toString('hex')}.part`;
    try {
      await copyFile(tmpFile, part);
      await rename(part, out);
    } catch (err) {
      await unlink(part).catch(() => undefined);
      throw err;
    }
  }
}

export interface RenderPlanInput {
  rangeStart: number;
  rangeEnd: number;
  analysis: AudioAnalysis;
  trimSilence: boolean;
}

/** Which part of the source is kept and how much silence is padded in front (pure). */
export function keepWindow(p: RenderPlanInput): { keepStart: number; keepEnd: number; padSec: number } {
  const len = p.rangeEnd - p.rangeStart;
  const a = p.analysis;
  let keepStart = 0;
  let keepEnd = len;
  if (p.trimSilence && a.speechFound) {
    keepStart = Math.max(0, a.speechStartSec - MARGIN_BEFORE_SEC);
    keepEnd = Math.min(len, a.speechEndSec + MARGIN_AFTER_SEC);
  }
  const marginBefore = a.speechFound ? a.speechStartSec - keepStart : 0;
  const padSec = marginBefore < LEAD_IN_SEC ? LEAD_IN_SEC - marginBefore : 0;
  return { keepStart: p.rangeStart + keepStart, keepEnd: p.rangeStart + keepEnd, padSec: Math.round(padSec * 1000) / 1000 };
}

export async function renderGreeting(opts: RenderOptions, ctl: RenderControl = {}): Promise<RenderResult> {
  const signal = ctl.signal;
  const report = (percent: number, stage: string): void => ctl.onProgress?.({ percent: Math.max(0, Math.min(100, Math.round(percent))), stage });
  const choice = parseFormatChoice(opts.format ?? 'auto');
  const targetLufs = checkNumber('targetLufs', opts.targetLufs ?? -20, -40, -5);
  const ceiling = checkNumber('peakCeilingDbfs', opts.peakCeilingDbfs ?? -3, -20, 0);
  const limit = checkNumber('sizeLimitBytes', opts.sizeLimitBytes ?? SIZE_LIMIT_BYTES, 1_000, 1e12);
  const trimSilence = opts.trimSilence ?? true;
  const normalize = opts.normalize ?? true;
  const out = await checkOutput(opts.outputPath, opts.inputPath);
  if (signal?.aborted) throw new CancelledError('The render');

  const bins = opts.binaries ?? (await resolveFfmpeg());
  const caps = opts.capabilities ?? (await getEncoderCapabilities(bins.ffmpegPath));
  if (isGreetingFormat(choice) && !caps.formats.includes(choice)) planFormat(0, choice, caps, limit); // throws FORMAT_UNAVAILABLE

  report(0, 'analyse');
  // Refuse what no format can hold before decoding hours of audio (trimming silence will not save a 3 h file).
  const longest = longestFittingSec(caps, limit);
  const refuseTooLong = (sec: number): void => {
    if (sec <= longest) return;
    throw new AudioError('AUDIO_TOO_LONG',
      `The recording is ${formatDuration(sec)} long; the PBX limit holds at most ${formatDuration(Math.floor(longest))} even in the smallest format. ` +
      'Choose a shorter section with start/end.', { kind: 'input', detail: { durationSec: sec, maxSec: longest } });
  };
  const onAnalyseProgress = (p: { percent: number }): void => report(p.percent * 0.5, 'analyse');
  let probe: AudioProbe;
  let analysis: AudioAnalysis;
  const whole = opts.startSec === undefined && opts.endSec === undefined;
  if (whole && !opts.analysis) {
    ({ probe, analysis } = await probeAndAnalyse(opts.inputPath, {
      signal, binaries: bins, onProgress: onAnalyseProgress, checkProbe: (p) => refuseTooLong(p.durationSec),
    }));
    refuseTooLong(probe.durationSec);
  } else {
    probe = opts.probe && opts.probe.durationSec > 0 ? opts.probe : await probeAudio(opts.inputPath, { signal, binaries: bins });
    const r = validateRange(probe, opts.startSec, opts.endSec);
    refuseTooLong(r.end - r.start);
    const ranged = r.start > 0 || r.end < probe.durationSec;
    analysis = opts.analysis && !ranged ? opts.analysis : await analyseAudio(opts.inputPath, {
      signal, probe, binaries: bins, startSec: r.start, endSec: r.end, onProgress: onAnalyseProgress,
    });
  }
  const { start, end } = validateRange(probe, opts.startSec, opts.endSec);
  if (normalize && !analysis.speechFound) {
    throw new AudioError('AUDIO_SILENT', 'The recording (or the chosen section) is silent: there is nothing to make louder. Record the greeting again.', { kind: 'input' });
  }

  const { keepStart, keepEnd, padSec } = keepWindow({ rangeStart: start, rangeEnd: end, analysis, trimSilence });
  const keepSec = keepEnd - keepStart;
  const durationSec = Math.round((keepSec + padSec) * 1000) / 1000;
  const plan = planFormat(durationSec, choice, caps, limit);
  const limiterDbfs = normalize ? ceiling - LIMITER_HEADROOM_DB[plan.format] : undefined;
  const gainDb = limiterDbfs !== undefined ? computeGainDb(analysis, targetLufs, limiterDbfs, plan.format) : 0;
  // The limiter (and its 32 kHz detour) is only needed when the amplified true peak would pass the limit.
  // 8 kHz true peaks can sit ~2 dB above the sample peaks the analysis measured: skip only with that margin.
  const limiterNeeded = limiterDbfs !== undefined && analysis.truePeakDbfs + 2 + gainDb > limiterDbfs;
  const params: RenderChainParams = {
    inputStartSec: keepStart, keepSec, gainDb, limiterDbfs: limiterNeeded ? limiterDbfs : undefined,
    fadeSec: FADE_SEC, leadInPadSec: padSec, format: plan.format,
  };

  if (signal?.aborted) throw new CancelledError('The render');
  const tmpDir = await mkdtemp(path.join(opts.tempDir ?? os.tmpdir(), 'vmgs-render-'));
  try {
    const tmpFile = path.join(tmpDir, `greeting${PRESETS[plan.format].extension}`);
    report(50, 'render');
    await runFfmpeg(bins.ffmpegPath, renderArgs(opts.inputPath, tmpFile, params), {
      signal, onProgressSec: (s) => report(50 + (s / durationSec) * 50, 'render'),
    });
    const bytes = (await stat(tmpFile)).size;
    if (bytes > limit) {
      throw new AudioError('AUDIO_OUTPUT_TOO_BIG', `The rendered greeting is ${bytes} bytes, over the PBX limit of ${limit} bytes. Choose a smaller format or a shorter section.`, { kind: 'input', detail: { bytes, limit } });
    }
    if (bytes === 0) throw new AudioError('FFMPEG_FAILED', 'ffmpeg wrote an empty file.');
    if (signal?.aborted) throw new CancelledError('The render');
    await moveIntoPlace(tmpFile, out);
    report(100, 'done');
    return {
      outputPath: out, format: plan.format, formatReason: plan.reason, bytes, durationSec, analysis, plan, probe, gainDb: Math.round(gainDb * 100) / 100,
      keptStartSec: keepStart, keptEndSec: keepEnd, leadInPadSec: padSec, renderParams: params,
    };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

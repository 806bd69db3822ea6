// Renders a greeting: decode once (8 kHz mono float, analysis from the same samples) → plan the format against the
// size limit → gain, true-peak limiter, fades and lead-in in Node, measured and corrected until the output sits on
// the loudness target → PCM / G.711 WAV written here, MP3 and GSM through ffmpeg's encoders. No second decode and
// no two-pass loudnorm: the loudness is measured on the very samples that are written.
import { copyFile, mkdtemp, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { CancelledError } from '../errors.js';
import { pcmWavHeader, g711WavHeader } from '../wav.js';
import { analyseDecoded, decodeRange, MIN_GREETING_SEC, predictedLimiterLoss, probeAnalyseDecode, type AudioAnalysis } from './analyse.js';
import { getEncoderCapabilities, resolveFfmpeg, type FfmpegPaths } from './binaries.js';
import type { DecodedAudio } from './decode.js';
import { denoise, level } from './cleanup.js';
import { applyFades, encodeG711, frameLevels, fromDb, integratedLoudness, loudnessRange, LOUDNESS_FLOOR_LUFS, toInt16, TruePeakLimiter } from './dsp.js';
import { AudioError } from './errors.js';
import { runFfmpeg } from './ffmpeg-adapter.js';
import { encodeArgs, FRAME_SAMPLES, type RenderChainParams } from './filters.js';
import {
  formatDuration, GREETING_FORMATS, isGreetingFormat, longestFittingSec, parseFormatChoice, planFormat, PRESETS, SIZE_LIMIT_BYTES, TARGET_SAMPLE_RATE,
  type EncoderCapabilities, type FormatChoice, type FormatPlan, type GreetingFormat,
} from './formats.js';
import type { AudioProbe } from './probe.js';

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
  /** Noise reduction with a noise profile from the detected silence (see cleanup.ts). Default off. */
  denoise?: boolean | undefined;
  /** Gentle levelling of speech whose level swings, before the loudness stage. Default off. */
  level?: boolean | undefined;
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
  /** What the clean-up did, when asked for (noise floors and loudness ranges of the rendered section, before/after). */
  cleanup: RenderCleanup;
}

export interface RenderCleanup {
  denoise?: { noiseFloorBeforeDbfs: number; noiseFloorAfterDbfs: number; profile: 'silence' | 'quietest'; profileSec: number } | undefined;
  level?: { loudnessRangeBeforeLu: number; loudnessRangeAfterLu: number } | undefined;
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

/**
 * Linear gain that lands the output on `targetLufs` after the limiter, whose loss is predicted from the analysis
 * (the first guess of the render's loudness loop; `lossFactor` as in predictedLimiterLoss).
 */
export function computeGainDb(analysis: AudioAnalysis, targetLufs: number, limiterDbfs: number, format: GreetingFormat, lossFactor?: number): number {
  const base = targetLufs - analysis.integratedLufs + CODEC_LOUDNESS_OFFSET_DB[format];
  let gain = base;
  for (let i = 0; i < 6; i++) {
    const loss = Math.min(MAX_LIMITER_COMPENSATION_DB, predictedLimiterLoss(analysis.crestProfile, analysis.integratedLufs + gain, limiterDbfs, lossFactor));
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


const round1 = (v: number): number => Math.round(v * 10) / 10;

/** The noise floor as the analysis measures it: the 10th percentile of the 50 ms frame levels (digital silence left out). */
function noiseFloor(frameRmsDb: readonly number[]): number {
  const s = frameRmsDb.filter((l) => l > -150).sort((a, b) => a - b);
  return s.length ? round1(s[Math.floor(0.1 * (s.length - 1))]!) : -120;
}

/** Planning before the encoder listing is known: WAV and G.711 are written here and always exist. */
const BUILT_IN: readonly GreetingFormat[] = ['wav', 'wav-ulaw', 'wav-alaw'];
const ALL_FORMATS: EncoderCapabilities = { gsm: true, mp3: true, formats: [...GREETING_FORMATS] };
/** The limiter's timing (the same as the ffmpeg alimiter the engine used before: 5 ms attack, 50 ms release). */
const LIMITER_TIMING = { attackMs: 5, releaseMs: 50 };
/** The output's measured loudness is corrected until it is this close to the target (LU). */
const LOUDNESS_TOLERANCE_LU = 0.05;
const MAX_LOUDNESS_PASSES = 4;

/**
 * Gain → true-peak limiter → measured loudness, repeated (secant steps) until the limited signal sits on
 * `targetLufs`: the limiter's loudness cost is measured, not predicted.
 */
function normaliseAndLimit(x: Float32Array, firstGainDb: number, maxGainDb: number, targetLufs: number, limiterDbfs: number, signal: AbortSignal | undefined): { out: Float32Array; gainDb: number } {
  const make = (fromGainDb: number): TruePeakLimiter =>
    new TruePeakLimiter(x, { limit: fromDb(limiterDbfs), rate: TARGET_SAMPLE_RATE, maxGain: fromDb(Math.min(maxGainDb, fromGainDb + 1)), ...LIMITER_TIMING });
  let gainDb = Math.min(maxGainDb, firstGainDb);
  // The limiter looks up front at every peak that could pass the limit up to 1 dB above the first gain (the first
  // guess is rarely 0.3 dB off; past the 1 dB the limiter is built again).
  let limiter = make(gainDb);
  let limiterMaxDb = Math.min(maxGainDb, gainDb + 1);
  let prev: { gainDb: number; lufs: number } | undefined;
  let out = x;
  for (let pass = 1; ; pass++) {
    if (signal?.aborted) throw new CancelledError('The render');
    if (gainDb > limiterMaxDb) { limiter = make(gainDb); limiterMaxDb = Math.min(maxGainDb, gainDb + 1); }
    out = limiter.run(fromDb(gainDb)).out;
    const lufs = integratedLoudness(out, TARGET_SAMPLE_RATE);
    const err = targetLufs - lufs;
    if (lufs <= LOUDNESS_FLOOR_LUFS || Math.abs(err) <= LOUDNESS_TOLERANCE_LU || pass >= MAX_LOUDNESS_PASSES) break;
    // Limiting makes the output gain less than 1 dB per dB: step along the measured slope (at least 0.2).
    const slope = prev && gainDb !== prev.gainDb ? Math.min(1, Math.max(0.2, (lufs - prev.lufs) / (gainDb - prev.gainDb))) : 1;
    prev = { gainDb, lufs };
    const next = Math.max(-MAX_GAIN_DB, Math.min(maxGainDb, gainDb + err / slope));
    if (next === gainDb) break;
    gainDb = next;
  }
  return { out, gainDb };
}

async function writeGreeting(file: string, samples: Float32Array, format: GreetingFormat, ffmpegPath: string, signal: AbortSignal | undefined): Promise<void> {
  if (format === 'wav') {
    const pcm = toInt16(samples);
    await writeFile(file, Buffer.concat([pcmWavHeader({ dataBytes: pcm.byteLength }), Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]));
    return;
  }
  if (format === 'wav-ulaw' || format === 'wav-alaw') {
    const law = format === 'wav-ulaw' ? 'ulaw' : 'alaw';
    await writeFile(file, Buffer.concat([g711WavHeader({ law, samples: samples.length }), encodeG711(toInt16(samples), law)]));
    return;
  }
  await runFfmpeg(ffmpegPath, encodeArgs(file, format), { signal, stdinData: new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength) });
}

export async function renderGreeting(opts: RenderOptions, ctl: RenderControl = {}): Promise<RenderResult> {
  const signal = ctl.signal;
  const report = (percent: number, stage: string): void => {
    ctl.onProgress?.({ percent: Math.max(0, Math.min(100, Math.round(percent))), stage });
    if (signal?.aborted) throw new CancelledError('The render');
  };
  const choice = parseFormatChoice(opts.format ?? 'auto');
  const targetLufs = checkNumber('targetLufs', opts.targetLufs ?? -20, -40, -5);
  const ceiling = checkNumber('peakCeilingDbfs', opts.peakCeilingDbfs ?? -3, -20, 0);
  const limit = checkNumber('sizeLimitBytes', opts.sizeLimitBytes ?? SIZE_LIMIT_BYTES, 1_000, 1e12);
  const trimSilence = opts.trimSilence ?? true;
  const normalize = opts.normalize ?? true;
  const out = await checkOutput(opts.outputPath, opts.inputPath);
  if (signal?.aborted) throw new CancelledError('The render');

  const explicitBins = opts.binaries;
  // Resolved again where used: the decode may have replaced a binary that turned out not to run.
  const ffmpegPath = async (): Promise<string> => (explicitBins ?? (await resolveFfmpeg())).ffmpegPath;
  // The encoder listing costs an ffmpeg start: it is asked only when MP3 or GSM may be written.
  let capsPromise: Promise<EncoderCapabilities> | undefined = opts.capabilities ? Promise.resolve(opts.capabilities) : undefined;
  const caps = async (): Promise<EncoderCapabilities> => (capsPromise ??= getEncoderCapabilities(await ffmpegPath()));
  if (isGreetingFormat(choice) && (opts.capabilities || !BUILT_IN.includes(choice))) {
    const c = await caps();
    if (!c.formats.includes(choice)) planFormat(0, choice, c, limit); // throws FORMAT_UNAVAILABLE
  }

  report(0, 'analyse');
  // Refuse what no format can hold before decoding hours of audio (trimming silence will not save a 3 h file).
  const longest = longestFittingSec(opts.capabilities ?? ALL_FORMATS, limit);
  const refuseTooLong = (sec: number): void => {
    if (sec <= longest) return;
    throw new AudioError('AUDIO_TOO_LONG',
      `The recording is ${formatDuration(sec)} long; the PBX limit holds at most ${formatDuration(Math.floor(longest))} even in the smallest format. ` +
      'Choose a shorter section with start/end.', { kind: 'input', detail: { durationSec: sec, maxSec: longest } });
  };
  const onAnalyseProgress = (p: { percent: number }): void => report(p.percent * 0.85, 'analyse');
  let probe: AudioProbe;
  let analysis: AudioAnalysis;
  let decoded: DecodedAudio;
  let start: number;
  let end: number;
  const whole = opts.startSec === undefined && opts.endSec === undefined;
  if (whole && !opts.analysis) {
    ({ probe, analysis, decoded } = await probeAnalyseDecode(opts.inputPath, {
      signal, binaries: explicitBins, onProgress: onAnalyseProgress, checkProbe: (p) => refuseTooLong(p.durationSec),
    }));
    refuseTooLong(probe.durationSec);
    start = 0;
    end = probe.durationSec;
  } else {
    const r = await decodeRange(opts.inputPath, {
      signal, binaries: explicitBins, probe: opts.probe, startSec: opts.startSec, endSec: opts.endSec, onProgress: onAnalyseProgress, checkLength: refuseTooLong,
    });
    ({ probe, decoded, start, end } = r);
    analysis = opts.analysis && !r.ranged ? opts.analysis : analyseDecoded(decoded);
  }
  const rangeSec = decoded.pcm.length / TARGET_SAMPLE_RATE;
  if (rangeSec < MIN_GREETING_SEC) {
    throw new AudioError('AUDIO_TOO_SHORT',
      `The recording${whole ? '' : ' section'} is only ${rangeSec.toFixed(2)} s long; a greeting needs at least ${MIN_GREETING_SEC} s of sound. ` +
      (whole ? 'Record the greeting again.' : 'Choose a longer section.'), { kind: 'input', detail: { durationSec: rangeSec, minSec: MIN_GREETING_SEC } });
  }
  if (normalize && !analysis.speechFound) {
    throw new AudioError('AUDIO_SILENT', 'The recording (or the chosen section) is silent: there is nothing to make louder. Record the greeting again.', { kind: 'input' });
  }

  // Clean-up runs on the whole rendered range (its silence gives the noise profile), before the trim.
  const cleanup: RenderCleanup = {};
  let source = decoded.pcm;
  if (opts.denoise || opts.level) {
    const silenceDb = analysis.silenceThresholdDbfs;
    const frameDb = (x: Float32Array): number[] => (x === decoded.pcm && decoded.levels ? decoded.levels.rmsDb : frameLevels(x, FRAME_SAMPLES).rmsDb);
    if (opts.denoise) {
      const before = frameDb(source);
      const r = denoise(source, { rate: TARGET_SAMPLE_RATE, frameSamples: FRAME_SAMPLES, silentFrames: before.map((l) => !(l > silenceDb)), frameRmsDb: before });
      source = r.out;
      cleanup.denoise = { noiseFloorBeforeDbfs: noiseFloor(before), noiseFloorAfterDbfs: noiseFloor(frameDb(source)), profile: r.profile, profileSec: r.profileSec };
    }
    if (opts.level) {
      const rangeBefore = loudnessRange(source, TARGET_SAMPLE_RATE);
      source = level(source, { rate: TARGET_SAMPLE_RATE, frameSamples: FRAME_SAMPLES, frameRmsDb: frameDb(source), silenceThresholdDbfs: silenceDb });
      cleanup.level = { loudnessRangeBeforeLu: round1(rangeBefore), loudnessRangeAfterLu: round1(loudnessRange(source, TARGET_SAMPLE_RATE)) };
    }
    if (signal?.aborted) throw new CancelledError('The render');
  }
  // After noise reduction the speech is found again in the cleaned signal: noise that hid the pauses no longer
  // keeps them in the greeting.
  const trimBy = opts.denoise ? analyseDecoded({ ...decoded, pcm: source, levels: undefined }) : analysis;
  const { keepStart, keepEnd, padSec } = keepWindow({ rangeStart: start, rangeEnd: end, analysis: trimBy.speechFound ? trimBy : analysis, trimSilence });
  const keepSec = keepEnd - keepStart;
  const durationSec = Math.round((keepSec + padSec) * 1000) / 1000;
  let plan = planFormat(durationSec, choice, opts.capabilities ?? ALL_FORMATS, limit);
  if (!opts.capabilities && !BUILT_IN.includes(plan.format)) plan = planFormat(durationSec, choice, await caps(), limit);
  const limiterDbfs = normalize ? ceiling - LIMITER_HEADROOM_DB[plan.format] : undefined;

  report(85, 'render');
  const toIndex = (sec: number): number => Math.max(0, Math.min(decoded.pcm.length, Math.round((sec - decoded.startSec) * TARGET_SAMPLE_RATE)));
  const kept = source.subarray(toIndex(keepStart), toIndex(keepEnd));
  // The output's samples before the gain: the lead-in silence, then the kept audio with its fades. The limiter and
  // the loudness measurement see exactly what is written (a cut edge without its fade would read as a false peak).
  const padSamples = Math.round(padSec * TARGET_SAMPLE_RATE);
  const shaped = new Float32Array(padSamples + kept.length);
  shaped.set(kept, padSamples);
  applyFades(shaped.subarray(padSamples), Math.round(Math.min(FADE_SEC, keepSec / 4) * TARGET_SAMPLE_RATE));
  let samples: Float32Array = shaped;
  let gainDb = 0;
  if (limiterDbfs !== undefined) {
    const offset = CODEC_LOUDNESS_OFFSET_DB[plan.format];
    // After a clean-up the loudness to start from is the cleaned signal's.
    const from = source === decoded.pcm ? analysis : { ...analysis, integratedLufs: integratedLoudness(kept, TARGET_SAMPLE_RATE) };
    const maxGainDb = Math.min(MAX_GAIN_DB, targetLufs - from.integratedLufs + offset + MAX_LIMITER_COMPENSATION_DB);
    ({ out: samples, gainDb } = normaliseAndLimit(shaped, computeGainDb(from, targetLufs, limiterDbfs, plan.format), maxGainDb, targetLufs + offset, limiterDbfs, signal));
  }
  report(92, 'render');
  const params: RenderChainParams = {
    inputStartSec: keepStart, keepSec, gainDb, limiterDbfs, fadeSec: FADE_SEC, leadInPadSec: padSec, format: plan.format,
    denoise: opts.denoise === true, level: opts.level === true,
  };

  const tmpDir = await mkdtemp(path.join(opts.tempDir ?? os.tmpdir(), 'vmgs-render-'));
  try {
    const tmpFile = path.join(tmpDir, `greeting${PRESETS[plan.format].extension}`);
    await writeGreeting(tmpFile, samples, plan.format, await ffmpegPath(), signal);
    const bytes = (await stat(tmpFile)).size;
    if (bytes > limit) {
      throw new AudioError('AUDIO_OUTPUT_TOO_BIG', `The rendered greeting is ${bytes} bytes, over the PBX limit of ${limit} bytes. Choose a smaller format or a shorter section.`, { kind: 'input', detail: { bytes, limit } });
    }
    if (bytes === 0) throw new AudioError('FFMPEG_FAILED', 'ffmpeg wrote an empty file.');
    report(98, 'render');
    await moveIntoPlace(tmpFile, out);
    ctl.onProgress?.({ percent: 100, stage: 'done' });
    return {
      outputPath: out, format: plan.format, formatReason: plan.reason, bytes, durationSec, analysis, plan, probe, gainDb: Math.round(gainDb * 100) / 100,
      keptStartSec: keepStart, keptEndSec: keepEnd, leadInPadSec: padSec, renderParams: params, cleanup,
    };
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

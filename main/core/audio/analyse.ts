// The analysis of a recording: loudness, peak, clipping, a 50 ms level series for silence and noise floor, decoding
// damage, and the warnings people see. Computed in Node from the one decode pass (decode.ts), so the render that
// follows reuses the same samples.
import path from 'node:path';
import { resolveFfmpeg, type FfmpegPaths } from './binaries.js';
import { quietFlatness } from './cleanup.js';
import { decodeAudio, type DecodedAudio, type DecodeDamage } from './decode.js';
import type { DeclaredLength } from './declared-length.js';
import { frameLevels, integratedLoudness, loudnessRange, samplePeak, toDb } from './dsp.js';
import { AudioError } from './errors.js';
import { FRAME_SAMPLES, FRAME_SEC } from './filters.js';
import { TARGET_SAMPLE_RATE } from './formats.js';
import { CancelledError } from '../errors.js';
import type { InputHeader } from './input-header.js';
import { probeAudio, statInputFile, type AudioProbe } from './probe.js';

export interface AudioWarning { code: string; message: string }

/** Clean-up the analysis recommends (render options `denoise` / `level`, CLI --denoise / --level). */
export interface AudioSuggestion { code: 'DENOISE' | 'LEVEL'; message: string }

export interface AudioAnalysis {
  integratedLufs: number;
  leadingSilenceSec: number;
  trailingSilenceSec: number;
  /** Speech onset/offset in seconds from the start of the analysed range (0/duration when no speech was found). */
  speechStartSec: number;
  speechEndSec: number;
  speechFound: boolean;
  /**
   * Peak estimate in dBFS: the larger of the source's sample peak at its own rate and the 8 kHz signal's sample
   * peak (ebur128's true-peak mode would cost more than the rest of the analysis). The render's limiter works on
   * the real true peak regardless.
   */
  truePeakDbfs: number;
  /** Share of source samples within 1 dB of full scale (0..1). */
  clippingRatio: number;
  noiseFloorDbfs: number;
  /** The level (dBFS RMS) below which a 50 ms frame counts as silence. */
  silenceThresholdDbfs: number;
  durationSec: number;
  warnings: AudioWarning[];
  /**
   * How far each loud 50 ms frame's sample peak sits above the integrated loudness (0.5 dB bins) and its share of
   * the gated speech power: lets the render predict how much loudness the peak limiter will take away.
   */
  crestProfile: { excessDb: number; weight: number }[];
  /**
   * Decoding damage below the refusal threshold (present only when some was found): packets the decoder refused and
   * the audio lost with them, and where (seconds from the start of the analysed range).
   */
  damage?: { failedPackets: number; skippedSec: number; fromSec: number; toSec: number } | undefined;
  /** EBU R128 loudness range (LU): how far the level swings (speech read evenly: about 3–6). */
  loudnessRangeLu: number;
  /** What noise reduction or levelling would improve, when the measurements say so. */
  suggestions: AudioSuggestion[];
}

export interface AnalyseOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((p: { percent: number; stage: string }) => void) | undefined;
  /** Analyse only this range of the input (seconds). */
  startSec?: number | undefined;
  endSec?: number | undefined;
  /** Reuse a probe (and binaries) the caller already has. */
  probe?: AudioProbe | undefined;
  binaries?: FfmpegPaths | undefined;
}

/** Levels are clamped here so they stay finite (JSON, IPC). */
export const FLOOR_DB = -120;

export interface RawAnalysis {
  frames: number[];
  peaks: number[];
  integratedLufs: number | undefined;
  truePeakDbfs: number | undefined;
  clipPeakDb: number | undefined;
  clipPeakCount: number | undefined;
  clipSamples: number | undefined;
  loudnessRangeLu?: number | undefined;
  /**
   * Spectral flatness (0..1) of the quietest frames (cleanup.ts quietFlatness): what fills the pauses is broadband
   * noise (flat) or a tone or hum (not). Undefined: not measured (then only the levels decide).
   */
  quietFlatness?: number | undefined;
}

const clampDb = (v: number | undefined): number => (v === undefined || Number.isNaN(v) ? FLOOR_DB : Math.max(FLOOR_DB, Math.min(40, v)));
const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return FLOOR_DB;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.floor(p * (sorted.length - 1))));
  return sorted[i] ?? FLOOR_DB;
}

function crestProfile(frames: readonly number[], peaks: readonly number[], integrated: number): { excessDb: number; weight: number }[] {
  const bins = new Map<number, number>();
  let total = 0;
  frames.forEach((rms, i) => {
    const peak = peaks[i];
    if (peak === undefined || rms < integrated - 10 || rms <= -70) return; // roughly the R128 relative gate
    const power = 10 ** (rms / 10);
    const bin = Math.round((peak - integrated) * 2) / 2;
    bins.set(bin, (bins.get(bin) ?? 0) + power);
    total += power;
  });
  if (total === 0) return [];
  return [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([excessDb, p]) => ({ excessDb, weight: Math.round((p / total) * 1e6) / 1e6 }));
}

/**
 * Loudness (LU) the limiter removes when the output is at `outputLufs` and peaks are limited to `limitDbfs`:
 * each frame is assumed to be turned down by as much as its peak exceeds the limit, times `lossFactor`: a limiter
 * turns down the peaks of a frame, not all of it. Calibrated on speech for the engine's true-peak limiter (dsp.ts):
 * 1.0 (the render measures the output anyway; a good first guess saves it a pass).
 */
export const LIMITER_LOSS_FACTOR = 1;

export function predictedLimiterLoss(profile: readonly { excessDb: number; weight: number }[], outputLufs: number, limitDbfs: number, lossFactor = LIMITER_LOSS_FACTOR): number {
  let kept = 0;
  let total = 0;
  for (const { excessDb, weight } of profile) {
    const over = Math.max(0, outputLufs + excessDb - limitDbfs);
    kept += weight * 10 ** (-over / 10);
    total += weight;
  }
  return total > 0 && kept > 0 ? -10 * Math.log10(kept / total) * lossFactor : 0;
}

/** The shortest recording (or chosen section) a greeting is made from, in seconds. */
export const MIN_GREETING_SEC = 0.5;

/**
 * When the analysis suggests clean-up: noise reduction for a noise floor less than 30 dB under the speech (and not
 * digital silence), levelling for a loudness range over 8 LU. The noise-floor suggestion and the NOISY warning also
 * need the floor to be background noise: pauses (the loud frames at least `pauseContrastDb` over the floor; a steady
 * sound has none) filled with broadband sound (spectral flatness at least `noiseFlatness`: brown noise ≈ 0.2, a
 * tone or hum under 0.01) — a steady tone is not noise, and noise reduction would only eat into it.
 */
export const SUGGEST = { denoiseSnrDb: 30, denoiseMinFloorDbfs: -70, levelRangeLu: 8, pauseContrastDb: 3, noiseFlatness: 0.05 } as const;

/** Thresholds of the warnings (documented here so the UI and the tests agree). */
export const WARN = { leadingSilenceSec: 1.5, trailingSilenceSec: 3, tooQuietLufs: -40, clippingRatio: 0.0005, noisyFloorDbfs: -45, fullScaleDbfs: -0.05 } as const;

/** Turns the raw measurements into the analysis (pure: unit-tested without ffmpeg). */
export function summarise(raw: RawAnalysis, durationHint: number | undefined): AudioAnalysis {
  const frames = raw.frames.map(clampDb);
  const measured = frames.length * FRAME_SEC;
  const durationSec = round(durationHint !== undefined && durationHint > 0 ? Math.min(measured, durationHint) : measured, 3);
  const integratedLufs = round(clampDb(raw.integratedLufs), 2);
  // Peak estimate: the larger of the source's sample peak (at its own rate, close to the true peak at 44.1/48 kHz)
  // and the 8 kHz signal's sample peak.
  const truePeakDbfs = round(Math.max(clampDb(raw.truePeakDbfs), clampDb(raw.clipPeakDb)), 2);
  const sorted = [...frames].sort((a, b) => a - b);
  const noiseFloorDbfs = round(percentile(sorted, 0.1), 1);
  // Speech level: the loud end of the frame distribution, so a recording that is mostly silence still gives a
  // speech level, and a quiet recording gets a threshold as far below its speech as a loud one.
  const speechLevel = Math.max(percentile(sorted, 0.9), integratedLufs);
  const threshold = Math.min(speechLevel - 12, Math.max(speechLevel - 35, noiseFloorDbfs + 10));
  // Onset: two consecutive frames above the threshold (a single click is not speech).
  const above = frames.map((f) => f > threshold);
  let first = -1;
  for (let i = 0; i < above.length; i++) if (above[i] && (above[i + 1] ?? true)) { first = i; break; }
  let last = -1;
  for (let i = above.length - 1; i >= 0; i--) if (above[i] && (above[i - 1] ?? true)) { last = i; break; }
  const speechFound = first >= 0 && last >= first && integratedLufs > -70 + 0.5;
  const speechStartSec = speechFound ? round(first * FRAME_SEC, 3) : 0;
  const speechEndSec = speechFound ? round(Math.min(durationSec, (last + 1) * FRAME_SEC), 3) : durationSec;
  const leadingSilenceSec = speechFound ? speechStartSec : durationSec;
  const trailingSilenceSec = speechFound ? round(Math.max(0, durationSec - speechEndSec), 3) : durationSec;
  // Samples within 1 dB of full scale at the source rate: a clean recording has a handful, a clipped one many.
  const clipped = raw.clipPeakDb !== undefined && raw.clipPeakDb >= -0.5 && (raw.clipSamples ?? 0) > 0;
  const clippingRatio = clipped ? Math.min(1, (raw.clipPeakCount ?? 0) / (raw.clipSamples ?? 1)) : 0;

  const warnings: AudioWarning[] = [];
  // Under the minimum there is no loudness to measure (R128 needs a 400 ms block): "too short" is the reason, not "silent".
  if (durationSec < MIN_GREETING_SEC) warnings.push({ code: 'TOO_SHORT', message: `only ${durationSec.toFixed(2)} s long: a greeting needs at least ${MIN_GREETING_SEC} s of sound` });
  else if (!speechFound) warnings.push({ code: 'SILENT', message: 'No speech found: the recording is silent or almost silent.' });
  if (speechFound && leadingSilenceSec >= WARN.leadingSilenceSec) warnings.push({ code: 'LEADING_SILENCE', message: `${leadingSilenceSec.toFixed(1)} s of silence at start` });
  if (speechFound && trailingSilenceSec >= WARN.trailingSilenceSec) warnings.push({ code: 'TRAILING_SILENCE', message: `${trailingSilenceSec.toFixed(1)} s of silence at end` });
  if (speechFound && integratedLufs < WARN.tooQuietLufs) warnings.push({ code: 'TOO_QUIET', message: `too quiet (${integratedLufs.toFixed(1)} LUFS): record closer to the microphone; it will be amplified, which also raises the noise` });
  if (clippingRatio >= WARN.clippingRatio) warnings.push({ code: 'CLIPPED', message: `clipped (${(clippingRatio * 100).toFixed(2)} % of samples at full scale): record with a lower input level` });
  // Decoded lossy audio (opus, mp3) can peak above full scale, and any fixed-point copy of it clips; a handful of
  // such samples stays under the clipping ratio, so a source sample peak at full scale warns by itself. (The 8 kHz
  // high-passed peak in truePeakDbfs can overshoot a -3 dBFS source past 0 dB: it does not count here.)
  else if (raw.clipPeakDb !== undefined && raw.clipPeakDb >= WARN.fullScaleDbfs) warnings.push({ code: 'CLIPPED', message: `peak ${Math.max(0, truePeakDbfs).toFixed(1)} dBFS: the recording reaches or exceeds full scale (clipped); record with a lower input level` });
  // Background noise: a floor under pauses, and broadband (a tone's or a hum's steady level is not noise).
  const pauses = percentile(sorted, 0.9) - noiseFloorDbfs >= SUGGEST.pauseContrastDb;
  const broadband = raw.quietFlatness === undefined || raw.quietFlatness >= SUGGEST.noiseFlatness;
  const background = speechFound && pauses && broadband;
  if (background && noiseFloorDbfs > WARN.noisyFloorDbfs && integratedLufs - noiseFloorDbfs < 20) warnings.push({ code: 'NOISY', message: `noisy background (noise floor ${noiseFloorDbfs.toFixed(0)} dBFS)` });

  const loudnessRangeLu = round(raw.loudnessRangeLu ?? 0, 1);
  const suggestions: AudioSuggestion[] = [];
  if (background && noiseFloorDbfs > SUGGEST.denoiseMinFloorDbfs && integratedLufs - noiseFloorDbfs < SUGGEST.denoiseSnrDb) {
    suggestions.push({ code: 'DENOISE', message: `background noise at ${noiseFloorDbfs.toFixed(0)} dBFS, ${(integratedLufs - noiseFloorDbfs).toFixed(0)} dB under the speech: noise reduction would make it cleaner` });
  }
  if (speechFound && loudnessRangeLu > SUGGEST.levelRangeLu) {
    suggestions.push({ code: 'LEVEL', message: `the level swings by ${loudnessRangeLu.toFixed(0)} LU: levelling would even it out` });
  }

  return {
    loudnessRangeLu, suggestions,
    crestProfile: crestProfile(frames, raw.peaks.map(clampDb), integratedLufs),
    integratedLufs, truePeakDbfs, leadingSilenceSec, trailingSilenceSec, speechStartSec, speechEndSec, speechFound,
    clippingRatio: round(clippingRatio, 6), noiseFloorDbfs, silenceThresholdDbfs: round(threshold, 1), durationSec, warnings,
  };
}

/** A number of seconds as given ("30", "62.5"), for messages that quote a start or end back. */
const secText = (sec: number): string => String(Math.round(sec * 1000) / 1000);

/**
 * The range `[start, end)` of a recording of `probe.durationSec`, checked. Start or end past the end of the
 * recording is a problem with this input (kind audio; detail `{ field, valueSec, durationSec }` lets the CLI name
 * its flag); an end not after the start, or a value that is not a number of seconds, is a bad argument (usage).
 */
export function validateRange(probe: AudioProbe, startSec: number | undefined, endSec: number | undefined, inputPath?: string): { start: number; end: number } {
  const start = startSec ?? 0;
  let end = endSec ?? probe.durationSec;
  const dur = clock(probe.durationSec);
  const what = inputPath !== undefined ? path.basename(inputPath) : 'the recording';
  if (!Number.isFinite(start) || start < 0) throw new AudioError('AUDIO_RANGE_INVALID', `The start (${start} s) must be a number of seconds ≥ 0.`, { kind: 'usage' });
  if (!Number.isFinite(end)) throw new AudioError('AUDIO_RANGE_INVALID', `The end (${end} s) must be a number of seconds.`, { kind: 'usage' });
  const pastEnd = (field: 'start' | 'end', valueSec: number, advice: string): AudioError =>
    new AudioError('AUDIO_RANGE_INVALID', `The ${field} (${secText(valueSec)} s) is past the end of ${what} (${dur}): ${advice}.`,
      { kind: 'audio', detail: { field, valueSec, durationSec: probe.durationSec, input: inputPath } });
  if (start >= probe.durationSec) throw pastEnd('start', start, `choose a start before ${dur}`);
  if (end <= start) {
    throw new AudioError('AUDIO_RANGE_INVALID', `The end (${secText(end)} s) must come after the start (${secText(start)} s): choose a later end, or an earlier start.`, { kind: 'usage' });
  }
  // A trim handle dragged to the very end may overshoot by a frame; a clearly wrong end is refused.
  if (end > probe.durationSec + 0.5) throw pastEnd('end', end, `choose an end up to ${dur}, or none to keep to the end`);
  end = Math.min(end, probe.durationSec);
  return { start, end };
}

/**
 * Decoding damage past which an input is refused: more than half a second of audio lost, or ten packets the decoder
 * refused. Uploaded, such a file plays holes or noise where the recording was (a few lost packets are only warned about).
 */
export const DAMAGE_LIMITS = { skippedSec: 0.5, failedPackets: 10 } as const;

/** "5.3 s", "1:05.3" */
function clock(sec: number): string {
  if (sec < 60) return `${sec.toFixed(1)} s`;
  const m = Math.floor(sec / 60);
  return `${m}:${(sec - m * 60).toFixed(1).padStart(4, '0')}`;
}

function damageWords(d: DecodeDamage): string {
  const parts: string[] = [];
  if (d.skippedSec >= 0.05) parts.push(`about ${d.skippedSec.toFixed(1)} s of audio is unreadable`);
  if (d.failedPackets > 0) parts.push(`${d.failedPackets} damaged ${d.failedPackets === 1 ? 'frame' : 'frames'}`);
  if (parts.length === 0) parts.push(`the decoder reported ${d.errorLines} ${d.errorLines === 1 ? 'error' : 'errors'}`);
  return parts.join(', ');
}

function damageSpan(d: DecodeDamage, offsetSec: number): { fromSec: number; toSec: number } {
  const fromSec = Math.round((offsetSec + (d.firstSec ?? 0)) * 10) / 10;
  const toSec = Math.round((offsetSec + Math.max(d.lastSec ?? 0, d.firstSec ?? 0)) * 10) / 10;
  return { fromSec, toSec };
}

/** Refuses a decode past DAMAGE_LIMITS, naming where the file is damaged (times in the input). */
export function checkDamage(inputPath: string, decoded: DecodedAudio): void {
  const d = decoded.damage;
  if (d.skippedSec < DAMAGE_LIMITS.skippedSec && d.failedPackets < DAMAGE_LIMITS.failedPackets) return;
  const { fromSec, toSec } = damageSpan(d, decoded.startSec);
  const where = toSec - fromSec >= 0.2 ? `between about ${clock(fromSec)} and ${clock(toSec)}` : `at about ${clock(fromSec)}`;
  throw new AudioError('AUDIO_DAMAGED',
    `${inputPath} is damaged ${where}: ${damageWords(d)}. Uploaded, that part would play as noise or silence. ` +
    'Copy or export the recording again from where it came from.',
    { kind: 'input', detail: { fromSec, toSec, skippedSec: d.skippedSec, failedPackets: d.failedPackets, messages: d.messages } });
}

/** The analysis of decoded PCM (the whole decode, or `[from, to)` samples of it). */
export function analyseDecoded(decoded: DecodedAudio, from = 0, to = decoded.pcm.length): AudioAnalysis {
  const pcm = decoded.pcm.subarray(from, to);
  // The whole decode was measured while it arrived; a part of it is measured now.
  const whole = from === 0 && to === decoded.pcm.length ? decoded.levels : undefined;
  const { rmsDb, peakDb } = whole ?? frameLevels(pcm, FRAME_SAMPLES);
  const raw: RawAnalysis = {
    frames: rmsDb, peaks: peakDb, integratedLufs: whole?.lufs ?? integratedLoudness(pcm, TARGET_SAMPLE_RATE), truePeakDbfs: toDb(whole?.samplePeak ?? samplePeak(pcm)),
    loudnessRangeLu: whole?.lraLu ?? loudnessRange(pcm, TARGET_SAMPLE_RATE),
    clipPeakDb: decoded.clip.peakDb, clipPeakCount: decoded.clip.topBinCount, clipSamples: decoded.clip.samples,
  };
  // What fills the quietest frames (the same noise floor summarise finds: their 10th-percentile level).
  const floorDb = percentile(rmsDb.map(clampDb).sort((p, q) => p - q), 0.1);
  raw.quietFlatness = quietFlatness(pcm, { rate: TARGET_SAMPLE_RATE, frameSamples: FRAME_SAMPLES, frameRmsDb: rmsDb, floorDb });
  const a = summarise(raw, pcm.length / TARGET_SAMPLE_RATE);
  if (decoded.truncated) a.warnings.unshift(truncationWarning(decoded.truncated));
  const d = decoded.damage;
  if (d.failedPackets > 0 || d.skippedSec > 0 || d.errorLines > 0) {
    const span = damageSpan(d, 0);
    const where = span.toSec - span.fromSec >= 0.2 ? `between about ${clock(span.fromSec)} and ${clock(span.toSec)}` : `at about ${clock(span.fromSec)}`;
    a.damage = { failedPackets: d.failedPackets, skippedSec: d.skippedSec, ...span };
    a.warnings.push({ code: 'DECODE_ERRORS', message: `damaged audio ${where} (${damageWords(d)}): listen to the result before uploading` });
  }
  return a;
}

/** "The file ends early: …": the warning of a file cut short (decode.ts finds it). */
export function truncationWarning(t: DeclaredLength): AudioWarning {
  return {
    code: 'TRUNCATED',
    message: `The file ends early: the header promises ${clock(t.declaredSec)} but only ${clock(t.presentSec)} of audio is there — it may be cut off ` +
      '(an interrupted copy or download). Copy or export the recording again if the greeting should be longer.',
  };
}

type ProgressFn = AnalyseOptions['onProgress'];

function progressReporter(onProgress: ProgressFn, expectedSec: () => number | undefined): ((sec: number) => void) | undefined {
  if (!onProgress) return undefined;
  return (s) => {
    const expected = expectedSec();
    if (expected && expected > 0) onProgress({ percent: Math.min(99, Math.round((s / expected) * 100)), stage: 'analyse' });
  };
}

/**
 * Probe, decode and analysis of a whole file in ONE ffmpeg process: the probe facts come from the input header
 * ffmpeg prints before decoding (each process start costs ~0.05–0.13 s, and a parallel ffprobe competes for the
 * cores). The decode stops as soon as `checkProbe` refuses the header, so a 3-hour file is not decoded. ffprobe only
 * runs when the header is unusual, and after a failure, to name the problem (no audio stream, damaged header...).
 * A container without a duration (MediaRecorder webm) takes its real length from the decode.
 */
export async function probeAnalyseDecode(
  inputPath: string,
  opts: { signal?: AbortSignal | undefined; onProgress?: ProgressFn; binaries?: FfmpegPaths | undefined; checkProbe?: ((p: AudioProbe) => void) | undefined },
): Promise<{ probe: AudioProbe; analysis: AudioAnalysis; decoded: DecodedAudio }> {
  // Fail fast on paths that are not files before starting anything.
  const st = await statInputFile(inputPath);
  const sizeBytes = st.size;
  let headerProbe: AudioProbe | undefined;
  let refused = false;
  const checkHeader = (h: InputHeader | undefined): void => {
    if (!h) return;
    headerProbe = { ...h, sizeBytes, durationDecoded: false };
    try {
      opts.checkProbe?.(headerProbe);
    } catch (e) {
      refused = true;
      throw e;
    }
  };
  if (opts.signal?.aborted) throw new CancelledError('The analysis');
  opts.onProgress?.({ percent: 0, stage: 'analyse' });
  let decoded: DecodedAudio;
  try {
    decoded = await decodeAudio(inputPath, {
      signal: opts.signal, binaries: opts.binaries, fileStat: st, checkHeader,
      onProgressSec: progressReporter(opts.onProgress, () => (headerProbe && headerProbe.durationSec > 0 ? headerProbe.durationSec : undefined)),
    });
  } catch (e) {
    if (refused || opts.signal?.aborted || e instanceof CancelledError) throw e;
    const bins = opts.binaries ?? (await resolveFfmpeg());
    const probe = await probeAudio(inputPath, { signal: opts.signal, binaries: bins, decodeMissingDuration: false });
    opts.checkProbe?.(probe);
    throw e;
  }
  const decodedSec = decoded.pcm.length / TARGET_SAMPLE_RATE;
  let probe = headerProbe;
  if (!probe) {
    const bins = opts.binaries ?? (await resolveFfmpeg());
    probe = await probeAudio(inputPath, { signal: opts.signal, binaries: bins, decodeMissingDuration: false });
    opts.checkProbe?.(probe);
  }
  if (decoded.pcm.length === 0) throw new AudioError('AUDIO_UNREADABLE', `${inputPath} contains no decodable audio.`, { kind: 'input' });
  checkDamage(inputPath, decoded);
  if (!(probe.durationSec > 0)) probe = { ...probe, durationSec: decodedSec, durationDecoded: true };
  // The header gives the container's duration; ffprobe prefers the audio stream's (shorter when a video track runs
  // longer). The decoded length settles it.
  else if (headerProbe && Math.abs(probe.durationSec - decodedSec) > 0.1) probe = { ...probe, durationSec: decodedSec };
  const analysis = analyseDecoded(decoded);
  opts.onProgress?.({ percent: 100, stage: 'analyse' });
  return { probe, analysis, decoded };
}

/**
 * The probe facts of a file found by decoding it (one ffmpeg process, like ffprobe's), leaving the decoded PCM in
 * the cache for the render that follows: a batch that checks every file first and then renders it decodes each
 * once. Damage is left to that render to report (with its time range); an unusual header or a failure falls back
 * to ffprobe, with its messages.
 */
export async function probeByDecoding(inputPath: string, opts: { signal?: AbortSignal | undefined; binaries?: FfmpegPaths | undefined } = {}): Promise<AudioProbe> {
  const st = await statInputFile(inputPath);
  let header: InputHeader | undefined;
  const decoded = await decodeAudio(inputPath, { signal: opts.signal, binaries: opts.binaries, fileStat: st, checkHeader: (h) => { header = h; } }).catch(() => undefined);
  if (!decoded || !header || decoded.pcm.length === 0) return probeAudio(inputPath, { signal: opts.signal, binaries: opts.binaries ?? (await resolveFfmpeg()) });
  const decodedSec = decoded.pcm.length / TARGET_SAMPLE_RATE;
  const headerSec = (header as InputHeader).durationSec;
  const durationSec = headerSec > 0 && Math.abs(headerSec - decodedSec) <= 0.1 ? headerSec : decodedSec;
  return { ...(header as InputHeader), durationSec, sizeBytes: st.size, durationDecoded: !(headerSec > 0) };
}

export async function probeAndAnalyse(
  inputPath: string,
  opts: { signal?: AbortSignal | undefined; onProgress?: ProgressFn; binaries?: FfmpegPaths | undefined; checkProbe?: ((p: AudioProbe) => void) | undefined },
): Promise<{ probe: AudioProbe; analysis: AudioAnalysis }> {
  const { probe, analysis } = await probeAnalyseDecode(inputPath, opts);
  return { probe, analysis };
}

/**
 * Decode (and analysis) of `[startSec, endSec)` of a file whose probe is known: cut from a cached whole decode when
 * there is one, else decoded from startSec (the input header of that same pass gives the probe facts when the caller
 * has none).
 */
export async function decodeRange(
  inputPath: string,
  opts: { signal?: AbortSignal | undefined; binaries?: FfmpegPaths | undefined; probe?: AudioProbe | undefined; startSec?: number | undefined; endSec?: number | undefined; onProgress?: ProgressFn; checkLength?: ((sec: number) => void) | undefined },
): Promise<{ probe: AudioProbe; decoded: DecodedAudio; start: number; end: number; ranged: boolean }> {
  const st = await statInputFile(inputPath);
  let probe = opts.probe && opts.probe.durationSec > 0 ? opts.probe : undefined;
  if (!probe) {
    // One pass from startSec: the header (printed before decoding) gives the probe, validated before any sample.
    const startSec = opts.startSec ?? 0;
    const lenSec = opts.endSec !== undefined ? Math.max(0, opts.endSec - startSec) : undefined;
    let headerProbe: AudioProbe | undefined;
    const decoded = await decodeAudio(inputPath, {
      signal: opts.signal, binaries: opts.binaries, fileStat: st, startSec, lenSec,
      onProgressSec: progressReporter(opts.onProgress, () => lenSec ?? (headerProbe ? headerProbe.durationSec - startSec : undefined)),
      checkHeader: (h) => {
        if (!h || !(h.durationSec > 0)) return;
        headerProbe = { ...h, sizeBytes: st.size, durationDecoded: false };
        const r = validateRange(headerProbe, opts.startSec, opts.endSec, inputPath);
        opts.checkLength?.(r.end - r.start);
      },
    }).catch(async (e: unknown) => {
      if (headerProbe || opts.signal?.aborted || e instanceof CancelledError) throw e;
      const bins = opts.binaries ?? (await resolveFfmpeg());
      await probeAudio(inputPath, { signal: opts.signal, binaries: bins }); // names the problem, if it can
      throw e;
    });
    if (headerProbe) {
      const r = validateRange(headerProbe, opts.startSec, opts.endSec, inputPath);
      checkDamage(inputPath, decoded);
      return { probe: headerProbe, decoded, ...r, ranged: r.start > 0 || r.end < headerProbe.durationSec };
    }
    // No usable duration in the header (webm from MediaRecorder): probe (decoding the whole file) and cut the range.
    const bins = opts.binaries ?? (await resolveFfmpeg());
    probe = await probeAudio(inputPath, { signal: opts.signal, binaries: bins });
  }
  const r = validateRange(probe, opts.startSec, opts.endSec, inputPath);
  opts.checkLength?.(r.end - r.start);
  const ranged = r.start > 0 || r.end < probe.durationSec;
  const decoded = await decodeAudio(inputPath, {
    signal: opts.signal, binaries: opts.binaries, fileStat: st, startSec: r.start, lenSec: ranged ? r.end - r.start : undefined,
    onProgressSec: progressReporter(opts.onProgress, () => r.end - r.start),
  });
  checkDamage(inputPath, decoded);
  return { probe, decoded, ...r, ranged };
}

export async function analyseAudio(inputPath: string, opts: AnalyseOptions = {}): Promise<AudioAnalysis> {
  if (!opts.probe && opts.startSec === undefined && opts.endSec === undefined) {
    return (await probeAndAnalyse(inputPath, { signal: opts.signal, onProgress: opts.onProgress, binaries: opts.binaries })).analysis;
  }
  if (opts.signal?.aborted) throw new CancelledError('The analysis');
  opts.onProgress?.({ percent: 0, stage: 'analyse' });
  const { decoded } = await decodeRange(inputPath, { ...opts, onProgress: opts.onProgress });
  if (decoded.pcm.length === 0) throw new AudioError('AUDIO_UNREADABLE', `${inputPath} contains no decodable audio in the chosen range.`, { kind: 'input' });
  const analysis = analyseDecoded(decoded);
  opts.onProgress?.({ percent: 100, stage: 'analyse' });
  return analysis;
}

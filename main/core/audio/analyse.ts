// One ffmpeg pass over the input (downmixed and resampled to 8 kHz first): loudness, true peak, clipping, a 50 ms
// RMS series for silence and noise floor, and the warnings people see.
import { resolveFfmpeg, type FfmpegPaths } from './binaries.js';
import { AudioError } from './errors.js';
import { runFfmpeg } from './ffmpeg-adapter.js';
import { analysisArgs, FRAME_SEC } from './filters.js';
import { formatDuration } from './formats.js';
import { CancelledError } from '../errors.js';
import { createInputHeaderParser } from './input-header.js';
import { checkInputFile, probeAudio, type AudioProbe } from './probe.js';

export interface AudioWarning { code: string; message: string }

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

interface RawAnalysis {
  frames: number[];
  peaks: number[];
  integratedLufs: number | undefined;
  truePeakDbfs: number | undefined;
  clipPeakDb: number | undefined;
  clipPeakCount: number | undefined;
  clipSamples: number | undefined;
  lastPtsSec: number;
}

/** Accumulates the analysis from ffmpeg's stderr, line by line (no need to keep megabytes of log). */
export function createAnalysisParser(): { line(l: string): void; result(): RawAnalysis } {
  const raw: RawAnalysis = { frames: [], peaks: [], integratedLufs: undefined, truePeakDbfs: undefined, clipPeakDb: undefined, clipPeakCount: undefined, clipSamples: undefined, lastPtsSec: 0 };
  let inSummary = false;
  const num = (s: string | undefined): number => {
    if (s === undefined) return Number.NaN;
    if (/^-inf/i.test(s)) return Number.NEGATIVE_INFINITY;
    if (/^inf/i.test(s)) return Number.POSITIVE_INFINITY;
    return Number.parseFloat(s);
  };
  return {
    line(l) {
      if (l.startsWith('[ametadata@rms')) {
        const v = /RMS_level=(\S+)/.exec(l);
        if (v) { raw.frames.push(num(v[1])); return; }
        const pk = /Peak_level=(\S+)/.exec(l);
        if (pk) { raw.peaks.push(num(pk[1])); return; }
        const t = /pts_time:(\S+)/.exec(l);
        if (t) raw.lastPtsSec = num(t[1]);
        return;
      }
      if (l.startsWith('[volumedetect@clip')) {
        let m = /max_volume: (\S+) dB/.exec(l);
        if (m) raw.clipPeakDb = num(m[1]);
        m = /histogram_0db: (\d+)/.exec(l);
        if (m) raw.clipPeakCount = num(m[1]);
        m = /n_samples: (\d+)/.exec(l);
        if (m) raw.clipSamples = num(m[1]);
        return;
      }
      if (/ebur128.*Summary:/.test(l)) { inSummary = true; return; }
      if (!inSummary) return;
      let m = /^\s+I:\s+(\S+) LUFS/.exec(l);
      if (m) raw.integratedLufs = num(m[1]);
      m = /^\s+Peak:\s+(\S+) dBFS/.exec(l);
      if (m) raw.truePeakDbfs = num(m[1]);
    },
    result: () => raw,
  };
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
 * each frame is assumed to be turned down by as much as its peak exceeds the limit.
 */
const LIMITER_LOSS_FACTOR = 0.88;

export function predictedLimiterLoss(profile: readonly { excessDb: number; weight: number }[], outputLufs: number, limitDbfs: number): number {
  let kept = 0;
  let total = 0;
  for (const { excessDb, weight } of profile) {
    const over = Math.max(0, outputLufs + excessDb - limitDbfs);
    kept += weight * 10 ** (-over / 10);
    total += weight;
  }
  // A limiter turns down the peaks of a frame, not all of it: calibrated on speech, the real loss is ~0.88 of the
  // whole-frame estimate (checked by the render tests with ebur128 on the output).
  return total > 0 && kept > 0 ? -10 * Math.log10(kept / total) * LIMITER_LOSS_FACTOR : 0;
}

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
  if (!speechFound) warnings.push({ code: 'SILENT', message: 'No speech found: the recording is silent or almost silent.' });
  if (speechFound && leadingSilenceSec >= WARN.leadingSilenceSec) warnings.push({ code: 'LEADING_SILENCE', message: `${leadingSilenceSec.toFixed(1)} s of silence at start` });
  if (speechFound && trailingSilenceSec >= WARN.trailingSilenceSec) warnings.push({ code: 'TRAILING_SILENCE', message: `${trailingSilenceSec.toFixed(1)} s of silence at end` });
  if (speechFound && integratedLufs < WARN.tooQuietLufs) warnings.push({ code: 'TOO_QUIET', message: `too quiet (${integratedLufs.toFixed(1)} LUFS): record closer to the microphone; it will be amplified, which also raises the noise` });
  if (clippingRatio >= WARN.clippingRatio) warnings.push({ code: 'CLIPPED', message: `clipped (${(clippingRatio * 100).toFixed(2)} % of samples at full scale): record with a lower input level` });
  // Decoded lossy audio (opus, mp3) can peak above full scale, and any fixed-point copy of it clips; a handful of
  // such samples stays under the clipping ratio, so a source sample peak at full scale warns by itself. (The 8 kHz
  // high-passed peak in truePeakDbfs can overshoot a -3 dBFS source past 0 dB: it does not count here.)
  else if (raw.clipPeakDb !== undefined && raw.clipPeakDb >= WARN.fullScaleDbfs) warnings.push({ code: 'CLIPPED', message: `peak ${Math.max(0, truePeakDbfs).toFixed(1)} dBFS: the recording reaches or exceeds full scale (clipped); record with a lower input level` });
  if (speechFound && noiseFloorDbfs > WARN.noisyFloorDbfs && integratedLufs - noiseFloorDbfs < 20) warnings.push({ code: 'NOISY', message: `noisy background (noise floor ${noiseFloorDbfs.toFixed(0)} dBFS)` });

  return {
    crestProfile: crestProfile(frames, raw.peaks.map(clampDb), integratedLufs),
    integratedLufs, truePeakDbfs, leadingSilenceSec, trailingSilenceSec, speechStartSec, speechEndSec, speechFound,
    clippingRatio: round(clippingRatio, 6), noiseFloorDbfs, silenceThresholdDbfs: round(threshold, 1), durationSec, warnings,
  };
}

export function validateRange(probe: AudioProbe, startSec: number | undefined, endSec: number | undefined): { start: number; end: number } {
  const start = startSec ?? 0;
  let end = endSec ?? probe.durationSec;
  const dur = formatDuration(probe.durationSec);
  if (!Number.isFinite(start) || start < 0) throw new AudioError('AUDIO_RANGE_INVALID', `The start (${start} s) must be a number of seconds ≥ 0.`, { kind: 'usage' });
  if (!Number.isFinite(end)) throw new AudioError('AUDIO_RANGE_INVALID', `The end (${end} s) must be a number of seconds.`, { kind: 'usage' });
  if (start >= probe.durationSec) throw new AudioError('AUDIO_RANGE_INVALID', `The start (${start.toFixed(2)} s) is beyond the end of the recording (${dur}).`, { kind: 'usage' });
  if (end <= start) throw new AudioError('AUDIO_RANGE_INVALID', `The end (${end.toFixed(2)} s) must come after the start (${start.toFixed(2)} s).`, { kind: 'usage' });
  // A trim handle dragged to the very end may overshoot by a frame; a clearly wrong end is refused.
  if (end > probe.durationSec + 0.5) throw new AudioError('AUDIO_RANGE_INVALID', `The end (${end.toFixed(2)} s) is beyond the end of the recording (${dur}).`, { kind: 'usage' });
  end = Math.min(end, probe.durationSec);
  return { start, end };
}

/** The analysis ffmpeg pass alone. `expectedSec()` (known later when the probe runs alongside) drives the percentage. */
async function runAnalysisPass(
  bins: FfmpegPaths, inputPath: string, startSec: number, lenSec: number | undefined,
  opts: {
    signal?: AbortSignal | undefined; expectedSec: () => number | undefined; onProgress?: AnalyseOptions['onProgress'];
    /** Sees each stderr line first; returns true when it consumed it (the input header). */
    headerLine?: ((l: string) => boolean) | undefined;
  },
): Promise<AudioAnalysis> {
  const parser = createAnalysisParser();
  const headerLine = opts.headerLine;
  opts.onProgress?.({ percent: 0, stage: 'analyse' });
  await runFfmpeg(bins.ffmpegPath, analysisArgs(inputPath, startSec, lenSec), {
    signal: opts.signal,
    onStderrLine: headerLine ? (l) => { if (!headerLine(l)) parser.line(l); } : parser.line,
    onProgressSec: (s) => {
      const expected = opts.expectedSec();
      if (expected && expected > 0) opts.onProgress?.({ percent: Math.min(99, Math.round((s / expected) * 100)), stage: 'analyse' });
    },
  });
  const raw = parser.result();
  if (raw.frames.length === 0) throw new AudioError('AUDIO_UNREADABLE', `${inputPath} contains no decodable audio in the chosen range.`, { kind: 'input' });
  opts.onProgress?.({ percent: 100, stage: 'analyse' });
  return summarise(raw, lenSec ?? opts.expectedSec());
}

/**
 * Probe and analysis of a whole file in ONE ffmpeg process: the probe facts come from the input header ffmpeg prints
 * before decoding (each process start costs ~0.13 s here, and a parallel ffprobe competes for the 2 cores). The
 * analysis is stopped as soon as `checkProbe` refuses the header, so a 3-hour file is not decoded. ffprobe only runs
 * when the header is unusual, and after a failure, to name the problem (no audio stream, damaged header...). A
 * container without a duration (MediaRecorder webm) takes its real length from the analysis.
 */
export async function probeAndAnalyse(
  inputPath: string,
  opts: { signal?: AbortSignal | undefined; onProgress?: AnalyseOptions['onProgress']; binaries?: FfmpegPaths | undefined; checkProbe?: ((p: AudioProbe) => void) | undefined },
): Promise<{ probe: AudioProbe; analysis: AudioAnalysis }> {
  const bins = opts.binaries ?? (await resolveFfmpeg());
  // Fail fast on paths that are not files before starting anything.
  const sizeBytes = await checkInputFile(inputPath);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const header = createInputHeaderParser();
  let headerProbe: AudioProbe | undefined;
  let refused: { error: unknown } | undefined;
  const headerLine = (l: string): boolean => {
    if (header.done) return false;
    const consumed = header.line(l);
    if (header.done) {
      const h = header.result();
      if (h) {
        headerProbe = { ...h, sizeBytes, durationDecoded: false };
        try {
          opts.checkProbe?.(headerProbe);
        } catch (error) {
          refused = { error };
          stop.abort();
        }
      }
    }
    return consumed;
  };
  try {
    if (opts.signal?.aborted) throw new CancelledError('The analysis');
    let analysis: AudioAnalysis;
    try {
      analysis = await runAnalysisPass(bins, inputPath, 0, undefined, {
        signal: stop.signal, expectedSec: () => (headerProbe && headerProbe.durationSec > 0 ? headerProbe.durationSec : undefined),
        onProgress: opts.onProgress, headerLine,
      });
    } catch (e) {
      if (refused) throw refused.error;
      if (opts.signal?.aborted || e instanceof CancelledError) throw e;
      const probe = await probeAudio(inputPath, { signal: opts.signal, binaries: bins, decodeMissingDuration: false });
      opts.checkProbe?.(probe);
      throw e;
    }
    let probe = headerProbe;
    if (!probe) {
      probe = await probeAudio(inputPath, { signal: opts.signal, binaries: bins, decodeMissingDuration: false });
      opts.checkProbe?.(probe);
    }
    if (!(probe.durationSec > 0)) probe = { ...probe, durationSec: analysis.durationSec, durationDecoded: true };
    // The header gives the container's duration; ffprobe prefers the audio stream's (shorter when a video track
    // runs longer). The decoded length settles it.
    else if (headerProbe && Math.abs(probe.durationSec - analysis.durationSec) > 0.1) probe = { ...probe, durationSec: analysis.durationSec };
    return { probe, analysis };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

export async function analyseAudio(inputPath: string, opts: AnalyseOptions = {}): Promise<AudioAnalysis> {
  const bins = opts.binaries ?? (await resolveFfmpeg());
  if (!opts.probe && opts.startSec === undefined && opts.endSec === undefined) {
    return (await probeAndAnalyse(inputPath, { signal: opts.signal, onProgress: opts.onProgress, binaries: bins })).analysis;
  }
  const probe = opts.probe ?? (await probeAudio(inputPath, { signal: opts.signal, binaries: bins }));
  const { start, end } = validateRange(probe, opts.startSec, opts.endSec);
  const ranged = start > 0 || end < probe.durationSec;
  const len = end - start;
  return runAnalysisPass(bins, inputPath, start, ranged ? len : undefined, { signal: opts.signal, expectedSec: () => len, onProgress: opts.onProgress });
}

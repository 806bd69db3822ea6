// The engine's previous render path, kept for the test that compares old and new renders: the analysis as one
// ffmpeg pass (ebur128 + astats frames at 8 kHz, volumedetect at the source rate) and the render as a second ffmpeg
// pass (-ss/-t, soxr to 8 kHz, linear gain, alimiter at 32 kHz, afade, adelay, ffmpeg's encoders). It shares with
// the engine only the pure decisions (summarise, keepWindow, computeGainDb, the format presets), so the comparison
// isolates what changed: where the samples are measured and processed.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { computeGainDb, keepWindow, PRESETS, summarise, type AudioAnalysis, type GreetingFormat } from '../../main/core/audio/index.js';

const execFileP = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const RATE = 8000;
const FRAME_SAMPLES = 400;
const LIMITER_HEADROOM_DB: Readonly<Record<GreetingFormat, number>> = { wav: 0.5, 'wav-ulaw': 0.7, 'wav-alaw': 0.7, mp3: 1, gsm: 2.5 };
const FADE_SEC = 0.015;
/** The previous engine's calibration of its limiter's loudness cost (alimiter at 32 kHz). */
const LEGACY_LIMITER_LOSS_FACTOR = 0.88;

const conditioning = `aresample=${RATE}:resampler=soxr:ochl=mono:osf=flt,highpass=f=100`;

function inputArgs(input: string, startSec: number, durationSec: number | undefined): string[] {
  return [...(startSec > 0 ? ['-ss', startSec.toFixed(6)] : []), ...(durationSec !== undefined ? ['-t', durationSec.toFixed(6)] : []), '-i', input, '-map', '0:a:0', '-vn', '-sn', '-dn'];
}

async function ffmpeg(args: string[]): Promise<string> {
  const r = await execFileP(FFMPEG, ['-hide_banner', '-nostdin', '-nostats', ...args], { maxBuffer: 256 * 1024 * 1024 });
  return r.stderr;
}

function num(s: string | undefined): number {
  if (s === undefined) return Number.NaN;
  if (/^-inf/i.test(s)) return Number.NEGATIVE_INFINITY;
  return Number.parseFloat(s);
}

export async function legacyAnalyse(input: string, startSec = 0, durationSec?: number): Promise<AudioAnalysis> {
  const chain = ['volumedetect@clip', conditioning, 'ebur128=peak=sample:framelog=verbose', `asetnsamples=n=${FRAME_SAMPLES}:p=0`,
    'astats@frames=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level+Peak_level', 'ametadata@rms=mode=print'].join(',');
  const log = await ffmpeg(['-loglevel', 'info', ...inputArgs(input, startSec, durationSec), '-af', chain, '-f', 'null', '-']);
  const frames: number[] = [];
  const peaks: number[] = [];
  let integratedLufs: number | undefined;
  let truePeakDbfs: number | undefined;
  let clipPeakDb: number | undefined;
  let clipPeakCount: number | undefined;
  let clipSamples: number | undefined;
  let inSummary = false;
  let headerDuration: number | undefined;
  for (const l of log.split(/\r?\n/)) {
    const d = /^\s+Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)/.exec(l);
    if (d && headerDuration === undefined) headerDuration = Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]);
    if (l.startsWith('[ametadata@rms')) {
      const v = /RMS_level=(\S+)/.exec(l);
      if (v) frames.push(num(v[1]));
      const pk = /Peak_level=(\S+)/.exec(l);
      if (pk) peaks.push(num(pk[1]));
      continue;
    }
    if (l.startsWith('[volumedetect@clip')) {
      let m = /max_volume: (\S+) dB/.exec(l);
      if (m) clipPeakDb = num(m[1]);
      m = /histogram_0db: (\d+)/.exec(l);
      if (m) clipPeakCount = num(m[1]);
      m = /n_samples: (\d+)/.exec(l);
      if (m) clipSamples = num(m[1]);
      continue;
    }
    if (/ebur128.*Summary:/.test(l)) { inSummary = true; continue; }
    if (!inSummary) continue;
    const i = /^\s+I:\s+(\S+) LUFS/.exec(l);
    if (i) integratedLufs = num(i[1]);
    const p = /^\s+Peak:\s+(\S+) dBFS/.exec(l);
    if (p) truePeakDbfs = num(p[1]);
  }
  const hint = durationSec ?? (headerDuration !== undefined ? headerDuration - startSec : undefined);
  return summarise({ frames, peaks, integratedLufs, truePeakDbfs, clipPeakDb, clipPeakCount, clipSamples }, hint);
}

export interface LegacyResult { keptStartSec: number; keptEndSec: number; leadInPadSec: number; gainDb: number; analysis: AudioAnalysis }

/** Renders `input` as the previous engine did (normalised to `targetLufs`, silence trimmed) into `output`. */
export async function legacyRender(input: string, output: string, o: { format: GreetingFormat; targetLufs?: number; ceilingDbfs?: number; startSec?: number; endSec?: number; trimSilence?: boolean }): Promise<LegacyResult> {
  const target = o.targetLufs ?? -20;
  const ceiling = o.ceilingDbfs ?? -3;
  const start = o.startSec ?? 0;
  const analysis = await legacyAnalyse(input, start, o.endSec !== undefined ? o.endSec - start : undefined);
  const end = o.endSec ?? start + analysis.durationSec;
  const { keepStart, keepEnd, padSec } = keepWindow({ rangeStart: start, rangeEnd: end, analysis, trimSilence: o.trimSilence ?? true });
  const keepSec = keepEnd - keepStart;
  const limiterDbfs = ceiling - LIMITER_HEADROOM_DB[o.format];
  const gainDb = computeGainDb(analysis, target, limiterDbfs, o.format, LEGACY_LIMITER_LOSS_FACTOR);
  const parts = [conditioning];
  if (gainDb !== 0) parts.push(`volume=${gainDb.toFixed(3)}dB`);
  if (analysis.truePeakDbfs + 2 + gainDb > limiterDbfs) {
    const limit = Math.min(1, Math.max(0.0625, 10 ** (limiterDbfs / 20)));
    parts.push(`aresample=${RATE * 4}:resampler=soxr`, `alimiter=limit=${limit.toFixed(5)}:level=0:latency=1:attack=5:release=50`, `aresample=${RATE}:resampler=soxr`);
  }
  const fade = Math.min(FADE_SEC, keepSec / 4);
  parts.push(`afade=t=in:d=${fade.toFixed(4)}`, `afade=t=out:st=${Math.max(0, keepSec - fade).toFixed(4)}:d=${fade.toFixed(4)}`);
  const pad = Math.round(padSec * RATE);
  if (pad > 0) parts.push(`adelay=delays=${pad}S:all=1`);
  await ffmpeg(['-loglevel', 'error', ...inputArgs(input, keepStart, keepSec), '-af', parts.join(','), '-ar', String(RATE), '-ac', '1',
    ...PRESETS[o.format].ffmpegArgs, '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-y', output]);
  return { keptStartSec: keepStart, keptEndSec: keepEnd, leadInPadSec: padSec, gainDb, analysis };
}

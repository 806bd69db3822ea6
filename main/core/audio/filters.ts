// The ffmpeg argument lists of the engine, in one place so the analysis, the render and the benchmark's "bare
// ffmpeg" baseline run exactly the same chains. Everything after the resampler runs at 8 kHz mono: that is what
// makes analysis and render cheap (no 192 kHz loudnorm).
import { PRESETS, TARGET_SAMPLE_RATE, type GreetingFormat } from './formats.js';

/** Analysis frame: 50 ms at 8 kHz, the time resolution of the silence detection. */
export const FRAME_SAMPLES = 400;
export const FRAME_SEC = FRAME_SAMPLES / TARGET_SAMPLE_RATE;
export const HIGHPASS_HZ = 100;
export const LIMITER_RATE = TARGET_SAMPLE_RATE * 4;

/** Downmix + high-quality resample to 8 kHz mono float, then the high-pass: shared by analysis and render. */
export function conditioningChain(): string {
  return `aresample=${TARGET_SAMPLE_RATE}:resampler=soxr:ochl=mono:osf=flt,highpass=f=${HIGHPASS_HZ}`;
}

export function inputArgs(inputPath: string, startSec: number, durationSec: number | undefined): string[] {
  const seek = startSec > 0 ? ['-ss', startSec.toFixed(6)] : [];
  const len = durationSec !== undefined ? ['-t', durationSec.toFixed(6)] : [];
  return [...seek, ...len, '-i', inputPath, '-map', '0:a:0', '-vn', '-sn', '-dn'];
}

/**
 * One pass: clipping counter at the source rate (volumedetect's histogram: cheap, unlike astats), then at 8 kHz
 * mono EBU R128 integrated loudness + sample peak and a per-50 ms RMS/peak series (silence detection relative to the
 * speech level, noise floor and the limiter's loudness cost are computed from it). ebur128's true-peak mode is left
 * out on purpose: it costs more than everything else in the pass together.
 */
export function analysisChain(): string {
  return [
    'volumedetect@clip',
    conditioningChain(),
    'ebur128=peak=sample:framelog=verbose',
    `asetnsamples=n=${FRAME_SAMPLES}:p=0`,
    'astats@frames=metadata=1:reset=1:measure_perchannel=none:measure_overall=RMS_level+Peak_level',
    'ametadata@rms=mode=print',
  ].join(',');
}

export function analysisArgs(inputPath: string, startSec = 0, durationSec?: number): string[] {
  return ['-loglevel', 'info', ...inputArgs(inputPath, startSec, durationSec), '-af', analysisChain(), '-f', 'null', '-'];
}

/**
 * The live decoder of a recording streamed on stdin: one pass writes the decoded audio as 32-bit float WAV at the
 * source rate (float keeps opus peaks above full scale, so a render from it equals one from the original) and runs
 * the analysis chain on the same samples.
 */
export function liveDecodeArgs(pcmPath: string): string[] {
  return [
    '-loglevel', 'info', '-i', 'pipe:0',
    '-filter_complex', `[0:a:0]asplit=2[pcm][an];[an]${analysisChain()}[out]`,
    '-map', '[pcm]', '-c:a', 'pcm_f32le', '-f', 'wav', '-y', pcmPath,
    '-map', '[out]', '-f', 'null', '-',
  ];
}

export interface RenderChainParams {
  /** Where the kept audio starts in the input and how long it is. */
  inputStartSec: number;
  keepSec: number;
  gainDb: number;
  /** Sample-peak limit in dBFS (below the true-peak ceiling, leaving room for inter-sample and codec overshoot). */
  limiterDbfs: number | undefined;
  fadeSec: number;
  leadInPadSec: number;
  format: GreetingFormat;
}

export function renderFilter(p: RenderChainParams): string {
  const parts = [conditioningChain()];
  if (p.gainDb !== 0) parts.push(`volume=${p.gainDb.toFixed(3)}dB`);
  if (p.limiterDbfs !== undefined) {
    const limit = Math.min(1, Math.max(0.0625, 10 ** (p.limiterDbfs / 20)));
    // Limit at 4× the rate: at 8 kHz the samples miss inter-sample (true) peaks by up to ~2 dB; at 32 kHz the
    // band-limited signal's samples are within ~0.2 dB of them.
    parts.push(`aresample=${LIMITER_RATE}:resampler=soxr`, `alimiter=limit=${limit.toFixed(5)}:level=0:latency=1:attack=5:release=50`,
      `aresample=${TARGET_SAMPLE_RATE}:resampler=soxr`);
  }
  const fade = Math.min(p.fadeSec, p.keepSec / 4);
  parts.push(`afade=t=in:d=${fade.toFixed(4)}`, `afade=t=out:st=${Math.max(0, p.keepSec - fade).toFixed(4)}:d=${fade.toFixed(4)}`);
  const padSamples = Math.round(p.leadInPadSec * TARGET_SAMPLE_RATE);
  if (padSamples > 0) parts.push(`adelay=delays=${padSamples}S:all=1`);
  return parts.join(',');
}

export function renderArgs(inputPath: string, outputPath: string, p: RenderChainParams): string[] {
  return [
    '-loglevel', 'error',
    ...inputArgs(inputPath, p.inputStartSec, p.keepSec),
    '-af', renderFilter(p),
    '-ar', String(TARGET_SAMPLE_RATE), '-ac', '1',
    ...PRESETS[p.format].ffmpegArgs,
    '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact',
    '-y', outputPath,
  ];
}

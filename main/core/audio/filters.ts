// The ffmpeg argument lists of the engine, in one place. ffmpeg does what it is best at and only that: decoding any
// container, the downmix, the 8 kHz resampler (soxr) and the high-pass, once per input; and the MP3/GSM encoders.
// Loudness, peaks, limiting, fades and PCM/G.711 writing happen in Node on the decoded samples (dsp.ts). Every
// filter used here exists in ffmpeg 4.4 as in 5.x.
import { PRESETS, TARGET_SAMPLE_RATE, type GreetingFormat } from './formats.js';

/** Analysis frame: 50 ms at 8 kHz, the time resolution of the silence detection. */
export const FRAME_SAMPLES = 400;
export const FRAME_SEC = FRAME_SAMPLES / TARGET_SAMPLE_RATE;
export const HIGHPASS_HZ = 100;

/**
 * Downmix (the average of the channels: a two-channel copy of one voice keeps its level) and a high-quality
 * resample to 8 kHz mono float, then the high-pass. `async=1` fills timestamp gaps of over 0.1 s with silence and
 * drops overlaps (the resampler logs both), so audio after a corrupt stretch stays at its time and the stretch is
 * counted as damage. The downmix is asked for with aformat, not the resampler's channel-layout option, whose name
 * changed between ffmpeg 4 (`ocl`) and 5 (`ochl`).
 */
export function conditioningChain(): string {
  return `aformat=channel_layouts=mono,aresample=${TARGET_SAMPLE_RATE}:resampler=soxr:osf=flt:async=1,highpass=f=${HIGHPASS_HZ}`;
}

/** Seek and length go before -i (fast, and accurate for every demuxer ffmpeg decodes from the start). */
function rangeArgs(startSec: number, lenSec: number | undefined): string[] {
  const seek = startSec > 0 ? ['-ss', startSec.toFixed(6)] : [];
  const len = lenSec !== undefined ? ['-t', lenSec.toFixed(6)] : [];
  return [...seek, ...len];
}

/**
 * Source-rate clipping count (volumedetect's histogram: cheap, unlike astats) on one branch, the conditioned
 * signal on the other. The split keeps float sources (opus, mp3) in float on the signal path: volumedetect
 * itself works on 16-bit samples.
 */
function graph(input: string): string {
  return `[${input}]asplit=2[vd][cond];[vd]volumedetect,anullsink;[cond]${conditioningChain()}[out]`;
}

/** Log level with the level of each line shown (errors are told apart from chatter) and repeats not folded. */
const LOGLEVEL = ['-loglevel', 'repeat+level+verbose'];

/**
 * The decode pass: 8 kHz mono float PCM on stdout, the header, banner, clipping count and damage on stderr. (Where
 * damage is, exactly, a second pass finds when there is any: see locateDamage.)
 */
export function decodeArgs(inputPath: string, startSec = 0, lenSec?: number): string[] {
  return [
    '-nostdin', '-nostats', ...LOGLEVEL, ...rangeArgs(startSec, lenSec), '-i', inputPath,
    '-filter_complex', graph('0:a:0'), '-map', '[out]', '-f', 'f32le', 'pipe:1',
  ];
}

/**
 * The live decoder of a recording streamed on stdin: the decoded audio as 32-bit float WAV at the source rate (float
 * keeps opus peaks above full scale; the file is what later renders start from) and the decode pass's conditioned
 * PCM on stdout, from the same decoding, flushed per packet (a stream cannot be decoded again to place damage).
 */
export function liveDecodeArgs(pcmPath: string): string[] {
  return [
    '-nostats', ...LOGLEVEL, '-i', 'pipe:0',
    '-filter_complex', `[0:a:0]asplit=2[wav][an];${graph('an')}`,
    '-map', '[wav]', '-c:a', 'pcm_f32le', '-f', 'wav', '-y', pcmPath,
    '-map', '[out]', '-f', 'f32le', '-flush_packets', '1', 'pipe:1',
  ];
}

/** MP3 and GSM: the finished 8 kHz float samples on stdin through ffmpeg's encoder. */
export function encodeArgs(outputPath: string, format: GreetingFormat): string[] {
  return [
    '-loglevel', 'error', '-f', 'f32le', '-ar', String(TARGET_SAMPLE_RATE), '-ac', '1', '-i', 'pipe:0',
    ...PRESETS[format].ffmpegArgs, '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact', '-y', outputPath,
  ];
}

export interface RenderChainParams {
  /** Where the kept audio starts in the input and how long it is. */
  inputStartSec: number;
  keepSec: number;
  /** Linear gain applied before the limiter (dB). */
  gainDb: number;
  /** True-peak limit in dBFS (below the ceiling, leaving room for codec overshoot); undefined without normalisation. */
  limiterDbfs: number | undefined;
  fadeSec: number;
  leadInPadSec: number;
  format: GreetingFormat;
  /** Clean-up applied before the gain (render options `denoise`, `level`). */
  denoise: boolean;
  level: boolean;
}

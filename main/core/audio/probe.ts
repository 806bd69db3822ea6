// Reads what an input file is (ffprobe JSON validated with zod): the first audio stream's codec, rate, channels
// and duration. Containers without a duration (MediaRecorder webm) are decoded once to find the real one.
import { stat } from 'node:fs/promises';
import { resolveFfmpeg, type FfmpegPaths } from './binaries.js';
import { AudioError } from './errors.js';
import { decodeAudio } from './decode.js';
import { errorSummary, runFfprobe } from './ffmpeg-adapter.js';
import { TARGET_SAMPLE_RATE } from './formats.js';

export interface AudioProbe {
  durationSec: number;
  codec: string;
  sampleRate: number;
  channels: number;
  sizeBytes: number;
  container: string;
  hasVideo: boolean;
  /** True when the container had no duration and it was measured by decoding. */
  durationDecoded: boolean;
}

export interface ProbeOptions {
  signal?: AbortSignal | undefined;
  binaries?: FfmpegPaths | undefined;
  /** Decode the file when the container has no duration (default true); false returns durationSec 0 instead. */
  decodeMissingDuration?: boolean | undefined;
}

/** Checks the path itself before ffprobe sees it, so the error names the real problem. */
export async function checkInputFile(inputPath: string): Promise<number> {
  return (await statInputFile(inputPath)).size;
}

/** `checkInputFile`, returning the file's stat (size and identity, the decode cache's key). */
export async function statInputFile(inputPath: string): Promise<{ size: number; mtimeMs: number; ino: number }> {
  let st;
  try {
    st = await stat(inputPath);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AudioError('AUDIO_NOT_FOUND', `The file ${inputPath} does not exist. Check the path and try again.`, { cause, kind: 'input' });
    if (code === 'EACCES' || code === 'EPERM') throw new AudioError('AUDIO_UNREADABLE_PATH', `The file ${inputPath} cannot be read (permission denied). Check its permissions.`, { cause, kind: 'input' });
    throw new AudioError('AUDIO_UNREADABLE_PATH', `The file ${inputPath} cannot be read (${code ?? 'unknown error'}).`, { cause, kind: 'input' });
  }
  if (!st.isFile()) throw new AudioError('AUDIO_NOT_A_FILE', `${inputPath} is not a file (it is a ${st.isDirectory() ? 'folder' : 'special file'}). Choose an audio file.`, { kind: 'input' });
  if (st.size === 0) throw new AudioError('AUDIO_EMPTY_FILE', `The file ${inputPath} is empty (0 bytes). Record or choose the greeting again.`, { kind: 'input' });
  return st;
}

function probeFailure(inputPath: string, tail: readonly string[]): AudioError {
  const text = tail.join('\n');
  if (/permission denied/i.test(text)) return new AudioError('AUDIO_UNREADABLE_PATH', `The file ${inputPath} cannot be read (permission denied).`, { kind: 'input' });
  if (/channel count|channels not set|invalid (sample rate|channel)/i.test(text)) {
    return new AudioError('AUDIO_INVALID_STREAM', `The audio in ${inputPath} is damaged: its header does not say how many channels or what sample rate it has. Export it again from the recording program.`, { kind: 'input', detail: { ffprobe: errorSummary(tail) } });
  }
  return new AudioError('AUDIO_UNREADABLE', `${inputPath} is not an audio file ffmpeg can read (${errorSummary(tail)}). It may be damaged, truncated or in another format than its name says.`, { kind: 'input', detail: { ffprobe: errorSummary(tail) } });
}

/** Decodes the first audio stream (into the decode cache, where the analysis that follows finds it) to measure it. */
async function decodeDuration(bins: FfmpegPaths, inputPath: string, signal?: AbortSignal): Promise<number> {
  const d = await decodeAudio(inputPath, { signal, binaries: bins });
  return d.pcm.length / TARGET_SAMPLE_RATE;
}

export async function probeAudio(inputPath: string, opts: ProbeOptions = {}): Promise<AudioProbe> {
  const sizeBytes = await checkInputFile(inputPath);
  const bins = opts.binaries ?? (await resolveFfmpeg());
  const r = await runFfprobe(bins.ffprobePath, ['-v', 'error', '-of', 'json', '-show_format', '-show_streams', inputPath], opts.signal);
  if (r.code !== 0) throw probeFailure(inputPath, r.stderrTail);
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch (cause) {
    throw new AudioError('AUDIO_UNREADABLE', `ffprobe gave an unreadable answer for ${inputPath}.`, { cause, kind: 'input' });
  }
  // zod is loaded here, not at start: only the fallback and recovery paths run ffprobe.
  const { probeSchema } = await import('./probe-schema.js');
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) throw new AudioError('AUDIO_UNREADABLE', `ffprobe gave an unexpected answer for ${inputPath}.`, { kind: 'input', detail: { issues: parsed.error.issues.length } });
  const { streams, format } = parsed.data;
  const audio = streams.find((s) => s.codec_type === 'audio');
  const hasVideo = streams.some((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  if (!audio) {
    throw new AudioError('AUDIO_NO_AUDIO_STREAM', hasVideo
      ? `${inputPath} is a video without sound: it has no audio track to make a greeting from.`
      : `${inputPath} has no audio stream. Choose a file that contains sound.`, { kind: 'input' });
  }
  const channels = audio.channels ?? 0;
  const sampleRate = audio.sample_rate ?? 0;
  if (channels < 1 || sampleRate < 1) {
    throw new AudioError('AUDIO_INVALID_STREAM', `The audio in ${inputPath} is damaged: it claims ${channels} channel(s) at ${sampleRate} Hz. Export it again from the recording program.`, { kind: 'input' });
  }
  let durationSec = audio.duration ?? format?.duration;
  let durationDecoded = false;
  if (durationSec === undefined || durationSec <= 0) {
    if (opts.decodeMissingDuration === false) {
      return { durationSec: 0, codec: audio.codec_name ?? 'unknown', sampleRate, channels, sizeBytes, container: format?.format_name ?? 'unknown', hasVideo, durationDecoded: false };
    }
    durationSec = await decodeDuration(bins, inputPath, opts.signal);
    durationDecoded = true;
  }
  if (!(durationSec > 0)) throw new AudioError('AUDIO_UNREADABLE', `${inputPath} contains no decodable audio (its length is 0 seconds).`, { kind: 'input' });
  return {
    durationSec, codec: audio.codec_name ?? 'unknown', sampleRate, channels, sizeBytes, container: format?.format_name ?? 'unknown', hasVideo, durationDecoded,
  };
}

// Decodes and analyses a recording WHILE it is being made: the recorder's chunks are piped into one ffmpeg process
// (started with the take) that writes a float WAV and runs the analysis on the same samples. At "stop" only the
// tail is left, so the take's duration, probe facts and analysis are ready almost at once, and the preview renders
// from PCM instead of decoding opus again. Any failure makes `finish` return undefined: the caller then takes the
// ordinary path over the original file (which stays the crash-safe copy on disk).
import { createAnalysisParser, summarise, type AudioAnalysis } from './analyse.js';
import type { FfmpegPaths } from './binaries.js';
import { spawnFfmpegWithStdin, type StreamingProcess } from './ffmpeg-adapter.js';
import { liveDecodeArgs } from './filters.js';
import { createInputHeaderParser } from './input-header.js';
import type { AudioProbe } from './probe.js';

export interface LiveDecodeResult {
  /** The decoded take (32-bit float WAV, source rate and channels). */
  pcmPath: string;
  /** Probe facts of the streamed original (codec, rate, channels; duration measured by decoding). */
  probe: Omit<AudioProbe, 'sizeBytes'>;
  /** The same facts for the PCM WAV (what a render from `pcmPath` needs). */
  pcmProbe: Omit<AudioProbe, 'sizeBytes'>;
  analysis: AudioAnalysis;
}

export interface LiveDecoder {
  /** Feeds the next chunk of the recording (in order). Never throws; ignored once the decoder has failed. */
  write(chunk: Uint8Array): void;
  /** Ends the input and waits for the decoder (at most `timeoutMs`); undefined when it failed or took too long. */
  finish(timeoutMs?: number): Promise<LiveDecodeResult | undefined>;
  /** Stops the decoder (the caller removes the files). */
  abort(): Promise<void>;
}

export function startLiveDecode(bins: FfmpegPaths, pcmPath: string): LiveDecoder {
  const header = createInputHeaderParser();
  const parser = createAnalysisParser();
  let proc: StreamingProcess | undefined = spawnFfmpegWithStdin(bins.ffmpegPath, liveDecodeArgs(pcmPath), (l) => {
    if (!header.done && header.line(l)) return;
    parser.line(l);
  });
  let healthy = true;
  void proc.done.then((r) => { if (r.code !== 0) healthy = false; });
  return {
    write(chunk) {
      if (!healthy || !proc) return;
      if (!proc.write(chunk)) healthy = false;
    },
    async finish(timeoutMs = 15_000) {
      const p = proc;
      proc = undefined;
      if (!p) return undefined;
      p.end();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
      const r = await Promise.race([p.done, timedOut]);
      if (timer) clearTimeout(timer);
      if (r === 'timeout') {
        p.kill();
        await p.done;
        return undefined;
      }
      const h = header.result();
      const raw = parser.result();
      if (!healthy || r.code !== 0 || !h || raw.frames.length === 0) return undefined;
      const analysis = summarise(raw, undefined);
      const durationSec = h.durationSec > 0 && Math.abs(h.durationSec - analysis.durationSec) <= 0.1 ? h.durationSec : analysis.durationSec;
      const probe = { ...h, durationSec, durationDecoded: !(h.durationSec > 0) };
      return {
        pcmPath, probe, analysis,
        pcmProbe: { durationSec, codec: 'pcm_f32le', sampleRate: h.sampleRate, channels: h.channels, container: 'wav', hasVideo: false, durationDecoded: false },
      };
    },
    async abort() {
      const p = proc;
      proc = undefined;
      if (!p) return;
      p.kill();
      await p.done;
    },
  };
}

// Decodes and analyses a recording WHILE it is being made: the recorder's chunks are piped into one ffmpeg process
// (started with the take) that writes a float WAV and hands the conditioned 8 kHz PCM (the decode pass's output) to
// Node on the same decoding. At "stop" only the tail is left, so the take's duration, probe facts and analysis are
// ready almost at once, and the decoded PCM goes into the decode cache under the WAV's path: a preview rendered
// from that WAV decodes nothing. Any failure makes `finish` return undefined: the caller then takes the ordinary
// path over the original file (which stays the crash-safe copy on disk).
import { analyseDecoded, DAMAGE_LIMITS, type AudioAnalysis } from './analyse.js';
import type { FfmpegPaths } from './binaries.js';
import { createDecodeLogParser, finishDamage, growingBuffer, rememberDecoded, type DecodedAudio } from './decode.js';
import { LevelMeter } from './dsp.js';
import { spawnFfmpegWithStdin, type StreamingProcess } from './ffmpeg-adapter.js';
import { FRAME_SAMPLES, liveDecodeArgs } from './filters.js';
import { TARGET_SAMPLE_RATE } from './formats.js';
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
  const pcmBuf = growingBuffer();
  const meter = new LevelMeter(TARGET_SAMPLE_RATE, FRAME_SAMPLES);
  let bytes = 0;
  const log = createDecodeLogParser(() => bytes / (TARGET_SAMPLE_RATE * 4));
  let proc: StreamingProcess | undefined = spawnFfmpegWithStdin(bins.ffmpegPath, liveDecodeArgs(pcmPath), log.line, (c) => {
    pcmBuf.push(c);
    bytes += c.length;
    meter.push(pcmBuf.floats(), Math.floor(bytes / 4));
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
      const h = log.header.result();
      const res = log.result();
      if (!healthy || r.code !== 0 || !h || bytes < 4) return undefined;
      // Damage past the limit: the ordinary path over the original refuses it with its message.
      const damage = finishDamage(res.damage);
      if (damage.skippedSec >= DAMAGE_LIMITS.skippedSec || damage.failedPackets >= DAMAGE_LIMITS.failedPackets) return undefined;
      const pcm = pcmBuf.floats();
      const decodedSec = pcm.length / TARGET_SAMPLE_RATE;
      const durationSec = h.durationSec > 0 && Math.abs(h.durationSec - decodedSec) <= 0.1 ? h.durationSec : decodedSec;
      const pcmProbe = { durationSec, codec: 'pcm_f32le', sampleRate: h.sampleRate, channels: h.channels, container: 'wav', hasVideo: false, durationDecoded: false };
      const decoded: DecodedAudio = {
        pcm, startSec: 0, header: { ...pcmProbe }, clip: res.clip, durationEstimated: false, ffmpegVersion: res.ffmpegVersion, damage, levels: meter.finish(pcm),
      };
      const analysis = analyseDecoded(decoded);
      await rememberDecoded(pcmPath, decoded);
      return { pcmPath, probe: { ...h, durationSec, durationDecoded: !(h.durationSec > 0) }, analysis, pcmProbe };
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

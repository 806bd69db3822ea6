// The one ffmpeg pass every analysis and render starts from: decode the input, downmix, resample to 8 kHz mono
// float, high-pass, and hand the PCM to Node on stdout. The same pass reads the input header (probe facts),
// ffmpeg's banner (which binary ran, which version), the source-rate clipping count, and every sign of damaged
// input: packets the decoder refused, and timestamp gaps or overlaps (a corrupt stretch the demuxer skipped over)
// that the resampler fills with silence or drops. Decoded PCM is kept in a small cache keyed by the file's identity,
// so the render after an analysis (editor preview, prepare) decodes nothing again.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CancelledError } from '../errors.js';
import { ffmpegTooOldError, libavutilTooOld, parseLibavutil, resolveFfmpeg, resolveFfmpegAfterFailure, type FfmpegPaths } from './binaries.js';
import { AudioError } from './errors.js';
import { errorSummary, runProcess, verifyBinary } from './ffmpeg-adapter.js';
import { LevelMeter } from './dsp.js';
import { decodeArgs, FRAME_SAMPLES } from './filters.js';
import { TARGET_SAMPLE_RATE } from './formats.js';
import { createInputHeaderParser, type InputHeader } from './input-header.js';
import { truncationOf, wavDeclaredLength, type DeclaredLength } from './declared-length.js';

export interface DecodeDamage {
  /** Packets the decoder could not decode ("Error while decoding stream …"). */
  failedPackets: number;
  /** Error lines of the demuxer and decoder (corrupt frames, invalid data); a failed packet usually has a few. */
  errorLines: number;
  /** Seconds of audio lost: timestamp gaps (filled with silence), overlaps (dropped), and what failed packets took away. */
  skippedSec: number;
  /** Where the damage was seen, seconds from the start of the decoded range (to about 0.2 s: pipe buffering). */
  firstSec: number | undefined;
  lastSec: number | undefined;
  /** The first few distinct messages, for the error detail. */
  messages: string[];
}

export interface ClipStats {
  /** Source sample peak (volumedetect, at the source rate) in dBFS. */
  peakDb: number | undefined;
  /** Samples in the top 1 dB bin, and all samples. */
  topBinCount: number | undefined;
  samples: number | undefined;
}

export interface DecodedAudio {
  /** 8 kHz mono float, high-passed (the conditioning every analysis and render works on). */
  pcm: Float32Array;
  /** Where the decoded range starts in the input (seconds). */
  startSec: number;
  /** The input header (container, duration, first audio stream), when ffmpeg printed a usual one. */
  header: InputHeader | undefined;
  clip: ClipStats;
  damage: DecodeDamage;
  /** The container's duration is an estimate from the bitrate (mp3 without a frame index). */
  durationEstimated: boolean;
  /** "5.1.6-0+deb12u1", from the banner. */
  ffmpegVersion: string | undefined;
  /** The analysis's measurements of the whole `pcm`, made while it arrived (see LevelMeter). */
  levels?: ReturnType<LevelMeter['finish']> | undefined;
  /** The file ends before its header says it does (cut off): what it promises and what is there, for the whole file. */
  truncated?: DeclaredLength | undefined;
}

export interface DecodeOptions {
  signal?: AbortSignal | undefined;
  binaries?: FfmpegPaths | undefined;
  startSec?: number | undefined;
  /** Decode only this long (seconds) from startSec. */
  lenSec?: number | undefined;
  /** Seconds decoded so far (for progress). */
  onProgressSec?: ((sec: number) => void) | undefined;
  /** Sees the input header as soon as ffmpeg printed it; throwing stops the decode with that error. */
  checkHeader?: ((h: InputHeader | undefined) => void) | undefined;
  /** File size and identity, when the caller already has them (saves a stat). */
  fileStat?: { size: number; mtimeMs: number; ino: number } | undefined;
  /** Called once the ffmpeg process has been started. */
  onSpawn?: (() => void) | undefined;
}

const BYTES_PER_SEC = TARGET_SAMPLE_RATE * 4;

interface LogLine { level: string; context: string; text: string }

/** "[flac @ 0x55…] [error] invalid residual" → { level: 'error', context: 'flac', text }. */
export function splitLogLine(line: string): LogLine {
  let rest = line;
  let context = '';
  for (;;) {
    const m = /^\[([^\]]+?) @ 0x[0-9a-fA-F]+\] /.exec(rest);
    if (!m) break;
    if (!context) context = m[1] ?? '';
    rest = rest.slice(m[0].length);
  }
  const lv = /^\[(quiet|panic|fatal|error|warning|info|verbose|debug|trace)\] ?/.exec(rest);
  return { level: lv?.[1] ?? 'info', context, text: lv ? rest.slice(lv[0].length) : rest };
}

/** The damage as the log shows it; `finishDamage` turns it into seconds lost. */
export type RawDamage = Omit<DecodeDamage, 'skippedSec'> & { gapSec: number; largestGapSec: number };

/**
 * Seconds lost: gaps filled, overlaps dropped, and `missingSec` (audio failed packets took away). A corrupt stretch
 * gives gaps and overlaps that add up to more than the stretch itself: the total is capped at the stretch's span.
 */
export function finishDamage(raw: RawDamage, missingSec = 0): DecodeDamage {
  const { gapSec, largestGapSec, ...rest } = raw;
  const span = raw.firstSec !== undefined && raw.lastSec !== undefined ? raw.lastSec - raw.firstSec : 0;
  const skipped = Math.min(gapSec, Math.max(span, largestGapSec)) + missingSec;
  return { ...rest, skippedSec: Math.round(skipped * 1000) / 1000 };
}

/** Parses the decode pass's stderr, line by line. */
export function createDecodeLogParser(position: () => number): {
  line(l: string): void;
  readonly header: ReturnType<typeof createInputHeaderParser>;
  result(): { clip: ClipStats; damage: RawDamage; durationEstimated: boolean; ffmpegVersion: string | undefined; sawBanner: boolean; libavutil: [number, number] | undefined };
} {
  const header = createInputHeaderParser();
  const clip: ClipStats = { peakDb: undefined, topBinCount: undefined, samples: undefined };
  let failedPackets = 0;
  let errorLines = 0;
  let gapSec = 0;
  let largestGapSec = 0;
  let firstSec: number | undefined;
  let lastSec: number | undefined;
  const messages: string[] = [];
  let durationEstimated = false;
  let ffmpegVersion: string | undefined;
  let sawBanner = false;
  let libavutil: [number, number] | undefined;
  let sourceRate = 0;
  const seen = (text: string, at: number, untilSec = at): void => {
    firstSec = firstSec === undefined ? at : Math.min(firstSec, at);
    lastSec = lastSec === undefined ? untilSec : Math.max(lastSec, untilSec);
    if (messages.length < 5 && !messages.includes(text)) messages.push(text);
  };
  return {
    header,
    line(raw) {
      const { level, context, text } = splitLogLine(raw);
      if (!sawBanner) {
        const b = /^ffmpeg version (\S+)/.exec(text);
        if (b) { sawBanner = true; ffmpegVersion = b[1]; return; }
      } else if (!libavutil && !context && /^\s+libavutil\s/.test(text)) {
        libavutil = parseLibavutil(text);
        return;
      }
      if (!header.done && !context && header.line(text)) {
        const h = header.done ? header.result() : undefined;
        if (h) sourceRate = h.sampleRate;
        return;
      }
      if (context.startsWith('Parsed_volumedetect')) {
        let m = /max_volume: (\S+) dB/.exec(text);
        if (m) clip.peakDb = m[1] === '-inf' ? Number.NEGATIVE_INFINITY : Number.parseFloat(m[1] ?? '');
        m = /histogram_0db: (\d+)/.exec(text);
        if (m) clip.topBinCount = Number(m[1]);
        m = /n_samples: (\d+)/.exec(text);
        if (m) clip.samples = Number(m[1]);
        return;
      }
      // The resampler (async=1) fills a gap in the timestamps with silence, counted in source samples, and drops
      // audio whose timestamps go back, counted in output samples.
      const fill = /adding (\d+) audio samples of silence/.exec(text);
      if (fill) {
        const sec = Number(fill[1]) / (sourceRate || TARGET_SAMPLE_RATE);
        gapSec += sec;
        largestGapSec = Math.max(largestGapSec, sec);
        const at = position();
        seen('a stretch of the file could not be read (gap)', at, at + sec);
        return;
      }
      const drop = /discarding (\d+) audio samples/.exec(text);
      if (drop) {
        const sec = Number(drop[1]) / TARGET_SAMPLE_RATE;
        gapSec += sec;
        largestGapSec = Math.max(largestGapSec, sec);
        seen('a stretch of the file could not be read (overlap)', position());
        return;
      }
      if (/Estimating duration from bitrate/.test(text)) { durationEstimated = true; return; }
      if (level !== 'error' && level !== 'fatal' && level !== 'panic') return;
      if (/^Error while decoding stream/.test(text)) {
        failedPackets++;
        seen(text.replace(/^Error while decoding stream #\d+:\d+: /, ''), position());
        return;
      }
      // Errors of the demuxer or decoder (context named after them); not the muxer or the filters.
      if (context && !/^(Parsed_|graph|format_out|auto_|AVIOContext|f32le|null)/.test(context)) {
        errorLines++;
        seen(`${context}: ${text}`, position());
      }
    },
    result: () => ({ clip, damage: { failedPackets, errorLines, gapSec, largestGapSec, firstSec, lastSec, messages }, durationEstimated, ffmpegVersion, sawBanner, libavutil }),
  };
}

/** Collects stdout chunks into one buffer, sized up front from the header's duration when there is one. */
export function growingBuffer(): { reserve(bytes: number): void; push(c: Buffer): void; floats(): Float32Array } {
  // floats() is a view of the whole samples so far (a new view after each push: the buffer may have grown).
  let buf = new Uint8Array(1 << 16);
  let len = 0;
  const grow = (need: number): void => {
    if (need <= buf.length) return;
    const next = new Uint8Array(Math.max(need, buf.length * 2));
    next.set(buf.subarray(0, len));
    buf = next;
  };
  return {
    reserve: (bytes) => grow(bytes),
    push(c) { grow(len + c.length); buf.set(c, len); len += c.length; },
    // A view, not a copy: the tail beyond the last whole sample (there is none from a clean exit) is left out.
    floats: () => new Float32Array(buf.buffer, 0, Math.floor(len / 4)),
  };
}

/** Failures that mean the binary itself is unusable (missing, not executable, not ffmpeg). */
class UnusableBinary extends Error {}

async function decodeWith(bins: FfmpegPaths, inputPath: string, o: DecodeOptions): Promise<DecodedAudio> {
  const ffmpegPath = bins.ffmpegPath;
  const startSec = o.startSec ?? 0;
  const pcmBuf = growingBuffer();
  const meter = new LevelMeter(TARGET_SAMPLE_RATE, FRAME_SAMPLES);
  let bytes = 0;
  const position = (): number => bytes / BYTES_PER_SEC;
  const log = createDecodeLogParser(position);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let refused: { error: unknown } | undefined;
  let headerChecked = false;
  let versionChecked = false;
  let lastProgress = -1;
  try {
    if (o.signal?.aborted) throw new CancelledError('The decoding');
    const running = runProcess(ffmpegPath, decodeArgs(inputPath, startSec, o.lenSec), {
      what: 'ffmpeg',
      signal: stop.signal,
      onStderrLine: (l) => {
        log.line(l);
        // Too old an ffmpeg is refused from its banner, before it decodes anything.
        if (!versionChecked && !refused) {
          const { libavutil, ffmpegVersion } = log.result();
          if (libavutil) {
            versionChecked = true;
            if (libavutilTooOld(libavutil)) { refused = { error: ffmpegTooOldError(ffmpegPath, bins.source, ffmpegVersion, libavutil) }; stop.abort(); }
          }
        }
        if (!headerChecked && log.header.done) {
          headerChecked = true;
          const h = log.header.result();
          if (h && h.durationSec > 0) pcmBuf.reserve(Math.ceil((o.lenSec ?? Math.max(0, h.durationSec - startSec)) * BYTES_PER_SEC) + 4096);
          try {
            o.checkHeader?.(log.header.result());
          } catch (error) {
            refused = { error };
            stop.abort();
          }
        }
      },
      onStdoutData: (c) => {
        pcmBuf.push(c);
        bytes += c.length;
        // Measured as it arrives, while ffmpeg decodes the rest (this core would wait otherwise).
        meter.push(pcmBuf.floats(), Math.floor(bytes / 4));
        const sec = position();
        if (o.onProgressSec && sec - lastProgress >= 0.5) { lastProgress = sec; o.onProgressSec(sec); }
      },
    });
    o.onSpawn?.();
    const r = await running.catch((e: unknown) => {
      if (refused) throw refused.error;
      if (e instanceof AudioError && e.detail?.spawnError) throw new UnusableBinary(e.message);
      throw e;
    });
    const res = log.result();
    if (!res.sawBanner) throw new UnusableBinary(`${ffmpegPath} does not introduce itself as ffmpeg`);
    if (r.code !== 0) {
      throw new AudioError('FFMPEG_FAILED', `ffmpeg failed: ${errorSummary(r.stderrTail)}`, { detail: { exitCode: r.code, stderr: r.stderrTail.slice(-10) } });
    }
    const pcm = pcmBuf.floats();
    const header = log.header.result();
    // Audio a failed packet took away shows as decoded audio shorter than the container says (gaps over 0.1 s are
    // filled and counted already). Only with a failed packet and a duration that is not an estimate.
    let missingSec = 0;
    if (res.damage.failedPackets > 0 && header && header.durationSec > 0 && !res.durationEstimated && o.lenSec === undefined) {
      missingSec = Math.max(0, header.durationSec - startSec - pcm.length / TARGET_SAMPLE_RATE - 0.02);
    }
    return {
      pcm, startSec, header, clip: res.clip, durationEstimated: res.durationEstimated, ffmpegVersion: res.ffmpegVersion,
      damage: finishDamage(res.damage, missingSec), levels: meter.finish(pcm),
    };
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * Where the damage is, exactly: a second pass, run only for a file the decode found damaged, that prints every
 * decoded frame's timestamp (ashowinfo) on the same stream as the decoder's errors, so each error and each jump in
 * the timestamps is placed between two known frames. (The decode pass itself can only place them by how much PCM
 * had arrived on another pipe, to within a second or so.)
 */
export async function locateDamage(ffmpegPath: string, inputPath: string, startSec: number, lenSec: number | undefined, signal?: AbortSignal): Promise<{ firstSec: number; lastSec: number } | undefined> {
  let expected: number | undefined; // where the next frame should start
  let first: number | undefined;
  let last: number | undefined;
  const mark = (from: number, to = from): void => {
    first = first === undefined ? from : Math.min(first, from);
    last = last === undefined ? to : Math.max(last, to);
  };
  const r = await runProcess(ffmpegPath, [
    '-nostdin', '-nostats', '-loglevel', 'repeat+level+info', ...(startSec > 0 ? ['-ss', startSec.toFixed(6)] : []),
    ...(lenSec !== undefined ? ['-t', lenSec.toFixed(6)] : []), '-i', inputPath, '-map', '0:a:0', '-af', 'ashowinfo', '-f', 'null', '-',
  ], {
    what: 'ffmpeg', signal,
    onStderrLine: (raw) => {
      const { level, context, text } = splitLogLine(raw);
      if (context.startsWith('Parsed_ashowinfo')) {
        const m = /pts_time:(-?[\d.]+).*?rate:(\d+) nb_samples:(\d+)/.exec(text);
        if (!m) return;
        const t = Number(m[1]);
        if (expected !== undefined && Math.abs(t - expected) > 0.02) mark(Math.min(t, expected), Math.max(t, expected));
        expected = t + Number(m[3]) / Number(m[2]);
        return;
      }
      if ((level === 'error' || level === 'fatal') && (/^Error while decoding stream/.test(text) || (context && !/^(Parsed_|graph|format_out|auto_|AVIOContext|null)/.test(context)))) {
        mark(expected ?? 0);
      }
    },
  }).catch(() => undefined);
  if (!r || first === undefined || last === undefined) return undefined;
  return { firstSec: Math.round(first * 1000) / 1000, lastSec: Math.round(last * 1000) / 1000 };
}

// ---- the cache -------------------------------------------------------------------------------------------------

/** Decoded PCM kept for later renders of the same file (8 kHz float: 10 minutes ≈ 19 MB). */
const CACHE_MAX_BYTES = 192 * 1024 * 1024;
const cache = new Map<string, DecodedAudio>();
let cacheBytes = 0;

function cacheKey(inputPath: string, st: { size: number; mtimeMs: number; ino: number }, startSec: number, lenSec: number | undefined): string {
  return [path.resolve(inputPath), st.size, st.mtimeMs, st.ino, startSec, lenSec ?? 'all'].join('\u0000');
}

function remember(key: string, d: DecodedAudio): void {
  const size = d.pcm.byteLength;
  if (size > CACHE_MAX_BYTES / 2) return;
  const old = cache.get(key);
  if (old) { cache.delete(key); cacheBytes -= old.pcm.byteLength; }
  cache.set(key, d);
  cacheBytes += size;
  for (const [k, v] of cache) {
    if (cacheBytes <= CACHE_MAX_BYTES) break;
    cache.delete(k);
    cacheBytes -= v.pcm.byteLength;
  }
}

function recall(key: string): DecodedAudio | undefined {
  const d = cache.get(key);
  if (d) { cache.delete(key); cache.set(key, d); } // most recently used last
  return d;
}

/** Puts PCM decoded elsewhere (the live decoder) into the cache under the file it stands for. */
export async function rememberDecoded(filePath: string, d: DecodedAudio): Promise<void> {
  const st = await stat(filePath).catch(() => undefined);
  if (st) remember(cacheKey(filePath, st, 0, undefined), d);
}

/** For tests and benchmarks: forget every decoded file. */
export function clearDecodeCache(): void {
  cache.clear();
  cacheBytes = 0;
}

/**
 * Decoded 8 kHz PCM of `inputPath` (or of a range of it), from the cache when the same file (same size, mtime and
 * inode) was decoded before. A range of a file decoded whole is cut from the whole decode.
 */
export async function decodeAudio(inputPath: string, o: DecodeOptions = {}): Promise<DecodedAudio> {
  const st = o.fileStat ?? (await stat(inputPath));
  const startSec = o.startSec ?? 0;
  const key = cacheKey(inputPath, st, startSec, o.lenSec);
  const hit = recall(key);
  if (hit) { o.checkHeader?.(hit.header); return hit; }
  if (startSec > 0 || o.lenSec !== undefined) {
    const whole = recall(cacheKey(inputPath, st, 0, undefined));
    if (whole) {
      o.checkHeader?.(whole.header);
      const from = Math.min(whole.pcm.length, Math.round(startSec * TARGET_SAMPLE_RATE));
      const to = o.lenSec === undefined ? whole.pcm.length : Math.min(whole.pcm.length, from + Math.round(o.lenSec * TARGET_SAMPLE_RATE));
      return { ...whole, pcm: whole.pcm.subarray(from, to), startSec, levels: undefined, damage: damageWithin(whole.damage, startSec, (to - from) / TARGET_SAMPLE_RATE) };
    }
  }
  // The same decode already running (a prefetch, or a probe and an analysis asked at once): wait for it. If it
  // fails, this caller decodes on its own, with its own checks and messages.
  const running = inflight.get(key);
  if (running) {
    const joined = await waitFor(running, o.signal).catch((e: unknown) => {
      if (e instanceof CancelledError && o.signal?.aborted) throw e;
      return undefined;
    });
    if (joined) { o.checkHeader?.(joined.header); return joined; }
  }
  const own = decodeFresh(inputPath, startSec, o);
  inflight.set(key, own);
  try {
    const d = await own;
    remember(key, d);
    return d;
  } finally {
    if (inflight.get(key) === own) inflight.delete(key);
  }
}

const inflight = new Map<string, Promise<DecodedAudio>>();

function waitFor<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new CancelledError('The decoding'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError('The decoding'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function decodeFresh(inputPath: string, startSec: number, o: DecodeOptions): Promise<DecodedAudio> {
  const bins = o.binaries ?? (await resolveFfmpeg());
  let d: DecodedAudio;
  try {
    d = await decodeWith(bins, inputPath, o);
  } catch (e) {
    if (!(e instanceof UnusableBinary)) throw e;
    // No banner: is it an ffmpeg too old for these arguments, or no ffmpeg at all?
    const v = await verifyBinary(bins.ffmpegPath, 'ffmpeg');
    if (v.ok && libavutilTooOld(v.libavutil)) throw ffmpegTooOldError(bins.ffmpegPath, bins.source, v.version, v.libavutil);
    if (v.ok || o.binaries) throw new AudioError('FFMPEG_FAILED', `${bins.ffmpegPath} cannot be used as ffmpeg: ${e.message}.`);
    const verified = await resolveFfmpegAfterFailure(bins.ffmpegPath);
    d = await decodeWith(verified, inputPath, o).catch((err: unknown) => {
      throw err instanceof UnusableBinary ? new AudioError('FFMPEG_FAILED', `${verified.ffmpegPath} cannot be used as ffmpeg: ${err.message}.`) : err;
    });
  }
  const dmg = d.damage;
  if (dmg.failedPackets > 0 || dmg.skippedSec > 0 || dmg.errorLines > 0) {
    const at = await locateDamage((o.binaries ?? (await resolveFfmpeg())).ffmpegPath, inputPath, startSec, o.lenSec, o.signal);
    // The located stretch also bounds what can have been lost in it (the decode pass's own span is approximate).
    if (at) d = { ...d, damage: { ...dmg, ...at, skippedSec: Math.min(dmg.skippedSec, Math.round((at.lastSec - at.firstSec + 0.1) * 1000) / 1000) } };
  }
  const truncated = await findTruncation(inputPath, d, o);
  return truncated ? { ...d, truncated } : d;
}

/**
 * Share of a container's duration the decode may fall short of before the file counts as cut off (and at least
 * GENERIC_TRUNCATION_MIN_SEC): encoder delay and padding, a last partial frame, are well under it.
 */
const GENERIC_TRUNCATION_SHARE = 0.05;
const GENERIC_TRUNCATION_MIN_SEC = 0.5;

/**
 * Whether the file ends before its header says. A WAV's header is read directly (ffmpeg clamps a data chunk to the
 * bytes present, so its duration already is the short one). Another container's duration, when it is not an
 * estimate and there is no video track that could outlast the audio, is compared with the decoded length of a
 * whole-file decode that lost no packets (a failed packet's audio is counted as damage instead).
 */
async function findTruncation(inputPath: string, d: DecodedAudio, o: DecodeOptions): Promise<DeclaredLength | undefined> {
  const h = d.header;
  if (!h) return undefined;
  if (/(^|,)wav(,|$)/.test(h.container)) {
    const size = o.fileStat?.size ?? (await stat(inputPath).catch(() => undefined))?.size;
    return size === undefined ? undefined : truncationOf(await wavDeclaredLength(inputPath, size));
  }
  if (!(h.durationSec > 0) || d.durationEstimated || h.hasVideo || d.startSec > 0 || o.lenSec !== undefined || d.damage.failedPackets > 0) return undefined;
  const presentSec = d.pcm.length / TARGET_SAMPLE_RATE;
  return truncationOf({ declaredSec: h.durationSec, presentSec }, Math.max(GENERIC_TRUNCATION_MIN_SEC, h.durationSec * GENERIC_TRUNCATION_SHARE));
}

export interface Prefetch {
  /** Stops the decode unless a caller has taken its result (then it only lets go). Call when done either way. */
  release(): void;
}

/**
 * Starts decoding a whole file into the cache and resolves as soon as ffmpeg runs (or could not start), so a
 * command can check its arguments and load what it needs while the file decodes on another core; the render that
 * follows takes the decode over. Files longer than `maxSec` (by their header) are not decoded. Never rejects.
 */
export async function prefetchDecode(inputPath: string, o: { signal?: AbortSignal | undefined; maxSec: number }): Promise<Prefetch> {
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let started: () => void = () => undefined;
  const spawned = new Promise<void>((resolve) => { started = resolve; });
  let settled = false;
  const done = decodeAudio(inputPath, {
    signal: stop.signal, onSpawn: () => started(),
    checkHeader: (h) => { if (h && h.durationSec > o.maxSec) throw new CancelledError('The prefetch'); },
  }).then(() => undefined, () => undefined).finally(() => { settled = true; started(); o.signal?.removeEventListener('abort', onAbort); });
  await Promise.race([spawned, done]);
  return {
    release: () => {
      // Aborting a decode someone joined would fail them too: only an unfinished, unjoined one is stopped. The
      // joined case never reaches here before it settled (the joiner awaits it first).
      if (!settled) stop.abort();
    },
  };
}

/** The damage of a whole decode that falls inside [startSec, startSec + lenSec). */
function damageWithin(dmg: DecodeDamage, startSec: number, lenSec: number): DecodeDamage {
  if (dmg.firstSec === undefined || dmg.lastSec === undefined) return dmg;
  const end = startSec + lenSec;
  if (dmg.lastSec < startSec || dmg.firstSec > end) {
    return { failedPackets: 0, errorLines: 0, skippedSec: 0, firstSec: undefined, lastSec: undefined, messages: [] };
  }
  return { ...dmg, firstSec: Math.max(0, dmg.firstSec - startSec), lastSec: Math.min(lenSec, dmg.lastSec - startSec) };
}

// On-disk workspace of the desktop app: imported/recorded sources and recorded takes. Recorded chunks are appended
// to disk as they arrive, so a crash or a closed window never loses a take; unfinished takes are found on next start.
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { SourceInfo, UnfinishedTake } from './channels.js';
import { MAX_IMPORT_BYTES } from './channels.js';
import { AppStateError } from './errors.js';
import type { AudioPort } from './services.js';

export const IMPORT_EXTENSIONS = ['.wav', '.mp3', '.gsm', '.ogg', '.oga', '.opus', '.webm', '.m4a', '.aac', '.flac', '.aif', '.aiff', '.wma', '.mp4'];
/** Hard cap on one recorded take on disk (a 10-minute opus take is ~5 MB; this only stops runaway writers). */
export const MAX_TAKE_BYTES = 100 * 1024 * 1024;

function newId(): string {
  return randomUUID().replace(/-/g, '');
}

/** File name safe to store locally: keeps letters, digits, dot, dash, underscore. */
export function safeLocalName(name: string): string {
  const base = path.basename(name.replace(/\\/g, '/')).replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
  return (base || 'audio').slice(-100);
}

/** A recording decoded while it was made (see LiveAudioPort): its probe facts, and the decoded PCM file. */
export interface LiveDecoded {
  probe: { durationSec: number; codec: string; sampleRate: number; channels: number; container: string; hasVideo: boolean };
  pcmPath: string;
  /** Hands the source's final paths back to the audio port, which then reuses the analysis and renders from PCM. */
  commit(sourcePath: string, pcmPath: string, sizeBytes: number): void;
}
export interface LiveTake {
  write(chunk: Uint8Array): void;
  /** Undefined when the live decoder failed: the take then goes the ordinary way (probe of the original file). */
  finish(): Promise<LiveDecoded | undefined>;
  abort(): Promise<void>;
}
/**
 * Optional extension of the audio port the real core provides (core-services.ts): decode a take while it is being
 * recorded. Ports without it (the unit tests' fakes) get the ordinary path.
 */
export interface LiveAudioPort {
  startLiveDecode(pcmPath: string): Promise<LiveTake | undefined>;
}
function hasLiveDecode(a: AudioPort): a is AudioPort & LiveAudioPort {
  return typeof (a as Partial<LiveAudioPort>).startLiveDecode === 'function';
}

const SourceMeta = z.object({
  sourceId: z.string(),
  name: z.string(),
  origin: z.enum(['import', 'recording']),
  durationSec: z.number().nullable(),
  codec: z.string(),
  sampleRate: z.number(),
  channels: z.number(),
  sizeBytes: z.number(),
  file: z.string(),
});

export class SourceStore {
  private readonly dir: string;
  constructor(dataDir: string, readonly audio: AudioPort) {
    this.dir = path.join(dataDir, 'sources');
  }

  /**
   * Copies a file into the workspace, probes it, and returns its description. A take decoded live brings its probe
   * facts and decoded PCM along (moved next to the source), so nothing is decoded again.
   */
  async adopt(fromPath: string, name: string, origin: SourceInfo['origin'], opts: { signal?: AbortSignal; live?: LiveDecoded | undefined } = {}): Promise<SourceInfo> {
    const sourceId = newId();
    const dir = path.join(this.dir, sourceId);
    await mkdir(dir, { recursive: true });
    const file = safeLocalName(name);
    const dest = path.join(dir, file);
    try {
      await copyFile(fromPath, dest);
      const live = opts.live;
      let probe;
      if (live) {
        const sizeBytes = (await stat(dest)).size;
        const pcm = path.join(dir, 'decoded.wav');
        await rename(live.pcmPath, pcm);
        probe = { ...live.probe, sizeBytes };
        live.commit(dest, pcm, sizeBytes);
      } else {
        probe = await this.audio.probe(dest, opts.signal ? { signal: opts.signal } : {});
      }
      const info: SourceInfo = {
        sourceId,
        name: path.basename(name),
        origin,
        durationSec: probe.durationSec !== null && Number.isFinite(probe.durationSec) ? probe.durationSec : null,
        codec: probe.codec,
        sampleRate: probe.sampleRate,
        channels: probe.channels,
        sizeBytes: probe.sizeBytes,
      };
      await writeFile(path.join(dir, 'meta.json'), JSON.stringify({ ...info, file }));
      return info;
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  async importPath(filePath: string): Promise<SourceInfo> {
    if (!path.isAbsolute(filePath)) throw new AppStateError('IMPORT_BAD_PATH', 'Choose an audio file to import.');
    const ext = path.extname(filePath).toLowerCase();
    if (!IMPORT_EXTENSIONS.includes(ext)) {
      throw new AppStateError('IMPORT_UNSUPPORTED_TYPE', `"${path.basename(filePath)}" is not an audio file this app can import (${IMPORT_EXTENSIONS.join(', ')}).`);
    }
    let st;
    try {
      st = await stat(filePath);
    } catch {
      throw new AppStateError('IMPORT_NOT_FOUND', `"${path.basename(filePath)}" could not be read. Check that the file still exists.`);
    }
    if (!st.isFile()) throw new AppStateError('IMPORT_BAD_PATH', `"${path.basename(filePath)}" is not a file.`);
    if (st.size > MAX_IMPORT_BYTES) throw new AppStateError('IMPORT_TOO_BIG', `"${path.basename(filePath)}" is larger than ${MAX_IMPORT_BYTES / 1024 / 1024} MB.`);
    return this.adopt(filePath, path.basename(filePath), 'import');
  }

  async importBytes(name: string, bytes: Uint8Array): Promise<SourceInfo> {
    const ext = path.extname(name).toLowerCase();
    if (ext && !IMPORT_EXTENSIONS.includes(ext)) {
      throw new AppStateError('IMPORT_UNSUPPORTED_TYPE', `"${path.basename(name)}" is not an audio file this app can import.`);
    }
    const staging = path.join(this.dir, `staging-${newId()}`);
    await mkdir(staging, { recursive: true });
    try {
      const p = path.join(staging, safeLocalName(name));
      await writeFile(p, bytes);
      return await this.adopt(p, name, 'import');
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /** Removes sources not touched for maxAgeMs (imports can be large; the workspace must not grow forever). */
  async prune(maxAgeMs: number, now: number = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const dir = path.join(this.dir, name);
      const st = await stat(path.join(dir, 'meta.json')).catch(() => stat(dir).catch(() => undefined));
      if (st && now - st.mtimeMs > maxAgeMs) {
        await rm(dir, { recursive: true, force: true });
        removed += 1;
      }
    }
    return removed;
  }

  async get(sourceId: string): Promise<SourceInfo & { path: string }> {
    const dir = path.join(this.dir, sourceId);
    try {
      const meta = SourceMeta.parse(JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8')));
      const { file, ...info } = meta;
      return { ...info, path: path.join(dir, file) };
    } catch {
      throw new AppStateError('SOURCE_NOT_FOUND', 'That recording or file is no longer available. Record or import it again.');
    }
  }
}

const TakeMeta = z.object({ takeId: z.string(), startedAt: z.string(), mimeType: z.string(), state: z.enum(['recording', 'finished']) });
type TakeMeta = z.infer<typeof TakeMeta>;

interface ActiveTake {
  nextSeq: number;
  bytes: number;
  chain: Promise<void>;
  failed?: unknown;
  /** The live decoder fed with the same chunks (undefined when unavailable or failed to start). */
  live?: LiveTake | undefined;
}

function extForMime(mime: string): string {
  if (mime.includes('ogg')) return '.ogg';
  if (mime.includes('mp4')) return '.m4a';
  if (mime.includes('wav')) return '.wav';
  return '.webm';
}

export class TakeStore {
  private readonly dir: string;
  private readonly active = new Map<string, ActiveTake>();
  constructor(dataDir: string, private readonly sources: SourceStore) {
    this.dir = path.join(dataDir, 'takes');
  }

  private takeDir(takeId: string): string {
    return path.join(this.dir, takeId);
  }

  private async readMeta(takeId: string): Promise<TakeMeta | undefined> {
    try {
      return TakeMeta.parse(JSON.parse(await readFile(path.join(this.takeDir(takeId), 'meta.json'), 'utf8')));
    } catch {
      return undefined;
    }
  }

  private audioPath(meta: TakeMeta): string {
    return path.join(this.takeDir(meta.takeId), `take${extForMime(meta.mimeType)}`);
  }

  async start(mimeType: string): Promise<string> {
    const takeId = newId();
    const meta: TakeMeta = { takeId, startedAt: new Date().toISOString(), mimeType, state: 'recording' };
    await mkdir(this.takeDir(takeId), { recursive: true });
    await writeFile(path.join(this.takeDir(takeId), 'meta.json'), JSON.stringify(meta));
    await writeFile(this.audioPath(meta), new Uint8Array(0));
    const audio = this.sources.audio;
    const live = hasLiveDecode(audio) ? await audio.startLiveDecode(path.join(this.takeDir(takeId), 'decoded.wav')).catch(() => undefined) : undefined;
    this.active.set(takeId, { nextSeq: 0, bytes: 0, chain: Promise.resolve(), live });
    return takeId;
  }

  /** Appends chunk `seq` (must be the next one) and resolves once it is on disk. */
  async append(takeId: string, seq: number, bytes: Uint8Array): Promise<number> {
    const take = this.active.get(takeId);
    if (!take) throw new AppStateError('TAKE_NOT_ACTIVE', 'This recording is not running any more.');
    if (seq !== take.nextSeq) {
      throw new AppStateError('TAKE_CHUNK_ORDER', `Recording chunk ${seq} arrived out of order (expected ${take.nextSeq}).`, 'internal');
    }
    if (take.bytes + bytes.byteLength > MAX_TAKE_BYTES) throw new AppStateError('TAKE_TOO_BIG', 'The recording is too large; stop and start a new take.');
    take.nextSeq += 1;
    take.bytes += bytes.byteLength;
    const meta = await this.readMeta(takeId);
    if (!meta) throw new AppStateError('TAKE_NOT_ACTIVE', 'This recording is not running any more.');
    const file = this.audioPath(meta);
    const copy = Buffer.from(bytes);
    // The live decoder gets each chunk when it is written, so it sees exactly the bytes on disk, in the same order.
    take.chain = take.chain.then(() => {
      take.live?.write(copy);
      return appendFile(file, copy);
    });
    await take.chain;
    return take.bytes;
  }

  async finish(takeId: string): Promise<SourceInfo> {
    const take = this.active.get(takeId);
    if (!take) throw new AppStateError('TAKE_NOT_ACTIVE', 'This recording is not running any more.');
    await take.chain.catch((e: unknown) => { take.failed = e; });
    const live = await take.live?.finish().catch(() => undefined);
    this.active.delete(takeId);
    // A chunk that did not reach the disk makes the decoded copy differ from the original: use the original.
    return this.convert(takeId, take.failed === undefined ? live : undefined);
  }

  private async convert(takeId: string, live?: LiveDecoded): Promise<SourceInfo> {
    const meta = await this.readMeta(takeId);
    if (!meta) throw new AppStateError('TAKE_NOT_FOUND', 'That recording could not be found.');
    const file = this.audioPath(meta);
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size === 0) {
      await rm(this.takeDir(takeId), { recursive: true, force: true });
      throw new AppStateError('TAKE_EMPTY', 'Nothing was recorded. Check the microphone and try again.', 'audio');
    }
    const stamp = meta.startedAt.replace(/[:.]/g, '-').slice(0, 19);
    const info = await this.sources.adopt(file, `recording-${stamp}${extForMime(meta.mimeType)}`, 'recording', { live });
    await rm(this.takeDir(takeId), { recursive: true, force: true });
    return info;
  }

  async abort(takeId: string): Promise<boolean> {
    const take = this.active.get(takeId);
    if (!take) return false;
    await take.chain.catch(() => undefined);
    await take.live?.abort().catch(() => undefined);
    this.active.delete(takeId);
    await rm(this.takeDir(takeId), { recursive: true, force: true });
    return true;
  }

  /** Stops the live decoders of takes still running (app shutdown); their files stay for a later restore. */
  async stopLiveDecoders(): Promise<void> {
    await Promise.all([...this.active.values()].map(async (t) => {
      const live = t.live;
      t.live = undefined;
      await live?.abort().catch(() => undefined);
    }));
  }

  /** Takes left 'recording' on disk by an earlier run (crash or closed window), newest first. */
  async listUnfinished(): Promise<UnfinishedTake[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const out: UnfinishedTake[] = [];
    for (const name of names) {
      if (this.active.has(name)) continue;
      const meta = await this.readMeta(name);
      if (!meta || meta.state !== 'recording') continue;
      const bytes = await stat(this.audioPath(meta)).then((s) => s.size, () => 0);
      if (bytes === 0) {
        await rm(this.takeDir(name), { recursive: true, force: true });
        continue;
      }
      out.push({ takeId: meta.takeId, startedAt: meta.startedAt, bytes, mimeType: meta.mimeType });
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  async restore(takeId: string): Promise<SourceInfo> {
    if (this.active.has(takeId)) throw new AppStateError('TAKE_ACTIVE', 'That recording is still running.');
    return this.convert(takeId);
  }

  async discard(takeId: string): Promise<boolean> {
    if (this.active.has(takeId)) return this.abort(takeId);
    const meta = await this.readMeta(takeId);
    if (!meta) return false;
    await rm(this.takeDir(takeId), { recursive: true, force: true });
    return true;
  }
}

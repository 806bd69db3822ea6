// "The greeting being worked on" is a draft of the library (main/core/library DraftLibrary) from its first byte:
// an import is copied into a new draft folder; a recording creates its draft at startTake and every chunk is
// appended to the draft's source file as it arrives, so a crash or a closed window leaves a restorable draft
// (`unfinished: true`). SourceInfo.sourceId IS the draft id.
import { appendFile, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Draft, DraftLibrary, DraftProbe } from '../core/library/index.js';
import type { SourceInfo, UnfinishedTake } from './channels.js';
import { MAX_IMPORT_BYTES } from './channels.js';
import { VmgsError } from '../core/errors.js';
import { AppStateError } from './errors.js';
import type { AudioPort } from './services.js';

export const IMPORT_EXTENSIONS = ['.wav', '.mp3', '.gsm', '.ogg', '.oga', '.opus', '.webm', '.m4a', '.aac', '.flac', '.aif', '.aiff', '.wma', '.mp4'];
/** Hard cap on one recorded take on disk (a 10-minute opus take is ~5 MB; this only stops runaway writers). */
export const MAX_TAKE_BYTES = 100 * 1024 * 1024;

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

function extForMime(mime: string): string {
  if (mime.includes('ogg')) return '.ogg';
  if (mime.includes('mp4')) return '.m4a';
  if (mime.includes('wav')) return '.wav';
  return '.webm';
}
function mimeForSuffix(file: string): string {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.ogg') return 'audio/ogg';
  if (ext === '.m4a') return 'audio/mp4';
  if (ext === '.wav') return 'audio/wav';
  return 'audio/webm';
}

/**
 * A take still open in main whose window sent nothing for this long was left by a reload or a closed window (the
 * recorder sends a chunk every 250 ms): it is offered back like a take a crash left unfinished.
 */
export const STALE_TAKE_MS = 2000;

interface ActiveTake {
  /** Date.now() at the take's start or its last chunk. */
  lastChunkAt: number;
  nextSeq: number;
  bytes: number;
  file: string;
  chain: Promise<void>;
  failed?: unknown;
  live?: LiveTake | undefined;
}

export function sourceInfoOf(d: Draft): SourceInfo {
  const p = d.probe ?? null;
  return {
    sourceId: d.id,
    draftId: d.id,
    name: d.source.originalName,
    origin: d.origin === 'recording' ? 'recording' : 'import',
    durationSec: p?.durationSec ?? null,
    codec: p?.codec ?? '',
    sampleRate: p?.sampleRate ?? 0,
    channels: p?.channels ?? 0,
    sizeBytes: d.source.bytes,
  };
}

function probeOf(p: { durationSec: number | null; codec: string; sampleRate: number; channels: number }): DraftProbe {
  return {
    durationSec: p.durationSec !== null && Number.isFinite(p.durationSec) && p.durationSec >= 0 ? p.durationSec : null,
    codec: p.codec,
    sampleRate: p.sampleRate,
    channels: p.channels,
  };
}

function stamp(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * What a person is told when an imported file cannot be read: the decoder's own message names temp paths and the
 * tool that failed, neither of which helps. The file's own name and the core's advice are kept when they are clean.
 */
export function importProblem(err: unknown, displayName: string, paths: string[]): unknown {
  if (err instanceof VmgsError && err.kind === 'cancelled') return err;
  const code = err instanceof VmgsError ? err.code : 'IMPORT_UNREADABLE';
  let text = err instanceof VmgsError ? err.message : '';
  for (const p of paths) text = text.split(`"${p}"`).join(p).split(p).join(`"${displayName}"`);
  const clean = text !== '' && !/ffmpeg|ffprobe|[\\/](tmp|var|home|Users)[\\/]|vmgs-|[A-Z]:\\/i.test(text) && text.length < 400;
  return new AppStateError(code, clean ? text : `"${displayName}" could not be read as audio: it may be damaged, empty or not a sound file. Try another file, or export it again from the program that made it.`, 'audio');
}

/** A new draft in the app renders in the best format that fits the PBX (like the CLI's default --format auto). */
const APP_DRAFT_SETTINGS = { format: 'auto' as const };

export class Workspace {
  private readonly active = new Map<string, ActiveTake>();
  constructor(readonly drafts: DraftLibrary, readonly audio: AudioPort) {}

  /** The draft of a source id, with the path of its source file (only the app's own drafts have one). */
  async get(sourceId: string): Promise<{ draft: Draft; path: string; info: SourceInfo }> {
    let draft: Draft;
    try {
      draft = await this.drafts.get(sourceId);
    } catch {
      throw new AppStateError('SOURCE_NOT_FOUND', 'That recording or file is no longer available. Record or import it again.');
    }
    return { draft, path: this.drafts.sourcePath(draft), info: sourceInfoOf(draft) };
  }

  private async adopt(filePath: string, name: string): Promise<SourceInfo> {
    const base = path.basename(name, path.extname(name)).trim() || 'Imported audio';
    const draft = await this.drafts.create({ sourcePath: filePath, name: base.slice(0, 200), origin: 'import', settings: APP_DRAFT_SETTINGS });
    try {
      const probe = await this.audio.probe(this.drafts.sourcePath(draft), {});
      return sourceInfoOf(await this.drafts.annotate(draft.id, { probe: probeOf(probe) }));
    } catch (err) {
      await this.drafts.purge(draft.id);
      throw importProblem(err, path.basename(name), [filePath, this.drafts.sourcePath(draft)]);
    }
  }

  /** Imports a file main itself obtained (the native dialog, a dropped file's token). */
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
    return this.adopt(filePath, path.basename(filePath));
  }

  async importBytes(name: string, bytes: Uint8Array): Promise<SourceInfo> {
    const ext = path.extname(name).toLowerCase();
    if (ext && !IMPORT_EXTENSIONS.includes(ext)) {
      throw new AppStateError('IMPORT_UNSUPPORTED_TYPE', `"${path.basename(name)}" is not an audio file this app can import.`);
    }
    const staging = await mkdtemp(path.join(os.tmpdir(), 'vmgs-import-'));
    try {
      const p = path.join(staging, safeLocalName(name));
      await writeFile(p, bytes);
      return await this.adopt(p, path.basename(name));
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  // ---------- recordings ----------

  /** Creates the take's draft (empty source, unfinished) before the first chunk. The take id is the draft id. */
  async startTake(mimeType: string, now: number = Date.now()): Promise<string> {
    const draft = await this.drafts.createGrowing({ name: `Recording ${stamp(now)}`, sourceSuffix: extForMime(mimeType), origin: 'recording', settings: APP_DRAFT_SETTINGS });
    const folder = path.dirname(this.drafts.sourcePath(draft));
    await mkdir(folder, { recursive: true });
    const audio = this.audio;
    const live = hasLiveDecode(audio) ? await audio.startLiveDecode(path.join(folder, 'decoded.wav')).catch(() => undefined) : undefined;
    this.active.set(draft.id, { lastChunkAt: Date.now(), nextSeq: 0, bytes: 0, file: this.drafts.sourcePath(draft), chain: Promise.resolve(), live });
    return draft.id;
  }

  /** Appends chunk `seq` (must be the next one) to the draft's source and resolves once it is on disk. */
  async append(takeId: string, seq: number, bytes: Uint8Array): Promise<number> {
    const take = this.active.get(takeId);
    if (!take) throw new AppStateError('TAKE_NOT_ACTIVE', 'This recording is not running any more.');
    if (seq !== take.nextSeq) {
      throw new AppStateError('TAKE_CHUNK_ORDER', `Recording chunk ${seq} arrived out of order (expected ${take.nextSeq}).`, 'internal');
    }
    if (take.bytes + bytes.byteLength > MAX_TAKE_BYTES) throw new AppStateError('TAKE_TOO_BIG', 'The recording is too large; stop and start a new take.');
    take.nextSeq += 1;
    take.bytes += bytes.byteLength;
    take.lastChunkAt = Date.now();
    const copy = Buffer.from(bytes);
    // The live decoder gets each chunk when it is written, so it sees exactly the bytes on disk, in the same order.
    take.chain = take.chain.then(() => {
      take.live?.write(copy);
      return appendFile(take.file, copy);
    });
    await take.chain;
    return take.bytes;
  }

  async finishTake(takeId: string): Promise<SourceInfo> {
    const take = this.active.get(takeId);
    if (!take) throw new AppStateError('TAKE_NOT_ACTIVE', 'This recording is not running any more.');
    await take.chain.catch((e: unknown) => {
      take.failed = e;
    });
    const live = await take.live?.finish().catch(() => undefined);
    this.active.delete(takeId);
    // A chunk that did not reach the disk makes the decoded copy differ from the original: use the original.
    return this.complete(takeId, take.failed === undefined ? live : undefined);
  }

  private async complete(takeId: string, live?: LiveDecoded): Promise<SourceInfo> {
    const { draft, path: file } = await this.get(takeId).catch(() => {
      throw new AppStateError('TAKE_NOT_FOUND', 'That recording could not be found.');
    });
    const size = await stat(file).then((s) => s.size, () => 0);
    if (size === 0) {
      await this.drafts.purge(draft.id);
      throw new AppStateError('TAKE_EMPTY', 'Nothing was recorded. Check the microphone and try again.', 'audio');
    }
    let probe: DraftProbe;
    if (live) {
      probe = probeOf(live.probe);
      live.commit(file, live.pcmPath, size);
    } else {
      probe = probeOf(await this.audio.probe(file, {}));
    }
    return sourceInfoOf(await this.drafts.completeSource(draft.id, probe));
  }

  async abortTake(takeId: string): Promise<boolean> {
    const take = this.active.get(takeId);
    if (!take) return false;
    await take.chain.catch(() => undefined);
    await take.live?.abort().catch(() => undefined);
    this.active.delete(takeId);
    await this.drafts.purge(takeId);
    return true;
  }

  /** Stops the live decoders of takes still running (app shutdown); their drafts stay unfinished for a restore. */
  async stopLiveDecoders(): Promise<void> {
    await Promise.all([...this.active.values()].map(async (t) => {
      const live = t.live;
      t.live = undefined;
      await live?.abort().catch(() => undefined);
    }));
  }

  /** Recordings left unfinished by an earlier run (crash or closed window), newest first. Empty ones are removed. */
  async listUnfinished(): Promise<UnfinishedTake[]> {
    const out: UnfinishedTake[] = [];
    for (const entry of await this.drafts.list()) {
      if (entry.unfinished !== true) continue;
      const open = this.active.get(entry.id);
      if (open && Date.now() - open.lastChunkAt < STALE_TAKE_MS) continue;
      const draft = await this.drafts.get(entry.id).catch(() => undefined);
      if (!draft || draft.unfinished !== true) continue;
      const bytes = await stat(this.drafts.sourcePath(draft)).then((s) => s.size, () => 0);
      if (bytes === 0) {
        await this.drafts.purge(draft.id);
        continue;
      }
      out.push({ takeId: draft.id, startedAt: draft.createdAt, bytes, mimeType: mimeForSuffix(draft.source.file) });
    }
    return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  isActive(takeId: string): boolean {
    return this.active.has(takeId);
  }

  async restoreTake(takeId: string): Promise<SourceInfo> {
    const open = this.active.get(takeId);
    if (open && Date.now() - open.lastChunkAt < STALE_TAKE_MS) throw new AppStateError('TAKE_ACTIVE', 'That recording is still running.');
    // Left open by a reloaded window: finish it as Stop would have (what reached the disk is kept).
    if (open) return this.finishTake(takeId);
    const { draft } = await this.get(takeId);
    if (draft.unfinished !== true) return sourceInfoOf(draft);
    return this.complete(takeId);
  }

  async discardTake(takeId: string): Promise<boolean> {
    if (this.active.has(takeId)) return this.abortTake(takeId);
    const draft = await this.drafts.get(takeId).catch(() => undefined);
    if (!draft || draft.unfinished !== true) return false;
    return this.drafts.purge(takeId);
  }
}

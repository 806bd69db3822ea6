// Finds ffmpeg/ffprobe: FFMPEG_PATH/FFPROBE_PATH → the optional ffmpeg-static package (path rewritten out of
// app.asar, where a binary cannot be spawned) → ffmpeg/ffprobe on PATH. Each candidate must actually run.
import { createRequire } from 'node:module';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { AudioError } from './errors.js';
import { listEncoders, verifyBinary } from './ffmpeg-adapter.js';
export { parseLibavutil } from './ffmpeg-adapter.js';
import type { EncoderCapabilities, GreetingFormat } from './formats.js';

export type BinarySource = 'env' | 'ffmpeg-static' | 'path';

export interface FfmpegPaths {
  ffmpegPath: string;
  ffprobePath: string;
  source: BinarySource;
}

export interface ResolveDeps {
  env?: NodeJS.ProcessEnv;
  /** Loads a package's exported value (ffmpeg-static exports a path string; ffprobe-static `{ path }`). */
  loadPackage?: (name: string) => unknown;
  verify?: (bin: string, name: 'ffmpeg' | 'ffprobe') => Promise<boolean>;
  platform?: NodeJS.Platform;
}

const requireHere = createRequire(import.meta.url);

function defaultLoadPackage(name: string): unknown {
  try {
    return requireHere(name) as unknown;
  } catch {
    return undefined; // optional dependency not installed
  }
}

/** A binary inside app.asar cannot be executed; electron-builder's asarUnpack puts it in app.asar.unpacked. */
export function unpackedAsarPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

function isExecutableFile(p: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    if (platform !== 'win32') accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(path.delimiter).filter(Boolean);
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase()) : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutableFile(candidate, platform)) return candidate;
    }
  }
  return undefined;
}

function staticPath(value: unknown): string | undefined {
  if (typeof value === 'string' && value) return value;
  if (value && typeof value === 'object' && 'path' in value && typeof value.path === 'string' && value.path) return value.path;
  return undefined;
}

interface Attempt { source: BinarySource; note: string }

async function resolveOne(name: 'ffmpeg' | 'ffprobe', deps: Required<ResolveDeps>, siblingOf?: string): Promise<{ bin: string; source: BinarySource } | { attempts: Attempt[] }> {
  const attempts: Attempt[] = [];
  const envVar = name === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  const fromEnv = deps.env[envVar];
  if (fromEnv) {
    if (await deps.verify(fromEnv, name)) return { bin: fromEnv, source: 'env' };
    attempts.push({ source: 'env', note: `${envVar}=${fromEnv} does not run` });
  } else {
    attempts.push({ source: 'env', note: `${envVar} is not set` });
  }

  // ffmpeg-static ships only ffmpeg; ffprobe comes from ffprobe-static or sits next to it.
  const pkg = name === 'ffmpeg' ? 'ffmpeg-static' : 'ffprobe-static';
  const candidates: string[] = [];
  const fromPkg = staticPath(deps.loadPackage(pkg));
  if (fromPkg) candidates.push(unpackedAsarPath(fromPkg));
  if (name === 'ffprobe' && siblingOf) candidates.push(path.join(path.dirname(siblingOf), `ffprobe${deps.platform === 'win32' ? '.exe' : ''}`));
  let staticNote = `the ${pkg} package is not installed`;
  for (const c of candidates) {
    if (await deps.verify(c, name)) return { bin: c, source: 'ffmpeg-static' };
    staticNote = `${c} (${pkg}) does not run`;
  }
  attempts.push({ source: 'ffmpeg-static', note: staticNote });

  const onPath = findOnPath(name, deps.env, deps.platform);
  if (onPath && (await deps.verify(onPath, name))) return { bin: onPath, source: 'path' };
  attempts.push({ source: 'path', note: onPath ? `${onPath} on PATH does not run` : `no ${name} on PATH` });
  return { attempts };
}

function notFound(name: 'ffmpeg' | 'ffprobe', attempts: Attempt[]): AudioError {
  const tried = attempts.map((a, i) => `${i + 1}) ${a.note}`).join('; ');
  return new AudioError('FFMPEG_NOT_FOUND',
    `${name} was not found. Tried: ${tried}. Install ffmpeg (for example 'sudo apt-get install ffmpeg'), ` +
    `install the ffmpeg-static package, or set ${name === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'} to the ${name} binary.`,
    { detail: { binary: name, tried: attempts.map((a) => a.note) } });
}

/** Resolves both binaries with explicit dependencies (tests inject env, packages and the verifier). */
export async function resolveFfmpegWith(deps: ResolveDeps = {}): Promise<FfmpegPaths> {
  const full: Required<ResolveDeps> = {
    env: deps.env ?? process.env,
    loadPackage: deps.loadPackage ?? defaultLoadPackage,
    verify: deps.verify ?? (async (bin, name) => (await verifyBinary(bin, name)).ok),
    platform: deps.platform ?? process.platform,
  };
  const ff = await resolveOne('ffmpeg', full);
  if (!('bin' in ff)) throw notFound('ffmpeg', ff.attempts);
  const fp = await resolveOne('ffprobe', full, ff.source === 'ffmpeg-static' ? ff.bin : undefined);
  if (!('bin' in fp)) throw notFound('ffprobe', fp.attempts);
  return { ffmpegPath: ff.bin, ffprobePath: fp.bin, source: ff.source };
}

let cached: Promise<FfmpegPaths> | undefined;

/**
 * Resolved once per process (failures are not cached, so installing ffmpeg and retrying works). This first pass only
 * checks that each candidate is an executable file: running `-version` on both binaries would cost two process
 * starts (~0.1 s) on every command. The first real run checks the binary instead (the decoder reads ffmpeg's banner)
 * and, when it does not start or is not ffmpeg, calls `resolveFfmpegAfterFailure`, which runs every candidate.
 */
export function resolveFfmpeg(): Promise<FfmpegPaths> {
  if (!cached) {
    const platform = process.platform;
    cached = resolveFfmpegWith({ verify: async (bin) => isExecutableFile(bin, platform) });
    cached.catch(() => { cached = undefined; });
  }
  return cached;
}

/** `failedPath` (from resolveFfmpeg) did not start or is not ffmpeg: resolve again, running each candidate. */
export function resolveFfmpegAfterFailure(failedPath: string): Promise<FfmpegPaths> {
  cached = resolveFfmpegWith({ verify: async (bin, name) => bin !== failedPath && (await verifyBinary(bin, name)).ok });
  cached.catch(() => { cached = undefined; });
  return cached;
}

const capsCache = new Map<string, Promise<EncoderCapabilities>>();

export function capabilitiesFromEncoders(encoders: ReadonlySet<string>): EncoderCapabilities {
  const gsm = encoders.has('libgsm');
  const mp3 = encoders.has('libmp3lame');
  const formats: GreetingFormat[] = ['wav', 'wav-ulaw', 'wav-alaw'];
  if (mp3) formats.push('mp3');
  if (gsm) formats.push('gsm');
  return { gsm, mp3, formats };
}

/** Which greeting formats this ffmpeg can write; asked once per binary and cached (keyed by the resolved path, so
 * callers with and without an explicit path share one listing). */
export async function getEncoderCapabilities(ffmpegPath?: string): Promise<EncoderCapabilities> {
  const bin = ffmpegPath ?? (await resolveFfmpeg()).ffmpegPath;
  let p = capsCache.get(bin);
  if (!p) {
    p = listEncoders(bin).then(capabilitiesFromEncoders);
    capsCache.set(bin, p);
    p.catch(() => capsCache.delete(bin));
  }
  return p;
}

/**
 * The oldest ffmpeg the engine runs on, by its libavutil version (git builds have no release number): a 2018 static
 * build (libavutil 56.24, between the 4.1 and 4.2 releases) passes the engine's tests; ffmpeg 4.2 is the first
 * release at or above it (Ubuntu 20.04 ships 4.2, 22.04 ships 4.4, Debian 12 ships 5.1).
 */
export const MIN_LIBAVUTIL: readonly [number, number] = [56, 24];
export const MIN_FFMPEG_RELEASE = '4.2';

export function libavutilTooOld(lib: readonly [number, number] | undefined): boolean {
  return lib !== undefined && (lib[0] < MIN_LIBAVUTIL[0] || (lib[0] === MIN_LIBAVUTIL[0] && lib[1] < MIN_LIBAVUTIL[1]));
}

const SOURCE_WORDS: Readonly<Record<BinarySource, string>> = { env: 'set by FFMPEG_PATH', 'ffmpeg-static': 'from the ffmpeg-static package', path: 'found on PATH' };

/** "ffmpeg 3.4.8 (libavutil 55.78) at /usr/bin/ffmpeg (found on PATH) is too old: … needs 4.2 or newer …" */
export function ffmpegTooOldError(ffmpegPath: string, source: BinarySource | undefined, version: string | undefined, lib: readonly [number, number] | undefined): AudioError {
  const found = `ffmpeg ${version ?? '(version unknown)'}${lib ? ` (libavutil ${lib[0]}.${lib[1]})` : ''}`;
  return new AudioError('FFMPEG_TOO_OLD',
    `${found} at ${ffmpegPath}${source ? ` (${SOURCE_WORDS[source]})` : ''} is too old: VM Greeting Studio needs ffmpeg ${MIN_FFMPEG_RELEASE} or newer. ` +
    "Install a newer ffmpeg (for example 'sudo apt-get install ffmpeg'), or set FFMPEG_PATH to one.",
    { detail: { path: ffmpegPath, source, version, libavutil: lib ? `${lib[0]}.${lib[1]}` : undefined, needed: MIN_FFMPEG_RELEASE } });
}

/**
 * Finds ffmpeg and checks that it runs and is new enough (one `-version` run): what the app does at start, so a
 * missing or too old ffmpeg is said at once with its message rather than at the first recording.
 */
export async function checkFfmpeg(): Promise<{ ok: true; paths: FfmpegPaths; version: string } | { ok: false; error: AudioError }> {
  try {
    const paths = await resolveFfmpeg();
    const v = await verifyBinary(paths.ffmpegPath, 'ffmpeg');
    if (!v.ok) {
      const again = await resolveFfmpegAfterFailure(paths.ffmpegPath);
      return checkResolved(again);
    }
    if (libavutilTooOld(v.libavutil)) return { ok: false, error: ffmpegTooOldError(paths.ffmpegPath, paths.source, v.version, v.libavutil) };
    return { ok: true, paths, version: v.version };
  } catch (e) {
    return { ok: false, error: e instanceof AudioError ? e : new AudioError('FFMPEG_FAILED', `ffmpeg could not be checked: ${e instanceof Error ? e.message : String(e)}`) };
  }
}

async function checkResolved(paths: FfmpegPaths): Promise<{ ok: true; paths: FfmpegPaths; version: string } | { ok: false; error: AudioError }> {
  const v = await verifyBinary(paths.ffmpegPath, 'ffmpeg');
  if (!v.ok) return { ok: false, error: new AudioError('FFMPEG_FAILED', `${paths.ffmpegPath} does not run as ffmpeg (${v.reason}).`) };
  if (libavutilTooOld(v.libavutil)) return { ok: false, error: ffmpegTooOldError(paths.ffmpegPath, paths.source, v.version, v.libavutil) };
  return { ok: true, paths, version: v.version };
}

/**
 * Resolves and checks the binaries and lists the encoders now (app start), so no user-facing call pays for it.
 * Never rejects: false when ffmpeg is missing or too old (the first real call reports it with its full message;
 * checkFfmpeg gives that message at once).
 */
export async function warmUpFfmpeg(): Promise<boolean> {
  const c = await checkFfmpeg();
  if (!c.ok) return false;
  try {
    await getEncoderCapabilities(c.paths.ffmpegPath);
    return true;
  } catch {
    return false;
  }
}

/** For tests: forget resolved paths and capabilities. */
export function resetFfmpegCache(): void {
  cached = undefined;
  capsCache.clear();
}

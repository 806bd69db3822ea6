// Crash-safe file writes: temp file in the same folder, fsync, rename over the target, fsync the folder.
// A reader therefore sees either the old or the new complete file, never a torn one, even after SIGKILL or power loss.
import { promises as fs } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';

/** Test seam: called after the temp file is durable and before the rename (throw here to simulate a crash). */
export interface AtomicWriteHooks {
  beforeRename?: (tempPath: string, finalPath: string) => void | Promise<void>;
}

const TEMP_MARK = '.vmgs-tmp-';

export function isTempName(name: string): boolean {
  return name.includes(TEMP_MARK);
}

/** Temp files this process is writing right now: never "stale", whoever lists the folder meanwhile. */
const inFlight = new Set<string>();
/** A temp file of another live process is left alone unless it is older than this (its writer hung or is gone). */
const FOREIGN_TEMP_MAX_AGE_MS = 60 * 60 * 1000;

export function tempPathFor(finalPath: string): string {
  const temp = path.join(path.dirname(finalPath), `.${path.basename(finalPath)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  inFlight.add(temp);
  return temp;
}

/** The temp file from tempPathFor is renamed or removed: it is no longer in flight. */
export function releaseTemp(temp: string): void {
  inFlight.delete(temp);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temp left by a writer that is gone (or by this process outside any write): safe to remove. */
async function isStaleTemp(dir: string, name: string): Promise<boolean> {
  const full = path.join(dir, name);
  if (inFlight.has(full)) return false;
  const m = /\.vmgs-tmp-(?:[a-z]+-)?(\d+)/.exec(name);
  const pid = m?.[1] ? Number(m[1]) : NaN;
  if (!Number.isFinite(pid) || pid === process.pid || !pidAlive(pid)) return true;
  // Another live process (the CLI next to the app, or the other way round) may be writing it now.
  const st = await fs.stat(full).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs > FOREIGN_TEMP_MAX_AGE_MS;
}

export async function fsyncDir(dir: string): Promise<void> {
  // Windows cannot open a directory for fsync; the rename is already durable enough there.
  if (process.platform === 'win32') return;
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface AtomicWriteOptions {
  /**
   * false = temp file + rename only, no fsync: still all-or-nothing if the PROCESS dies (SIGKILL), but a power cut may
   * lose the change. Only for state that is safe to redo (the queue's final item state: resume re-verifies with ask).
   */
  durable?: boolean;
  /** The caller fsyncs the folder itself once after many writes (batch enqueue). */
  skipDirSync?: boolean;
}

export async function writeFileAtomic(finalPath: string, data: string | Uint8Array, hooks?: AtomicWriteHooks, opts?: AtomicWriteOptions): Promise<void> {
  const durable = opts?.durable ?? true;
  const temp = tempPathFor(finalPath);
  try {
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(data);
      if (durable) await handle.sync();
    } catch (err) {
      await handle.close().catch(() => undefined);
      await fs.rm(temp, { force: true });
      throw err;
    }
    await handle.close();
    try {
      await hooks?.beforeRename?.(temp, finalPath);
      await fs.rename(temp, finalPath);
    } catch (err) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw err;
    }
  } finally {
    releaseTemp(temp);
  }
  if (durable && !opts?.skipDirSync) await fsyncDir(path.dirname(finalPath));
}

export async function writeJsonAtomic(finalPath: string, value: unknown, hooks?: AtomicWriteHooks, opts?: AtomicWriteOptions): Promise<void> {
  await writeFileAtomic(finalPath, `${JSON.stringify(value, null, 2)}\n`, hooks, opts);
}

/** Copies a file durably: copy to a temp name, fsync it, rename into place. Returns size and sha256. */
export async function copyFileAtomic(src: string, finalPath: string, hooks?: AtomicWriteHooks): Promise<{ bytes: number; sha256: string }> {
  const temp = tempPathFor(finalPath);
  try {
    await fs.copyFile(src, temp);
    const handle = await fs.open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    const info = await hashFile(temp);
    await hooks?.beforeRename?.(temp, finalPath);
    await fs.rename(temp, finalPath);
    await fsyncDir(path.dirname(finalPath));
    return info;
  } catch (err) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw err;
  } finally {
    releaseTemp(temp);
  }
}

export async function hashFile(file: string): Promise<{ bytes: number; sha256: string }> {
  const data = await fs.readFile(file);
  return { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
}

/** Removes temp files left behind by an interrupted write (they are never the only copy of anything). */
export async function removeStaleTemps(dir: string): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (isTempName(name) && (await isStaleTemp(dir, name))) {
      await fs.rm(path.join(dir, name), { force: true, recursive: true });
      removed += 1;
    }
  }
  return removed;
}

/** Reads a JSON file; undefined when missing, `{ corrupt: true }` when unreadable JSON. */
export async function readJsonFile(file: string): Promise<{ value: unknown } | { missing: true } | { corrupt: true; error: unknown }> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    throw err;
  }
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { corrupt: true, error };
  }
}

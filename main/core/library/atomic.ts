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

export function tempPathFor(finalPath: string): string {
  return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
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
    if (isTempName(name)) {
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

// One queue worker per data folder at a time (the app and the CLI may both try). The lock file says who holds it
// (the app or the CLI, its pid, since when), so the one that has to wait can say so in words; a lock whose process
// is gone (crash, SIGKILL) is taken over.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { LibraryError } from './errors.js';

export type LockHolderKind = 'app' | 'cli';

export interface WorkerLockHolder {
  by: LockHolderKind;
  pid: number;
  /** ISO time the lock was taken. */
  since: string;
}

// Lock files written before the holder was recorded have only pid and since: they are read as an unknown holder.
const LockFileSchema = z.object({
  pid: z.number().int().positive(),
  since: z.string().optional(),
  by: z.enum(['app', 'cli']).optional(),
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockFileOf(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'queue', 'worker.lock');
}

// Locks held by this process: the pid check below cannot tell two runs of the same process apart.
const heldHere = new Map<string, WorkerLockHolder>();

async function readLockFile(file: string): Promise<(WorkerLockHolder & { known: boolean }) | null> {
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  let parsed: z.infer<typeof LockFileSchema>;
  try {
    parsed = LockFileSchema.parse(JSON.parse(text));
  } catch {
    // A torn or empty lock file means its writer died while creating it: stale.
    return null;
  }
  return { by: parsed.by ?? 'app', pid: parsed.pid, since: parsed.since ?? '', known: parsed.by !== undefined };
}

/** Who runs the queue of this data folder right now, or null when nobody does (no lock, or its process is gone). */
export async function readWorkerLock(dataDir: string): Promise<WorkerLockHolder | null> {
  const file = lockFileOf(dataDir);
  const here = heldHere.get(file);
  if (here) return here;
  const lock = await readLockFile(file);
  if (!lock || lock.pid === process.pid || !alive(lock.pid)) return null;
  return { by: lock.by, pid: lock.pid, since: lock.since };
}

function clock(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const two = (n: number): string => String(n).padStart(2, '0');
  const time = `${two(d.getHours())}:${two(d.getMinutes())}`;
  const today = new Date();
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? time : `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${time}`;
}

/** "The VM Greeting Studio app (pid 1234) has been uploading from this data folder since 14:02." */
export function describeHolder(h: WorkerLockHolder & { known?: boolean }, sameProcess = false): string {
  const who = sameProcess ? 'This process' : h.known === false ? `Another VM Greeting Studio process (pid ${h.pid})` : h.by === 'app' ? `The VM Greeting Studio app (pid ${h.pid})` : `A vmgreet command (pid ${h.pid})`;
  const since = clock(h.since);
  return `${who} has been uploading from this data folder${since ? ` since ${since}` : ''}.`;
}

/** QUEUE_BUSY: someone else runs this queue. The message names the holder and says what to do. */
export function queueBusyError(h: WorkerLockHolder & { known?: boolean }, sameProcess = false): LibraryError {
  const advice = h.by === 'app' && h.known !== false ? 'Wait until its Outbox has finished (or quit the app), then try again.' : 'Wait until it has finished, then try again.';
  return new LibraryError('busy', 'QUEUE_BUSY', `${describeHolder(h, sameProcess)} ${advice}`, { detail: { holder: { by: h.by, pid: h.pid, since: h.since } } });
}

/**
 * Takes the lock of the queue in `queueDir` for `by` (the app or the CLI). Throws QUEUE_BUSY naming the holder
 * when a live process (or another run in this one) holds it. Returns the release function.
 */
export async function acquireWorkerLock(queueDir: string, by: LockHolderKind = 'app'): Promise<() => Promise<void>> {
  const file = path.join(path.resolve(queueDir), 'worker.lock');
  const here = heldHere.get(file);
  if (here) throw queueBusyError(here, true);
  const me: WorkerLockHolder = { by, pid: process.pid, since: new Date().toISOString() };
  heldHere.set(file, me);
  try {
    await fs.mkdir(queueDir, { recursive: true });
    return await takeFileLock(file, me);
  } catch (err) {
    heldHere.delete(file);
    throw err;
  }
}

async function takeFileLock(file: string, me: WorkerLockHolder): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await fs.open(file, 'wx');
      await handle.writeFile(JSON.stringify(me));
      await handle.sync();
      await handle.close();
      return async () => {
        heldHere.delete(file);
        await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const lock = await readLockFile(file);
      if (lock && lock.pid !== process.pid && alive(lock.pid)) throw queueBusyError(lock);
      await fs.rm(file, { force: true });
    }
  }
  throw new LibraryError('internal', 'QUEUE_LOCK_FAILED', `Could not take the queue lock ${file}.`);
}

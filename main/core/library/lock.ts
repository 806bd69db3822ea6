// One queue worker per data folder at a time (the app and the CLI may both try). The lock file holds the owner's
// pid; a lock whose process is gone (crash, SIGKILL) is taken over.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LibraryError } from './errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Locks held by this process: the pid check below cannot tell two runs of the same process apart.
const heldHere = new Set<string>();

export async function acquireWorkerLock(dir: string): Promise<() => Promise<void>> {
  const file = path.join(path.resolve(dir), 'worker.lock');
  if (heldHere.has(file)) {
    throw new LibraryError('usage', 'QUEUE_BUSY', 'This upload queue is already being run in this process. Wait for that run to finish.', { detail: { pid: process.pid } });
  }
  heldHere.add(file);
  try {
    await fs.mkdir(dir, { recursive: true });
    return await takeFileLock(file);
  } catch (err) {
    heldHere.delete(file);
    throw err;
  }
}

async function takeFileLock(file: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const handle = await fs.open(file, 'wx');
      await handle.writeFile(JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
      await handle.sync();
      await handle.close();
      return async () => {
        heldHere.delete(file);
        await fs.rm(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const text = await fs.readFile(file, 'utf8').catch(() => '');
      let pid = Number.NaN;
      try {
        pid = Number((JSON.parse(text) as { pid?: unknown }).pid);
      } catch {
        // A torn or empty lock file means its writer died while creating it: stale.
      }
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new LibraryError('usage', 'QUEUE_BUSY', `Another VM Greeting Studio process (pid ${pid}) is running this upload queue. Wait for it to finish or close it.`, { detail: { pid } });
      }
      await fs.rm(file, { force: true });
    }
  }
  throw new LibraryError('internal', 'QUEUE_LOCK_FAILED', `Could not take the queue lock ${file}.`);
}

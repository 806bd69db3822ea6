// Tests that spawn Node child processes (the CLI, the queue worker) run the compiled main process from build/,
// because Node 20 cannot run .ts. `npm test` builds first, so this is normally a no-op; when a test file is run on
// its own after an edit, it rebuilds once (a lock serialises concurrent test files).
import { execFile } from 'node:child_process';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Root of the compiled tree: `${BUILD_ROOT}/main/core/library/index.js` mirrors `main/core/library/index.ts`. */
export const BUILD_ROOT = path.join(PROJECT_ROOT, 'build');
const ENTRY = path.join(BUILD_ROOT, 'main', 'cli', 'vmgreet.js');
const LOCK = path.join(os.tmpdir(), 'vmgreet-cli-build.lock');
const execFileP = promisify(execFile);

async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, await newestSource(p));
    else if (/\.c?ts$/.test(entry.name)) newest = Math.max(newest, (await stat(p)).mtimeMs);
  }
  return newest;
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      // A lock older than 3 minutes belongs to a dead run.
      const st = await stat(LOCK).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > 180_000) await rmdir(LOCK).catch(() => undefined);
      if (Date.now() > deadline) throw new Error('timed out waiting for the build lock');
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return await fn();
  } finally {
    await rmdir(LOCK).catch(() => undefined);
  }
}

/** `npm run build:main` unless build/ is newer than every source under main/ and scripts/. */
export async function ensureBuilt(): Promise<void> {
  await withLock(async () => {
    const built = await stat(ENTRY).catch(() => undefined);
    const newest = Math.max(await newestSource(path.join(PROJECT_ROOT, 'main')), await newestSource(path.join(PROJECT_ROOT, 'scripts')));
    if (built && built.mtimeMs > newest) return;
    const started = Date.now();
    try {
      await execFileP('npm', ['run', '--silent', 'build:main'], { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      // tsc still emits when files outside this area have type errors; what matters is a fresh CLI build.
      const after = await stat(ENTRY).catch(() => undefined);
      if (!after || after.mtimeMs < started - 1000) throw err;
    }
  });
}


// Helpers for the CLI tests: build the real binary once (a lock serialises concurrent test files), run it as a
// child process with a clean environment, and small HTTP fixtures.
import { spawn, execFile } from 'node:child_process';
import { mkdir, readdir, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(ROOT, 'bin', 'vmgreet.js');
const ENTRY = path.join(ROOT, 'build', 'main', 'cli', 'vmgreet.js');
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
      if (Date.now() > deadline) throw new Error('timed out waiting for the CLI build lock');
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
    const newest = Math.max(await newestSource(path.join(ROOT, 'main')), await newestSource(path.join(ROOT, 'scripts')));
    if (built && built.mtimeMs > newest) return;
    const started = Date.now();
    try {
      await execFileP('npm', ['run', '--silent', 'build:main'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      // tsc still emits when files outside this area have type errors; what matters is a fresh CLI build.
      const after = await stat(ENTRY).catch(() => undefined);
      if (!after || after.mtimeMs < started - 1000) throw err;
    }
  });
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Environment for the child: the parent's, minus every VMGREET_* variable, plus `env`. */
export function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VMGREET_') && !k.startsWith('VMGS_')) base[k] = v;
  return { ...base, ...env };
}

export function runVmgreet(args: readonly string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`vmgreet ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 45_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Parses stdout as exactly one JSON document (fails the test otherwise). */
export function oneJson(stdout: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(stdout);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`expected one JSON object, got: ${stdout}`);
  return parsed as Record<string, unknown>;
}

// Helpers for the CLI tests: build the real binary once (test/helpers/build.ts), run it as a
// child process with a clean environment, and small HTTP fixtures.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { PROJECT_ROOT } from '../helpers/build.js';
export { ensureBuilt } from '../helpers/build.js';

export const ROOT = PROJECT_ROOT;
export const BIN = path.join(ROOT, 'bin', 'vmgreet.js');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

// A child that is not given a data folder must not write into the real user's one (upload goes through the queue):
// it gets one per test file, removed after the file's tests (vitest may end a worker without an 'exit' event).
const fallbackDataDir = path.join(os.tmpdir(), `vmgreet-test-data-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
afterAll(() => rmSync(fallbackDataDir, { recursive: true, force: true }));

/** Environment for the child: the parent's, minus every VMGREET_* variable, plus `env` (and a private data folder). */
export function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('VMGREET_') && !k.startsWith('VMGS_')) base[k] = v;
  return { VMGREET_DATA_DIR: fallbackDataDir, ...base, ...env };
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

// Runs a speech program as a separate process (never through a shell, never linked into the app). The text travels
// in a file, never on the command line: no argument injection (a script starting with "-"), no length limits, and
// nothing a person typed shows up in the process list.
import { spawn } from 'node:child_process';
import { CancelledError } from '../../errors.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Added to the parent's environment. */
  env?: Readonly<Record<string, string>>;
  signal?: AbortSignal;
  /** Killed after this long (default 120 s): a hung voice must not hang a batch. */
  timeoutMs?: number;
}

/** Injected into every local engine, so tests can check the exact command line and feed canned output. */
export type CommandRunner = (program: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

const MAX_CAPTURE = 1024 * 1024;

export const runCommand: CommandRunner = (program, args, opts = {}) =>
  new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(new CancelledError('Text-to-speech'));
      return;
    }
    const child = spawn(program, [...args], {
      env: { ...process.env, ...(opts.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += d;
    });
    let why: 'aborted' | 'timeout' | undefined;
    const kill = (reason: 'aborted' | 'timeout'): void => {
      why = reason;
      child.kill('SIGKILL');
    };
    const onAbort = (): void => kill('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => kill('timeout'), opts.timeoutMs ?? 120_000);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err) => {
      done();
      reject(err);
    });
    child.on('close', (code) => {
      done();
      if (why === 'aborted') reject(new CancelledError('Text-to-speech'));
      else if (why === 'timeout') resolve({ code: null, stdout, stderr: `${stderr}\n(stopped after ${Math.round((opts.timeoutMs ?? 120_000) / 1000)} s)` });
      else resolve({ code, stdout, stderr });
    });
  });

// The ONE module that starts ffmpeg/ffprobe processes and the only importer of fluent-ffmpeg (archived upstream;
// keep it swappable). Rendering and analysis use a plain spawn so progress parsing, cancellation and timing stay in
// our hands; fluent-ffmpeg is used for the encoder listing (imported when first used).
import { spawn } from 'node:child_process';
import { CancelledError } from '../errors.js';
import { AudioError } from './errors.js';

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last lines of stderr (for error messages). */
  stderrTail: string[];
}

export interface RunOptions {
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Called for every stderr line (analysis output is parsed from here). */
  onStderrLine?: ((line: string) => void) | undefined;
  /** Called for every stdout line; when given, stdout is not accumulated. */
  onStdoutLine?: ((line: string) => void) | undefined;
  /** Called with every raw stdout chunk (binary output such as decoded PCM); stdout is then not accumulated. */
  onStdoutData?: ((chunk: Buffer) => void) | undefined;
  /** Bytes written to the process's stdin (then closed); without it stdin is closed at once. */
  stdinData?: Uint8Array | undefined;
  /** Label used in error messages ("ffmpeg", "ffprobe"). */
  what?: string | undefined;
}

const TAIL_LINES = 40;

function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const text = rest + chunk.toString('utf8');
      const lines = text.split(/\r\n|\r|\n/);
      rest = lines.pop() ?? '';
      for (const l of lines) onLine(l);
    },
    end() {
      if (rest) onLine(rest);
      rest = '';
    },
  };
}

/** Runs a binary with arguments (never through a shell). Rejects with CancelledError when `signal` aborts. */
export function runProcess(bin: string, args: readonly string[], opts: RunOptions = {}): Promise<ProcessResult> {
  const what = opts.what ?? bin;
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) { reject(new CancelledError(`The ${what} run`)); return; }
    let child;
    try {
      child = spawn(bin, args, { stdio: [opts.stdinData ? 'pipe' : 'ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (cause) {
      reject(new AudioError('FFMPEG_FAILED', `Could not start ${what} (${bin}).`, { cause, detail: { spawnError: (cause as NodeJS.ErrnoException).code ?? 'unknown' } }));
      return;
    }
    if (opts.stdinData && child.stdin) {
      // A process that exits early (bad arguments) closes the pipe: its exit code tells what happened.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.stdinData);
    }
    const tail: string[] = [];
    let stdout = '';
    let aborted = false;
    let timedOut = false;
    const err = lineSplitter((line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onStderrLine?.(line);
    });
    const out = opts.onStdoutLine ? lineSplitter(opts.onStdoutLine) : undefined;
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    const onData = opts.onStdoutData;
    child.stdout?.on('data', (c: Buffer) => { if (onData) onData(c); else if (out) out.push(c); else stdout += c.toString('utf8'); });
    const kill = (): void => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
    const onAbort = (): void => { aborted = true; kill(); };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs ? setTimeout(() => { timedOut = true; kill(); }, opts.timeoutMs) : undefined;
    child.on('error', (cause: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      reject(new AudioError('FFMPEG_FAILED', `Could not start ${what} (${bin}): ${cause.code ?? cause.message}.`, { cause, detail: { spawnError: cause.code ?? 'unknown' } }));
    });
    child.on('close', (code, sig) => {
      opts.signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
      err.end();
      out?.end();
      if (aborted) { reject(new CancelledError(`The ${what} run`)); return; }
      if (timedOut) { reject(new AudioError('FFMPEG_FAILED', `${what} did not finish within ${opts.timeoutMs} ms and was stopped.`)); return; }
      resolve({ code, signal: sig, stdout, stderrTail: tail });
    });
  });
}

/** Does `bin -version` run and introduce itself as `name`? With its version and libavutil's (`[56, 24]`). */
export async function verifyBinary(bin: string, name: 'ffmpeg' | 'ffprobe', timeoutMs = 10_000): Promise<{ ok: true; version: string; libavutil: [number, number] | undefined } | { ok: false; reason: string }> {
  try {
    const r = await runProcess(bin, ['-hide_banner', '-version'], { timeoutMs, what: name });
    const first = r.stdout.split('\n')[0] ?? '';
    if (r.code === 0 && first.startsWith(`${name} version`)) return { ok: true, version: first.slice(name.length + 9).split(' ')[0] ?? '', libavutil: parseLibavutil(r.stdout) };
    return { ok: false, reason: r.code === 0 ? `does not look like ${name}` : `exited with code ${r.code ?? r.signal}` };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** "libavutil      56. 24.101 / 56. 24.101" (in the banner and in -version) → [56, 24]. */
export function parseLibavutil(text: string): [number, number] | undefined {
  const m = /libavutil\s+(\d+)\.\s*(\d+)\./.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export interface FfmpegRunOptions {
  signal?: AbortSignal | undefined;
  onStderrLine?: ((line: string) => void) | undefined;
  /** Seconds of output written so far, from `-progress` (out_time_us). */
  onProgressSec?: ((sec: number) => void) | undefined;
  /** Input fed on stdin (`-i pipe:0`). */
  stdinData?: Uint8Array | undefined;
}

/**
 * Runs ffmpeg with `-progress pipe:1`; resolves with the stderr tail, rejects with FFMPEG_FAILED (showing the last
 * error lines) on a non-zero exit and CancelledError on abort (the process is killed first).
 */
export async function runFfmpeg(ffmpegPath: string, args: readonly string[], opts: FfmpegRunOptions = {}): Promise<string[]> {
  const full = ['-hide_banner', '-nostdin', '-nostats', '-progress', 'pipe:1', ...args];
  const r = await runProcess(ffmpegPath, full, {
    what: 'ffmpeg',
    signal: opts.signal,
    onStderrLine: opts.onStderrLine,
    stdinData: opts.stdinData,
    onStdoutLine: (line) => {
      if (!opts.onProgressSec) return;
      const m = /^out_time_(?:us|ms)=(\d+)/.exec(line);
      if (m?.[1]) opts.onProgressSec(Number(m[1]) / 1e6);
    },
  });
  if (r.code !== 0) {
    throw new AudioError('FFMPEG_FAILED', `ffmpeg failed: ${errorSummary(r.stderrTail)}`, { detail: { exitCode: r.code, stderr: r.stderrTail.slice(-10) } });
  }
  return r.stderrTail;
}

export interface StreamingProcess {
  /** Writes to the process's stdin; false once stdin is closed or broken (the bytes are then dropped). */
  write(chunk: Uint8Array): boolean;
  /** Closes stdin (end of input). */
  end(): void;
  kill(): void;
  /** Settles when the process has exited (never rejects: a failed start resolves with code null). */
  readonly done: Promise<ProcessResult>;
}

/**
 * Starts ffmpeg reading its input from stdin (a recording streamed while it is made). Each stderr line goes to
 * `onStderrLine`; stdin errors (the process died) only make `write` return false.
 */
export function spawnFfmpegWithStdin(ffmpegPath: string, args: readonly string[], onStderrLine: (line: string) => void, onStdoutData?: (chunk: Buffer) => void): StreamingProcess {
  const tail: string[] = [];
  let open = true;
  let child: ReturnType<typeof spawn> | undefined;
  let settle: (r: ProcessResult) => void = () => undefined;
  const done = new Promise<ProcessResult>((resolve) => { settle = resolve; });
  try {
    child = spawn(ffmpegPath, ['-nostats', ...args], { stdio: ['pipe', onStdoutData ? 'pipe' : 'ignore', 'pipe'], windowsHide: true });
  } catch {
    open = false;
    settle({ code: null, signal: null, stdout: '', stderrTail: [`could not start ${ffmpegPath}`] });
  }
  if (child) {
    const c = child;
    const err = lineSplitter((line) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      onStderrLine(line);
    });
    c.stderr?.on('data', (b: Buffer) => err.push(b));
    if (onStdoutData) c.stdout?.on('data', onStdoutData);
    c.stdin?.on('error', () => { open = false; });
    c.on('error', () => { open = false; });
    c.on('close', (code, sig) => {
      open = false;
      err.end();
      settle({ code, signal: sig, stdout: '', stderrTail: tail });
    });
  }
  return {
    write(chunk) {
      if (!open || !child?.stdin || child.stdin.destroyed) return false;
      child.stdin.write(chunk);
      return true;
    },
    end() {
      open = false;
      if (child?.stdin && !child.stdin.destroyed) child.stdin.end();
    },
    kill() {
      open = false;
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    done,
  };
}

/** Runs ffprobe asking for JSON; the caller validates the shape. */
export function runFfprobe(ffprobePath: string, args: readonly string[], signal?: AbortSignal): Promise<ProcessResult> {
  return runProcess(ffprobePath, ['-hide_banner', ...args], { signal, what: 'ffprobe', timeoutMs: 60_000 });
}

/** The most telling line of an ffmpeg error log. */
export function errorSummary(tail: readonly string[]): string {
  const interesting = tail.filter((l) => l.trim() && !/^\s*(ffmpeg|ffprobe) version|^\s*(built with|configuration:|lib\w+\s+\d)/.test(l));
  const err = interesting.filter((l) => /error|invalid|no such|denied|not|failed|could/i.test(l));
  return ((err.at(-1) ?? interesting.at(-1) ?? 'no error output').trim()).replace(/^\[[^\]]+\]\s*/, '');
}

/** Encoder names the binary offers, via fluent-ffmpeg (which caches per process; callers cache per binary). */
export async function listEncoders(ffmpegPath: string): Promise<Set<string>> {
  // Loaded when first needed (MP3/GSM output, the app's format list): most commands never list encoders.
  const { default: fluentFfmpeg } = await import('fluent-ffmpeg');
  return new Promise((resolve, reject) => {
    fluentFfmpeg.setFfmpegPath(ffmpegPath);
    fluentFfmpeg.getAvailableEncoders((err, encoders) => {
      if (err) { reject(new AudioError('FFMPEG_FAILED', `Could not list the encoders of ${ffmpegPath}: ${err.message}`, { cause: err })); return; }
      resolve(new Set(Object.keys(encoders)));
    });
  });
}

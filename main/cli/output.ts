// The output layer. Human mode: readable text on stdout, warnings and errors on stderr, progress bars only when
// stderr is a terminal. JSON mode (--json): exactly one JSON document on stdout (the result, or an error
// document), nothing else on stdout; warnings and the human error line still go to stderr.
import { createRequire } from 'node:module';
import type cliProgressModule from 'cli-progress';
import { isVmgsError } from '../core/errors.js';
import { redactUrl } from '../core/pbx/url.js';
import { exitCodeFor } from './exit-codes.js';
import type { CliIo } from './io.js';
import { GREETING_EXISTS_ADVICE } from '../core/errors.js';

export interface Progress {
  update(value: number, total?: number): void;
  stop(): void;
}

/** cli-progress's GenericBar.render(forceRendering): SingleBar's typing hides the parameter. */
interface RedrawableBar {
  render(forceRendering: boolean): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, stop: () => undefined };

export interface ErrorDocument {
  error: { code: string; kind: string; message: string; exitCode: number; errcode?: number; hint?: string; detail?: Readonly<Record<string, unknown>> };
}

export class Output {
  readonly json: boolean;
  private readonly io: CliIo;
  private readonly secrets = new Set<string>();
  private emitted = false;
  private activeBar: cliProgressModule.SingleBar | undefined;

  constructor(io: CliIo, opts: { json: boolean }) {
    this.io = io;
    this.json = opts.json;
  }

  /** Registers a value (client secret, token) that must never appear in anything this layer prints. */
  addSecret(value: string | undefined): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = redactUrl(text);
    for (const s of this.secrets) out = out.split(s).join('***');
    return out;
  }

  /**
   * The same redaction applied to every string inside a value, before it is serialised: redacting the JSON text
   * instead could cut into an escape (`\"`, `\\`) and leave invalid JSON.
   */
  redactValue(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v));
    if (value !== null && typeof value === 'object') {
      const plain = typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON: () => unknown }).toJSON() : value;
      if (plain !== value) return this.redactValue(plain);
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.redactValue(v)]));
    }
    return value;
  }

  get interactive(): boolean {
    return !this.json && this.io.stderr.isTTY === true;
  }

  /** Human-only progress/status line (stdout). Suppressed in JSON mode, where the result document says it all. */
  info(line: string): void {
    if (this.json) return;
    this.aboveBar(() => this.io.stdout.write(this.redact(line) + '\n'));
  }

  /** Warnings always go to stderr, in both modes. */
  warn(line: string): void {
    this.aboveBar(() => this.io.stderr.write(this.redact(`warning: ${line}`) + '\n'));
  }

  /** A per-item problem line on stderr (both modes), e.g. a rejected batch row. */
  problem(line: string): void {
    this.aboveBar(() => this.io.stderr.write(this.redact(line) + '\n'));
  }

  /** The command's result: `data` as the one JSON document, or the human rendering. */
  result(data: unknown, human: () => string): void {
    if (this.json) {
      this.emitJson(data);
      return;
    }
    this.clearBar();
    const text = human();
    if (text) this.io.stdout.write(this.redact(text.endsWith('\n') ? text : text + '\n'));
  }

  /** Reports a failure and returns the exit code the process should end with. */
  error(err: unknown): number {
    this.clearBar();
    const exitCode = exitCodeFor(err);
    const doc = errorDocument(err, exitCode);
    this.io.stderr.write(this.redact(`vmgreet: ${doc.error.message}`) + '\n');
    if (doc.error.hint) this.io.stderr.write(this.redact(`hint: ${doc.error.hint}`) + '\n');
    if (this.json) this.emitJson(doc);
    return exitCode;
  }

  /** A progress bar on a terminal; a no-op otherwise (pipes, CI, --json). */
  progress(label: string, total: number, unit: 'bytes' | 'percent' | 'items'): Progress {
    if (!this.interactive) return NO_PROGRESS;
    // One bar at a time: two live bars on one terminal line overwrite each other.
    this.clearBar();
    const format =
      unit === 'bytes'
        ? `${label} [{bar}] {percentage}% | {valueKb}/{totalKb} kB`
        : unit === 'items'
          ? `${label} [{bar}] {value}/{total}`
          : `${label} [{bar}] {percentage}%`;
    // Loaded for the first bar on a terminal only (scripts and --json never draw one).
    const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressModule;
    const bar = new cliProgress.SingleBar(
      { format, stream: this.io.stderr as unknown as NodeJS.WritableStream, hideCursor: true, clearOnComplete: true, barsize: 30 },
      cliProgress.Presets.shades_classic,
    );
    const kb = (n: number): string => (n / 1000).toFixed(0);
    bar.start(total, 0, { valueKb: '0', totalKb: kb(total) });
    this.activeBar = bar;
    return {
      update: (value, newTotal) => {
        if (newTotal !== undefined && newTotal !== total) {
          total = newTotal;
          bar.setTotal(newTotal);
        }
        bar.update(value, { valueKb: kb(value), totalKb: kb(total) });
      },
      stop: () => {
        bar.stop();
        if (this.activeBar === bar) this.activeBar = undefined;
      },
    };
  }

  /**
   * A line printed while a bar runs goes above it: the bar's line is cleared, the line written, and the bar drawn
   * again below it, so per-item lines do not end the bar for the rest of a batch.
   */
  private aboveBar(write: () => void): void {
    const bar = this.activeBar;
    if (!bar) {
      write();
      return;
    }
    this.io.stderr.write('\r\x1b[2K');
    write();
    (bar as unknown as RedrawableBar).render(true);
  }

  private clearBar(): void {
    if (this.activeBar) {
      this.activeBar.stop();
      this.activeBar = undefined;
    }
  }

  private emitJson(doc: unknown): void {
    if (this.emitted) return; // one document per run, whatever happens
    this.emitted = true;
    this.io.stdout.write(JSON.stringify(this.redactValue(doc), null, 2) + '\n');
  }
}

/**
 * What to type next, for errors whose core message cannot know it is talking to a command line. `replaces` is the
 * core message's own advice that the hint says again in flags: it is cut from the message, so the advice is given
 * once.
 */
export function cliAdvice(err: { code: string; detail?: Readonly<Record<string, unknown>> | undefined }): { hint: string; replaces?: RegExp } | undefined {
  const fp = err.detail?.['fingerprint256'];
  if (err.code === 'GREETING_EXISTS') {
    // Only an upload has the overwrite/rename/skip choice; a rename or a recording says what to do itself.
    const doing = err.detail?.['doing'];
    if (doing !== undefined && doing !== 'upload') return undefined;
    return { hint: 'add --if-exists overwrite, rename or skip, or choose another --name.', replaces: new RegExp(`\\s*${escapeRegExp(GREETING_EXISTS_ADVICE)}$`) };
  }
  if (err.code === 'GREETING_IN_USE') {
    return { hint: 'choose another greeting for those statuses first (vmgreet greetings use NAME --ext N --when …), or add --reset-statuses to put them back to the default and delete it.', replaces: /\s*Choose another greeting for [\s\S]*$/ };
  }
  if (/^PBX_TLS_(UNTRUSTED|HOSTNAME_MISMATCH)$/.test(err.code) && typeof fp === 'string') {
    return {
      hint: `if this is your PBX's own certificate (compare the fingerprint with the one shown on the PBX), trust it with --pin ${fp} (or VMGREET_PIN_SHA256), or give its certificate or CA with --ca FILE.`,
      replaces: /\s*Trust it by [\s\S]*$/,
    };
  }
  return undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function errorDocument(err: unknown, exitCode: number): ErrorDocument {
  if (isVmgsError(err)) {
    const errcode = (err as { errcode?: unknown }).errcode ?? err.detail?.['errcode'];
    const advice = cliAdvice(err);
    const hint = advice?.hint;
    const message = advice?.replaces ? err.message.replace(advice.replaces, '') || err.message : err.message;
    return {
      error: {
        code: err.code,
        kind: err.kind,
        message,
        exitCode,
        ...(typeof errcode === 'number' ? { errcode } : {}),
        ...(hint ? { hint } : {}),
        ...(err.detail ? { detail: err.detail } : {}),
      },
    };
  }
  const message = err instanceof Error ? `unexpected error: ${err.message}` : `unexpected error: ${String(err)}`;
  return { error: { code: 'CLI_INTERNAL', kind: 'internal', message, exitCode } };
}

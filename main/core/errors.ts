// Base class for every error the core reports to a person. `code` is stable (tests and IPC switch on it); `message`
// is the human text: what happened and what to do. Never put secrets in either.
//
// The error carries its own decisions, so no caller keeps a table of codes: `kind` says what sort of failure it is
// (the CLI's exit code follows from it), `retryable` whether waiting and trying again can heal it (the queue worker
// retries with backoff, else parks the item), `unreachable` whether the PBX cannot be reached at all (the worker
// then treats that PBX as offline and keeps its items pending).
export const ERROR_KINDS = ['usage', 'input', 'audio', 'pbx', 'network', 'exists', 'busy', 'cancelled', 'internal'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface VmgsErrorOptions {
  cause?: unknown;
  detail?: Record<string, unknown>;
  /** Waiting and trying again can heal it (default false: a person has to change something). */
  retryable?: boolean;
  /** The PBX cannot be reached at all (refused, DNS, network unreachable, timeout). Implies retryable. */
  unreachable?: boolean;
}

export class VmgsError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  /** Optional structured detail safe to show or serialise (no secrets). */
  readonly detail: Readonly<Record<string, unknown>> | undefined;
  readonly retryable: boolean;
  readonly unreachable: boolean;

  constructor(kind: ErrorKind, code: string, message: string, options?: VmgsErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.detail = options?.detail;
    this.unreachable = options?.unreachable === true;
    this.retryable = this.unreachable || options?.retryable === true;
  }

  toJSON(): { name: string; kind: ErrorKind; code: string; message: string; detail?: Readonly<Record<string, unknown>> } {
    return { name: this.name, kind: this.kind, code: this.code, message: this.message, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

export class CancelledError extends VmgsError {
  constructor(what = 'The operation') {
    super('cancelled', 'CANCELLED', `${what} was cancelled.`);
  }
}

/** The greeting name already exists on the extension and the chosen policy forbids touching it. */
export class GreetingExistsError extends VmgsError {
  readonly ext: string;
  readonly fileName: string;
  constructor(ext: string, fileName: string, existType?: string) {
    super(
      'exists',
      'GREETING_EXISTS',
      `Extension ${ext} already has a greeting named "${fileName}". Nothing was uploaded. Choose overwrite, rename or skip, or pick another name.`,
      { detail: { ext, fileName, ...(existType ? { existType } : {}) } },
    );
    this.ext = ext;
    this.fileName = fileName;
  }
}

export function isVmgsError(value: unknown): value is VmgsError {
  return value instanceof VmgsError;
}

/** Shows a value someone supplied in a one-line message: quoted, CR/LF visible, long values shortened. */
export function showValue(value: string, max = 40): string {
  const shown = JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
  return value.length > max ? `${shown} (${value.length} characters)` : shown;
}

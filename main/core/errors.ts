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
/** The advice of an upload's "name exists" message; a surface with its own words for the choices replaces it. */
export const GREETING_EXISTS_ADVICE = 'Choose overwrite, rename or skip, or pick another name.';

/** What was being done when the name turned out to be taken: only an upload has the overwrite/rename/skip choice. */
export type GreetingExistsDoing = 'upload' | 'rename' | 'record';

export class GreetingExistsError extends VmgsError {
  readonly ext: string;
  readonly fileName: string;
  readonly doing: GreetingExistsDoing;
  constructor(ext: string, fileName: string, existType?: string, doing: GreetingExistsDoing = 'upload') {
    const taken = `Extension ${ext} already has a greeting named "${fileName}".`;
    const message =
      doing === 'rename'
        ? `${taken} Nothing was renamed: choose another new name.`
        : doing === 'record'
          ? `${taken} No call was made: choose another name, or rename or delete that greeting first.`
          : `${taken} Nothing was uploaded. ${GREETING_EXISTS_ADVICE}`;
    super('exists', 'GREETING_EXISTS', message, { detail: { ext, fileName, ...(existType ? { existType } : {}), ...(doing !== 'upload' ? { doing } : {}) } });
    this.ext = ext;
    this.fileName = fileName;
    this.doing = doing;
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

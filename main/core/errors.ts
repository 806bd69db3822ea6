// Base class for every error the core reports to a person. `code` is stable (tests, IPC and the CLI's exit codes
// switch on it); `message` is the human text: what happened and what to do. Never put secrets in either.
export type ErrorKind = 'usage' | 'input' | 'audio' | 'pbx' | 'network' | 'exists' | 'cancelled' | 'internal';

export class VmgsError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  /** Optional structured detail safe to show or serialise (no secrets). */
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(kind: ErrorKind, code: string, message: string, options?: { cause?: unknown; detail?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.code = code;
    this.detail = options?.detail;
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

export function isVmgsError(value: unknown): value is VmgsError {
  return value instanceof VmgsError;
}

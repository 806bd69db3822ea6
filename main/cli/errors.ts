// CLI-side errors. They derive from VmgsError so the exit-code mapping and the JSON error document treat them
// exactly like errors coming from the core.
import { VmgsError } from '../core/errors.js';

/** The command line itself is wrong (bad flag value, missing option, missing credentials). Exit code 1. */
export class UsageError extends VmgsError {
  constructor(message: string, code = 'CLI_USAGE', detail?: Record<string, unknown>) {
    super('usage', code, message, detail ? { detail } : undefined);
  }
}

/** A file the user pointed at cannot be used (missing, empty, too big, wrong type). Exit code 2. */
export class InputError extends VmgsError {
  constructor(message: string, code = 'CLI_BAD_INPUT', options?: { cause?: unknown; detail?: Record<string, unknown> }) {
    super('input', code, message, options);
  }
}

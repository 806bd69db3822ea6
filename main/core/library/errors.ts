import { VmgsError, type ErrorKind, type VmgsErrorOptions } from '../errors.js';

// One error class for the library area; `code` values are stable and start with LIBRARY_, QUEUE_, BATCH_ or HISTORY_.
export class LibraryError extends VmgsError {
  constructor(kind: ErrorKind, code: string, message: string, options?: VmgsErrorOptions) {
    super(kind, code, message, options);
  }
}

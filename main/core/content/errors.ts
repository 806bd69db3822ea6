import { VmgsError, type ErrorKind } from '../errors.js';

// One error class for the content area (templates, placeholders, text-to-speech, personalised batches); `code`
// values are stable and start with TEMPLATE_, TTS_ or PERSONAL_.
export class ContentError extends VmgsError {
  constructor(kind: ErrorKind, code: string, message: string, options?: { cause?: unknown; detail?: Record<string, unknown> }) {
    super(kind, code, message, options);
  }
}

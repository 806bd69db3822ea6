// One place that turns an error into the documented process exit code, from the error's kind (its class decides the
// kind; see main/core/errors.ts): 0 ok · 1 usage · 2 bad input/audio · 3 PBX refused (errcode shown) · 4 network/TLS
// · 5 name exists (fail policy) · 6 busy (another process is uploading from the same data folder).
import { isVmgsError, type ErrorKind } from '../core/errors.js';

export const EXIT = { ok: 0, usage: 1, input: 2, pbx: 3, network: 4, exists: 5, busy: 6 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_KIND: Readonly<Record<ErrorKind, ExitCode>> = {
  usage: EXIT.usage,
  input: EXIT.input,
  audio: EXIT.input,
  pbx: EXIT.pbx,
  network: EXIT.network,
  exists: EXIT.exists,
  busy: EXIT.busy,
  // A cancelled run (Ctrl-C, "cancel" at the prompt) did not do what was asked; there is no dedicated code.
  cancelled: EXIT.usage,
  internal: EXIT.usage,
};

export function exitCodeForKind(kind: ErrorKind): ExitCode {
  return BY_KIND[kind] ?? EXIT.usage;
}

export function exitCodeFor(err: unknown): ExitCode {
  return isVmgsError(err) ? exitCodeForKind(err.kind) : EXIT.usage;
}

// One place that turns an error into the documented process exit code:
// 0 ok · 1 usage · 2 bad input/audio · 3 PBX refused (errcode shown) · 4 network/TLS · 5 name exists (fail policy).
import { isVmgsError, type ErrorKind } from '../core/errors.js';

export const EXIT = { ok: 0, usage: 1, input: 2, pbx: 3, network: 4, exists: 5 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const BY_KIND: Record<ErrorKind, ExitCode> = {
  usage: EXIT.usage,
  input: EXIT.input,
  audio: EXIT.input,
  pbx: EXIT.pbx,
  network: EXIT.network,
  exists: EXIT.exists,
  // A cancelled run (Ctrl-C, "cancel" at the prompt) did not do what was asked; there is no dedicated code.
  cancelled: EXIT.usage,
  internal: EXIT.usage,
};

// Error classes whose meaning for the exit code is fixed regardless of the kind their owner picked:
// "could not talk to a PBX API at that address" is a network/TLS problem, not a PBX refusal.
const BY_NAME: Readonly<Record<string, ExitCode>> = {
  PbxNetworkError: EXIT.network,
  PbxTimeoutError: EXIT.network,
  PbxTlsError: EXIT.network,
  PbxBadResponseError: EXIT.network,
  GreetingExistsError: EXIT.exists,
  PbxApiError: EXIT.pbx,
};

export function exitCodeFor(err: unknown): ExitCode {
  if (!isVmgsError(err)) return EXIT.usage;
  const byName = BY_NAME[err.name];
  if (byName !== undefined) return byName;
  if (/^PBX_TLS/.test(err.code)) return EXIT.network;
  return BY_KIND[err.kind] ?? EXIT.usage;
}

// Typed errors of the PBX client. Every message says what happened and what the administrator can do; none carries
// a secret, token or full request URL (only the endpoint name). Each class states whether waiting can heal it
// (`retryable`) and whether the PBX could not be reached at all (`unreachable`); see main/core/errors.ts.
import { VmgsError } from '../errors.js';

export { GreetingExistsError } from '../errors.js';

type Detail = Record<string, unknown>;

/**
 * The errcodes of the spec's error table (section 5): the PBX's own text, and whether waiting can change the answer.
 * Retryable: internal error, still processing, token expired (the client renews it once itself), heavy task running.
 * Every other errcode, and any the table does not know, means the PBX understood the request and said no.
 */
export const PBX_ERRCODES: Readonly<Record<number, { errmsg: string; retryable: boolean }>> = {
  [-2]: { errmsg: 'INTERNAL SERVER ERROR', retryable: true },
  [-1]: { errmsg: 'FAILURE', retryable: false },
  1: { errmsg: 'PARTIAL SUCCESS', retryable: false },
  2: { errmsg: 'PROCESSING', retryable: true },
  10001: { errmsg: 'INTERFACE NOT EXISTED', retryable: false },
  10002: { errmsg: 'API VERSION OUT OF MAINTENANCE', retryable: false },
  10003: { errmsg: 'API VERSION UNSUPPORTED', retryable: false },
  10004: { errmsg: 'TOKEN EXPIRED', retryable: true },
  10005: { errmsg: 'ACCESS DENIED', retryable: false },
  40001: { errmsg: 'PARAMETER SYNTAX ERROR', retryable: false },
  40002: { errmsg: 'PARAMETER ERROR', retryable: false },
  40003: { errmsg: 'DUPLICATE KEY VALUE', retryable: false },
  40004: { errmsg: 'FILE SIZE EXCEEDED', retryable: false },
  60001: { errmsg: 'DATA NOT FOUND', retryable: false },
  60002: { errmsg: 'MAX LIMITATION EXCEEDED', retryable: false },
  60101: { errmsg: 'ROLE NOT EXISTED', retryable: false },
  70004: { errmsg: 'ACCOUNT IP BLOCKED', retryable: false },
  70082: { errmsg: 'OVERLOAD_TASK_RUNNING', retryable: true },
  70084: { errmsg: 'ACTION FORBIDDEN', retryable: false },
  70087: { errmsg: 'IP FORBIDDEN', retryable: false },
  70091: { errmsg: 'CONNECTION_RELATION_EXISTED', retryable: false },
  70093: { errmsg: 'PHONEBOOK_NOT_EXISTED', retryable: false },
  70106: { errmsg: 'RATE_NOT_EXISTED', retryable: false },
  70120: { errmsg: 'ORGANIZATION DISABLED', retryable: false },
};

/** The PBX answered with a non-zero errcode. `code` is `PBX_<errcode>`, e.g. PBX_70004 or PBX_-1. */
export class PbxApiError extends VmgsError {
  readonly errcode: number;
  readonly endpoint: string;
  constructor(errcode: number, endpoint: string, message: string, detail: Detail = {}) {
    super('pbx', `PBX_${errcode}`, message, { detail: { errcode, endpoint, ...detail }, retryable: PBX_ERRCODES[errcode]?.retryable === true });
    this.errcode = errcode;
    this.endpoint = endpoint;
  }
}

export type PbxNetworkCode =
  | 'PBX_CONNECTION_REFUSED'
  | 'PBX_HOST_NOT_FOUND'
  | 'PBX_CONNECTION_RESET'
  | 'PBX_UNREACHABLE'
  | 'PBX_NETWORK';

/** Nothing could be reached at that address: refused, unknown host, no route. A cut connection is not that. */
const UNREACHABLE_CODES: ReadonlySet<PbxNetworkCode> = new Set(['PBX_CONNECTION_REFUSED', 'PBX_HOST_NOT_FOUND', 'PBX_UNREACHABLE']);

/** The PBX could not be reached or the connection broke. Always worth another try later. */
export class PbxNetworkError extends VmgsError {
  constructor(code: PbxNetworkCode, message: string, options: { cause?: unknown; detail?: Detail } = {}) {
    super('network', code, message, { ...options, retryable: true, unreachable: UNREACHABLE_CODES.has(code) });
  }
}

/** No answer (or no progress) within the time limit: the PBX counts as unreachable. */
export class PbxTimeoutError extends VmgsError {
  constructor(message: string, detail: Detail = {}) {
    super('network', 'PBX_TIMEOUT', message, { detail, unreachable: true });
  }
}

export type PbxTlsCode = 'PBX_TLS_UNTRUSTED' | 'PBX_TLS_HOSTNAME_MISMATCH' | 'PBX_TLS_PIN_MISMATCH' | 'PBX_TLS_EXPIRED' | 'PBX_TLS_HANDSHAKE';

/** The server's certificate was not accepted (waiting does not change it). `detail.fingerprint256` lets a UI offer to pin it. */
export class PbxTlsError extends VmgsError {
  readonly fingerprint256: string | undefined;
  constructor(code: PbxTlsCode, message: string, detail: Detail & { fingerprint256?: string }, cause?: unknown) {
    super('network', code, message, { detail, cause });
    this.fingerprint256 = detail.fingerprint256;
  }
}

/** http:// typed for an HTTPS port, or https:// for a plain-HTTP port. */
export class PbxSchemeMismatchError extends VmgsError {
  constructor(code: 'PBX_HTTP_TO_HTTPS_PORT' | 'PBX_HTTPS_TO_HTTP_PORT', message: string, detail: Detail = {}) {
    super('network', code, message, { detail });
  }
}

export type PbxBadResponseCode = 'PBX_HTML_RESPONSE' | 'PBX_INVALID_JSON' | 'PBX_UNEXPECTED_RESPONSE' | 'PBX_HTTP_STATUS';

/**
 * Something answered, but not with the PBX API's JSON (an HTML error page, garbage, a 5xx, a wrong shape). Retryable,
 * except an HTTP 4xx page: a wrong address or a proxy that refuses us does not heal by waiting.
 */
export class PbxBadResponseError extends VmgsError {
  constructor(code: PbxBadResponseCode, message: string, detail: Detail = {}) {
    const status = typeof detail['status'] === 'number' ? detail['status'] : undefined;
    super('network', code, message, { detail, retryable: !(status !== undefined && status >= 400 && status < 500) });
  }
}

/** Bad input given to the client itself (address, extension number, file name, TLS options, local file). */
export class PbxInputError extends VmgsError {
  constructor(code: string, message: string, detail?: Detail) {
    super('input', code, message, detail === undefined ? undefined : { detail });
  }
}

// Typed errors of the PBX client. Every message says what happened and what the administrator can do; none carries
// a secret, token or full request URL (only the endpoint name).
import { VmgsError } from '../errors.js';

type Detail = Record<string, unknown>;

/** The PBX answered with a non-zero errcode. `code` is `PBX_<errcode>`, e.g. PBX_70004 or PBX_-1. */
export class PbxApiError extends VmgsError {
  readonly errcode: number;
  readonly endpoint: string;
  constructor(errcode: number, endpoint: string, message: string, detail: Detail = {}) {
    super('pbx', `PBX_${errcode}`, message, { detail: { errcode, endpoint, ...detail } });
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

/** The PBX could not be reached or the connection broke. */
export class PbxNetworkError extends VmgsError {
  constructor(code: PbxNetworkCode, message: string, options: { cause?: unknown; detail?: Detail } = {}) {
    super('network', code, message, options);
  }
}

/** No answer (or no progress) within the time limit. */
export class PbxTimeoutError extends VmgsError {
  constructor(message: string, detail: Detail = {}) {
    super('network', 'PBX_TIMEOUT', message, { detail });
  }
}

export type PbxTlsCode = 'PBX_TLS_UNTRUSTED' | 'PBX_TLS_HOSTNAME_MISMATCH' | 'PBX_TLS_PIN_MISMATCH' | 'PBX_TLS_EXPIRED' | 'PBX_TLS_HANDSHAKE';

/** The server's certificate was not accepted. `detail.fingerprint256` lets a UI offer to pin it. */
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

/** Something answered, but not with the PBX API's JSON (an HTML error page, garbage, a 5xx, a wrong shape). */
export class PbxBadResponseError extends VmgsError {
  constructor(code: PbxBadResponseCode, message: string, detail: Detail = {}) {
    super('network', code, message, { detail });
  }
}

/** Bad input given to the client itself (address, extension number, file name, TLS options, local file). */
export class PbxInputError extends VmgsError {
  constructor(code: string, message: string, detail?: Detail) {
    super('input', code, message, detail === undefined ? undefined : { detail });
  }
}

/** The greeting name already exists and the chosen policy forbids touching it. */
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

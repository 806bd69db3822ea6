// TLS policy: system roots (+ an optional trusted CA/cert), or a pinned leaf fingerprint, or an explicit insecure mode.
// Verification is done by us after the handshake and BEFORE any request byte is written, so a rejected server
// never receives the credentials; every rejection carries the server's SHA-256 fingerprint for the UI to offer pinning.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { CancelledError } from '../errors.js';
import { PbxInputError, PbxTlsError, type PbxTlsCode } from './errors.js';
import { mapSocketError } from './neterrors.js';
import type { BaseUrl } from './url.js';

export interface PbxTlsOptions {
  /** PEM text of a CA or of the PBX's own certificate to trust (in addition to the system roots). */
  caPem?: string;
  /** Path of a PEM file, read once when the client is created. */
  caFile?: string;
  /** SHA-256 fingerprint of the PBX's leaf certificate: 'AB:CD:…' or 64 hex digits, any case. */
  pinSha256?: string;
  /** Accept any certificate. Dangerous; reported through onWarning. */
  insecure?: boolean;
}

export interface TlsPolicy {
  readonly ca: string[] | undefined;
  readonly pin: string | undefined;
  readonly insecure: boolean;
}

/** 'ab:cd…' / 'ABCD…' / 'sha256/AB CD…' -> canonical 'AB:CD:…' (Node's fingerprint256 form). */
export function normalizeFingerprint(input: string): string {
  const hex = input.trim().replace(/^sha-?256[:/=\s]*/i, '').replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new PbxInputError('PBX_BAD_PIN', 'The certificate fingerprint must be a SHA-256 fingerprint: 64 hexadecimal digits, optionally separated by colons (AB:CD:…).');
  }
  return hex.match(/../g)!.join(':');
}

export function resolveTlsPolicy(opts: PbxTlsOptions | undefined): TlsPolicy {
  const ca: string[] = [];
  if (opts?.caPem !== undefined) ca.push(checkPem(opts.caPem, 'The trusted certificate'));
  if (opts?.caFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.caFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw new PbxInputError('PBX_CA_FILE_UNREADABLE', `The certificate file could not be read (${code}). Choose a PEM file (.pem/.crt) exported from the PBX or your CA.`, { caFile: opts.caFile });
    }
    ca.push(checkPem(text, 'The certificate file'));
  }
  return {
    ca: ca.length > 0 ? ca : undefined,
    pin: opts?.pinSha256 !== undefined && opts.pinSha256.trim() !== '' ? normalizeFingerprint(opts.pinSha256) : undefined,
    insecure: opts?.insecure === true,
  };
}

function checkPem(text: string, what: string): string {
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(text)) {
    throw new PbxInputError('PBX_BAD_CA', `${what} is not a PEM certificate (it must contain "-----BEGIN CERTIFICATE-----").`);
  }
  return text;
}

export interface TlsConnectContext {
  base: BaseUrl;
  policy: TlsPolicy;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Called once per connection accepted only because of `insecure`. */
  onInsecure?: (fingerprint256: string) => void;
}

/** Opens a TLS connection and applies the policy; resolves only with a socket we are willing to send secrets to. */
export function connectTls(ctx: TlsConnectContext): Promise<tls.TLSSocket> {
  const { base, policy } = ctx;
  return new Promise((resolve, reject) => {
    if (ctx.signal?.aborted) {
      reject(new CancelledError('The request'));
      return;
    }
    const socket = tls.connect({
      host: base.hostname,
      port: base.port,
      ...(net.isIP(base.hostname) === 0 ? { servername: base.hostname } : {}),
      rejectUnauthorized: false,
      ...(policy.ca ? { ca: [...tls.rootCertificates, ...policy.ca] } : {}),
    });
    let settled = false;
    const finish = (error: Error | null): void => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      ctx.signal?.removeEventListener('abort', onAbort);
      if (error) {
        socket.destroy();
        reject(error);
      } else {
        resolve(socket);
      }
    };
    const onAbort = (): void => finish(new CancelledError('The request'));
    ctx.signal?.addEventListener('abort', onAbort, { once: true });
    // Keeps a late socket error from becoming an uncaught exception before http attaches its own listener.
    socket.on('error', (error) => finish(mapSocketError(error, base, 'connecting')));
    socket.setTimeout(ctx.timeoutMs, () => finish(mapSocketError(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }), base, 'connecting')));
    socket.once('secureConnect', () => finish(verifyPeer(socket, ctx)));
  });
}

function verifyPeer(socket: tls.TLSSocket, ctx: TlsConnectContext): PbxTlsError | null {
  const { base, policy } = ctx;
  const cert = socket.getPeerCertificate();
  const fingerprint256 = typeof cert.fingerprint256 === 'string' ? cert.fingerprint256 : '';
  const detail = {
    fingerprint256,
    subject: cert.subject?.CN,
    issuer: cert.issuer?.CN,
    validTo: cert.valid_to,
    host: base.hostname,
  };
  if (fingerprint256 === '') return new PbxTlsError('PBX_TLS_HANDSHAKE', 'The PBX did not present a certificate. Check the address and port.', detail);
  if (policy.pin !== undefined) {
    if (fingerprint256.toUpperCase() === policy.pin) return null;
    return new PbxTlsError(
      'PBX_TLS_PIN_MISMATCH',
      `The PBX showed a different certificate than the one pinned for it. Its SHA-256 fingerprint is ${fingerprint256}. If the PBX certificate was renewed on purpose, compare this value with the certificate shown in the PBX web portal and pin the new one; otherwise someone may be intercepting the connection.`,
      { ...detail, pinned: policy.pin, problem: 'fingerprint-mismatch' },
    );
  }
  if (policy.insecure) {
    ctx.onInsecure?.(fingerprint256);
    return null;
  }
  // Node checks the chain first and, only if it is valid, the host name (authorizationError
  // ERR_TLS_CERT_ALTNAME_INVALID). An authorized socket is re-checked here so the rule never depends on Node's default.
  const reason = socket.authorized ? '' : String(socket.authorizationError ?? 'unknown');
  const hostnameMismatch = reason === 'ERR_TLS_CERT_ALTNAME_INVALID' || (reason === '' && tls.checkServerIdentity(base.hostname, cert) !== undefined);
  if (reason === '' && !hostnameMismatch) return null;
  const cn = cert.subject?.CN;
  const names = cert.subjectaltname ? cert.subjectaltname.replace(/(DNS|IP Address):/g, '') : Array.isArray(cn) ? cn.join(', ') : (cn ?? '');
  const problem = tlsProblem(hostnameMismatch ? 'ERR_TLS_CERT_ALTNAME_INVALID' : reason, { host: base.hostname, names, validFrom: cert.valid_from, validTo: cert.valid_to, fingerprint256 });
  // The words first; the raw OpenSSL/Node code stays in detail.reason (the app shows it in small print).
  return new PbxTlsError(problem.code, problem.message, { ...detail, reason: hostnameMismatch ? 'ERR_TLS_CERT_ALTNAME_INVALID' : reason, problem: problem.problem });
}

export type TlsProblemKind = 'self-signed' | 'unknown-ca' | 'expired' | 'not-yet-valid' | 'wrong-host' | 'fingerprint-mismatch' | 'revoked' | 'other';

/** OpenSSL/Node verification codes by what they mean to a person. */
const SELF_SIGNED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN']);
const UNKNOWN_CA = new Set(['UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE', 'INVALID_CA']);

export interface TlsProblemFacts {
  host: string;
  /** The names the certificate was issued for (comma separated). */
  names?: string;
  validFrom?: string;
  validTo?: string;
  fingerprint256?: string;
}

/**
 * A certificate verification failure in words an administrator understands: what is wrong and what to do. The raw
 * code (`reason`) is not part of the message; callers keep it in the error's detail for the small print.
 */
export function tlsProblem(reason: string, facts: TlsProblemFacts): { code: PbxTlsCode; problem: TlsProblemKind; message: string } {
  const pinHint = `or pin its SHA-256 fingerprint${facts.fingerprint256 ? ` ${facts.fingerprint256}` : ''} after comparing it with the one shown on the PBX`;
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = facts.names ? ` It was issued for ${facts.names}.` : '';
    return {
      code: 'PBX_TLS_HOSTNAME_MISMATCH',
      problem: 'wrong-host',
      message: `The PBX certificate is for another name than "${facts.host}", the address you entered.${names} Connect with a name from the certificate, ${pinHint}.`,
    };
  }
  if (reason === 'CERT_HAS_EXPIRED') {
    return {
      code: 'PBX_TLS_EXPIRED',
      problem: 'expired',
      message: `The PBX certificate has expired${facts.validTo ? ` (it was valid until ${facts.validTo})` : ''}. Renew it on the PBX, check that this computer's date is right, ${pinHint}.`,
    };
  }
  if (reason === 'CERT_NOT_YET_VALID') {
    return {
      code: 'PBX_TLS_EXPIRED',
      problem: 'not-yet-valid',
      message: `The PBX certificate is not valid yet${facts.validFrom ? ` (it starts on ${facts.validFrom})` : ''}. Check that this computer's date and time are right, ${pinHint}.`,
    };
  }
  if (SELF_SIGNED.has(reason)) {
    return {
      code: 'PBX_TLS_UNTRUSTED',
      problem: 'self-signed',
      message: `The PBX uses a self-signed certificate (it vouches for itself, so this computer cannot check it; PBXs often ship with one). Trust it by choosing the PBX's certificate file (PEM), ${pinHint}.`,
    };
  }
  if (UNKNOWN_CA.has(reason)) {
    return {
      code: 'PBX_TLS_UNTRUSTED',
      problem: 'unknown-ca',
      message: `The PBX certificate was issued by a certificate authority this computer does not know (for example your company's own). Trust it by choosing that authority's certificate file (PEM), ${pinHint}.`,
    };
  }
  if (reason === 'CERT_REVOKED') {
    return { code: 'PBX_TLS_UNTRUSTED', problem: 'revoked', message: 'The PBX certificate was revoked by whoever issued it. Install a new certificate on the PBX before connecting.' };
  }
  return {
    code: 'PBX_TLS_UNTRUSTED',
    problem: 'other',
    message: `The PBX certificate could not be checked, so the connection is not safe to use. Trust it by choosing the PBX's certificate or CA file (PEM), ${pinHint}.`,
  };
}

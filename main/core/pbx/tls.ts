// TLS policy: system roots (+ an optional trusted CA/cert), or a pinned leaf fingerprint, or an explicit insecure mode.
// Verification is done by us after the handshake and BEFORE any request byte is written, so a rejected server
// never receives the credentials; every rejection carries the server's SHA-256 fingerprint for the UI to offer pinning.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { CancelledError } from '../errors.js';
import { PbxInputError, PbxTlsError } from './errors.js';
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
      `The PBX certificate does not match the pinned fingerprint. Its SHA-256 fingerprint is ${fingerprint256}. If the PBX certificate was renewed on purpose, compare this value with the certificate shown in the PBX web portal and pin the new one; otherwise someone may be intercepting the connection.`,
      { ...detail, pinned: policy.pin },
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
  if (reason !== '' && !hostnameMismatch) {
    if (reason === 'CERT_HAS_EXPIRED' || reason === 'CERT_NOT_YET_VALID') {
      return new PbxTlsError('PBX_TLS_EXPIRED', `The PBX certificate is expired or not yet valid (valid to ${cert.valid_to}). Renew it on the PBX, check this computer's clock, or pin its fingerprint ${fingerprint256}.`, { ...detail, reason });
    }
    return new PbxTlsError(
      'PBX_TLS_UNTRUSTED',
      `The PBX certificate is not trusted (${reason}; PBXs often use a self-signed certificate). Trust it by choosing the PBX's certificate or CA file, or pin its SHA-256 fingerprint ${fingerprint256} after comparing it with the one shown on the PBX.`,
      { ...detail, reason },
    );
  }
  if (hostnameMismatch) {
    const names = cert.subjectaltname ? cert.subjectaltname.replace(/(DNS|IP Address):/g, '') : (cert.subject?.CN ?? 'another name');
    return new PbxTlsError(
      'PBX_TLS_HOSTNAME_MISMATCH',
      `The PBX certificate is not valid for "${base.hostname}" (it was issued for ${names}). Connect with a name from the certificate, or pin its SHA-256 fingerprint ${fingerprint256}.`,
      { ...detail, reason: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    );
  }
  return null;
}

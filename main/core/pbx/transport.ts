// One HTTP exchange per connection (the PBX closes after replying), over node:http / node:https directly so that our
// TLS policy applies. Maps every transport failure to a typed error; knows nothing about tokens or endpoints.
import http from 'node:http';
import https from 'node:https';
import type { Duplex, Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tls from 'node:tls';
import net from 'node:net';
import { CancelledError, VmgsError } from '../errors.js';
import { PbxBadResponseError, PbxSchemeMismatchError, PbxTimeoutError } from './errors.js';
import { mapSocketError } from './neterrors.js';
import { connectTls, type TlsPolicy } from './tls.js';
import type { BaseUrl } from './url.js';

export interface ConnectionContext {
  readonly base: BaseUrl;
  readonly policy: TlsPolicy;
  readonly userAgent: string;
  readonly timeoutMs: number;
  readonly onInsecure?: (fingerprint256: string) => void;
}

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers?: Record<string, string | number>;
  /** A Buffer, or a stream whose exact length is in headers['Content-Length']. */
  body?: Buffer | Readable;
  signal?: AbortSignal | undefined;
  /** Bytes of the body handed to the socket so far. */
  onBodyProgress?: (sent: number) => void;
  /** What we were doing, for messages: 'uploading the greeting'. */
  phase: string;
  /** What is being cancelled, for CancelledError: 'The upload'. */
  what?: string;
}

/**
 * Sends one request and hands the response to `onResponse`, which must consume it. Rejects with a VmgsError:
 * PbxNetworkError, PbxTimeoutError, PbxTlsError, PbxSchemeMismatchError, CancelledError, or what onResponse throws.
 */
export async function exchange<T>(ctx: ConnectionContext, r: ExchangeRequest, onResponse: (res: http.IncomingMessage) => Promise<T>): Promise<T> {
  let responded = false;
  try {
    return await exchangeOnce(ctx, r, (res) => {
      responded = true;
      return onResponse(res);
    });
  } catch (error) {
    // A plain-HTTP request to an HTTPS port is dropped by the server without an answer: probe TLS to explain it.
    if (!responded && ctx.base.protocol === 'http:' && error instanceof VmgsError && (error.code === 'PBX_CONNECTION_RESET' || error.code === 'PBX_UNEXPECTED_RESPONSE')) {
      if (await speaksTls(ctx.base, Math.min(ctx.timeoutMs, 3000))) {
        throw new PbxSchemeMismatchError(
          'PBX_HTTP_TO_HTTPS_PORT',
          `${ctx.base.hostname}:${ctx.base.port} expects HTTPS. Change the address to start with https:// (and trust or pin the PBX certificate if asked).`,
          { host: ctx.base.hostname, port: ctx.base.port },
        );
      }
    }
    throw error;
  }
}

function exchangeOnce<T>(ctx: ConnectionContext, r: ExchangeRequest, onResponse: (res: http.IncomingMessage) => Promise<T>): Promise<T> {
  const { base } = ctx;
  return new Promise<T>((resolve, reject) => {
    if (r.signal?.aborted) {
      reject(new CancelledError(r.what ?? 'The request'));
      return;
    }
    let settled = false;
    const headers: Record<string, string | number> = { ...r.headers, 'User-Agent': ctx.userAgent, Connection: 'close' };
    if (Buffer.isBuffer(r.body)) headers['Content-Length'] = r.body.length;
    const options: https.RequestOptions = {
      method: r.method,
      host: base.hostname,
      port: base.port,
      path: `${r.url.pathname}${r.url.search}`,
      headers,
      // Without an agent Node would otherwise write 'Host: name:443'; keep the Host header as a browser sends it.
      defaultPort: base.protocol === 'https:' ? 443 : 80,
    };
    let req: http.ClientRequest;
    if (base.protocol === 'https:') {
      options.createConnection = (_o, oncreate: (err: Error | null, socket: Duplex) => void) => {
        connectTls({ base, policy: ctx.policy, timeoutMs: ctx.timeoutMs, signal: r.signal, ...(ctx.onInsecure ? { onInsecure: ctx.onInsecure } : {}) }).then(
          (socket) => oncreate(null, socket),
          (error: Error) => oncreate(error, undefined as unknown as Duplex),
        );
        return undefined;
      };
      req = https.request(options);
    } else {
      options.agent = false;
      req = http.request(options);
    }

    // The response consumer (e.g. a download writing a temp file) must finish its cleanup before we report.
    let consuming: Promise<unknown> | undefined;
    const finish = (error: unknown, value?: T): void => {
      if (settled) return;
      settled = true;
      r.signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) {
        req.destroy();
        const mapped = toVmgsError(error, base, r.phase);
        if (consuming) {
          // Bounded: a consumer that never settles must not hold the error back.
          const bound = new Promise((resolveBound) => setTimeout(resolveBound, 2000).unref());
          Promise.race([consuming, bound]).then(() => reject(mapped), () => reject(mapped));
        }
        else reject(mapped);
      } else {
        resolve(value as T);
      }
    };
    const onAbort = (): void => finish(new CancelledError(r.what ?? 'The request'));
    r.signal?.addEventListener('abort', onAbort, { once: true });

    req.setTimeout(ctx.timeoutMs, () => {
      finish(new PbxTimeoutError(`The PBX at ${base.hostname}:${base.port} stopped responding for ${Math.round(ctx.timeoutMs / 1000)} s while ${r.phase}. Check the network and try again.`, { phase: r.phase, timeoutMs: ctx.timeoutMs }));
    });
    req.on('error', (error) => finish(error));
    req.on('response', (res) => {
      res.on('error', (error) => finish(error));
      consuming = onResponse(res);
      consuming.then(
        (value) => finish(undefined, value as T),
        (error: unknown) => finish(error),
      );
    });

    if (r.body === undefined) {
      req.end();
    } else if (Buffer.isBuffer(r.body)) {
      req.end(r.body);
    } else {
      let sent = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          sent += chunk.length;
          r.onBodyProgress?.(sent);
          cb(null, chunk);
        },
      });
      pipeline(r.body, counter, req).catch((error: unknown) => finish(error));
    }
  });
}

function toVmgsError(error: unknown, base: BaseUrl, phase: string): VmgsError {
  if (error instanceof VmgsError) return error;
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code.startsWith('HPE_')) {
    return new PbxBadResponseError('PBX_UNEXPECTED_RESPONSE', `${base.hostname}:${base.port} did not answer with valid HTTP while ${phase}. Check that the address and port belong to the PBX web interface.`, { phase, parseError: code });
  }
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ERR_STREAM_DESTROYED') {
    return mapSocketError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }), base, phase);
  }
  return mapSocketError(error, base, phase);
}

/** True when host:port completes a TLS handshake (any certificate): used to explain http:// against an HTTPS port. */
function speaksTls(base: BaseUrl, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: base.hostname,
      port: base.port,
      rejectUnauthorized: false,
      ...(net.isIP(base.hostname) === 0 ? { servername: base.hostname } : {}),
    });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('secureConnect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Reads a whole (small) response body; a broken connection surfaces as the response's error. */
export async function readBody(res: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    res.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        res.destroy();
        reject(new PbxBadResponseError('PBX_UNEXPECTED_RESPONSE', `The PBX answer was larger than expected (over ${maxBytes} bytes). Check that the address points to the PBX.`, { maxBytes }));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => {
      // 'end' after an aborted response would hide a truncated body.
      if (res.complete) resolve();
      else reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    });
    res.on('error', reject);
    res.on('aborted', () => reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  });
  return Buffer.concat(chunks);
}

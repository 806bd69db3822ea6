// Test helpers for the PBX client: a tiny scripted HTTP(S) server, certificates, temp dirs and secret checks.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';
import { expect } from 'vitest';

export interface SeenRequest {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: SeenRequest, res: http.ServerResponse) => void | Promise<void>;

export interface TinyServer {
  url: string;
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

export interface TestCert {
  keyPem: string;
  certPem: string;
  fingerprint256: string;
}

export async function makeCert(altNames: ({ type: 2; value: string } | { type: 7; ip: string })[]): Promise<TestCert> {
  const pems = await generate([{ name: 'commonName', value: 'test-pbx' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(Date.now() - 60_000),
    notAfterDate: new Date(Date.now() + 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { keyPem: pems.private, certPem: pems.cert, fingerprint256: new X509Certificate(pems.cert).fingerprint256 };
}

/** Starts a server on 127.0.0.1 that buffers each request body and then calls `handler`. */
export async function tinyServer(handler: Handler, tls?: TestCert): Promise<TinyServer> {
  const seen: SeenRequest[] = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => undefined);
    req.on('end', () => {
      const r: SeenRequest = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(r);
      Promise.resolve(handler(r, res)).catch(() => res.destroy());
    });
  };
  const server = tls ? https.createServer({ key: tls.keyPem, cert: tls.certPem }, onRequest) : http.createServer(onRequest);
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export function json(res: http.ServerResponse, body: unknown, status = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
  res.end(text);
}

export function tokenAnswer(n: number, ttl = 1800) {
  return { errcode: 0, errmsg: 'SUCCESS', access_token: `ACCESS${n}xxxxxxxxxxxxxxxxxxxxxx`, access_token_expire_time: ttl, refresh_token: `REFRESH${n}yyyyyyyyyyyyyyyyyyyyy`, refresh_token_expire_time: 86400 };
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmgs-pbx-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Asserts that none of `secrets` occurs in the error's message, its JSON form or its detail. */
export function expectNoSecrets(error: unknown, secrets: string[]): void {
  const text = `${String((error as Error)?.message)}\n${JSON.stringify(error)}\n${String(error)}`;
  for (const s of secrets) expect(text).not.toContain(s);
}

/** Runs fn and returns what it threw (fails the test when it does not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Error & { code?: string; kind?: string; detail?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

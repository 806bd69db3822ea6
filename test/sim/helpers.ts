// Test helpers: raw HTTP(S) requests to the simulator (no client library), multipart bodies built by hand.
import http from 'node:http';
import https from 'node:https';
import type { Simulator } from '../../main/sim/index.js';

export interface RawResponse { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

export interface RequestOpts {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  userAgent?: string | null;
  ca?: string;
  timeoutMs?: number;
}

export function rawRequest(url: string, o: RequestOpts = {}): Promise<RawResponse> {
  const u = new URL(url);
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.userAgent !== null) headers['User-Agent'] = o.userAgent ?? 'OpenAPI';
  const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : Buffer.from(o.body);
  if (body) headers['Content-Length'] = String(body.length);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      { method: o.method ?? 'GET', headers, agent: false, ...(o.ca ? { ca: o.ca } : {}), timeout: o.timeoutMs ?? 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

export type ApiJson = Record<string, unknown> & { errcode: number; errmsg: string };

export function parseJson(r: RawResponse): ApiJson {
  return JSON.parse(r.body.toString('utf8')) as ApiJson;
}

export async function api(sim: Simulator, endpoint: string, o: RequestOpts & { token?: string; query?: Record<string, string | number>; json?: unknown; ca?: string } = {}): Promise<ApiJson> {
  const u = new URL(`${sim.url}/openapi/v1.0/${endpoint}`);
  if (o.token !== undefined) u.searchParams.set('access_token', o.token);
  for (const [k, v] of Object.entries(o.query ?? {})) u.searchParams.set(k, String(v));
  const ro: RequestOpts = { ...o };
  if (o.json !== undefined) {
    ro.method = o.method ?? 'POST';
    ro.body = JSON.stringify(o.json);
    ro.headers = { 'Content-Type': 'application/json', ...(o.headers ?? {}) };
  }
  const ca = o.ca ?? sim.certPem;
  if (ca) ro.ca = ca;
  const r = await rawRequest(u.toString(), ro);
  return parseJson(r);
}

export async function getToken(sim: Simulator): Promise<{ access: string; refresh: string }> {
  const r = await api(sim, 'get_token', { json: { username: sim.clientId, password: sim.clientSecret } });
  if (r.errcode !== 0) throw new Error(`get_token failed: ${JSON.stringify(r)}`);
  return { access: r.access_token as string, refresh: r.refresh_token as string };
}

export interface Part { name: string; value?: string; filename?: string; contentType?: string; data?: Buffer }

export function multipart(parts: Part[], boundary = '----WebKitFormBoundary7MA4YWxkTrZu0gW'): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    // A quote inside the quoted filename is backslash-escaped (as curl does); busboy unescapes it.
    if (p.filename !== undefined) head += `; filename="${p.filename.replace(/"/g, '\\"')}"\r\nContent-Type: ${p.contentType ?? 'audio/wav'}`;
    chunks.push(Buffer.from(`${head}\r\n\r\n`), p.data ?? Buffer.from(p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function upload(sim: Simulator, token: string, parts: Part[], extra: RequestOpts = {}): Promise<ApiJson> {
  const { body, contentType } = multipart(parts);
  const u = `${sim.url}/openapi/v1.0/extension_vm_greeting/upload?access_token=${encodeURIComponent(token)}`;
  const r = await rawRequest(u, { method: 'POST', body, headers: { 'Content-Type': contentType }, ...(sim.certPem ? { ca: sim.certPem } : {}), ...extra });
  return parseJson(r);
}

export function greetingParts(owner: string, filename: string, data: Buffer, isCheck: 'ask' | 'force' | string): Part[] {
  return [
    { name: 'file', filename, data, contentType: 'audio/wav' },
    { name: 'owner', value: owner },
    { name: 'is_check', value: isCheck },
  ];
}

// Test helper (not shipped): serves the built renderer over HTTP on 127.0.0.1 and exposes the SAME IPC handlers
// the app registers, so a plain Chromium page gets a working window.vmgs. Calls go through createDispatcher
// (sender check + zod validation + envelope) exactly as ipcMain.handle calls do.
//   POST /ipc/<channel>   body: JSON payload (Uint8Array encoded as {"$bytes":"<base64>"}) -> JSON IpcResult
//   GET  /events          server-sent events: {"event": <EventName>, "payload": ...}
// bridgeClientScript() is the page-side shim (inject it with page.addInitScript before the app loads).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../main/shell/csp.js';
import { createDispatcher, trustOrigin } from '../../main/ipc/register.js';
import type { Handlers } from '../../main/ipc/handlers/index.js';

export interface HttpBridge {
  url: string;
  close(): Promise<void>;
}

function encode(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (Array.isArray(value)) return value.map(encode);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v)]));
  return value;
}
function decode(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decode);
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o['$bytes'] === 'string' && Object.keys(o).length === 1) return new Uint8Array(Buffer.from(o['$bytes'], 'base64'));
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decode(v)]));
  }
  return value;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

export async function startHttpBridge(opts: { handlers: Handlers; rendererDir: string; port?: number }): Promise<HttpBridge> {
  const sse = new Set<http.ServerResponse>();
  let origin = '';
  const dispatch = createDispatcher(opts.handlers, { isTrustedSender: (u) => trustOrigin(origin)(u) });
  const sender = {
    send(channel: string, payload: unknown) {
      const event = channel.replace(/^vmgs-event:/, '');
      const line = `data: ${JSON.stringify({ event, payload: encode(payload) })}\n\n`;
      for (const res of sse) res.write(line);
    },
  };
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', origin);
      if (req.method === 'GET' && url.pathname === '/events') {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
        res.write(': open\n\n');
        sse.add(res);
        req.on('close', () => sse.delete(res));
        return;
      }
      if (req.method === 'POST' && url.pathname.startsWith('/ipc/')) {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        let payload: unknown;
        try {
          payload = decode(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
        } catch {
          payload = undefined;
        }
        // The page's own URL plays the part of event.senderFrame.url.
        const senderUrl = req.headers.referer ?? req.headers.origin ?? '';
        const result = await dispatch(url.pathname.slice(5), payload, { senderFrame: { url: senderUrl }, sender });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(encode(result)));
        return;
      }
      if (req.method !== 'GET') {
        res.writeHead(405).end();
        return;
      }
      const rel = url.pathname === '/' ? '/index.html' : url.pathname;
      const file = path.resolve(opts.rendererDir, '.' + path.posix.normalize(decodeURIComponent(rel)));
      if (!file.startsWith(path.resolve(opts.rendererDir) + path.sep)) {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = await readFile(file);
        res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Security-Policy': CONTENT_SECURITY_POLICY });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('bridge did not bind');
  origin = `http://127.0.0.1:${addr.port}`;
  return {
    url: origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of sse) res.end();
        sse.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Page-side shim: defines window.vmgs with one function per channel, routed to the bridge. */
export function bridgeClientScript(channelNames: readonly string[]): string {
  return `(() => {
  const names = ${JSON.stringify(channelNames)};
  const toB64 = (u8) => { let s = ''; for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000)); return btoa(s); };
  const fromB64 = (b) => { const s = atob(b); const u = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u; };
  const enc = (v) => v instanceof Uint8Array ? { $bytes: toB64(v) } : Array.isArray(v) ? v.map(enc) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, enc(x)])) : v;
  const dec = (v) => Array.isArray(v) ? v.map(dec) : v && typeof v === 'object' ? (typeof v.$bytes === 'string' && Object.keys(v).length === 1 ? fromB64(v.$bytes) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dec(x)]))) : v;
  const listeners = new Map();
  const es = new EventSource('/events');
  es.onmessage = (m) => { const { event, payload } = JSON.parse(m.data); for (const l of listeners.get(event) || []) l(dec(payload)); };
  const api = {};
  for (const n of names) api[n] = async (req) => dec(await (await fetch('/ipc/' + n, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(enc(req)) })).json());
  api.on = (event, l) => { const s = listeners.get(event) || new Set(); s.add(l); listeners.set(event, s); return () => s.delete(l); };
  window.vmgs = Object.freeze(api);
})();`;
}

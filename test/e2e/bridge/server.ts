// Test bridge: one HTTP server on 127.0.0.1 that serves the BUILT renderer and answers the preload API with the
// same IPC handlers the Electron main process registers (composeApp from main/shell/compose.ts, dispatched through
// createDispatcher with its sender check and zod validation). Calls are POST /__vmgs/call/<channel>; main -> page
// events go out as server-sent events on GET /__vmgs/events: a request's own events (progress) to its page, the
// app's broadcasts (outbox, connection) to every page.
// Used by test/e2e, scripts/bench and child.mjs (the bridge as its own process), so it must not import vitest.
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CHANNEL_NAMES, type IpcResult } from '../../../main/ipc/channels.js';
import type { AppHandlers } from '../../../main/ipc/handlers/index.js';
import { createDispatcher, trustOrigin, type IpcMainInvokeEventLike } from '../../../main/ipc/register.js';
import type { AppServices, ClockPort, DemoPbx, ProfileStorePort } from '../../../main/ipc/services.js';
import { composeApp } from '../../../main/shell/compose.js';
import { CONTENT_SECURITY_POLICY } from '../../../main/shell/csp.js';
import { MemoryProfiles } from './profiles.js';
import { decodeWire, encodeWire } from './wire.js';

export const BRIDGE_PREFIX = '/__vmgs';
const MAX_BODY_BYTES = 300 * 1024 * 1024;
const EVENT_PREFIX = 'vmgs-event:';

export interface BridgeOptions {
  /** Folder with the built renderer (index.html + assets). */
  rendererDir: string;
  /** The data folder (drafts, queue, history, directory cache), as VMGREET_DATA_DIR would name it. */
  dataDir: string;
  /** What "Try the demo PBX" starts: the test hands over a simulator it started itself, to inspect its store. */
  startDemoPbx: () => Promise<DemoPbx>;
  profiles?: ProfileStorePort;
  maxRecordingSec?: number;
  /** Answer of the native "open audio file" dialog (the browser has none; only the menu path would use it). */
  openAudioFile?: () => Promise<string | null>;
  /** Answer of the native "save file" dialog (exportDraft, exportHistoryCsv, downloadGreeting); default: cancelled. */
  saveFile?: (defaultName: string) => Promise<string | null>;
  /** Answer of the native "open CSV mapping" dialog (pickCsvMapping); default: cancelled. */
  openCsvFile?: () => Promise<string | null>;
  clock?: ClockPort;
  connectionCheckMs?: number;
  outbox?: AppServices['outbox'];
  /** Port to listen on (default: any free one). */
  port?: number;
}

export interface CallRecord {
  channel: string;
  /** Time spent in the handler (dispatch incl. validation), ms. */
  ms: number;
  /** performance.now() in this process when the answer was ready. */
  endedAt: number;
  result: IpcResult<unknown>;
}

export interface Bridge {
  /** Page URL, e.g. http://127.0.0.1:41234/index.html */
  url: string;
  /** Origin trusted by the sender check, e.g. http://127.0.0.1:41234 */
  origin: string;
  app: AppHandlers;
  calls: CallRecord[];
  /** Resolves with the first call on `channel` (after `since` calls) matching `pred`; rejects after timeoutMs. */
  waitForCall(channel: string, opts?: { since?: number; pred?: (c: CallRecord) => boolean; timeoutMs?: number }): Promise<CallRecord>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

interface EventClient {
  res: http.ServerResponse | null;
  /** Events emitted before the page's EventSource connected. */
  queue: string[];
  closed: boolean;
}

export async function startBridge(opts: BridgeOptions): Promise<Bridge> {
  const clients = new Map<string, EventClient>();
  const app = composeApp({
    dataDir: opts.dataDir,
    profiles: opts.profiles ?? new MemoryProfiles(),
    dialogs: { openAudioFile: opts.openAudioFile ?? (async () => null), saveFile: opts.saveFile ?? (async () => null), openCsvFile: opts.openCsvFile ?? (async () => null) },
    openExternal: async () => undefined,
    startDemoPbx: opts.startDemoPbx,
    broadcast: {
      emit(event, payload) {
        const line = `data: ${encodeWire({ event, payload })}\n\n`;
        for (const c of clients.values()) {
          if (c.closed) continue;
          if (c.res) c.res.write(line);
          else if (c.queue.length < 500) c.queue.push(line);
        }
      },
    },
    ...(opts.maxRecordingSec !== undefined ? { maxRecordingSec: opts.maxRecordingSec } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.connectionCheckMs !== undefined ? { connectionCheckMs: opts.connectionCheckMs } : {}),
    ...(opts.outbox ? { outbox: opts.outbox } : {}),
  });
  const calls: CallRecord[] = [];
  const waiters = new Set<() => void>();
  const rendererRoot = path.resolve(opts.rendererDir);
  let origin = '';
  let dispatch: ReturnType<typeof createDispatcher> | null = null;

  function clientFor(id: string): EventClient {
    let c = clients.get(id);
    if (!c) {
      c = { res: null, queue: [], closed: false };
      clients.set(id, c);
    }
    return c;
  }

  async function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return void res.writeHead(400).end();
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const full = path.resolve(rendererRoot, '.' + path.posix.normalize(rel));
    if (rel.includes('\0') || !full.startsWith(rendererRoot + path.sep)) return void res.writeHead(404).end();
    try {
      const st = await stat(full);
      if (!st.isFile()) throw new Error('not a file');
      const body = await readFile(full);
      res.writeHead(200, {
        'Content-Type': TYPES[path.extname(full).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': body.byteLength,
        // The same CSP the app:// protocol sends, so the page runs under the app's policy.
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404).end();
    }
  }

  function serveEvents(res: http.ServerResponse, clientId: string): void {
    const c = clientFor(clientId);
    c.res = res;
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    for (const line of c.queue.splice(0)) res.write(line);
    res.on('close', () => {
      if (c.res === res) c.res = null;
    });
  }

  async function readBody(req: http.IncomingMessage): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.byteLength;
      if (size > MAX_BODY_BYTES) throw new Error('body too large');
      parts.push(b);
    }
    return Buffer.concat(parts).toString('utf8');
  }

  async function serveCall(req: http.IncomingMessage, res: http.ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST' || !dispatch) return void res.writeHead(405).end();
    const clientId = String(req.headers['x-vmgs-client'] ?? '');
    let payload: unknown;
    try {
      payload = decodeWire(await readBody(req));
    } catch {
      return void res.writeHead(400).end();
    }
    const client = clientFor(clientId);
    const event: IpcMainInvokeEventLike = {
      // The browser sets Origin on every POST; it plays the part of Electron's senderFrame.url.
      senderFrame: { url: typeof req.headers.origin === 'string' ? req.headers.origin : '' },
      sender: {
        send(ch: string, data: unknown) {
          const name = ch.startsWith(EVENT_PREFIX) ? ch.slice(EVENT_PREFIX.length) : ch;
          const line = `data: ${encodeWire({ event: name, payload: data })}\n\n`;
          if (client.res) client.res.write(line);
          else client.queue.push(line);
        },
        isDestroyed: () => client.closed,
      },
    };
    const t0 = performance.now();
    const result = await dispatch(channel, payload, event);
    const endedAt = performance.now();
    calls.push({ channel, ms: endedAt - t0, endedAt, result });
    for (const w of [...waiters]) w();
    const body = encodeWire(result);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const p = url.pathname;
    let work: Promise<void>;
    if (p === `${BRIDGE_PREFIX}/events`) work = Promise.resolve(serveEvents(res, url.searchParams.get('client') ?? ''));
    else if (p.startsWith(`${BRIDGE_PREFIX}/call/`)) work = serveCall(req, res, p.slice(`${BRIDGE_PREFIX}/call/`.length));
    else work = serveStatic(req, res, p);
    work.catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // Long renders and uploads: never cut a pending call.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  // The served origin plays the part of app://vmgs in the handlers' sender check.
  dispatch = createDispatcher(app.handlers, { isTrustedSender: trustOrigin(origin) });

  return {
    url: `${origin}/index.html`,
    origin,
    app,
    calls,
    waitForCall(channel, o = {}) {
      const since = o.since ?? 0;
      const pred = o.pred ?? (() => true);
      const find = () => calls.slice(since).find((c) => c.channel === channel && pred(c));
      const hit = find();
      if (hit) return Promise.resolve(hit);
      return new Promise<CallRecord>((resolve, reject) => {
        const check = () => {
          const h = find();
          if (!h) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(h);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${channel} call within ${o.timeoutMs ?? 30_000} ms`));
        }, o.timeoutMs ?? 30_000);
        waiters.add(check);
      });
    },
    async close() {
      for (const c of clients.values()) {
        c.closed = true;
        c.res?.end();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.dispose();
    },
  };
}

/** Channels the bridge routes (the shared map); exported so tests can compare it with the shim and the preload. */
export const BRIDGE_CHANNELS: readonly string[] = CHANNEL_NAMES;

// The simulator: one node:http/https server answering /openapi/v1.0/* like a Yeastar P-Series PBX.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { RawJson, errcodeOf, fail, invalid, ok, required, serialise, type Json, type Reply } from './envelope.js';
import { ExtensionDirectory, basicInfoJson, detailInfo, generateExtensions } from './extensions.js';
import { FaultPlan, HTML_ERROR_PAGE } from './faults.js';
import { GreetingStore, greetingBasename, hasAllowedSuffix, silentWav, suffixOf } from './greetings.js';
import { drain, parseUpload } from './multipart.js';
import { GetTokenBody, RefreshTokenBody, applyPaging, parsePaging, parseSort } from './params.js';
import { makeSelfSignedCert } from './tls.js';
import { TokenStore, randomAlnum } from './tokens.js';
import { checkTtsCreate, createdAnswer, speechLikeWav, type TtsRequestRecord } from './tts.js';
import type { Fault, GreetingRecord, RequestLogEntry, SelectionRecord, Simulator, SimulatorOptions } from './types.js';
import { VoicemailSettings, validRenameTarget, type VoicemailWire } from './voicemail.js';
import type { PresenceStatus } from '../core/domain.js';

const API_PREFIX = '/openapi/v1.0/';
const RESOURCE_PREFIX = '/api/download/';
const FIRMWARE = '83.23.0.15';
const RESOURCE_TTL_MS = 30 * 60 * 1000;
const MAX_JSON_BODY = 64 * 1024;
const MAX_LOG = 5000;

type Resolved = Required<Omit<SimulatorOptions, 'extensions' | 'recordDelayMs'>> & { recordDelayMs: number | undefined };

interface Ctx {
  req: IncomingMessage;
  q: URLSearchParams;
  ip: string;
  clientId: string | undefined;
  entry: RequestLogEntry;
}

interface Route {
  method: 'GET' | 'POST';
  auth: boolean;
  run: (ctx: Ctx) => Promise<Reply> | Reply;
  /** An endpoint a switch can remove: when this says false the path answers 10001 like any unknown interface. */
  present?: () => boolean;
}

interface Resource { bytes: Buffer; suffix: string; expiresAt: number; requiresToken: boolean }

const CONTENT_TYPES: Record<string, string> = { '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.gsm': 'audio/x-gsm' };

function resolveOptions(o: SimulatorOptions): Resolved {
  return {
    https: o.https ?? false,
    port: o.port ?? 0,
    host: o.host ?? '127.0.0.1',
    firstNumber: o.firstNumber ?? 3200,
    clientId: o.clientId ?? randomAlnum(32),
    clientSecret: o.clientSecret ?? randomAlnum(32),
    now: o.now ?? Date.now,
    random: o.random ?? Math.random,
    askDuplicateMode: o.askDuplicateMode ?? 'exist_type',
    sizeLimitBytes: o.sizeLimitBytes ?? 8 * 1024 * 1024,
    refreshInvalidatesOld: o.refreshInvalidatesOld ?? true,
    rewriteSuffixToWav: o.rewriteSuffixToWav ?? false,
    maxTokens: o.maxTokens ?? 8,
    accessTtlSec: o.accessTtlSec ?? 1800,
    refreshTtlSec: o.refreshTtlSec ?? 86400,
    blockAfterFailures: o.blockAfterFailures ?? 5,
    blockDurationSec: o.blockDurationSec ?? 1800,
    maxGreetingsPerExtension: o.maxGreetingsPerExtension ?? Number.POSITIVE_INFINITY,
    deniedEndpoints: o.deniedEndpoints ?? [],
    ipAllowList: o.ipAllowList ?? [],
    recordDelayMs: o.recordDelayMs,
    selectionFields: o.selectionFields ?? 'all',
    selectionValue: o.selectionValue ?? 'file',
    lunchSpelling: o.lunchSpelling ?? 'lunch',
    deleteInUse: o.deleteInUse ?? '70091',
    greetingUpdate: o.greetingUpdate ?? true,
    renameCarriesSelection: o.renameCarriesSelection ?? false,
    keepAlive: o.keepAlive ?? false,
    httpAlso: o.httpAlso ?? false,
    httpPort: o.httpPort ?? 0,
    ttsSupported: o.ttsSupported ?? true,
    ttsCompleteAfterMs: o.ttsCompleteAfterMs ?? 300,
  };
}

function stamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(undefined));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

export class SimServer implements Simulator {
  private opts: Resolved;
  private readonly tokens: TokenStore;
  private readonly store = new GreetingStore();
  private readonly voicemail = new VoicemailSettings(this.store);
  private readonly directory: ExtensionDirectory;
  private readonly faults: FaultPlan;
  private readonly resources = new Map<string, Resource>();
  private readonly tts: TtsRequestRecord[] = [];
  private readonly log: RequestLogEntry[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly routes: Map<string, Route>;
  private readonly servers: (http.Server | https.Server)[] = [];
  private closed = false;
  url = '';
  port = 0;
  httpUrl?: string;
  certPem?: string;
  fingerprint256?: string;

  constructor(options: SimulatorOptions) {
    this.opts = resolveOptions(options);
    this.tokens = new TokenStore(() => this.opts);
    this.faults = new FaultPlan(() => this.opts.random());
    this.directory = new ExtensionDirectory(generateExtensions(options.extensions ?? 20, this.opts.firstNumber));
    this.routes = this.buildRoutes();
  }

  get clientId(): string {
    return this.opts.clientId;
  }

  get clientSecret(): string {
    return this.opts.clientSecret;
  }

  async listen(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) this.sendJson(res, fail(-2), 500);
        else res.destroy();
      });
    };
    let main: http.Server | https.Server;
    if (this.opts.https) {
      const cert = await makeSelfSignedCert();
      this.certPem = cert.certPem;
      this.fingerprint256 = cert.fingerprint256;
      main = https.createServer({ key: cert.keyPem, cert: cert.certPem }, handler);
    } else {
      main = http.createServer(handler);
    }
    this.port = await this.bind(main, this.opts.port);
    this.url = `${this.opts.https ? 'https' : 'http'}://${this.opts.host}:${this.port}`;
    if (this.opts.https && this.opts.httpAlso) {
      // The appliance also answers plain HTTP on its web port: same state, second listener.
      const plain = http.createServer(handler);
      const port = await this.bind(plain, this.opts.httpPort);
      this.httpUrl = `http://${this.opts.host}:${port}`;
    }
    this.directory.warm();
  }

  private async bind(server: http.Server | https.Server, port: number): Promise<number> {
    server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('simulator: no TCP address');
    return addr.port;
  }

  // ---- public test/inspection API -------------------------------------------------------------------------------

  setOptions(partial: Partial<SimulatorOptions>): void {
    const { extensions: _ignored, ...rest } = partial;
    const merged: SimulatorOptions = { ...this.opts, ...rest };
    this.opts = resolveOptions(merged);
  }

  injectFault(f: Fault): void {
    this.faults.add(f);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  greetings(ext: string): GreetingRecord[] {
    return this.store.newestFirst(ext).map((g) => ({ ...g }));
  }

  seedGreeting(ext: string, fileName: string, bytes: Buffer, opts?: { type?: 'record' | 'tts'; listedFile?: string }): void {
    this.store.put(ext, fileName, Buffer.from(bytes), opts?.type ?? 'record', opts?.listedFile ?? fileName);
  }

  selection(ext: string): SelectionRecord {
    return this.voicemail.snapshot(ext);
  }

  seedSelection(ext: string, values: { vm_greeting?: string; presence?: Partial<Record<PresenceStatus, string>> }): void {
    this.voicemail.seed(ext, values);
  }

  ttsRequests(): TtsRequestRecord[] {
    return this.tts.map((r) => ({ ...r }));
  }

  liveTokenCount(): number {
    return this.tokens.liveCount();
  }

  requestLog(): RequestLogEntry[] {
    return this.log.map((e) => ({ ...e, query: { ...e.query } }));
  }

  clearRequestLog(): void {
    this.log.length = 0;
  }

  unblockAll(): void {
    this.tokens.unblockAll();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const done = this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const server of this.servers) server.closeAllConnections();
    for (const s of this.sockets) s.destroy();
    await Promise.all(done);
  }

  // ---- request handling ---------------------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const pathname = url.pathname;
    const q = url.searchParams;
    const ua = req.headers['user-agent'];
    const entry: RequestLogEntry = { method: req.method ?? '', path: pathname, query: redactQuery(q), durationMs: 0 };
    if (ua !== undefined) entry.userAgent = ua;
    let latency = 0;
    const finish = (status: number, errcode?: number): void => {
      entry.status = status;
      if (errcode !== undefined) entry.errcode = errcode;
      entry.durationMs = Math.max(0, performance.now() - started - latency);
      this.log.push(entry);
      if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    };
    const endpoint = pathname.startsWith(API_PREFIX) ? pathname.slice(API_PREFIX.length) : pathname;

    // Gateway-level faults first: they hit any path, before the API sees the request.
    for (const f of this.faults.take(pathname, endpoint, ['latency'])) {
      if (f.kind === 'latency') {
        latency += f.ms;
        entry.fault = 'latency';
      }
    }
    if (latency > 0) await sleep(latency);
    const [gateway] = this.faults.take(pathname, endpoint, ['status', 'html-error']);
    if (gateway) {
      await drain(req);
      entry.fault = gateway.kind;
      if (gateway.kind === 'status') {
        this.sendJson(res, fail(-2), gateway.status);
        finish(gateway.status, -2);
      } else {
        this.sendRaw(res, 502, 'text/html', Buffer.from(HTML_ERROR_PAGE));
        finish(502);
      }
      return;
    }

    let out: Outgoing;
    if (pathname.startsWith(RESOURCE_PREFIX)) {
      await drain(req);
      const result = this.serveResource(pathname, q, req.method ?? '');
      out = result.kind === 'json' ? jsonOut(result.body) : { contentType: result.contentType, bytes: result.bytes, errcode: undefined };
    } else {
      let body: Reply;
      if (!ua || ua.trim() === '') {
        await drain(req);
        body = fail(40002, { invalid_param_list: [{ field: 'User-Agent', validation_type: 'required' }] });
      } else if (this.opts.ipAllowList.length > 0 && !this.opts.ipAllowList.includes(normaliseIp(req.socket.remoteAddress))) {
        await drain(req);
        body = fail(70087);
      } else {
        const route = pathname.startsWith(API_PREFIX) ? this.routes.get(endpoint) : undefined;
        if (!route || route.method !== req.method || route.present?.() === false) {
          await drain(req);
          body = fail(10001);
        } else {
          body = await this.runRoute(route, endpoint, pathname, { req, q, ip: req.socket.remoteAddress ?? '', clientId: undefined, entry }, entry);
        }
      }
      await drain(req);
      out = jsonOut(body);
    }

    // In-transit faults: the request was processed, the reply gets damaged on the way back.
    const [transit] = this.faults.take(pathname, endpoint, ['reset-mid-body', 'garbled-json']);
    if (transit?.kind === 'reset-mid-body') {
      entry.fault = transit.kind;
      if (res.destroyed) return finish(200, out.errcode);
      res.writeHead(200, { 'Content-Type': out.contentType, 'Content-Length': String(out.bytes.length) });
      res.write(out.bytes.subarray(0, Math.max(1, Math.floor(out.bytes.length / 2))), () => {
        req.socket.destroy();
      });
      finish(200, out.errcode);
      return;
    }
    if (transit?.kind === 'garbled-json') {
      entry.fault = transit.kind;
      const garbled = Buffer.concat([out.bytes.subarray(0, Math.floor(out.bytes.length / 2)), Buffer.from('\u0000<<garbled')]);
      this.sendRaw(res, 200, out.contentType, garbled);
      finish(200, out.errcode);
      return;
    }
    this.sendRaw(res, 200, out.contentType, out.bytes);
    finish(200, out.errcode);
  }

  private async runRoute(route: Route, endpoint: string, pathname: string, ctx: Ctx, entry: RequestLogEntry): Promise<Reply> {
    if (route.auth) {
      const token = ctx.q.get('access_token') ?? undefined;
      const expiring = this.faults.take(pathname, endpoint, ['expire-token'], () => this.tokens.validate(token) !== undefined);
      if (expiring.length > 0 && token) {
        this.tokens.expire(token);
        entry.fault = 'expire-token';
      }
      ctx.clientId = this.tokens.validate(token);
      if (ctx.clientId === undefined) {
        await drain(ctx.req);
        return fail(10004);
      }
      if (this.opts.deniedEndpoints.includes(endpoint)) {
        await drain(ctx.req);
        return fail(10005);
      }
    }
    return route.run(ctx);
  }

  private sendJson(res: ServerResponse, body: Reply, status = 200): void {
    this.sendRaw(res, status, 'application/json; charset=utf-8', serialise(body));
  }

  private sendRaw(res: ServerResponse, status: number, contentType: string, bytes: Buffer): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string> = { 'Content-Type': contentType, 'Content-Length': String(bytes.length) };
    if (!this.opts.keepAlive) headers.Connection = 'close';
    res.writeHead(status, headers);
    res.end(bytes);
  }

  private serveResource(pathname: string, q: URLSearchParams, method: string):
    { kind: 'json'; body: Json } | { kind: 'bytes'; bytes: Buffer; contentType: string } {
    if (method !== 'GET') return { kind: 'json', body: fail(10001) };
    const name = pathname.slice(RESOURCE_PREFIX.length);
    const r = this.resources.get(name);
    if (r && r.requiresToken && this.tokens.validate(q.get('access_token') ?? undefined) === undefined) {
      return { kind: 'json', body: fail(10004) };
    }
    if (!r || r.expiresAt <= this.opts.now()) {
      if (r) this.resources.delete(name);
      return { kind: 'json', body: fail(60001) };
    }
    return { kind: 'bytes', bytes: r.bytes, contentType: CONTENT_TYPES[r.suffix] ?? 'application/octet-stream' };
  }

  private makeResource(kind: 'download' | 'play', g: GreetingRecord): string {
    const suffix = g.suffix.toLowerCase() || '.wav';
    const name = `PBX-VoicemailGreeting-${FIRMWARE}-${kind}-${stamp(this.opts.now())}-${randomAlnum(16)}${suffix}`;
    this.resources.set(name, { bytes: g.bytes, suffix, expiresAt: this.opts.now() + RESOURCE_TTL_MS, requiresToken: kind === 'download' });
    return `${RESOURCE_PREFIX}${name}`;
  }

  // ---- endpoints ------------------------------------------------------------------------------------------------------

  private buildRoutes(): Map<string, Route> {
    const r = new Map<string, Route>();
    r.set('get_token', { method: 'POST', auth: false, run: (c) => this.getToken(c) });
    r.set('refresh_token', { method: 'POST', auth: false, run: (c) => this.refreshToken(c) });
    r.set('del_token', { method: 'GET', auth: true, run: (c) => this.delToken(c) });
    r.set('extension/list', { method: 'GET', auth: true, run: (c) => this.listExtensions(c, false) });
    r.set('extension/search', { method: 'GET', auth: true, run: (c) => this.listExtensions(c, true) });
    r.set('extension/get', { method: 'GET', auth: true, run: (c) => this.getExtension(c) });
    r.set('extension/query', { method: 'GET', auth: true, run: (c) => this.queryExtensions(c) });
    r.set('extension/update', { method: 'POST', auth: true, run: (c) => this.updateExtension(c) });
    r.set('extension_vm_greeting/list', { method: 'GET', auth: true, run: (c) => this.listGreetings(c) });
    r.set('extension_vm_greeting/upload', { method: 'POST', auth: true, run: (c) => this.upload(c) });
    r.set('extension_vm_greeting/download', { method: 'GET', auth: true, run: (c) => this.resourceFor(c, 'download') });
    r.set('extension_vm_greeting/play', { method: 'GET', auth: true, run: (c) => this.resourceFor(c, 'play') });
    r.set('extension_vm_greeting/delete', { method: 'GET', auth: true, run: (c) => this.deleteGreeting(c) });
    r.set('extension_vm_greeting/record', { method: 'GET', auth: true, run: (c) => this.record(c) });
    r.set('extension_vm_greeting/create', { method: 'POST', auth: true, run: (c) => this.createTts(c), present: () => this.opts.ttsSupported });
    r.set('extension_vm_greeting/update', { method: 'POST', auth: true, run: (c) => this.renameGreeting(c), present: () => this.opts.greetingUpdate });
    return r;
  }

  private async readJson(ctx: Ctx): Promise<{ ok: true; value: unknown } | { ok: false; error: Json }> {
    const text = await readBody(ctx.req, MAX_JSON_BODY);
    if (text === undefined) return { ok: false, error: fail(40001) };
    if (text.trim() === '') return { ok: true, value: {} };
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, error: fail(40001) };
    }
  }

  private async getToken(ctx: Ctx): Promise<Json> {
    const raw = await this.readJson(ctx);
    if (!raw.ok) return raw.error;
    const blocked = this.tokens.blockedUntilSec(ctx.ip);
    if (blocked !== undefined) return fail(70004, { block_expire_time: blocked });
    const parsed = GetTokenBody.safeParse(raw.value);
    if (!parsed.success) return invalid('username or password', 'error');
    const { username, password } = parsed.data;
    const missing = [...(username ? [] : ['username']), ...(password ? [] : ['password'])];
    if (missing.length > 0) return required(...missing);
    if (username !== this.opts.clientId || password !== this.opts.clientSecret) {
      this.tokens.recordFailure(ctx.ip);
      return fail(-1, { invalid_param_list: [{ field: 'username or password', value: 'error' }] });
    }
    this.tokens.recordSuccess(ctx.ip);
    const issued = this.tokens.issue(username);
    return issued.ok ? ok({ ...issued.tokens }) : fail(issued.errcode);
  }

  private async refreshToken(ctx: Ctx): Promise<Json> {
    const raw = await this.readJson(ctx);
    if (!raw.ok) return raw.error;
    const blocked = this.tokens.blockedUntilSec(ctx.ip);
    if (blocked !== undefined) return fail(70004, { block_expire_time: blocked });
    const parsed = RefreshTokenBody.safeParse(raw.value);
    if (!parsed.success) return invalid('refresh_token', 'error');
    if (!parsed.data.refresh_token) return required('refresh_token');
    const issued = this.tokens.refreshWith(parsed.data.refresh_token);
    if (!issued) return fail(10004);
    return issued.ok ? ok({ ...issued.tokens }) : fail(issued.errcode);
  }

  private delToken(ctx: Ctx): Json {
    const token = ctx.q.get('access_token');
    if (token) this.tokens.revoke(token);
    return ok();
  }

  private listExtensions(ctx: Ctx, search: boolean): Reply {
    const paging = parsePaging(ctx.q);
    if (!paging.ok) return paging.error;
    const sort = parseSort(ctx.q);
    if (!sort.ok) return sort.error;
    const { sortBy, orderBy } = sort.value;
    const all = search ? this.directory.search(ctx.q.get('search_value') ?? '', sortBy, orderBy) : this.directory.ordered(sortBy, orderBy);
    const rows = applyPaging(all, paging.value);
    const parts: Buffer[] = [Buffer.from(`{"errcode":0,"errmsg":"SUCCESS","total_number":${all.length},"data":[`)];
    const comma = Buffer.from(',');
    rows.forEach((e, i) => {
      if (i > 0) parts.push(comma);
      parts.push(basicInfoJson(e));
    });
    parts.push(Buffer.from(']}'));
    return new RawJson(Buffer.concat(parts), 0);
  }

  private getExtension(ctx: Ctx): Json {
    const raw = ctx.q.get('id');
    if (!raw) return required('id');
    if (!/^\d+$/.test(raw.trim())) return invalid('id', raw);
    const e = this.directory.byIdOf(Number(raw.trim()));
    return e ? ok({ data: this.detail(e) }) : fail(60001);
  }

  private get wire(): VoicemailWire {
    return { selectionFields: this.opts.selectionFields, selectionValue: this.opts.selectionValue, lunchSpelling: this.opts.lunchSpelling };
  }

  private detail(e: Parameters<typeof detailInfo>[0]): Record<string, unknown> {
    return { ...detailInfo(e), ...this.voicemail.fieldsFor(e.number, this.wire) };
  }

  /** Body recorded in the request log (tests assert exactly what a client sent). */
  private async readLoggedJson(ctx: Ctx): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; error: Json }> {
    const raw = await this.readJson(ctx);
    if (!raw.ok) return raw;
    ctx.entry.body = raw.value;
    if (raw.value === null || typeof raw.value !== 'object' || Array.isArray(raw.value)) return { ok: false, error: fail(40001) };
    return { ok: true, value: raw.value as Record<string, unknown> };
  }

  private async updateExtension(ctx: Ctx): Promise<Json> {
    const body = await this.readLoggedJson(ctx);
    if (!body.ok) return body.error;
    const id = body.value.id;
    if (id === undefined || id === null || id === '') return required('id');
    if (!/^\d+$/.test(String(id))) return invalid('id', String(id));
    const e = this.directory.byIdOf(Number(id));
    if (!e) return fail(60001);
    return this.voicemail.update(e.number, body.value, this.wire) ?? ok();
  }

  private async renameGreeting(ctx: Ctx): Promise<Json> {
    const body = await this.readLoggedJson(ctx);
    if (!body.ok) return body.error;
    const { id, number, file } = body.value;
    const missing = [...(id === undefined ? ['id'] : []), ...(number === undefined ? ['number'] : []), ...(file === undefined ? ['file'] : [])];
    if (missing.length > 0) return required(...missing);
    if (!/^\d+$/.test(String(id))) return invalid('id', String(id));
    if (typeof file !== 'string' || !validRenameTarget(file)) return invalid('file', String(file));
    const ext = String(number);
    const g = this.directory.byNumberOf(ext) ? this.store.byId(ext, Number(id)) : undefined;
    if (!g) return fail(60001);
    const from = g.real_filename;
    const to = `${file}${g.suffix}`;
    if (to === from) return ok();
    if (this.store.find(ext, to)) return fail(40003, { invalid_param_list: [{ field: 'file', value: file }] });
    this.store.rename(g, file);
    if (this.opts.renameCarriesSelection) this.voicemail.renamed(ext, from, to);
    return ok();
  }

  private queryExtensions(ctx: Ctx): Json {
    const raw = ctx.q.get('ids');
    if (!raw) return required('ids');
    const parts = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (parts.some((s) => !/^\d+$/.test(s))) return invalid('ids', raw);
    const data = parts.map((s) => this.directory.byIdOf(Number(s))).filter((e) => e !== undefined).map((e) => this.detail(e));
    return ok({ data });
  }

  private listGreetings(ctx: Ctx): Json {
    const ext = ctx.q.get('extension');
    if (!ext) return required('extension');
    const paging = parsePaging(ctx.q);
    if (!paging.ok) return paging.error;
    if (!this.directory.byNumberOf(ext)) return fail(60001);
    const all = this.store.newestFirst(ext);
    return ok({
      total_number: all.length,
      greeting_list: applyPaging(all, paging.value).map((g) => ({
        id: g.id, module: 'extension', number: g.number, file: g.file, suffix: g.suffix, type: g.type, real_filename: g.real_filename,
      })),
    });
  }

  private async upload(ctx: Ctx): Promise<Json> {
    const o = this.opts;
    const parsed = await parseUpload(ctx.req, o.sizeLimitBytes);
    const owner = parsed.fields.get('owner');
    const isCheck = parsed.fields.get('is_check');
    const file = parsed.file;
    const missing = [...(owner ? [] : ['owner']), ...(file ? [] : ['file']), ...(isCheck ? [] : ['is_check'])];
    if (parsed.malformed || missing.length > 0 || !owner || !file || !isCheck) {
      return required(...(missing.length > 0 ? missing : ['owner', 'file', 'is_check']));
    }
    const echo = { owner };
    if (isCheck !== 'ask' && isCheck !== 'force') return fail(40002, { ...echo, invalid_param_list: [{ field: 'is_check', value: isCheck }] });
    if (!this.directory.byNumberOf(owner)) return fail(60001, echo);
    let name = greetingBasename(file.filename);
    // eslint-disable-next-line no-control-regex
    const badName = name === '' || /[\u0000-\u001f\u007f<>:"|?*]/.test(name);
    if (badName || !hasAllowedSuffix(name)) return fail(40002, { ...echo, invalid_param_list: [{ field: 'file', value: name }] });
    if (file.oversize) return fail(40004, echo);
    if (o.rewriteSuffixToWav && suffixOf(name).toLowerCase() !== '.wav') name = `${name.slice(0, -suffixOf(name).length)}.wav`;
    const existing = this.store.find(owner, name);
    if (isCheck === 'ask') {
      if (!existing) return ok(echo);
      return o.askDuplicateMode === '40003' ? fail(40003, echo) : ok({ ...echo, exist_type: existing.type });
    }
    if (file.size === 0) return fail(40002, { ...echo, invalid_param_list: [{ field: 'file', value: name }] });
    if (!existing && this.store.list(owner).length >= o.maxGreetingsPerExtension) return fail(60002, echo);
    this.store.put(owner, name, file.bytes, 'record');
    return ok(echo);
  }

  private greetingTarget(ctx: Ctx): { ok: true; g: GreetingRecord } | { ok: false; error: Json } {
    const ext = ctx.q.get('extension');
    const file = ctx.q.get('file');
    const missing = [...(ext ? [] : ['extension']), ...(file ? [] : ['file'])];
    if (!ext || !file) return { ok: false, error: required(...missing) };
    const g = this.directory.byNumberOf(ext) ? this.store.find(ext, file) : undefined;
    return g ? { ok: true, g } : { ok: false, error: fail(60001) };
  }

  private resourceFor(ctx: Ctx, kind: 'download' | 'play'): Json {
    const t = this.greetingTarget(ctx);
    if (!t.ok) return t.error;
    const url = this.makeResource(kind, t.g);
    return ok(kind === 'download' ? { file: t.g.real_filename, download_resource_url: url } : { file: t.g.real_filename, play_resource_url: url });
  }

  private deleteGreeting(ctx: Ctx): Json {
    const t = this.greetingTarget(ctx);
    if (!t.ok) return t.error;
    if (this.voicemail.usesOf(t.g.number, t.g.real_filename).length > 0) {
      if (this.opts.deleteInUse === '70091') return fail(70091);
      this.voicemail.fallBack(t.g.number, t.g.real_filename);
    }
    this.store.remove(t.g.number, t.g.real_filename);
    return ok();
  }

  private async createTts(ctx: Ctx): Promise<Json> {
    const raw = await this.readJson(ctx);
    if (!raw.ok) return raw.error;
    const checked = checkTtsCreate(raw.value, {
      extension: (n) => this.directory.byNumberOf(n) !== undefined,
      // A pending request holds its name too: a second create for it is a duplicate.
      greeting: (n, f) => this.store.find(n, f) !== undefined || this.tts.some((r) => r.status === 'pending' && r.number === n && `${r.file}.wav` === f),
    });
    if (!checked.ok) return checked.error;
    const v = checked.value;
    if (!this.store.find(v.number, `${v.file}.wav`) && this.store.list(v.number).length >= this.opts.maxGreetingsPerExtension) return fail(60002);
    const record: TtsRequestRecord = { ...v, id: 900_000 + this.tts.length + 1, request_id: randomAlnum(24), status: 'pending' };
    this.tts.push(record);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.store.put(record.number, `${record.file}.wav`, speechLikeWav(record.text, record.speed ?? 50), 'tts');
      record.status = 'complete';
    }, this.opts.ttsCompleteAfterMs);
    t.unref();
    this.timers.add(t);
    return createdAnswer(record);
  }

  private record(ctx: Ctx): Json {
    const owner = ctx.q.get('owner');
    const recorder = ctx.q.get('recorder');
    const file = ctx.q.get('file');
    const missing = [...(owner ? [] : ['owner']), ...(recorder ? [] : ['recorder']), ...(file ? [] : ['file'])];
    if (!owner || !recorder || !file) return required(...missing);
    if (!/^[A-Za-z0-9_-]+$/.test(file)) return fail(40002, { owner, invalid_param_list: [{ field: 'file', value: file }] });
    if (!this.directory.byNumberOf(owner) || !this.directory.byNumberOf(recorder)) return fail(60001, { owner });
    const delay = this.opts.recordDelayMs;
    if (delay !== undefined) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        // Listed like the vendor's TTS example: `file` without the suffix, `real_filename` with it.
        this.store.put(owner, `${file}.wav`, silentWav(), 'record', file);
      }, delay);
      t.unref();
      this.timers.add(t);
    }
    return ok({ owner });
  }
}

interface Outgoing { contentType: string; bytes: Buffer; errcode: number | undefined }

function jsonOut(body: Reply): Outgoing {
  return { contentType: 'application/json; charset=utf-8', bytes: serialise(body), errcode: errcodeOf(body) };
}

/** '::ffff:127.0.0.1' -> '127.0.0.1', so allow-lists can be written with plain IPv4 addresses. */
function normaliseIp(ip: string | undefined): string {
  return (ip ?? '').replace(/^::ffff:/, '');
}

function redactQuery(q: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of q) out[k] = k === 'access_token' ? '***' : v;
  return out;
}


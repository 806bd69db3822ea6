// PbxClient: the Yeastar P-Series OpenAPI calls the app needs (auth, extensions, voicemail greetings).
// Plain Node (no electron). Tokens only ever travel in the access_token query parameter and never reach messages.
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import type { Extension, Greeting } from '../domain.js';
import { CancelledError } from '../errors.js';
import { streamToFile } from './download.js';
import { parseEnvelope, parseFields, type RawAnswer } from './answers.js';
import { apiErrorFor } from './errcodes.js';
import { PbxApiError, PbxBadResponseError, PbxInputError } from './errors.js';
import { buildUploadBody, checkExtensionNumber, cleanGreetingName, placeholderAudio, type FileSource, type UploadMode } from './multipart.js';
import {
  downloadAnswerSchema,
  extensionListSchema,
  greetingListSchema,
  tokenSchema,
  ttsCreateAnswerSchema,
  uploadAnswerSchema,
  type ApiEnvelope,
  type ExtensionRecord,
} from './schemas.js';
import { TokenManager } from './tokens.js';
import { exchange, readBody, type ConnectionContext } from './transport.js';
import { resolveTlsPolicy, type PbxTlsOptions } from './tls.js';
import { apiUrl, normalizeBaseUrl, redactUrl, resourceUrl, type QueryValue } from './url.js';
import { defaultUserAgent } from './version.js';

export type { Extension, Greeting };

export interface PbxClientOptions {
  /** As the admin typed it: 'https://pbx.example:8088', 'http://10.0.0.5', 'pbx.example.com' (-> https). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tls?: PbxTlsOptions;
  /** Default 'VMGreetingStudio/<version>'. */
  userAgent?: string;
  /** Per-request inactivity limit (connect, send, wait, receive); default 30 s. */
  timeoutMs?: number;
  /** Clock for token expiry (ms since epoch); default Date.now. */
  now?: () => number;
  /** Security warnings (insecure TLS, plain HTTP). Default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

export interface ExtensionPage {
  total: number;
  items: Extension[];
}

export type ExtensionSortField = 'id' | 'number' | 'caller_id_name' | 'email_addr' | 'mobile_number' | 'presence_status';

export interface ListExtensionsOptions {
  page?: number;
  pageSize?: number;
  sortBy?: ExtensionSortField;
  orderBy?: 'asc' | 'desc';
}

export interface UploadGreetingOptions {
  ext: string;
  filePath: string;
  /** Name stored on the PBX (its basename is used): letters, digits, _, -, with .wav/.mp3/.gsm. */
  fileName: string;
  mode: UploadMode;
  signal?: AbortSignal;
  onProgress?: (sent: number, total: number) => void;
}

export interface UploadResult {
  ext: string;
  fileName: string;
  mode: UploadMode;
  /** Bytes of the file sent. */
  bytes: number;
  /** ask only: whether the name already exists for that extension. */
  exists?: boolean;
  existType?: string;
}

/** A PBX-side text-to-speech greeting (extension_vm_greeting/create, documented for Cloud Edition). */
export interface CreateTtsGreetingOptions {
  ext: string;
  /** Greeting name without suffix: letters, digits, _ and -. */
  file: string;
  /** At most 1000 characters. */
  text: string;
  language: string;
  /** The PBX's speech provider: aws, azure or xunfei. */
  provider: string;
  voiceId: string;
  /** 1–100 each. */
  speed?: number;
  volume?: number;
  pitch?: number;
  signal?: AbortSignal;
}

export interface TtsGreetingRequest {
  id: number | null;
  /** `pending` until the PBX has produced the audio, then `complete`. */
  status: string;
  requestId: string | null;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_JSON_BYTES = 32 * 1024 * 1024;
const SORT_FIELDS: ReadonlySet<string> = new Set(['id', 'number', 'caller_id_name', 'email_addr', 'mobile_number', 'presence_status']);

function mapExtension(r: ExtensionRecord): Extension {
  const statuses = Object.values(r.online_status ?? {});
  const online = statuses.some((s) => s !== null && (s.status === 1 || (s.status_list ?? []).some((d) => d.status === 1)));
  return {
    id: r.id,
    number: r.number,
    callerIdName: r.caller_id_name ?? '',
    email: r.email_addr ?? '',
    presence: r.presence_status ?? '',
    online,
  };
}

function positiveInt(name: string, value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new PbxInputError('PBX_BAD_OPTION', `${name} must be a whole number from 1 to ${max}.`);
  }
  return value;
}

export class PbxClient {
  /** Canonical base URL, e.g. 'https://pbx.example:8088'. */
  readonly baseUrl: string;
  private readonly ctx: ConnectionContext;
  private readonly clientId: string;
  private readonly clientSecret: string;
  private readonly tokens: TokenManager;
  private readonly warn: (message: string) => void;
  /** Values that must never appear in any text we produce. */
  private readonly secrets = new Set<string>();
  private readonly warnedFingerprints = new Set<string>();

  constructor(opts: PbxClientOptions) {
    const base = normalizeBaseUrl(opts.baseUrl);
    if (opts.clientId.trim() === '' || opts.clientSecret.trim() === '') {
      throw new PbxInputError('PBX_MISSING_CREDENTIALS', 'Enter the Client ID and Client Secret shown on the PBX under Integrations > API.');
    }
    this.baseUrl = base.href;
    this.clientId = opts.clientId.trim();
    this.clientSecret = opts.clientSecret.trim();
    this.remember(this.clientSecret);
    this.remember(this.clientId);
    this.warn = opts.onWarning ?? ((message) => process.emitWarning(message, { code: 'VMGS_PBX_SECURITY' }));
    const policy = resolveTlsPolicy(opts.tls);
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(timeoutMs > 0)) throw new PbxInputError('PBX_BAD_OPTION', 'timeoutMs must be a positive number of milliseconds.');
    this.ctx = {
      base,
      policy,
      userAgent: opts.userAgent?.trim() || defaultUserAgent(),
      timeoutMs,
      onInsecure: (fp) => {
        if (this.warnedFingerprints.has(fp)) return;
        this.warnedFingerprints.add(fp);
        this.warn(`INSECURE: accepted the unverified certificate of ${base.href} (SHA-256 ${fp}). Anyone on the network path could impersonate the PBX. Pin this fingerprint instead of using insecure mode.`);
      },
    };
    if (base.protocol === 'https:' && policy.insecure && policy.pin === undefined) {
      this.warn(`INSECURE: TLS certificate verification is OFF for ${base.href}. The Client Secret and access tokens can be intercepted. Trust the PBX certificate file or pin its fingerprint instead.`);
    }
    if (base.protocol === 'http:') {
      this.warn(`Plain HTTP to ${base.href}: the Client Secret and access tokens travel unencrypted. Use the PBX's HTTPS port when possible.`);
    }
    this.tokens = new TokenManager(
      {
        getToken: () => this.tokenCall('get_token', { username: this.clientId, password: this.clientSecret }),
        refreshToken: (refresh) => this.tokenCall('refresh_token', { refresh_token: refresh }),
        delToken: async (access) => {
          await this.call('del_token', 'GET', {}, undefined, access);
        },
      },
      opts.now ?? Date.now,
    );
  }

  /** Gets a token and counts extensions: proves address, TLS, credentials and permissions in one go. */
  async testConnection(opts: { signal?: AbortSignal } = {}): Promise<{ reachable: true; tokenOk: true; extensionCount: number }> {
    const page = await this.extensionQuery('extension/list', this.pagingQuery({ page: 1, pageSize: 1 }), opts.signal);
    return { reachable: true, tokenOk: true, extensionCount: page.total };
  }

  async listExtensions(opts: ListExtensionsOptions = {}): Promise<ExtensionPage> {
    return this.extensionQuery('extension/list', this.pagingQuery(opts));
  }

  async searchExtensions(text: string, opts: ListExtensionsOptions = {}): Promise<ExtensionPage> {
    return this.extensionQuery('extension/search', { search_value: text.trim(), ...this.pagingQuery(opts) });
  }

  /** All greetings of an extension, newest first as the PBX lists them. */
  async listGreetings(ext: string): Promise<Greeting[]> {
    const number = checkExtensionNumber(ext);
    const pageSize = 200;
    const items: Greeting[] = [];
    for (let page = 1; page <= 50; page++) {
      const answer = await this.api('extension_vm_greeting/list', greetingListSchema, { extension: number, page: String(page), page_size: String(pageSize) });
      for (const g of answer.greeting_list) {
        items.push({ id: g.id, file: g.file, realFilename: g.real_filename, suffix: g.suffix, type: g.type });
      }
      const total = answer.total_number ?? items.length;
      if (answer.greeting_list.length < pageSize || items.length >= total) break;
    }
    return items;
  }

  /** Whether `fileName` exists for `ext` (upload with is_check=ask and a tiny placeholder; nothing is stored). */
  async greetingExists(ext: string, fileName: string, signal?: AbortSignal): Promise<{ exists: boolean; existType?: string }> {
    const name = cleanGreetingName(fileName);
    const result = await this.upload(checkExtensionNumber(ext), name, 'ask', { kind: 'buffer', bytes: placeholderAudio(name) }, signal, undefined);
    return { exists: result.exists === true, ...(result.existType !== undefined ? { existType: result.existType } : {}) };
  }

  /** Streams the file as multipart/form-data. mode 'force' creates or REPLACES the name: go through the library's queue worker (ask, backup, force). */
  async uploadGreetingFile(opts: UploadGreetingOptions): Promise<UploadResult> {
    const name = cleanGreetingName(opts.fileName);
    if (opts.mode !== 'ask' && opts.mode !== 'force') throw new PbxInputError('PBX_BAD_OPTION', 'mode must be "ask" or "force".');
    return this.upload(checkExtensionNumber(opts.ext), name, opts.mode, { kind: 'path', path: opts.filePath }, opts.signal, opts.onProgress);
  }

  /** Downloads a greeting to destPath (written to a temp file next to it, renamed on success). */
  async downloadGreeting(ext: string, fileName: string, destPath: string, signal?: AbortSignal): Promise<{ bytes: number }> {
    const number = checkExtensionNumber(ext);
    const name = cleanGreetingName(fileName);
    return this.withToken(async (token) => {
      const env = await this.api('extension_vm_greeting/download', downloadAnswerSchema, { extension: number, file: name }, token, signal);
      const url = resourceUrl(this.ctx.base, env.download_resource_url, token);
      return exchange(this.ctx, { method: 'GET', url, signal, phase: 'downloading the greeting', what: 'The download' }, (res) => this.saveResource(res, destPath));
    }, signal);
  }

  async deleteGreeting(ext: string, fileName: string): Promise<void> {
    const number = checkExtensionNumber(ext);
    const name = fileName.trim();
    if (name === '' || /[\u0000-\u001f\\/]/.test(name)) throw new PbxInputError('PBX_BAD_FILE_NAME', 'Give the greeting\'s full file name as listed (e.g. vm_away.wav).');
    await this.api('extension_vm_greeting/delete', null, { extension: number, file: name });
  }

  /** Asks the PBX to speak `text` into a new greeting of `ext`; the audio appears in the greeting list when complete. */
  async createTtsGreeting(opts: CreateTtsGreetingOptions): Promise<TtsGreetingRequest> {
    const endpoint = 'extension_vm_greeting/create';
    const number = checkExtensionNumber(opts.ext);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(opts.file)) throw new PbxInputError('PBX_BAD_FILE_NAME', 'A text-to-speech greeting name is 1 to 64 letters, digits, _ or -.');
    if (opts.text.length === 0 || opts.text.length > 1000) throw new PbxInputError('PBX_BAD_OPTION', 'The PBX speaks 1 to 1000 characters at a time.');
    const level = (name: string, v: number | undefined): number | undefined => {
      if (v !== undefined && (!Number.isInteger(v) || v < 1 || v > 100)) throw new PbxInputError('PBX_BAD_OPTION', `${name} must be a whole number from 1 to 100.`);
      return v;
    };
    const body: Record<string, unknown> = {
      file: opts.file, type: 'tts', number, text: opts.text, language: opts.language, asr_manufacturer: opts.provider, voice_id: opts.voiceId,
      speed: level('speed', opts.speed), volume: level('volume', opts.volume), pitch: level('pitch', opts.pitch),
    };
    const { json } = await this.withToken((t) => this.call(endpoint, 'POST', {}, body, t, opts.signal), opts.signal);
    const a = parseFields(endpoint, ttsCreateAnswerSchema, json);
    return { id: a.id ?? null, status: a.status ?? 'pending', requestId: a.request_id ?? null };
  }

  /**
   * Whether this PBX offers extension_vm_greeting/create, without creating anything: an empty request is refused with
   * 40002 (required fields) where the endpoint exists, 10001 where it does not, 10005 where the API app may not use it.
   */
  async probeTtsGreeting(signal?: AbortSignal): Promise<{ supported: boolean; errcode: number }> {
    try {
      await this.withToken((t) => this.call('extension_vm_greeting/create', 'POST', {}, {}, t, signal), signal);
      return { supported: true, errcode: 0 };
    } catch (error) {
      if (!(error instanceof PbxApiError)) throw error;
      if (error.errcode === 40001 || error.errcode === 40002) return { supported: true, errcode: error.errcode };
      if (error.errcode === 10001 || error.errcode === 10005) return { supported: false, errcode: error.errcode };
      throw error;
    }
  }

  /**
   * Raw OpenAPI access for the feature modules of this folder (greeting selection, rename, record by phone):
   * an authenticated GET, or a POST with a JSON body, resolving with the validated fields of an errcode-0 answer.
   * Any other errcode rejects with PbxApiError; the token is renewed once on 10004 like every other call.
   */
  async apiGet<S extends z.ZodType>(endpoint: string, query: Record<string, QueryValue>, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    return this.api(endpoint, schema, query, undefined, signal);
  }

  async apiPost<S extends z.ZodType>(endpoint: string, body: Record<string, unknown>, schema: S, signal?: AbortSignal): Promise<z.infer<S>> {
    return this.withToken(async (token) => {
      const { json } = await this.call(endpoint, 'POST', {}, body, token, signal);
      return parseFields(endpoint, schema, json);
    }, signal);
  }

  /** Revokes this client's token (del_token). Safe to call more than once. */
  async signOut(): Promise<void> {
    try {
      await this.tokens.signOut();
    } catch (error) {
      if (error instanceof PbxApiError) return; // already expired or revoked: nothing left to revoke
      throw error;
    }
  }

  /** Replaces every known secret/token in `text` (used for anything the server sends back that we show). */
  scrub = (text: string): string => {
    let out = redactUrl(text);
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join('***');
    return out;
  };

  // ---- internals ----

  private remember(secret: string): void {
    this.secrets.add(secret);
    if (this.secrets.size > 12) {
      // Keep the credentials (inserted first) and the latest tokens.
      const all = [...this.secrets];
      this.secrets.delete(all[2]!);
    }
  }

  private pagingQuery(opts: ListExtensionsOptions): Record<string, QueryValue> {
    const page = positiveInt('page', opts.page, 1, 1_000_000);
    const pageSize = positiveInt('pageSize', opts.pageSize, 50, 1000);
    if (opts.sortBy !== undefined && !SORT_FIELDS.has(opts.sortBy)) throw new PbxInputError('PBX_BAD_OPTION', `sortBy must be one of ${[...SORT_FIELDS].join(', ')}.`);
    if (opts.orderBy !== undefined && opts.orderBy !== 'asc' && opts.orderBy !== 'desc') throw new PbxInputError('PBX_BAD_OPTION', 'orderBy must be "asc" or "desc".');
    // page/page_size as digit strings: the search endpoint documents them as String.
    return { page: String(page), page_size: String(pageSize), sort_by: opts.sortBy, order_by: opts.orderBy };
  }

  private async extensionQuery(endpoint: string, query: Record<string, QueryValue>, signal?: AbortSignal): Promise<ExtensionPage> {
    const answer = await this.api(endpoint, extensionListSchema, query, undefined, signal);
    return { total: answer.total_number, items: answer.data.map(mapExtension) };
  }

  private async upload(ext: string, fileName: string, mode: UploadMode, source: FileSource, signal: AbortSignal | undefined, onProgress: ((sent: number, total: number) => void) | undefined): Promise<UploadResult> {
    const endpoint = 'extension_vm_greeting/upload';
    return this.withToken(async (token) => {
      const body = await buildUploadBody(ext, fileName, mode, source);
      try {
        const url = apiUrl(this.ctx.base, endpoint, {}, token);
        const raw = await exchange(
          this.ctx,
          {
            method: 'POST',
            url,
            headers: body.headers,
            body: body.stream,
            signal,
            phase: mode === 'ask' ? 'checking the greeting name' : 'uploading the greeting',
            what: 'The upload',
            ...(onProgress ? { onBodyProgress: (sent: number) => onProgress(Math.min(sent, body.contentLength), body.contentLength) } : {}),
          },
          (res) => this.readAnswer(res),
        );
        const { env, json } = parseEnvelope(endpoint, raw, this.scrub);
        if (mode === 'ask' && env.errcode === 40003) return { ext, fileName, mode, bytes: body.fileBytes, exists: true };
        if (env.errcode !== 0) throw apiErrorFor(endpoint, this.scrubEnvelope(env));
        const fields = parseFields(endpoint, uploadAnswerSchema, json);
        onProgress?.(body.contentLength, body.contentLength);
        if (mode === 'ask') {
          const existType = fields.exist_type !== undefined && fields.exist_type !== '' ? fields.exist_type : undefined;
          return { ext, fileName, mode, bytes: body.fileBytes, exists: existType !== undefined, ...(existType !== undefined ? { existType } : {}) };
        }
        return { ext, fileName, mode, bytes: body.fileBytes };
      } finally {
        body.dispose();
      }
    }, signal);
  }

  /** Runs fn with a token; on 10004 renews once and retries once. An abort also ends the wait for a token. */
  private async withToken<T>(fn: (token: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const token = await this.tokenOrAbort(signal);
    try {
      return await fn(token);
    } catch (error) {
      if (!(error instanceof PbxApiError) || error.errcode !== 10004) throw error;
      this.tokens.invalidate(token);
      return fn(await this.tokenOrAbort(signal));
    }
  }

  private async tokenOrAbort(signal: AbortSignal | undefined): Promise<string> {
    const pending = this.tokens.token();
    let token: string;
    if (signal === undefined) {
      token = await pending;
    } else {
      if (signal.aborted) throw new CancelledError('The request');
      let onAbort = (): void => undefined;
      const aborted = new Promise<never>((_resolve, reject) => {
        onAbort = () => reject(new CancelledError('The request'));
        signal.addEventListener('abort', onAbort, { once: true });
      });
      // The shared token request keeps running for other callers; only this caller stops waiting.
      pending.catch(() => undefined);
      try {
        token = await Promise.race([pending, aborted]);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    }
    this.remember(token);
    return token;
  }

  /** An authenticated GET returning validated fields (schema null = envelope only). */
  private async api<S extends z.ZodType>(endpoint: string, schema: S, query: Record<string, QueryValue>, token?: string, signal?: AbortSignal): Promise<z.infer<S>>;
  private async api(endpoint: string, schema: null, query: Record<string, QueryValue>, token?: string, signal?: AbortSignal): Promise<void>;
  private async api<S extends z.ZodType>(endpoint: string, schema: S | null, query: Record<string, QueryValue>, token?: string, signal?: AbortSignal): Promise<z.infer<S> | void> {
    const run = async (t: string): Promise<z.infer<S> | void> => {
      const { json } = await this.call(endpoint, 'GET', query, undefined, t, signal);
      return schema === null ? undefined : parseFields(endpoint, schema, json);
    };
    return token !== undefined ? run(token) : this.withToken(run, signal);
  }

  /** One request; resolves only for errcode 0. */
  private async call(endpoint: string, method: 'GET' | 'POST', query: Record<string, QueryValue>, jsonBody: Record<string, unknown> | undefined, token: string | undefined, signal?: AbortSignal): Promise<{ env: ApiEnvelope; json: unknown }> {
    const url = apiUrl(this.ctx.base, endpoint, query, token);
    const raw = await exchange(
      this.ctx,
      {
        method,
        url,
        ...(jsonBody !== undefined ? { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(jsonBody)) } : {}),
        signal,
        phase: `calling ${endpoint}`,
      },
      (res) => this.readAnswer(res),
    );
    const parsed = parseEnvelope(endpoint, raw, this.scrub);
    if (parsed.env.errcode !== 0) throw apiErrorFor(endpoint, this.scrubEnvelope(parsed.env));
    return parsed;
  }

  private async tokenCall(endpoint: 'get_token' | 'refresh_token', body: Record<string, string>) {
    const { json } = await this.call(endpoint, 'POST', {}, body, undefined);
    const answer = parseFields(endpoint, tokenSchema, json);
    this.remember(answer.access_token);
    this.remember(answer.refresh_token);
    return answer;
  }

  private scrubEnvelope(env: ApiEnvelope): ApiEnvelope {
    return {
      ...env,
      ...(typeof env.errmsg === 'string' ? { errmsg: this.scrub(env.errmsg) } : {}),
      ...(typeof env.submsg === 'string' ? { submsg: this.scrub(env.submsg) } : {}),
    };
  }

  private async readAnswer(res: IncomingMessage): Promise<RawAnswer> {
    const body = await readBody(res, MAX_JSON_BYTES);
    return { status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body };
  }

  /** The resource answer: audio bytes to disk, or the error the PBX sent instead. */
  private async saveResource(res: IncomingMessage, destPath: string): Promise<{ bytes: number }> {
    const type = String(res.headers['content-type'] ?? '');
    if (res.statusCode !== 200 || /json|html/i.test(type)) {
      // An error (JSON envelope, or a web page) instead of the audio bytes.
      const raw = await this.readAnswer(res);
      const { env } = parseEnvelope('greeting download', raw, this.scrub);
      if (env.errcode !== 0) throw apiErrorFor('extension_vm_greeting/download', this.scrubEnvelope(env));
      throw new PbxBadResponseError('PBX_UNEXPECTED_RESPONSE', 'The PBX answered the greeting download link without the audio file. Try again.', { status: raw.status });
    }
    return streamToFile(res, destPath);
  }
}

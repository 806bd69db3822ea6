import type { TtsRequestRecord } from './tts.js';
// Public option and data shapes of the Yeastar P-Series simulator (see /tmp/team/contracts.md, "main/sim/index.ts").

export type PresenceStatus = 'available' | 'away' | 'business_trip' | 'do_not_disturb' | 'lunch' | 'off_work';
export const PRESENCE_STATUSES: readonly PresenceStatus[] = ['available', 'away', 'business_trip', 'do_not_disturb', 'lunch', 'off_work'];

/** An extension to seed. Only `number` is required; the rest gets plausible defaults. */
export interface SeedExtension {
  number: string;
  caller_id_name?: string;
  email_addr?: string;
  mobile_number?: string;
  presence_status?: PresenceStatus;
  role_name?: string;
  /** SIP phone registered (online) or not. */
  online?: boolean;
}

export type AskDuplicateMode = 'exist_type' | '40003';

export interface SimulatorOptions {
  https?: boolean;
  /** 0 (default) = ephemeral port. */
  port?: number;
  host?: string;
  /** Count of generated extensions (default 20) or an explicit list. */
  extensions?: number | SeedExtension[];
  /** First generated extension number (default 3200). */
  firstNumber?: number;
  clientId?: string;
  clientSecret?: string;
  /** Injectable clock, ms since epoch (see ManualClock). */
  now?: () => number;
  /** Random source for fault rates and token generation spread (default Math.random). */
  random?: () => number;
  /** UNCONFIRMED variant: how `is_check=ask` reports an existing name. Default 'exist_type' (candidate A). */
  askDuplicateMode?: AskDuplicateMode;
  /** UNCONFIRMED variant: 8 MB = 8,388,608 (default) or 8,000,000. */
  sizeLimitBytes?: number;
  /** UNCONFIRMED variant: refresh_token invalidates the old access and refresh token (default true). */
  refreshInvalidatesOld?: boolean;
  /** UNCONFIRMED variant: store .mp3/.gsm uploads under a .wav name (default false: keep the uploaded name). */
  rewriteSuffixToWav?: boolean;
  /** Cap of live access tokens per client (default 8). */
  maxTokens?: number;
  accessTtlSec?: number;
  refreshTtlSec?: number;
  /** Consecutive bad logins from one IP before it is blocked (default 5). */
  blockAfterFailures?: number;
  /** How long an IP block lasts (default 1800 s). */
  blockDurationSec?: number;
  /** Per-extension greeting cap; a new name beyond it gets 60002 (default: no cap). */
  maxGreetingsPerExtension?: number;
  /** Endpoints (e.g. 'extension_vm_greeting/upload') answered with 10005 ACCESS DENIED. */
  deniedEndpoints?: string[];
  /** API IP allow-list (Integrations > API); other callers get 70087 IP FORBIDDEN. Empty (default) = everyone. */
  ipAllowList?: string[];
  /** When set, `extension_vm_greeting/record` materialises `<file>.wav` after this many ms. */
  recordDelayMs?: number;
  /** With https: also answer plain HTTP on a second port (`httpUrl`), sharing all state. */
  httpAlso?: boolean;
  /** Port of that HTTP listener (default 0 = ephemeral). */
  httpPort?: number;
  /** The real PBX closes the connection after each reply; set true to allow keep-alive (default false). */
  keepAlive?: boolean;
  /** UNCONFIRMED outside Cloud Edition: `extension_vm_greeting/create` (PBX text-to-speech) exists (default true); false → 10001. */
  ttsSupported?: boolean;
  /** How long a text-to-speech greeting stays `pending` before it appears in the list (default 300 ms). */
  ttsCompleteAfterMs?: number;
}

interface FaultCommon {
  /** How many requests it hits (default 1; default Infinity when `rate` is given). */
  times?: number;
  /** Probability (0..1) per matching request (default 1). */
  rate?: number;
  /** Endpoint filter: 'extension_vm_greeting/upload', a full path '/openapi/v1.0/get_token', or a prefix ending in '*'. */
  path?: string;
}

/**
 * Fault kinds. `status` and `html-error` stand for a failing gateway: the request is NOT processed (nothing stored).
 * `reset-mid-body` and `garbled-json` corrupt the reply in transit: the request IS processed first.
 * `latency` delays, then the request proceeds normally (and other faults may still apply).
 * `expire-token` expires the access token presented by the next matching request (which then gets 10004).
 */
export type Fault =
  | ({ kind: 'latency'; ms: number } & FaultCommon)
  | ({ kind: 'status'; status: 500 | 502 | 503 } & FaultCommon)
  | ({ kind: 'reset-mid-body' } & FaultCommon)
  | ({ kind: 'garbled-json' } & FaultCommon)
  | ({ kind: 'html-error' } & FaultCommon)
  | ({ kind: 'expire-token' } & FaultCommon);

export interface GreetingRecord {
  id: number;
  number: string;
  file: string;
  real_filename: string;
  suffix: string;
  type: 'record' | 'tts';
  bytes: Buffer;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  /** Query parameters with access_token redacted as '***'. */
  query: Record<string, string>;
  userAgent?: string;
  /** errcode of the JSON answer, when there was one. */
  errcode?: number;
  /** HTTP status sent. */
  status?: number;
  /** Fault applied to this request, if any. */
  fault?: Fault['kind'];
  /** Server-side handling time in ms (excludes injected latency). */
  durationMs: number;
}

export interface Simulator {
  /** e.g. 'https://127.0.0.1:43121' (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Plain-HTTP URL when started with `https: true, httpAlso: true`. */
  readonly httpUrl?: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly certPem?: string;
  /** Node's X509Certificate.fingerprint256 form 'AB:CD:…'. */
  readonly fingerprint256?: string;
  setOptions(partial: Partial<SimulatorOptions>): void;
  injectFault(f: Fault): void;
  clearFaults(): void;
  greetings(ext: string): GreetingRecord[];
  seedGreeting(ext: string, fileName: string, bytes: Buffer, opts?: { type?: 'record' | 'tts' }): void;
  /** Every extension_vm_greeting/create request accepted so far, oldest first, with its status. */
  ttsRequests(): TtsRequestRecord[];
  liveTokenCount(): number;
  requestLog(): RequestLogEntry[];
  clearRequestLog(): void;
  unblockAll(): void;
  close(): Promise<void>;
}

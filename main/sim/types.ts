import type { TtsRequestRecord } from './tts.js';
// Public option and data shapes of the Yeastar P-Series simulator (what startSimulator in ./index.ts takes and returns).

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
/** Which voicemail-selection fields `extension/get`/`query` carry: both, only the top-level default, or neither. */
export type SelectionFieldsMode = 'all' | 'default-only' | 'none';
/** Which listed name of a greeting selects it in `vm_greeting`: its `file` or its `real_filename`. */
export type SelectionValueForm = 'file' | 'real_filename';
/** How `presence_list[i].status` spells lunch: OpenAPI's `lunch` or the web API's `launch`. */
export type LunchSpelling = 'lunch' | 'launch';
/** Deleting a greeting that is selected: refused with 70091, or allowed with the selection falling back. */
export type DeleteInUseMode = '70091' | 'follow_system';

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
  /** UNCONFIRMED variant: which voicemail-selection fields extension/get and query carry (default 'all'). */
  selectionFields?: SelectionFieldsMode;
  /** UNCONFIRMED variant: the value that selects a greeting is its `file` (default) or its `real_filename`. */
  selectionValue?: SelectionValueForm;
  /** UNCONFIRMED variant: presence_list spells lunch `lunch` (default) or `launch`. */
  lunchSpelling?: LunchSpelling;
  /** UNCONFIRMED variant: deleting an in-use greeting is refused with 70091 (default) or falls back to follow_system. */
  deleteInUse?: DeleteInUseMode;
  /** UNCONFIRMED variant: `extension_vm_greeting/update` (rename) exists (default true) or answers 10001. */
  greetingUpdate?: boolean;
  /** UNCONFIRMED variant: a rename carries the selection over to the new name (default false: it keeps the old name). */
  renameCarriesSelection?: boolean;
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
  /** The parsed JSON body of extension/update and extension_vm_greeting/update (exactly what the client sent). */
  body?: unknown;
}

/** One extension's greeting selection as stored: '' = use the default, 'follow_system', or a greeting's real_filename. */
export interface SelectionRecord {
  vm_greeting: string;
  presence: Record<PresenceStatus, string>;
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
  /** `listedFile`: the `file` the list shows (default the name itself; the PBX lists TTS items without suffix). */
  seedGreeting(ext: string, fileName: string, bytes: Buffer, opts?: { type?: 'record' | 'tts'; listedFile?: string }): void;
  /** The extension's stored greeting selection (canonical: real_filenames). */
  selection(ext: string): SelectionRecord;
  /** Sets the stored selection directly (real_filenames; not validated). */
  seedSelection(ext: string, values: { vm_greeting?: string; presence?: Partial<Record<PresenceStatus, string>> }): void;
  /** Every extension_vm_greeting/create request accepted so far, oldest first, with its status. */
  ttsRequests(): TtsRequestRecord[];
  liveTokenCount(): number;
  requestLog(): RequestLogEntry[];
  clearRequestLog(): void;
  unblockAll(): void;
  close(): Promise<void>;
}

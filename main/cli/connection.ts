// PBX connection settings: each from its flag, else from its VMGREET_* environment variable; validated with zod,
// then turned into a PbxClient that is always signed out (del_token) when the command ends, because the PBX
// allows only 8 live tokens per application and a CLI run is short-lived.
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { VmgsError } from '../core/errors.js';
import type { PbxClient } from '../core/pbx/index.js';
import { normalizeBaseUrl } from '../core/pbx/url.js';
import { parsePin, showValue } from './args.js';
import { InputError, UsageError } from './errors.js';
import type { Output } from './output.js';

export const CONNECTION_ENV = {
  pbx: 'VMGREET_PBX_URL',
  clientId: 'VMGREET_CLIENT_ID',
  clientSecret: 'VMGREET_CLIENT_SECRET',
  ca: 'VMGREET_CA_FILE',
  pin: 'VMGREET_PIN_SHA256',
} as const;

export interface ConnectionFlags {
  pbx?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  ca?: string | undefined;
  pin?: string | undefined;
  insecure?: boolean | undefined;
}

export interface ResolvedConnection {
  /** Canonical base URL (normalizeBaseUrl's href), e.g. 'https://pbx.example:8088'. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tls: { caPem?: string; pinSha256?: string; insecure?: boolean };
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--pbx <url>', `PBX address, e.g. https://pbx.example:8088 (env ${CONNECTION_ENV.pbx})`))
    .addOption(new Option('--client-id <id>', `API client ID from Integrations > API (env ${CONNECTION_ENV.clientId})`))
    .addOption(new Option('--client-secret <secret>', `API client secret; prefer the env variable so it stays out of the process list (env ${CONNECTION_ENV.clientSecret})`))
    .addOption(new Option('--ca <file>', `trust this CA or self-signed certificate (PEM) (env ${CONNECTION_ENV.ca})`))
    .addOption(new Option('--pin <sha256>', `accept only the server certificate with this SHA-256 fingerprint (env ${CONNECTION_ENV.pin})`))
    .addOption(new Option('--insecure', 'do not verify the TLS certificate at all (unsafe; prefer --ca or --pin)'));
}

// Blank counts as missing: a secret of only spaces is refused here, before any audio is rendered, like an empty one.
function pick(flag: string | undefined, env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = flag ?? env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

export async function resolveConnection(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>): Promise<ResolvedConnection> {
  const rawUrl = pick(flags.pbx, env, CONNECTION_ENV.pbx);
  const clientId = pick(flags.clientId, env, CONNECTION_ENV.clientId);
  const clientSecret = pick(flags.clientSecret, env, CONNECTION_ENV.clientSecret);
  const missing = [
    rawUrl === undefined ? `--pbx (or ${CONNECTION_ENV.pbx})` : undefined,
    clientId === undefined ? `--client-id (or ${CONNECTION_ENV.clientId})` : undefined,
    clientSecret === undefined ? `--client-secret (or ${CONNECTION_ENV.clientSecret})` : undefined,
  ].filter((m): m is string => m !== undefined);
  if (rawUrl === undefined || clientId === undefined || clientSecret === undefined) {
    throw new UsageError(
      `Missing PBX connection settings: ${missing.join(', ')}. The client ID and secret are on the PBX web portal under Integrations > API.`,
      'CLI_MISSING_CONNECTION',
      { missing },
    );
  }
  // The PBX client's own parser, so the CLI accepts and refuses exactly what the client does (a user:pass@ address
  // included: a usage error here, before anything is read or sent).
  let baseUrl: string;
  try {
    baseUrl = normalizeBaseUrl(rawUrl).href;
  } catch (err) {
    const why = err instanceof VmgsError ? ` ${err.message}` : '';
    throw new UsageError(`PBX address ${showValue(rawUrl.trim())} is not valid.${why}`, 'CLI_BAD_URL');
  }
  const tls: ResolvedConnection['tls'] = {};
  const caFile = pick(flags.ca, env, CONNECTION_ENV.ca);
  if (caFile !== undefined) {
    let pem: string;
    try {
      pem = await readFile(caFile, 'utf8');
    } catch (cause) {
      throw new InputError(`Cannot read the CA file ${showValue(caFile)}: check the path (it must be a PEM certificate).`, 'CLI_CA_UNREADABLE', { cause });
    }
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
      throw new InputError(`The CA file ${showValue(caFile)} is not a PEM certificate (no "BEGIN CERTIFICATE" block).`, 'CLI_CA_NOT_PEM');
    }
    tls.caPem = pem;
  }
  const pin = pick(flags.pin, env, CONNECTION_ENV.pin);
  if (pin !== undefined) tls.pinSha256 = parsePin(pin);
  if (flags.insecure === true) tls.insecure = true;
  return { baseUrl, clientId, clientSecret, tls };
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
  } catch {
    return false;
  }
}

export const USER_AGENT = 'vmgreet/0.1.0 (VM Greeting Studio CLI)';

/** Runs `fn` with a connected client and always revokes the token afterwards. */
export async function withClient<T>(conn: ResolvedConnection, out: Output, fn: (client: PbxClient) => Promise<T>): Promise<T> {
  out.addSecret(conn.clientSecret);
  if (conn.tls.insecure) {
    out.warn('--insecure: the PBX certificate is NOT verified; anyone on the network path can read the client secret. Use --ca FILE or --pin SHA256 instead.');
  }
  const { PbxClient } = await import('../core/pbx/index.js');
  const client = new PbxClient({
    baseUrl: conn.baseUrl,
    clientId: conn.clientId,
    clientSecret: conn.clientSecret,
    tls: conn.tls,
    userAgent: USER_AGENT,
    onWarning: (msg: string) => {
      // Plain HTTP to this very computer (the simulator) crosses no network: not worth a warning on every run.
      if (isLoopback(conn.baseUrl) && /^plain http/i.test(msg)) return;
      out.warn(msg);
    },
  });
  try {
    return await fn(client);
  } finally {
    // Best effort: frees one of the PBX's 8 token slots. A failure here must not hide the command's own result.
    await client.signOut().catch(() => undefined);
  }
}

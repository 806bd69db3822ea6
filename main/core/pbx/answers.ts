// Turns a raw HTTP answer into a validated API envelope, or a typed error explaining what answered instead.
import type { z } from 'zod';
import { PbxBadResponseError } from './errors.js';
import { envelopeSchema, type ApiEnvelope } from './schemas.js';

export type Scrub = (text: string) => string;

export interface RawAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 500: 'internal server error', 502: 'bad gateway', 503: 'service unavailable', 504: 'gateway timeout', 404: 'not found', 403: 'forbidden', 401: 'unauthorized' };

function pageTitle(text: string, scrub: Scrub): string | undefined {
  const m = /<title[^>]*>([^<]{1,200})<\/title>/i.exec(text) ?? /<h1[^>]*>([^<]{1,200})<\/h1>/i.exec(text);
  return m?.[1] ? scrub(m[1].replace(/\s+/g, ' ').trim()) : undefined;
}

function statusError(endpoint: string, raw: RawAnswer, text: string, scrub: Scrub): PbxBadResponseError {
  const title = pageTitle(text, scrub);
  const name = STATUS_TEXT[raw.status] ?? 'error';
  const advice = raw.status >= 500
    ? 'The PBX (or a proxy in front of it) is failing or restarting. Wait a minute and try again; if it persists, check the PBX status.'
    : 'Check that the address points to the PBX web interface and that API access is enabled under Integrations > API.';
  return new PbxBadResponseError('PBX_HTTP_STATUS', `The PBX answered ${endpoint} with HTTP ${raw.status} (${name})${title ? ` "${title}"` : ''} instead of API data. ${advice}`, { endpoint, status: raw.status, ...(title ? { title } : {}) });
}

/** Parses and validates the envelope; does not look at errcode (callers decide what a non-zero errcode means). */
export function parseEnvelope(endpoint: string, raw: RawAnswer, scrub: Scrub): { env: ApiEnvelope; json: unknown } {
  const text = raw.body.toString('utf8');
  const ok = raw.status >= 200 && raw.status < 300;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    if (!ok) throw statusError(endpoint, raw, text, scrub);
    if (/html/i.test(raw.contentType) || /^\s*</.test(text)) {
      const title = pageTitle(text, scrub);
      throw new PbxBadResponseError(
        'PBX_HTML_RESPONSE',
        `The server answered ${endpoint} with a web page${title ? ` ("${title}")` : ''} instead of API data. Check that the address and port are those of the PBX web interface (not a proxy or login portal) and that API access is enabled under Integrations > API.`,
        { endpoint, status: raw.status, ...(title ? { title } : {}) },
      );
    }
    throw new PbxBadResponseError('PBX_INVALID_JSON', `The PBX answer to ${endpoint} was not valid JSON (${raw.body.length} bytes, possibly cut off or corrupted). Try again; if it repeats, check the network path to the PBX.`, { endpoint, status: raw.status, bytes: raw.body.length });
  }
  const env = envelopeSchema.safeParse(json);
  if (!env.success) {
    if (!ok) throw statusError(endpoint, raw, text, scrub);
    throw new PbxBadResponseError('PBX_UNEXPECTED_RESPONSE', `The answer to ${endpoint} is JSON but not a Yeastar API answer (no errcode). Check that the address points to a Yeastar P-Series PBX.`, { endpoint, status: raw.status });
  }
  return { env: env.data, json };
}

/** Validates the endpoint-specific fields of a successful answer. */
export function parseFields<S extends z.ZodType>(endpoint: string, schema: S, json: unknown): z.infer<S> {
  const result = schema.safeParse(json);
  if (!result.success) {
    const fields = result.error.issues.map((i) => i.path.join('.') || '(root)').slice(0, 5);
    throw new PbxBadResponseError('PBX_UNEXPECTED_RESPONSE', `The PBX answer to ${endpoint} is missing or has invalid fields (${fields.join(', ')}). The PBX firmware may be incompatible; update it or report this.`, { endpoint, fields });
  }
  return result.data;
}

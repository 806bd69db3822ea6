// Base URL handling: turns what an administrator types into a canonical origin, builds API URLs and hides tokens.
import { PbxInputError } from './errors.js';

export const API_PREFIX = '/openapi/v1.0/';

export interface BaseUrl {
  /** Canonical form without a trailing slash, e.g. 'https://pbx.example:8088'. */
  readonly href: string;
  readonly protocol: 'http:' | 'https:';
  /** Host name as used for DNS and certificate checks (IPv6 without brackets). */
  readonly hostname: string;
  readonly port: number;
  /** Path prefix in front of /openapi (reverse proxies), '' for none; never ends with '/'. */
  readonly pathPrefix: string;
}

/**
 * Accepts 'https://pbx.example:8088', 'http://10.0.0.5', a bare 'pbx.example.com' (-> https), trailing slashes,
 * surrounding spaces, and a pasted '.../openapi/v1.0/' suffix. Rejects other schemes and embedded credentials.
 */
export function normalizeBaseUrl(input: string): BaseUrl {
  const typed = input.trim();
  if (typed === '') throw new PbxInputError('PBX_BAD_URL', 'The PBX address is empty. Enter it as shown in your browser, e.g. https://pbx.example.com:8088.');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(typed) ? typed : `https://${typed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new PbxInputError('PBX_BAD_URL', `"${typed.slice(0, 200)}" is not a valid PBX address. Enter it as shown in your browser, e.g. https://pbx.example.com:8088.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PbxInputError('PBX_BAD_URL', `The PBX address must start with https:// or http:// (got ${url.protocol}//).`);
  }
  if (url.username !== '' || url.password !== '') {
    // Never keep credentials typed into the address; they would end up in logs.
    throw new PbxInputError('PBX_BAD_URL', 'The PBX address must not contain a user name or password. Enter the Client ID and Secret in their own fields.');
  }
  if (url.hostname === '') throw new PbxInputError('PBX_BAD_URL', 'The PBX address has no host name.');
  let pathPrefix = url.pathname.replace(/\/+$/, '');
  pathPrefix = pathPrefix.replace(/\/openapi(\/v\d+(\.\d+)?)?$/i, '');
  const protocol = url.protocol;
  const port = url.port !== '' ? Number(url.port) : protocol === 'https:' ? 443 : 80;
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const href = `${protocol}//${url.host}${pathPrefix}`;
  return { href, protocol, hostname, port, pathPrefix };
}

/**
 * The PBX's origin, `scheme://host:port` with the port always written and the host lower-cased, so two ways of
 * typing one address compare equal ('PBX.example' and 'https://pbx.example:443/' → 'https://pbx.example:443').
 * Queue items and history entries name their PBX by this origin plus the client ID.
 */
export function originOf(input: string | BaseUrl): string {
  const base = typeof input === 'string' ? normalizeBaseUrl(input) : input;
  const host = base.hostname.includes(':') ? `[${base.hostname}]` : base.hostname;
  return `${base.protocol}//${host.toLowerCase()}:${base.port}`;
}

export type QueryValue = string | number | undefined;

/** Full URL of an OpenAPI endpoint; the token (if any) goes only into the access_token query parameter. */
export function apiUrl(base: BaseUrl, endpoint: string, query: Record<string, QueryValue> = {}, accessToken?: string): URL {
  const url = new URL(`${base.href}${API_PREFIX}${endpoint}`);
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  if (accessToken !== undefined) url.searchParams.set('access_token', accessToken);
  return url;
}

/** URL of a resource path returned by the PBX (e.g. download_resource_url), with the token appended. */
export function resourceUrl(base: BaseUrl, resourcePath: string, accessToken: string): URL {
  const origin = `${base.protocol}//${new URL(base.href).host}`;
  const url = new URL(resourcePath, origin);
  if (url.origin !== origin) {
    // A resource URL pointing elsewhere would leak our token to a third party.
    throw new PbxInputError('PBX_BAD_URL', 'The PBX returned a download link on a different server; refusing to send the access token there.');
  }
  url.searchParams.set('access_token', accessToken);
  return url;
}

const TOKEN_PARAM = /((?:access_token|refresh_token)=)[^&#\s"']*/gi;

/** Hides access_token (and refresh_token) values in a URL or any text containing one. */
export function redactUrl(url: string | URL): string {
  return String(url).replace(TOKEN_PARAM, '$1***');
}

/** Path and endpoint without the query string, safe for messages. */
export function describeEndpoint(url: URL): string {
  return url.pathname.startsWith('/openapi/') ? url.pathname.replace(/^.*\/openapi\/v1\.0\//, '') : url.pathname;
}

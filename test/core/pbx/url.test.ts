import { describe, expect, it } from 'vitest';
import { apiUrl, normalizeBaseUrl, redactUrl, resourceUrl } from '../../../main/core/pbx/url.js';
import { PbxInputError } from '../../../main/core/pbx/errors.js';

describe('normalizeBaseUrl', () => {
  it.each([
    ['https://pbx.example:8088', 'https://pbx.example:8088', 'https:', 8088],
    ['http://10.0.0.5', 'http://10.0.0.5', 'http:', 80],
    ['pbx.example.com', 'https://pbx.example.com', 'https:', 443],
    ['  https://pbx.example:8088///  ', 'https://pbx.example:8088', 'https:', 8088],
    ['pbx.example.com:8088/', 'https://pbx.example.com:8088', 'https:', 8088],
    ['HTTPS://PBX.Example.COM:8088', 'https://pbx.example.com:8088', 'https:', 8088],
    ['https://pbx.example:8088/openapi/v1.0/', 'https://pbx.example:8088', 'https:', 8088],
    ['https://proxy.example/pbx1/', 'https://proxy.example/pbx1', 'https:', 443],
    ['https://pbx.example:443', 'https://pbx.example', 'https:', 443],
    ['http://[::1]:8080', 'http://[::1]:8080', 'http:', 8080],
  ])('%j -> %s', (input, href, protocol, port) => {
    const b = normalizeBaseUrl(input);
    expect(b.href).toBe(href);
    expect(b.protocol).toBe(protocol);
    expect(b.port).toBe(port);
  });

  it('keeps the IPv6 host without brackets for sockets', () => {
    expect(normalizeBaseUrl('http://[::1]:8080').hostname).toBe('::1');
  });

  it.each(['', '   ', 'ftp://pbx.example', 'https://user:pw@pbx.example', 'https://pbx exa mple', 'https://'])('rejects %j', (input) => {
    expect(() => normalizeBaseUrl(input)).toThrow(PbxInputError);
  });

  it('never echoes typed credentials', () => {
    try {
      normalizeBaseUrl('https://admin:S3cretPw@pbx.example');
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('S3cretPw');
    }
  });
});

describe('apiUrl / resourceUrl', () => {
  const base = normalizeBaseUrl('https://pbx.example:8088/');
  it('builds /openapi/v1.0 paths with the token only as access_token', () => {
    const url = apiUrl(base, 'extension/search', { search_value: 'a&b c', page: '1', skip: undefined }, 'TOK');
    expect(url.pathname).toBe('/openapi/v1.0/extension/search');
    expect(url.searchParams.get('search_value')).toBe('a&b c');
    expect(url.searchParams.has('skip')).toBe(false);
    expect(url.searchParams.get('access_token')).toBe('TOK');
  });
  it('omits access_token when none is given', () => {
    expect(apiUrl(base, 'get_token').search).toBe('');
  });
  it('appends the token to a same-origin resource path and refuses another origin', () => {
    expect(resourceUrl(base, '/api/download/x.wav', 'T').href).toBe('https://pbx.example:8088/api/download/x.wav?access_token=T');
    expect(() => resourceUrl(base, 'https://evil.example/x.wav', 'T')).toThrow(PbxInputError);
  });
});

describe('redactUrl', () => {
  it('hides access_token and refresh_token values', () => {
    expect(redactUrl('https://p:8088/openapi/v1.0/x?a=1&access_token=abcDEF123&b=2')).toBe('https://p:8088/openapi/v1.0/x?a=1&access_token=***&b=2');
    expect(redactUrl(new URL('https://p/x?access_token=zz'))).toBe('https://p/x?access_token=***');
    expect(redactUrl('GET /y?ACCESS_TOKEN=q1 and refresh_token=r2')).toBe('GET /y?ACCESS_TOKEN=*** and refresh_token=***');
    expect(redactUrl('no token here')).toBe('no token here');
  });
});

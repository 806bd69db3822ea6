import { describe, expect, it } from 'vitest';
import { normalizeFingerprint, resolveTlsPolicy } from '../../../main/core/pbx/tls.js';
import { PbxInputError } from '../../../main/core/pbx/errors.js';

const HEX = 'ab'.repeat(16) + '0123456789ABCDEF'.repeat(2);
const CANON = HEX.toUpperCase().match(/../g)!.join(':');

describe('normalizeFingerprint', () => {
  it.each([HEX, HEX.toUpperCase(), CANON, CANON.toLowerCase(), ` ${CANON} `, `sha256/${HEX}`, `SHA256:${CANON}`])('accepts %s', (input) => {
    expect(normalizeFingerprint(input)).toBe(CANON);
  });
  it.each(['', 'abc', HEX.slice(2), `${HEX}00`, HEX.replace('a', 'g')])('rejects %j', (input) => {
    expect(() => normalizeFingerprint(input)).toThrow(PbxInputError);
  });
});

describe('resolveTlsPolicy', () => {
  it('defaults to verification with system roots', () => {
    expect(resolveTlsPolicy(undefined)).toEqual({ ca: undefined, pin: undefined, insecure: false });
  });
  it('rejects text that is not a PEM certificate and unreadable files', () => {
    expect(() => resolveTlsPolicy({ caPem: 'hello' })).toThrow(PbxInputError);
    expect(() => resolveTlsPolicy({ caFile: '/nonexistent/ca.pem' })).toThrow(/could not be read/);
  });
  it('normalises the pin', () => {
    expect(resolveTlsPolicy({ pinSha256: HEX }).pin).toBe(CANON);
  });
});

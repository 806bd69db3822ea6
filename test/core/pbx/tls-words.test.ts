// tlsProblem: every certificate failure in words (what is wrong, what to do), the raw code left out of the message.
import { describe, expect, it } from 'vitest';
import { tlsProblem } from '../../../main/core/pbx/tls.js';

const FP = 'AB:'.repeat(31) + 'CD';
const facts = { host: 'pbx.example', names: 'pbx.internal, 10.0.0.5', validFrom: 'Jan  1 00:00:00 2026 GMT', validTo: 'Jan  1 00:00:00 2025 GMT', fingerprint256: FP };

describe('tlsProblem', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'PBX_TLS_UNTRUSTED', 'self-signed', /self-signed certificate/],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'PBX_TLS_UNTRUSTED', 'self-signed', /self-signed certificate/],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'PBX_TLS_UNTRUSTED', 'unknown-ca', /certificate authority this computer does not know/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'PBX_TLS_UNTRUSTED', 'unknown-ca', /does not know/],
    ['CERT_HAS_EXPIRED', 'PBX_TLS_EXPIRED', 'expired', /has expired \(it was valid until Jan {2}1 00:00:00 2025 GMT\)/],
    ['CERT_NOT_YET_VALID', 'PBX_TLS_EXPIRED', 'not-yet-valid', /not valid yet.*date and time/],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'PBX_TLS_HOSTNAME_MISMATCH', 'wrong-host', /for another name than "pbx\.example".*issued for pbx\.internal, 10\.0\.0\.5/],
    ['CERT_REVOKED', 'PBX_TLS_UNTRUSTED', 'revoked', /revoked/],
    ['SOMETHING_NEW', 'PBX_TLS_UNTRUSTED', 'other', /could not be checked/],
  ])('%s -> %s (%s)', (reason, code, problem, words) => {
    const p = tlsProblem(reason, facts);
    expect(p).toMatchObject({ code, problem });
    expect(p.message).toMatch(words);
    expect(p.message).not.toContain(reason);
    if (problem !== 'revoked') expect(p.message).toContain(`pin its SHA-256 fingerprint ${FP}`);
  });

  it('self-signed and unknown authority point to the certificate file', () => {
    expect(tlsProblem('DEPTH_ZERO_SELF_SIGNED_CERT', facts).message).toContain("choosing the PBX's certificate file (PEM)");
    expect(tlsProblem('UNABLE_TO_GET_ISSUER_CERT', facts).message).toContain("choosing that authority's certificate file (PEM)");
  });
});

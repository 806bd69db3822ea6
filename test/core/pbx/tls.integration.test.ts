// TLS policy against the HTTPS simulator (self-signed certificate): CA trust, pin match/mismatch, insecure, schemes.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PbxSchemeMismatchError, PbxTlsError } from '../../../main/core/pbx/index.js';
import { caughtErr, expectClean, simHarness } from './sim-helpers.js';

const h = simHarness();

describe('TLS against the HTTPS simulator', () => {
  it('rejects the self-signed certificate by default, with its fingerprint, before sending credentials', async () => {
    const sim = await h.sim('https');
    const e = await caughtErr(() => h.client(sim, { tls: {} }).testConnection());
    expect(e).toBeInstanceOf(PbxTlsError);
    expect(e.code).toBe('PBX_TLS_UNTRUSTED');
    expect(e.detail?.fingerprint256).toBe(sim.fingerprint256);
    expect(e.message).toContain(sim.fingerprint256!);
    expect(sim.requestLog()).toEqual([]);
    expectClean(e, sim);
  });

  it('trusts the certificate given as PEM text or as a file', async () => {
    const sim = await h.sim('https');
    expect((await h.client(sim, { tls: { caPem: sim.certPem! } }).testConnection()).extensionCount).toBe(20);
    const caFile = path.join(h.dir(), 'pbx.pem');
    writeFileSync(caFile, sim.certPem!);
    expect((await h.client(sim, { tls: { caFile } }).testConnection()).extensionCount).toBe(20);
  });

  it('accepts a matching pin in any spelling', async () => {
    const sim = await h.sim('https');
    const fp = sim.fingerprint256!;
    for (const pin of [fp, fp.toLowerCase(), fp.replace(/:/g, ''), fp.replace(/:/g, '').toLowerCase()]) {
      expect((await h.client(sim, { tls: { pinSha256: pin } }).listExtensions({ pageSize: 1 })).total).toBe(20);
    }
  });

  it('rejects a pin mismatch even when the certificate is otherwise trusted, and shows the real fingerprint', async () => {
    const sim = await h.sim('https');
    const wrong = 'AA:'.repeat(31) + 'AA';
    const e = await caughtErr(() => h.client(sim, { tls: { caPem: sim.certPem!, pinSha256: wrong } }).testConnection());
    expect(e.code).toBe('PBX_TLS_PIN_MISMATCH');
    expect(e.detail).toMatchObject({ fingerprint256: sim.fingerprint256, pinned: wrong });
    expect(sim.requestLog()).toEqual([]);
    expectClean(e, sim);
  });

  it('insecure mode connects and warns loudly', async () => {
    const sim = await h.sim('https');
    const warnings: string[] = [];
    const c = h.client(sim, { tls: { insecure: true }, onWarning: (m) => warnings.push(m) });
    expect((await c.testConnection()).extensionCount).toBe(20);
    expect(warnings.some((w) => /INSECURE/.test(w) && /verification is OFF/.test(w))).toBe(true);
    expect(warnings.some((w) => w.includes(sim.fingerprint256!))).toBe(true);
    for (const w of warnings) {
      expect(w).not.toContain(sim.clientSecret);
      expect(w).not.toMatch(/[A-Za-z0-9]{32}/);
    }
  });

  it('http:// against the HTTPS simulator and https:// against the HTTP one are explained', async () => {
    const tlsSim = await h.sim('https');
    const e1 = await caughtErr(() => h.client(tlsSim, { baseUrl: tlsSim.url.replace('https:', 'http:') }).testConnection());
    expect(e1).toBeInstanceOf(PbxSchemeMismatchError);
    expect(e1.code).toBe('PBX_HTTP_TO_HTTPS_PORT');
    const plainSim = await h.sim('http');
    const e2 = await caughtErr(() => h.client(plainSim, { baseUrl: plainSim.url.replace('http:', 'https:') }).testConnection());
    expect(e2).toBeInstanceOf(PbxSchemeMismatchError);
    expect(e2.code).toBe('PBX_HTTPS_TO_HTTP_PORT');
    expect(plainSim.requestLog()).toEqual([]);
    expectClean(e1, tlsSim);
    expectClean(e2, plainSim);
  });

  it('accepts the address as typed: bare host:port means https, trailing slashes and spaces are fine', async () => {
    const sim = await h.sim('https');
    const hostPort = sim.url.replace('https://', '');
    expect((await h.client(sim, { baseUrl: `  ${hostPort}//  ` }).testConnection()).extensionCount).toBe(20);
  });
});

// The Connect screen's handlers over the real app and real simulators: testing entered values saves nothing and a
// stored secret only goes to its own origin; failed logins are counted per profile (persisted, reset on success)
// up to the PBX's block, whose end is local time; plain HTTP warns; a stalled test is cancelled; certificate picker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startSimulator, type Simulator } from '../../../main/sim/index.js';
import { LOGIN_ATTEMPT_LIMIT, localClock } from '../../../main/ipc/connect-memory.js';
import { startApp, tempDir, type TestApp } from './helpers.js';

let sim: Simulator;
let plain: Simulator;
let tmp: { dir: string; cleanup: () => Promise<void> };
let n = 0;

beforeAll(async () => {
  tmp = await tempDir('vmgs-connect-');
  sim = await startSimulator({ https: true, extensions: 12 });
  plain = await startSimulator({ https: false, extensions: 3 });
});
afterAll(async () => {
  await sim?.close();
  await plain?.close();
  await tmp?.cleanup();
});

function fresh(dataDir?: string, extra: Parameters<typeof startApp>[1] = {}): TestApp {
  return startApp(dataDir ?? path.join(tmp.dir, `d${++n}`), extra);
}
const op = () => `op-${++n}`;
const pinned = () => ({ mode: 'pin' as const, pinSha256: sim.fingerprint256! });
async function caught(p: Promise<unknown>): Promise<{ code: string; message: string; detail?: Record<string, unknown> }> {
  return p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as { code: string; message: string; detail?: Record<string, unknown> });
}

describe('testProfile: the entered values, nothing saved', () => {
  it('tests new values without creating a profile, and an edit without overwriting it', async () => {
    const t = fresh();
    try {
      const r = await t.h.testProfile({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: pinned(), operationId: op() }, t.ctx);
      expect(r).toEqual({ extensionCount: 12, warnings: [] });
      expect(await t.profiles.list()).toEqual([]);
      const saved = await t.h.saveProfile({ name: 'HQ', baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: pinned() }, t.ctx);
      // Edited name and TLS mode, tested: the saved profile stays as it was.
      await t.h.testProfile({ id: saved.id, baseUrl: sim.url, clientId: sim.clientId, tls: pinned(), operationId: op() }, t.ctx);
      expect(await t.profiles.list()).toEqual([saved]);
      expect(sim.liveTokenCount()).toBe(0); // the test's token was released
    } finally {
      await t.dispose();
    }
  });

  it('a stored secret is only sent to the origin it was saved for', async () => {
    const t = fresh();
    try {
      const saved = await t.h.saveProfile({ name: 'HQ', baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: pinned() }, t.ctx);
      expect((await t.h.testProfile({ id: saved.id, baseUrl: sim.url, clientId: sim.clientId, tls: pinned(), operationId: op() }, t.ctx)).extensionCount).toBe(12);
      plain.clearRequestLog();
      const e = await caught(t.h.testProfile({ id: saved.id, baseUrl: plain.url, clientId: sim.clientId, tls: { mode: 'system' }, operationId: op() }, t.ctx));
      expect(e.code).toBe('PROFILE_NO_SECRET');
      expect(e.detail).toMatchObject({ field: 'clientSecret' });
      expect(plain.requestLog()).toEqual([]);
    } finally {
      await t.dispose();
    }
  });
});

describe('failed logins: attempts left, persisted per profile, block end in local time', () => {
  it('counts down to the block, survives a restart, and a success resets the count', async () => {
    const blockSim = await startSimulator({ https: false, extensions: 2 });
    const dataDir = path.join(tmp.dir, `d${++n}`);
    let t = fresh(dataDir);
    try {
      const good = await t.h.saveProfile({ name: 'Good', baseUrl: blockSim.url, clientId: blockSim.clientId, clientSecret: blockSim.clientSecret, tls: { mode: 'system' } }, t.ctx);
      const bad = await t.h.saveProfile({ name: 'Bad', baseUrl: blockSim.url, clientId: blockSim.clientId, clientSecret: 'wrong', tls: { mode: 'system' } }, t.ctx);
      for (const left of [4, 3]) {
        const e = await caught(t.h.connect({ id: bad.id }, t.ctx));
        expect(e.code).toBe('PBX_-1');
        expect(e.detail).toMatchObject({ attemptsLeft: left, failures: LOGIN_ATTEMPT_LIMIT - left, limit: LOGIN_ATTEMPT_LIMIT });
        expect(e.message).toContain(`${left} attempts left before the PBX blocks this computer's IP address`);
      }
      // Persisted: a new app on the same data folder knows the count.
      await t.dispose();
      t = fresh(dataDir, { profiles: t.profiles });
      expect((await t.h.connectMemory({}, t.ctx)).logins[bad.id]).toMatchObject({ failures: 2, attemptsLeft: 3 });
      // Test with typed values counts for the profile too.
      const e3 = await caught(t.h.testProfile({ id: bad.id, baseUrl: blockSim.url, clientId: blockSim.clientId, clientSecret: 'still-wrong', tls: { mode: 'system' }, operationId: op() }, t.ctx));
      expect(e3.detail).toMatchObject({ attemptsLeft: 2 });
      // A success (the right secret for that profile) resets it; the PBX resets its count with it.
      await t.h.testProfile({ id: bad.id, baseUrl: blockSim.url, clientId: blockSim.clientId, clientSecret: blockSim.clientSecret, tls: { mode: 'system' }, operationId: op() }, t.ctx);
      expect((await t.h.connectMemory({}, t.ctx)).logins[bad.id]).toBeUndefined();
      for (const left of [4, 3, 2, 1]) expect((await caught(t.h.connect({ id: bad.id }, t.ctx))).detail).toMatchObject({ attemptsLeft: left });
      const fifth = await caught(t.h.connect({ id: bad.id }, t.ctx));
      expect(fifth.detail).toMatchObject({ attemptsLeft: 0 });
      expect(fifth.message).toContain('the PBX now blocks this computer');
      // The PBX blocks the IP: any profile gets the block with its end in local time, never the Unix number.
      const blocked = await caught(t.h.connect({ id: good.id }, t.ctx));
      expect(blocked.code).toBe('PBX_70004');
      const until = blocked.detail?.['blockedUntil'];
      expect(typeof until).toBe('string');
      expect(Math.abs(Date.parse(until as string) - (Date.now() + 1800_000))).toBeLessThan(10_000);
      expect(blocked.message).toContain(`until ${localClock(new Date(until as string))}`);
      expect(blocked.message).not.toMatch(/\d{9,}/);
      expect((await t.h.connectMemory({}, t.ctx)).logins[good.id]).toMatchObject({ attemptsLeft: 0, blockedUntil: until });
    } finally {
      await t.dispose();
      await blockSim.close();
    }
  });

  it('the last profile connected is remembered (and forgotten with the profile)', async () => {
    const dataDir = path.join(tmp.dir, `d${++n}`);
    const t = fresh(dataDir);
    try {
      const a = await t.h.saveProfile({ name: 'A', baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: pinned() }, t.ctx);
      await t.h.saveProfile({ name: 'B', baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: pinned() }, t.ctx);
      expect((await t.h.connectMemory({}, t.ctx)).lastProfileId).toBeNull();
      await t.h.connect({ id: a.id }, t.ctx);
      const again = fresh(dataDir, { profiles: t.profiles });
      expect((await again.h.connectMemory({}, again.ctx)).lastProfileId).toBe(a.id);
      await again.dispose();
      await t.h.deleteProfile({ id: a.id }, t.ctx);
      expect((await t.h.connectMemory({}, t.ctx)).lastProfileId).toBeNull();
    } finally {
      await t.dispose();
    }
  });
});

describe('plain HTTP, cancel, certificate file', () => {
  it('plain HTTP: the core client warning reaches the screen (test result and address check)', async () => {
    const t = fresh();
    try {
      const r = await t.h.testProfile({ baseUrl: plain.url, clientId: plain.clientId, clientSecret: plain.clientSecret, tls: { mode: 'system' }, operationId: op() }, t.ctx);
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatch(/Plain HTTP .*the Client Secret and access tokens travel unencrypted/);
      expect((await t.h.addressWarnings({ baseUrl: plain.url }, t.ctx)).warnings).toEqual(r.warnings);
      expect((await t.h.addressWarnings({ baseUrl: sim.url }, t.ctx)).warnings).toEqual([]);
    } finally {
      await t.dispose();
    }
  });

  it('a test that hangs is cancelled through its operation id', async () => {
    const t = fresh();
    try {
      sim.injectFault({ kind: 'latency', ms: 20_000, path: 'get_token', times: 1 });
      const operationId = op();
      const started = Date.now();
      const pending = caught(t.h.testProfile({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: pinned(), operationId }, t.ctx));
      await new Promise((r) => setTimeout(r, 400));
      expect(await t.h.cancel({ operationId }, t.ctx)).toEqual({ cancelled: true });
      const e = await pending;
      expect(e.code).toBe('CANCELLED');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(await t.profiles.list()).toEqual([]);
    } finally {
      sim.clearFaults();
      await t.dispose();
    }
  });

  it('pickCertificate reads the chosen PEM file; refuses other files in words; null when cancelled', async () => {
    const pem = path.join(tmp.dir, 'pbx.pem');
    const junk = path.join(tmp.dir, 'notes.txt');
    await writeFile(pem, sim.certPem!);
    await writeFile(junk, 'hello');
    let answer: string | null = pem;
    const t = fresh(undefined, { dialogs: { openAudioFile: async () => null, saveFile: async () => null, openCertificateFile: async () => answer } });
    try {
      expect(await t.h.pickCertificate({}, t.ctx)).toEqual({ pem: sim.certPem!, fileName: 'pbx.pem' });
      // The picked PEM makes a working trust setting.
      const r = await t.h.testProfile({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: { mode: 'ca', caPem: sim.certPem! }, operationId: op() }, t.ctx);
      expect(r.extensionCount).toBe(12);
      answer = junk;
      const e = await caught(t.h.pickCertificate({}, t.ctx));
      expect(e.code).toBe('PBX_BAD_CA');
      expect(e.message).toContain('is not a PEM certificate');
      answer = null;
      expect(await t.h.pickCertificate({}, t.ctx)).toBeNull();
    } finally {
      await t.dispose();
    }
    const noDialog = fresh();
    try {
      expect((await caught(noDialog.h.pickCertificate({}, noDialog.ctx))).code).toBe('NO_FILE_DIALOG');
    } finally {
      await noDialog.dispose();
    }
  });

  it('TLS failures come in words with the raw code only in detail', async () => {
    const t = fresh();
    try {
      const e = await caught(t.h.testProfile({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: { mode: 'system' }, operationId: op() }, t.ctx));
      expect(e.code).toBe('PBX_TLS_UNTRUSTED');
      expect(e.detail).toMatchObject({ problem: 'self-signed', reason: 'DEPTH_ZERO_SELF_SIGNED_CERT', fingerprint256: sim.fingerprint256 });
      expect(e.message).toContain('self-signed certificate');
      expect(e.message).not.toContain('DEPTH_ZERO');
      const wrongPin = 'AB:'.repeat(31) + 'CD';
      const m = await caught(t.h.testProfile({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: { mode: 'pin', pinSha256: wrongPin }, operationId: op() }, t.ctx));
      expect(m).toMatchObject({ code: 'PBX_TLS_PIN_MISMATCH', detail: { problem: 'fingerprint-mismatch' } });
      // No request reached the PBX with a certificate it did not accept: the client checks before sending.
    } finally {
      await t.dispose();
    }
  });
});

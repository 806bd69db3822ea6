// Helpers for client <-> simulator integration tests: start/stop simulators, build clients, check for leaked secrets.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../main/sim/index.js';
import { PbxClient, type PbxClientOptions } from '../../../main/core/pbx/index.js';
import { tempDir } from './helpers.js';
import { pcm16MonoWav } from '../../../main/core/wav.js';

export type Scheme = 'http' | 'https';

/** Registers afterEach cleanup and returns starters bound to it. */
export function simHarness() {
  const sims: Simulator[] = [];
  const clients: PbxClient[] = [];
  const dirs: (() => void)[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.signOut().catch(() => undefined)));
    await Promise.all(sims.splice(0).map((s) => s.close()));
    while (dirs.length) dirs.pop()!();
  });
  return {
    async sim(scheme: Scheme, opts: SimulatorOptions = {}): Promise<Simulator> {
      const s = await startSimulator({ ...opts, https: scheme === 'https' });
      sims.push(s);
      return s;
    },
    /** A client trusting the simulator's certificate (HTTPS) with short timeouts. */
    client(sim: Simulator, extra: Partial<PbxClientOptions> = {}): PbxClient {
      const c = new PbxClient({
        baseUrl: sim.url,
        clientId: sim.clientId,
        clientSecret: sim.clientSecret,
        timeoutMs: 5000,
        onWarning: () => undefined,
        ...(sim.certPem ? { tls: { caPem: sim.certPem } } : {}),
        ...extra,
      });
      clients.push(c);
      return c;
    },
    /** Writes `bytes` into a fresh temp dir; removed after the test. */
    file(name: string, bytes: Buffer): string {
      const t = tempDir();
      dirs.push(t.cleanup);
      const p = path.join(t.dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    dir(): string {
      const t = tempDir();
      dirs.push(t.cleanup);
      return t.dir;
    },
  };
}

/** A small valid 8 kHz mono 16-bit WAV with some non-zero content. */
export function wavBytes(samples = 8000, seed = 1): Buffer {
  return pcm16MonoWav(Array.from({ length: samples }, (_, i) => 8000 * Math.sin((i * seed) / 10)));
}

/** No client secret, client id, or anything shaped like a 32-character token in the error's text or JSON. */
export function expectClean(error: unknown, sim: Simulator): void {
  const text = `${String((error as Error)?.message)}\n${JSON.stringify(error)}\n${String(error)}`;
  expect(text).not.toContain(sim.clientSecret);
  expect(text).not.toContain(sim.clientId);
  expect(text).not.toMatch(/[A-Za-z0-9]{32}/);
  expect(text).not.toMatch(/access_token=(?!\*\*\*)/);
}

export function countCalls(sim: Simulator, endpoint: string): number {
  return sim.requestLog().filter((e) => e.path === `/openapi/v1.0/${endpoint}`).length;
}

export async function caughtErr(fn: () => Promise<unknown>): Promise<Error & { code: string; kind: string; detail?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code: string; kind: string };
  }
  throw new Error('expected a rejection');
}

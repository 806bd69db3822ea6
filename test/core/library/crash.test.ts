// Crash/restart: a worker CHILD PROCESS is SIGKILLed in the middle of uploads to the real simulator, then restarted.
// Every item must end in its one final state, uploaded exactly once, none lost, none duplicated under another name.
// The child runs the compiled library from build/ (test/helpers/build.ts; Node 20 cannot run .ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HistoryStore, UploadQueue } from '../../../main/core/library/index.js';
import { originOf } from '../../../main/core/pbx/url.js';
import { startSimulator, type Fault, type Simulator } from '../../../main/sim/index.js';
import { makeWav } from './helpers/audio.js';
import { BUILD_ROOT, ensureBuilt } from '../../helpers/build.js';
import { makeTmp } from './helpers/tmp.js';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'queue-worker.mjs');
const N = 40;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  await ensureBuilt();
}, 180_000);
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
});

interface Child {
  proc: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWorker(cfg: Record<string, unknown>): Child {
  const proc = spawn(process.execPath, [fixture, JSON.stringify(cfg)], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  const lines: string[] = [];
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
  });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) lines.push(`STDERR ${err}`);
      resolve({ code, signal });
    });
  });
  return { proc, lines, exited };
}

async function waitFor(pred: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function scenario(extraFaults: Fault[]): Promise<{ inFlightAtKill: number; doneBeforeKill: number; retries: number }> {
  const tmp = await makeTmp();
  const sim: Simulator = await startSimulator({ extensions: N });
  try {
    const ours = await makeWav(tmp.dir, 'ours.wav', 500);
    const oursBytes = await fs.readFile(ours);
    const old = await fs.readFile(await makeWav(tmp.dir, 'old.wav', 300));
    const exts = Array.from({ length: N }, (_, i) => String(3200 + i));
    // Even extensions already have a Welcome.wav: policy rename must put ours under Welcome-2.wav, exactly once.
    for (const ext of exts) if (Number(ext) % 2 === 0) sim.seedGreeting(ext, 'Welcome.wav', old);
    const dataDir = path.join(tmp.dir, 'data');
    const queue = new UploadQueue({ dataDir });
    await queue.enqueueMany(exts.map((ext) => ({ source: { filePath: ours }, ext, policy: 'rename' as const, pbxProfileId: 'sim', pbx: { origin: originOf(sim.url), clientId: sim.clientId }, name: 'Welcome' })));

    // Slow uploads down so the kill lands while several are in flight.
    sim.injectFault({ kind: 'latency', ms: 40, rate: 1, path: 'extension_vm_greeting/upload' });
    for (const f of extraFaults) sim.injectFault(f);
    const cfg = { modRoot: BUILD_ROOT, dataDir, baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, concurrency: 4 };

    const first = startWorker(cfg);
    const done = (c: Child): number => c.lines.filter((l) => l.startsWith('done ')).length;
    await waitFor(() => done(first) >= N / 4 || first.proc.exitCode !== null, 30_000);
    first.proc.kill('SIGKILL');
    const killed = await first.exited;
    expect(killed.signal).toBe('SIGKILL');
    const doneBeforeKill = done(first);
    const afterKill = await queue.list();
    const inFlightAtKill = afterKill.filter((i) => i.state === 'running').length;
    expect(afterKill.filter((i) => i.state === 'pending' || i.state === 'running').length).toBeGreaterThan(0);

    const second = startWorker(cfg);
    const end = await Promise.race([second.exited, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`restarted worker did not finish: ${second.lines.slice(-5).join(' | ')}`)), 90_000))]);
    expect(end, second.lines.join('\n')).toEqual({ code: 0, signal: null });
    const summary = JSON.parse(second.lines.find((l) => l.startsWith('SUMMARY '))?.slice(8) ?? '{}') as { failed?: number };
    expect(summary.failed).toBe(0);

    // Final states on disk: odd → uploaded (created), even → renamed to Welcome-2.wav. Nothing else.
    const items = await queue.list();
    expect(items).toHaveLength(N);
    for (const item of items) {
      const even = Number(item.ext) % 2 === 0;
      expect(item, item.ext).toMatchObject(even ? { state: 'renamed', target: 'Welcome-2.wav' } : { state: 'uploaded', action: 'created', target: 'Welcome.wav' });
    }
    // On the PBX: exactly our one copy per extension, no Welcome-3.wav or other duplicates.
    for (const ext of exts) {
      const g = sim.greetings(ext).sort((a, b) => a.real_filename.localeCompare(b.real_filename));
      const even = Number(ext) % 2 === 0;
      expect(g.map((x) => x.real_filename), ext).toEqual(even ? ['Welcome-2.wav', 'Welcome.wav'] : ['Welcome.wav']);
      expect(g.find((x) => x.real_filename === (even ? 'Welcome-2.wav' : 'Welcome.wav'))?.bytes.equals(oursBytes)).toBe(true);
      if (even) expect(g.find((x) => x.real_filename === 'Welcome.wav')?.bytes.equals(old)).toBe(true);
    }
    // Nothing left behind by the killed worker once the restarted one is done.
    expect(await fs.readdir(path.join(dataDir, 'queue')).then((n) => n.sort())).toEqual(['blobs', 'items']);
    // One history entry per item.
    const hist = await new HistoryStore({ dataDir }).list();
    expect(hist).toHaveLength(N);
    expect(new Set(hist.map((h) => h.queueItemId)).size).toBe(N);
    const retries = [...first.lines, ...second.lines].filter((l) => l.startsWith('retry ')).length;
    return { inFlightAtKill, doneBeforeKill, retries };
  } finally {
    await sim.close();
    await tmp.cleanup();
  }
}

describe('SIGKILL of the queue worker mid-batch, then restart (real simulator)', () => {
  it('clean network: every item uploaded exactly once', async () => {
    const r = await scenario([]);
    console.log(`[crash clean] done before kill ${r.doneBeforeKill}/${N}, in flight at kill ${r.inFlightAtKill}`);
    expect(r.inFlightAtKill).toBeGreaterThan(0);
  }, 150_000);

  it('connections reset mid-body (request processed, reply lost): no duplicates', async () => {
    const r = await scenario([{ kind: 'reset-mid-body', rate: 0.15, path: 'extension_vm_greeting/upload' }]);
    console.log(`[crash reset] done before kill ${r.doneBeforeKill}/${N}, in flight at kill ${r.inFlightAtKill}, retries ${r.retries}`);
    expect(r.retries).toBeGreaterThan(0);
  }, 150_000);

  it('5 % injected 5xx on every endpoint: all eventually uploaded', async () => {
    const r = await scenario([
      { kind: 'status', status: 503, rate: 0.03, path: '*' },
      { kind: 'status', status: 500, rate: 0.02, path: '*' },
    ]);
    console.log(`[crash 5xx] done before kill ${r.doneBeforeKill}/${N}, in flight at kill ${r.inFlightAtKill}, retries ${r.retries}`);
  }, 150_000);
});

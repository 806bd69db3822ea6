// Batch benchmark: 100 greetings to 100 extensions of the built-in simulator through the persistent queue.
// Baseline: the same 100 uploads with concurrency 1 (sequential), measured in the same run. Then concurrency 4
// (target ≤ 10 s, 0 failures) and concurrency 4 under 5 % injected 5xx faults (target: 100 % eventually uploaded).
// Every request gets 20 ms of simulated PBX latency so the numbers resemble a PBX on a LAN, not loopback.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { HistoryStore, QueueWorker, UploadQueue, itemsForExtensions, parseExtensionList, runBatch, type QueueRunSummary } from '../../main/core/library/index.js';
import { PbxClient, originOf } from '../../main/core/pbx/index.js';
import { startSimulator, type Fault } from '../../main/sim/index.js';

const LATENCY_MS = 20;

async function once(file: string, concurrency: number, faults: Fault[]): Promise<{ ms: number; summary: QueueRunSummary; onPbx: number; faultsHit: number }> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'vmgs-bench-batch-'));
  const sim = await startSimulator({ extensions: 100 });
  try {
    sim.injectFault({ kind: 'latency', ms: LATENCY_MS, rate: 1, path: '*' });
    for (const f of faults) sim.injectFault(f);
    const client = new PbxClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, onWarning: () => undefined });
    const queue = new UploadQueue({ dataDir });
    const worker = new QueueWorker({ queue, history: new HistoryStore({ dataDir }), transportFor: () => client, concurrency, backoff: { baseMs: 100, maxMs: 2000, maxAttempts: 12 } });
    const exts = parseExtensionList('3200-3299');
    const t0 = performance.now();
    const summary = await runBatch({ queue, worker, items: itemsForExtensions(exts, file, 'Welcome'), policy: 'overwrite', pbxProfileId: 'bench', pbx: { origin: originOf(sim.url), clientId: sim.clientId } });
    const ms = performance.now() - t0;
    const onPbx = exts.filter((e) => sim.greetings(e).some((g) => g.real_filename === 'Welcome.wav')).length;
    const faultsHit = sim.requestLog().filter((r) => r.fault !== undefined && r.fault !== 'latency').length;
    await client.signOut().catch(() => undefined);
    return { ms, summary, onPbx, faultsHit };
  } finally {
    await sim.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vmgs-bench-audio-'));
  try {
    const file = path.join(dir, 'welcome.wav');
    // 5 s of 8 kHz 16-bit mono PCM (≈ 80 kB), generated at run time.
    await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=5', '-ar', '8000', '-ac', '1', '-c:a', 'pcm_s16le', file]);
    const fmt = (r: Awaited<ReturnType<typeof once>>): string =>
      `${(r.ms / 1000).toFixed(2)} s, ${r.summary.uploaded}/100 uploaded, ${r.summary.failed} failed, ${r.onPbx}/100 on the PBX${r.faultsHit ? `, ${r.faultsHit} faults injected` : ''}`;
    const baseline = await once(file, 1, []);
    console.log(`baseline   concurrency 1: ${fmt(baseline)}`);
    const parallel = await once(file, 4, []);
    console.log(`batch      concurrency 4: ${fmt(parallel)}  → ${(baseline.ms / parallel.ms).toFixed(2)}x faster than baseline; target ≤ 10 s: ${parallel.ms <= 10_000 && parallel.summary.failed === 0 ? 'met' : 'MISSED'}`);
    const faulty = await once(file, 4, [{ kind: 'status', status: 503, rate: 0.05, path: '*' }]);
    console.log(`5 % 5xx    concurrency 4: ${fmt(faulty)}  → ${(faulty.ms / parallel.ms).toFixed(2)}x the fault-free time; all uploaded: ${faulty.onPbx === 100 && faulty.summary.failed === 0 ? 'yes' : 'NO'}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

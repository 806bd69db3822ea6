// Outbox benchmark: the app's Outbox (composeApp: the handlers the desktop app runs) drains 100 uploads to 100
// extensions of the simulator at the worker's concurrency 4, and the CLI's `vmgreet batch` sends the same 100 (the
// same rendered bytes, --as-is) in the same run as the baseline. Target: the Outbox drain ≤ 10 s and about equal to
// the CLI figure. Every request gets 20 ms of simulated PBX latency (a PBX on a LAN, not loopback).
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { HandlerContext } from '../../main/ipc/handlers/index.js';
import { composeApp } from '../../main/shell/compose.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { MemoryProfiles } from '../../test/e2e/bridge/profiles.js';

const exec = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const LATENCY_MS = 20;
const N = 100;
const EXTS = Array.from({ length: N }, (_, i) => String(3200 + i));

async function simulator(): Promise<Simulator> {
  const sim = await startSimulator({ extensions: N });
  sim.injectFault({ kind: 'latency', ms: LATENCY_MS, rate: 1, path: '*' });
  return sim;
}
const onPbx = (sim: Simulator): number => EXTS.filter((e) => sim.greetings(e).some((g) => g.real_filename === 'Welcome.wav')).length;

async function outboxDrain(dir: string, source: Buffer): Promise<{ ms: number; onPbx: number; rendered: string }> {
  const sim = await simulator();
  const ctx: HandlerContext = { emit: () => undefined };
  const app = composeApp({
    dataDir: path.join(dir, 'app-data'),
    env: {},
    profiles: new MemoryProfiles(),
    dialogs: { openAudioFile: async () => null, saveFile: async () => null },
    openExternal: async () => undefined,
    startDemoPbx: async () => {
      throw new Error('no demo');
    },
  });
  try {
    const h = app.handlers;
    const p = await h.saveProfile({ name: 'Bench', baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: { mode: 'system' } }, ctx);
    await h.connect({ id: p.id }, ctx);
    const src = await h.importBytes({ name: 'welcome.wav', bytes: new Uint8Array(source) }, ctx);
    await h.renderDraft({ draftId: src.draftId, operationId: 'r' }, ctx);
    const draft = await app.context.drafts.get(src.draftId);
    const rendered = path.join(dir, 'Welcome.wav');
    await fs.copyFile(app.context.drafts.renderedPath(draft) ?? '', rendered);
    const t0 = performance.now();
    await h.enqueueUploads({ draftId: src.draftId, extensions: EXTS, name: 'Welcome', ifExists: 'overwrite', allowOverwriteWithoutBackup: false }, ctx);
    for (;;) {
      const page = await h.listOutbox({ page: 1, pageSize: 1 }, ctx);
      if (page.counts.pending + page.counts.running === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ms = performance.now() - t0;
    return { ms, onPbx: onPbx(sim), rendered };
  } finally {
    await app.dispose();
    await sim.close();
  }
}

async function cliBatch(dir: string, file: string): Promise<{ ms: number; onPbx: number; code: number }> {
  const sim = await simulator();
  try {
    const env = { ...process.env, VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret, VMGREET_DATA_DIR: path.join(dir, 'cli-data') };
    const t0 = performance.now();
    let code = 0;
    await exec(process.execPath, [path.join(ROOT, 'bin', 'vmgreet.js'), 'batch', '--ext', `3200-${3200 + N - 1}`, file, '--name', 'Welcome', '--as-is', '--if-exists', 'overwrite', '--concurrency', '4', '--json'], { env, maxBuffer: 16 * 1024 * 1024 }).catch((e: { code?: number }) => {
      code = e.code ?? 1;
    });
    return { ms: performance.now() - t0, onPbx: onPbx(sim), code };
  } finally {
    await sim.close();
  }
}

export async function run(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vmgs-bench-outbox-'));
  try {
    const src = path.join(dir, 'welcome-src.wav');
    await exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=5', '-ar', '16000', '-ac', '1', src]);
    const outbox = await outboxDrain(dir, await fs.readFile(src));
    const cli = await cliBatch(dir, outbox.rendered);
    console.log(`CLI batch  (baseline, concurrency 4, incl. process start): ${(cli.ms / 1000).toFixed(2)} s, ${cli.onPbx}/${N} on the PBX, exit ${cli.code}`);
    console.log(`Outbox drain (app handlers, concurrency 4):               ${(outbox.ms / 1000).toFixed(2)} s, ${outbox.onPbx}/${N} on the PBX`);
    console.log(`ratio Outbox / CLI: ${(outbox.ms / cli.ms).toFixed(2)}; target Outbox ≤ 10 s: ${outbox.ms <= 10_000 && outbox.onPbx === N ? 'met' : 'MISSED'}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

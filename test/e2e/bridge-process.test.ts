// The process that runs the handlers, killed and started again on the same data folder (test/e2e/bridge/child.mjs:
// the e2e bridge as its own process, over the compiled app). A draft made before is there with its analysis; an
// 8-extension upload killed with SIGKILL in the middle finishes after the restart with exactly one greeting of that
// name per extension (no -2 copies, none lost); the CLI sees the same queue.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DraftDetail, IpcResult, OutboxPage, ProfileSummary, SourceInfo, AnalysisResult } from '../../main/ipc/channels.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak, makeTempDir } from '../helpers/audio-fixtures.js';
import { BUILD_ROOT, PROJECT_ROOT, ensureBuilt } from '../helpers/build.js';
import { decodeWire, encodeWire } from './bridge/wire.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(here, 'bridge', 'child.mjs');
const run = promisify(execFile);
const children = new Set<ChildProcess>();

interface BridgeProc {
  proc: ChildProcess;
  origin: string;
  call<T>(channel: string, payload: unknown): Promise<T>;
  exited: Promise<void>;
}

async function startChild(cfg: Record<string, unknown>): Promise<BridgeProc> {
  const proc = spawn(process.execPath, [CHILD, JSON.stringify({ buildRoot: BUILD_ROOT, ...cfg })], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  const origin = await new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /READY (\S+)/.exec(buf);
      if (m?.[1]) resolve(m[1]);
    });
    proc.on('exit', (code) => reject(new Error(`bridge process exited (${code}): ${err}`)));
  });
  return {
    proc,
    origin,
    exited,
    async call<T>(channel: string, payload: unknown): Promise<T> {
      const r = await fetch(`${origin}/__vmgs/call/${channel}`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: encodeWire(payload) });
      const res = decodeWire(await r.text()) as IpcResult<T>;
      if (!res.ok) throw new Error(`${channel}: ${res.error.code} ${res.error.message}`);
      return res.value;
    },
  };
}

async function waitFor(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

let tmp: { dir: string; cleanup: () => Promise<void> };
let s: Simulator;
beforeAll(async () => {
  await ensureBuilt();
  // The bridge's own sources live under test/: rebuild when they are newer than what child.mjs runs.
  const built = await stat(path.join(BUILD_ROOT, 'test', 'e2e', 'bridge', 'server.js')).then((x) => x.mtimeMs, () => 0);
  const src = Math.max(...(await Promise.all(['server.ts', 'profiles.ts', 'wire.ts'].map((f) => stat(path.join(here, 'bridge', f)).then((x) => x.mtimeMs)))));
  if (src > built) await run('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: PROJECT_ROOT });
  tmp = await makeTempDir('vmgs-bridge-proc-');
}, 180_000);
afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  await s?.close();
});
afterAll(async () => {
  await tmp?.cleanup();
});

const EXTS = ['3200', '3201', '3202', '3203', '3204', '3205', '3206', '3207'];

describe('the handlers process, killed and started again', () => {
  it('SIGKILL mid 8-extension upload → restart → one greeting of that name per extension; the draft keeps its analysis; the CLI sees the queue', async () => {
    s = await startSimulator({ extensions: 12 });
    const dataDir = path.join(tmp.dir, 'data');
    const settingsFile = path.join(tmp.dir, 'settings.json');
    const cfg = { dataDir, settingsFile, outbox: { backoff: { baseMs: 40, maxMs: 400, maxAttempts: 30 } } };
    const a = await startChild(cfg);
    const profile = await a.call<ProfileSummary>('saveProfile', { name: 'Office', baseUrl: s.url, clientId: s.clientId, clientSecret: s.clientSecret, tls: { mode: 'system' } });
    const wav = await readFile(await espeak(path.join(tmp.dir, 'take.wav'), 'Hello, you have reached the support team. Please leave a message after the tone.'));
    const src = await a.call<SourceInfo>('importBytes', { name: 'take.wav', bytes: new Uint8Array(wav) });
    const analysis = await a.call<AnalysisResult>('analyse', { sourceId: src.sourceId, operationId: 'an' });
    // Each upload takes a while on this PBX, so the kill lands in the middle of the batch.
    s.injectFault({ kind: 'latency', ms: 300, path: 'extension_vm_greeting/upload', times: 1000 });
    await a.call('connect', { id: profile.id });
    const { itemIds } = await a.call<{ itemIds: string[] }>('enqueueUploads', { draftId: src.draftId, extensions: EXTS, name: 'away', ifExists: 'rename', profileId: profile.id });
    expect(itemIds).toHaveLength(8);
    const landed = () => EXTS.filter((e) => s.greetings(e).some((g) => g.real_filename.startsWith('away'))).length;
    await waitFor(() => landed() >= 2, 30_000, 'the first uploads');
    a.proc.kill('SIGKILL');
    await a.exited;
    const atKill = landed();
    console.log(`SIGKILL with ${atKill} of 8 greetings on the PBX`);
    expect(atKill).toBeLessThan(8);

    const t0 = Date.now();
    const b = await startChild(cfg);
    const readyMs = Date.now() - t0;
    // Nothing to press: the restarted process's Outbox resumes the interrupted items by itself.
    await waitFor(async () => {
      const p = await b.call<OutboxPage>('listOutbox', { page: 1, pageSize: 50 });
      return p.items.length === 8 && p.items.every((i) => i.state !== 'pending' && i.state !== 'running');
    }, 60_000, 'the Outbox to finish after the restart');
    const doneMs = Date.now() - t0;
    console.log(`restart: bridge ready after ${readyMs} ms, all 8 items finished ${doneMs} ms after the restart`);
    const page = await b.call<OutboxPage>('listOutbox', { page: 1, pageSize: 50 });
    expect(page.items.map((i) => i.state).sort()).toEqual(Array(8).fill('uploaded'));
    for (const ext of EXTS) {
      expect(s.greetings(ext).filter((g) => g.real_filename.startsWith('away')).map((g) => g.real_filename), ext).toEqual(['away.wav']);
    }
    const draft = await b.call<DraftDetail>('getDraft', { draftId: src.draftId });
    expect(draft.analysis).toEqual(analysis);
    expect(draft.format).toBe('wav');

    // The CLI reads the same queue and drafts (one data folder).
    const q = JSON.parse((await run(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'vmgreet.js'), 'queue', 'list', '--data-dir', dataDir, '--json'])).stdout) as { items: { id: string; state: string }[] };
    expect(q.items.map((i) => i.id).sort()).toEqual([...itemIds].sort());
    const d = JSON.parse((await run(process.execPath, [path.join(PROJECT_ROOT, 'bin', 'vmgreet.js'), 'drafts', 'list', '--data-dir', dataDir, '--json'])).stdout) as { items: { id: string }[] };
    expect(d.items.map((i) => i.id)).toContain(src.draftId);
    b.proc.kill('SIGTERM');
    await b.exited;
  });
});

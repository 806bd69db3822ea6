// What the CLI promises about uploads that go through the queue, through the real binary against the simulator
// (with injected faults): one engine for upload/batch/queue run, honest outcomes and exit codes, the queue lock.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HistoryStore, UploadQueue } from '../../main/core/library/index.js';
import { originOf } from '../../main/core/pbx/url.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak, makeTempDir, tone } from '../helpers/audio-fixtures.js';
import { ensureBuilt, oneJson, runVmgreet } from './helpers.js';

vi.setConfig({ testTimeout: 240_000 });

let sim: Simulator;
let tmp: { dir: string; cleanup: () => Promise<void> };
let speech: string;
let beep: string;
let n = 0;

beforeAll(async () => {
  await ensureBuilt();
  sim = await startSimulator({ extensions: 40 });
  tmp = await makeTempDir('vmgreet-promises-');
  speech = await espeak(path.join(tmp.dir, 'welcome.wav'), 'Welcome. Please leave a message after the tone.');
  beep = await tone(path.join(tmp.dir, 'beep.wav'), { durationSec: 1.2, freq: 620 });
}, 180_000);
afterAll(async () => {
  await sim?.close();
  await tmp?.cleanup();
});

/** A fresh data folder per case, and the connection to `s`. */
function setup(s: Simulator = sim): { dataDir: string; env: Record<string, string>; pbx: { origin: string; clientId: string }; profile: string } {
  n += 1;
  const dataDir = path.join(tmp.dir, `data-${n}`);
  return {
    dataDir,
    env: { VMGREET_PBX_URL: s.url, VMGREET_CLIENT_ID: s.clientId, VMGREET_CLIENT_SECRET: s.clientSecret, VMGREET_DATA_DIR: dataDir },
    pbx: { origin: originOf(s.url), clientId: s.clientId },
    profile: `cli:${s.url}#${s.clientId}`,
  };
}

async function vm(args: string[], env: Record<string, string>, timeoutMs = 120_000) {
  const r = await runVmgreet(args, { env, timeoutMs });
  expect(r.stdout + r.stderr).not.toContain(sim.clientSecret);
  return r;
}

const names = (s: Simulator, ext: string) => s.greetings(ext).map((g) => g.real_filename).sort();

describe('upload is a queue item carried out by the library worker', () => {
  it('shows in queue list and history with its PBX; an overwrite keeps a backup that rollback restores', async () => {
    const c = setup();
    const first = await vm(['upload', speech, '--ext', '3230', '--name', 'hours', '--json'], c.env);
    expect(first.code, first.stderr).toBe(0);
    const doc = oneJson(first.stdout) as { queueItemId: string; historyId: string; action: string; pbx: unknown };
    expect(doc).toMatchObject({ action: 'created', pbx: c.pbx });
    const original = sim.greetings('3230')[0]!.bytes;

    const list = oneJson((await vm(['queue', 'list', '--json'], c.env)).stdout) as { items: Array<Record<string, unknown>> };
    expect(list.items).toEqual([expect.objectContaining({ id: doc.queueItemId, ext: '3230', state: 'uploaded', action: 'created', pbx: c.pbx, pbxProfileId: c.profile })]);
    const table = (await vm(['queue', 'list'], c.env)).stdout;
    expect(table).toMatch(/^ID\s+EXT\s+NAME\s+STATE\s+POLICY\s+PBX\s+DETAIL$/m);
    expect(table).toContain(c.pbx.origin);

    const over = await vm(['upload', beep, '--ext', '3230', '--name', 'hours', '--if-exists', 'overwrite', '--json'], c.env);
    expect(over.code, over.stderr).toBe(0);
    const o = oneJson(over.stdout) as { historyId: string; action: string };
    expect(o.action).toBe('overwritten');
    const hist = new HistoryStore({ dataDir: c.dataDir });
    expect(await hist.get(o.historyId)).toMatchObject({ result: 'overwritten', pbx: c.pbx, backup: { fileName: 'hours.wav', bytes: original.length } });
    const human = (await vm(['history'], c.env)).stdout;
    expect(human).toMatch(/^ID\s+WHEN\s+PBX\s+EXT\s+NAME\s+RESULT\s+BACKUP$/m);
    expect(human).toMatch(new RegExp(`${o.historyId}\\s+\\S+ \\S+\\s+${c.pbx.origin.replace(/[.:/]/g, '\\$&')}\\s+3230\\s+hours\\.wav\\s+overwritten`));

    const rb = await vm(['rollback', o.historyId], c.env);
    expect(rb.code, rb.stderr).toBe(0);
    expect(sim.greetings('3230')[0]!.bytes.equals(original)).toBe(true);
  });

  it('an unreachable PBX keeps the upload queued (exit 4); queue run finishes it once the PBX is back', async () => {
    const down = await startSimulator({ extensions: 3 });
    const c = setup(down);
    await down.close();
    const r = await vm(['upload', beep, '--ext', '3200', '--json'], c.env);
    expect(r.code).toBe(4);
    const err = oneJson(r.stdout) as { error: { message: string; detail: { queueItemId: string } } };
    expect(err.error.message).toMatch(/kept in the queue as q-.*vmgreet queue run/);
    const queue = new UploadQueue({ dataDir: c.dataDir });
    expect(await queue.get(err.error.detail.queueItemId)).toMatchObject({ state: 'pending', lastError: { unreachable: true, kind: 'network' } });
    // The PBX is back (same address and credentials): queue run delivers the kept upload.
    const back = await startSimulator({ port: Number(new URL(down.url).port), extensions: 3, clientId: down.clientId, clientSecret: down.clientSecret });
    try {
      const run = await vm(['queue', 'run', '--json'], c.env);
      expect(run.code, run.stderr).toBe(0);
      expect(oneJson(run.stdout)).toMatchObject({ total: 1, created: 1 });
      expect(names(back, '3200')).toEqual(['beep.wav']);
    } finally {
      await back.close();
    }
  });
});

describe('honest outcomes', () => {
  it('rerunning a batch with the default --if-exists fail reports unchanged for greetings already there (exit 0, not 5)', async () => {
    const c = setup();
    const first = await vm(['batch', '--ext', '3200-3203', beep, '--name', 'rerun', '--json'], c.env);
    expect(first.code, first.stderr).toBe(0);
    const again = await vm(['batch', '--ext', '3200-3205', beep, '--name', 'rerun', '--json'], c.env);
    expect(again.code, again.stdout).toBe(0);
    expect(oneJson(again.stdout)).toMatchObject({ total: 6, unchanged: 4, created: 2, failed: 0 });
    const human = await vm(['batch', '--ext', '3200-3201', beep, '--name', 'rerun'], c.env);
    expect(human.stdout).toMatch(/3200\s+rerun\.wav\s+unchanged/);
    expect(human.stdout).toMatch(/2 items: 2 unchanged \(already on the PBX\)\./);
    const hist = oneJson((await vm(['history', '--ext', '3200', '--json'], c.env)).stdout) as { items: Array<{ result: string }> };
    expect(hist.items[0]?.result).toBe('unchanged');
    for (const ext of ['3200', '3205']) expect(names(sim, ext)).toEqual(['rerun.wav']);
  });

  it('a 12-minute recording without --format is uploaded (auto steps down); a pinned wav still refuses it', async () => {
    const c = setup();
    const long = await tone(path.join(tmp.dir, 'twelve-minutes.wav'), { durationSec: 720, freq: 300, sampleRate: 16000 });
    const pinned = await vm(['upload', long, '--ext', '3206', '--format', 'wav', '--json'], c.env);
    expect(pinned.code).toBe(2);
    expect(oneJson(pinned.stdout)).toMatchObject({ error: { code: 'AUDIO_FORMAT_TOO_BIG' } });
    expect(pinned.stderr).toMatch(/^vmgreet: A 12 min greeting in wav would be about .* over the PBX limit/);
    expect(names(sim, '3206')).toEqual([]);
    const r = await vm(['upload', long, '--ext', '3206', '--json'], c.env);
    expect(r.code, r.stderr).toBe(0);
    const doc = oneJson(r.stdout) as { format: string; formatReason: string; action: string };
    expect(doc).toMatchObject({ action: 'created', format: 'wav-ulaw' });
    expect(doc.formatReason).toMatch(/too long for wav/);
    expect(names(sim, '3206')).toEqual(['twelve-minutes.wav']);
  });
});

describe('batch and queue run keep their promises', () => {
  it('one 503 on the extension list (and one on an upload) does not abort the batch; a healed retry shows no DETAIL', async () => {
    const c = setup();
    sim.injectFault({ kind: 'status', status: 503, path: 'extension/list', times: 1 });
    sim.injectFault({ kind: 'status', status: 503, path: 'extension_vm_greeting/upload', times: 1 });
    const r = await vm(['batch', '--ext', '3207-3209', beep, '--name', 'flaky'], c.env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 items: 3 created\./);
    const rows = r.stdout.split('\n').filter((l) => /^\s*320[7-9]\s/.test(l));
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row).toMatch(/^\s*\d+\s+flaky\.wav\s+created\s+h-[a-z0-9]+-[a-f0-9]{8}$/);
    // The history still knows an item needed a retry: its queue item kept the last error.
    const items = await new UploadQueue({ dataDir: c.dataDir }).list();
    expect(items.filter((i) => i.lastError !== null).length).toBeGreaterThanOrEqual(1);
    for (const ext of ['3207', '3208', '3209']) expect(names(sim, ext)).toEqual(['flaky.wav']);
  });

  it('a PBX that becomes unreachable mid-batch exits 4 (network); the rest stays queued', async () => {
    const mid = await startSimulator({ extensions: 20 });
    const c = setup(mid);
    mid.injectFault({ kind: 'latency', ms: 150, rate: 1, path: 'extension_vm_greeting/upload' });
    const run = vm(['batch', '--ext', '3200-3219', beep, '--name', 'outage', '--concurrency', '1'], c.env);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const stored = Array.from({ length: 20 }, (_, i) => mid.greetings(String(3200 + i)).length).reduce((a, b) => a + b, 0);
      if (stored >= 2) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await mid.close();
    const r = await run;
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toMatch(/could not be reached .*; \d+ items? stay queued\. Run `vmgreet queue run` when it is reachable again\./);
    const pending = (await new UploadQueue({ dataDir: c.dataDir }).list({ states: ['pending'] })).length;
    expect(pending).toBeGreaterThan(0);
  });

  it('queue run takes items that ran out of retries again, reports parked failures with how to retry, and exits non-zero while they are not on the PBX', async () => {
    const c = setup();
    const queue = new UploadQueue({ dataDir: c.dataDir });
    const [tired, parked] = await queue.enqueueMany([
      { source: { filePath: beep }, ext: '3210', policy: 'fail', pbxProfileId: c.profile, pbx: c.pbx, name: 'retried' },
      { source: { filePath: beep }, ext: '3211', policy: 'fail', pbxProfileId: c.profile, pbx: c.pbx, name: 'taken' },
    ]);
    sim.seedGreeting('3211', 'taken.wav', Buffer.from('RIFF-someone-else'));
    // What an earlier run left: one item gave up on a transient error, one was parked on a name conflict.
    await queue.save({ ...tired!, state: 'failed', attempts: 8, parked: false, reason: 'gave up after 8 attempts: HTTP 503', lastError: { code: 'PBX_HTTP_STATUS', message: 'HTTP 503', kind: 'network', retryable: true, unreachable: false }, finishedAt: new Date().toISOString() });
    await queue.save({ ...parked!, state: 'failed', attempts: 1, parked: true, reason: 'Extension 3211 already has a greeting named "taken.wav".', lastError: { code: 'GREETING_EXISTS', message: 'exists', kind: 'exists', retryable: false, unreachable: false }, finishedAt: new Date().toISOString() });

    const r = await vm(['queue', 'run', '--json'], c.env);
    expect(r.code, r.stderr).toBe(5);
    const doc = oneJson(r.stdout) as { created: number; stillFailed: Array<{ id: string }> };
    expect(doc.created).toBe(1);
    expect(doc.stillFailed.map((i) => i.id)).toEqual([parked!.id]);
    expect(r.stderr).toMatch(new RegExp(`still failed: ${parked!.id}  extension 3211  taken\\.wav: Extension 3211 already has a greeting`));
    expect(names(sim, '3210')).toEqual(['retried.wav']);

    const human = await vm(['queue', 'run'], c.env);
    expect(human.code).toBe(5);
    expect(human.stdout).toMatch(new RegExp(`1 earlier item\\(s\\) for this PBX failed and are not on the PBX .*vmgreet queue retry ${parked!.id}`));

    // Uploading that name again another way settles it: nothing the user asked for is missing any more.
    const fixed = await vm(['upload', beep, '--ext', '3211', '--name', 'taken', '--if-exists', 'overwrite'], c.env);
    expect(fixed.code, fixed.stderr).toBe(0);
    const done = await vm(['queue', 'run'], c.env);
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(done.stdout).toMatch(/Nothing to upload for this PBX\./);
  });

  it('a CSV name cell like =HYPERLINK(...) is refused with its line, not rewritten', async () => {
    const c = setup();
    const csv = path.join(tmp.dir, 'names.csv');
    await writeFile(csv, `extension,file,name\n3212,${beep},"=HYPERLINK(""http://evil.example/"",""x"")"\n3213,${beep},fine_name\n`);
    const r = await vm(['batch', '--csv', csv], c.env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rejected: line 2: the name "=HYPERLINK\(\\"http:\/\/evil\.example\/\\",\\"x\\"\)" is not allowed\. Use only letters, digits/);
    expect(names(sim, '3212')).toEqual([]);
    expect(names(sim, '3213')).toEqual(['fine_name.wav']);
  });
});

describe('the queue lock names its holder', () => {
  it('upload, batch and queue run refuse while the app runs the queue (exit 6), and queue nothing', async () => {
    const c = setup();
    await mkdir(path.join(c.dataDir, 'queue'), { recursive: true });
    const since = new Date();
    since.setHours(14, 2, 0, 0);
    // This test process stands in for the app: a live pid that is not the CLI's own.
    await writeFile(path.join(c.dataDir, 'queue', 'worker.lock'), JSON.stringify({ by: 'app', pid: process.pid, since: since.toISOString() }));
    const message = new RegExp(`^vmgreet: The VM Greeting Studio app \\(pid ${process.pid}\\) has been uploading from this data folder since 14:02\\. Wait until its Outbox has finished`);
    for (const args of [['upload', beep, '--ext', '3214'], ['batch', '--ext', '3214-3215', beep], ['queue', 'run']]) {
      const r = await vm([...args, '--json'], c.env);
      expect(r.code, args.join(' ')).toBe(6);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(oneJson(r.stdout)).toMatchObject({ error: { code: 'QUEUE_BUSY', kind: 'busy', exitCode: 6 } });
    }
    expect(await new UploadQueue({ dataDir: c.dataDir }).list()).toEqual([]);
    expect(names(sim, '3214')).toEqual([]);
    expect(JSON.parse(await readFile(path.join(c.dataDir, 'queue', 'worker.lock'), 'utf8'))).toMatchObject({ by: 'app', pid: process.pid });
  });
});

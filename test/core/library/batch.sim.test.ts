// Batch of 100 extensions against the real simulator and the real PBX client, in process.
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PbxClient } from '../../../main/core/pbx/index.js';
import { originOf } from '../../../main/core/pbx/url.js';
import { startSimulator, type Simulator } from '../../../main/sim/index.js';
import {
  HistoryStore,
  QueueWorker,
  UploadQueue,
  dryRunBatch,
  itemsForExtensions,
  knownExtensionNumbers,
  parseExtensionList,
  readCsvMapping,
  rollback,
  runBatch,
} from '../../../main/core/library/index.js';
import { makeWav } from './helpers/audio.js';
import { makeTmp } from './helpers/tmp.js';

let sim: Simulator;
let client: PbxClient;
let tmp: { dir: string; cleanup: () => Promise<void> };
let fileA: string;
let fileB: string;

beforeAll(async () => {
  tmp = await makeTmp();
  sim = await startSimulator({ extensions: 100 });
  client = new PbxClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, onWarning: () => undefined });
  fileA = await makeWav(tmp.dir, 'welcome-a.wav', 440);
  fileB = await makeWav(tmp.dir, 'welcome-b.wav', 880);
});
afterAll(async () => {
  await client?.signOut().catch(() => undefined);
  await sim?.close();
  await tmp?.cleanup();
});

describe('batch of 100 against the simulator', () => {
  it('creates all, then skips all, then overwrites all with backups, and rollback restores byte for byte', async () => {
    const queue = new UploadQueue({ dataDir: tmp.dir });
    const history = new HistoryStore({ dataDir: tmp.dir });
    const worker = new QueueWorker({ queue, history, transportFor: () => client, concurrency: 4 });
    const exts = parseExtensionList('3200-3299');
    const a = await fs.readFile(fileA);
    const b = await fs.readFile(fileB);

    const dry = await dryRunBatch(client, itemsForExtensions(exts, fileA, 'Welcome'), 'skip');
    expect(dry.counts['would-create']).toBe(100);

    const overall: number[] = [];
    const created = await runBatch({ queue, worker, items: itemsForExtensions(exts, fileA, 'Welcome'), policy: 'skip', pbxProfileId: 'sim', pbx: { origin: originOf(sim.url), clientId: sim.clientId }, onProgress: (p) => overall.push(p.done) });
    expect(created).toMatchObject({ total: 100, uploaded: 100, created: 100, failed: 0 });
    expect(Math.max(...overall)).toBe(100);
    for (const ext of exts) {
      const g = sim.greetings(ext);
      expect(g.map((x) => x.real_filename)).toEqual(['Welcome.wav']);
      expect(g[0]?.bytes.equals(a)).toBe(true);
    }

    expect((await dryRunBatch(client, itemsForExtensions(exts, fileB, 'Welcome'), 'overwrite')).counts['would-overwrite']).toBe(100);
    const skipped = await runBatch({ queue, worker, items: itemsForExtensions(exts, fileB, 'Welcome'), policy: 'skip', pbxProfileId: 'sim', pbx: { origin: originOf(sim.url), clientId: sim.clientId } });
    expect(skipped).toMatchObject({ total: 100, skipped: 100, uploaded: 0, failed: 0 });

    const over = await runBatch({ queue, worker, items: itemsForExtensions(exts, fileB, 'Welcome'), policy: 'overwrite', pbxProfileId: 'sim', pbx: { origin: originOf(sim.url), clientId: sim.clientId } });
    expect(over).toMatchObject({ total: 100, uploaded: 100, overwritten: 100, failed: 0 });
    for (const ext of exts) expect(sim.greetings(ext)[0]?.bytes.equals(b)).toBe(true);
    // Every old greeting was backed up before it was replaced.
    for (const item of over.items) {
      const entry = await history.get(item.historyId ?? '');
      expect(entry).toMatchObject({ result: 'overwritten', ext: item.ext, backup: { fileName: 'Welcome.wav', bytes: a.length } });
      if (!entry.backup) throw new Error('no backup');
      expect((await fs.readFile(history.backupPath(entry.backup))).equals(a)).toBe(true);
    }

    for (const item of over.items) await rollback(item.historyId ?? '', { history, transportFor: () => client });
    for (const ext of exts) {
      const g = sim.greetings(ext);
      expect(g).toHaveLength(1);
      expect(g[0]?.bytes.equals(a)).toBe(true);
    }
    // One client, one token for the whole run.
    expect(sim.liveTokenCount()).toBe(1);
  });

  it('keeps items pending when the PBX is not reachable (offline), and reports the profile', async () => {
    const dataDir = (await makeTmp()).dir;
    const down = await startSimulator({ extensions: 2 });
    await down.close();
    const offlineClient = new PbxClient({ baseUrl: down.url, clientId: down.clientId, clientSecret: down.clientSecret, onWarning: () => undefined, timeoutMs: 2000 });
    try {
      const queue = new UploadQueue({ dataDir });
      const worker = new QueueWorker({ queue, history: new HistoryStore({ dataDir }), transportFor: () => offlineClient, backoff: { baseMs: 20 } });
      const res = await runBatch({ queue, worker, items: itemsForExtensions(['3200', '3201'], fileA), policy: 'skip', pbxProfileId: 'office', pbx: { origin: originOf(sim.url), clientId: sim.clientId } });
      expect(res).toMatchObject({ total: 2, failed: 0, unfinished: 2, offlineProfiles: ['office'] });
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('runs a CSV mapping: good rows proceed, bad rows are reported, unknown extensions checked against the PBX', async () => {
    const dataDir = (await makeTmp()).dir;
    try {
      await fs.writeFile(`${tmp.dir}/notes.txt`, 'not audio');
      await fs.writeFile(`${tmp.dir}/map.csv`, '\uFEFFextension,file,name\r\n3250,welcome-b.wav,Csv\r\n3251,welcome-a.wav,Csv\r\n3251,welcome-a.wav,Csv\r\n9000,welcome-a.wav,Csv\r\n3252,notes.txt,Csv\r\n');
      const known = await knownExtensionNumbers(client);
      expect(known.size).toBe(100);
      const map = await readCsvMapping(`${tmp.dir}/map.csv`, { knownExtensions: known });
      expect(map.errors.map((e) => e.code)).toEqual(['CSV_DUPLICATE_ROW', 'CSV_UNKNOWN_EXTENSION', 'CSV_NOT_AUDIO']);
      const queue = new UploadQueue({ dataDir });
      const worker = new QueueWorker({ queue, history: new HistoryStore({ dataDir }), transportFor: () => client });
      const res = await runBatch({ queue, worker, items: map.rows.map((r) => ({ ext: r.extension, filePath: r.file, ...(r.name ? { name: r.name } : {}) })), policy: 'fail', pbxProfileId: 'sim', pbx: { origin: originOf(sim.url), clientId: sim.clientId } });
      expect(res).toMatchObject({ total: 2, created: 2, failed: 0 });
      expect(sim.greetings('3250').find((g) => g.real_filename === 'Csv.wav')?.bytes.equals(await fs.readFile(fileB))).toBe(true);
      const pbx = { origin: originOf(sim.url), clientId: sim.clientId };
      // The same CSV again with policy fail (a rerun): the PBX holds exactly these bytes, so both are unchanged.
      const again = await runBatch({ queue, worker, items: map.rows.map((r) => ({ ext: r.extension, filePath: r.file, name: 'Csv' })), policy: 'fail', pbxProfileId: 'sim', pbx });
      expect(again).toMatchObject({ total: 2, unchanged: 2, failed: 0 });
      // Other bytes under those names with policy fail: both fail (exists), exit code material.
      const swapped = await runBatch({ queue, worker, items: map.rows.map((r) => ({ ext: r.extension, filePath: r.file === fileA ? fileB : fileA, name: 'Csv' })), policy: 'fail', pbxProfileId: 'sim', pbx });
      expect(swapped).toMatchObject({ total: 2, failed: 2 });
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

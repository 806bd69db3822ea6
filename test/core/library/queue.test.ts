import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keepBothName } from '../../../main/core/domain.js';
import { CancelledError, GreetingExistsError } from '../../../main/core/errors.js';
import { PbxApiError, PbxBadResponseError, PbxNetworkError, PbxTimeoutError, PbxTlsError } from '../../../main/core/pbx/errors.js';
import { DraftLibrary, HistoryStore, QueueWorker, UploadQueue, backoffDelay, classifyError, openLibrary, readWorkerLock, rollback, type QueueWorkerOptions } from '../../../main/core/library/index.js';
import { FakeTransport } from './helpers/fake-transport.js';
import { fakeAudio, makeTmp } from './helpers/tmp.js';

const PBX = { origin: 'https://pbx1.example:8088', clientId: 'client-1' };
let tmp: { dir: string; cleanup: () => Promise<void> };
let t: FakeTransport;
let queue: UploadQueue;
let history: HistoryStore;
let sleeps: number[];

beforeEach(async () => {
  tmp = await makeTmp();
  t = new FakeTransport();
  queue = new UploadQueue({ dataDir: tmp.dir });
  history = new HistoryStore({ dataDir: tmp.dir });
  sleeps = [];
});
afterEach(async () => {
  await tmp.cleanup();
});

function worker(extra: Partial<QueueWorkerOptions> = {}): QueueWorker {
  return new QueueWorker({
    queue,
    history,
    transportFor: () => t,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
}

async function enqueueRange(file: string, n: number, policy: 'overwrite' | 'skip' | 'rename' | 'fail' = 'overwrite') {
  return queue.enqueueMany(Array.from({ length: n }, (_, i) => ({ source: { filePath: file }, ext: String(3200 + i), policy, pbxProfileId: 'pbx1', pbx: PBX, name: 'Welcome' })));
}

describe('UploadQueue + QueueWorker with a fake PBX', () => {
  it('uploads everything with at most `concurrency` calls in flight over one shared transport', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    await enqueueRange(file, 12);
    t.delayMs = 5;
    let transportsMade = 0;
    const summary = await worker({
      concurrency: 3,
      transportFor: () => {
        transportsMade += 1;
        return t;
      },
    }).run();
    expect(summary).toMatchObject({ total: 12, uploaded: 12, created: 12, failed: 0, unfinished: 0 });
    expect(transportsMade).toBe(1);
    expect(t.maxInFlight).toBe(3);
    expect(t.count('force')).toBe(12);
    for (let i = 0; i < 12; i += 1) expect(t.greetings(String(3200 + i)).get('Welcome.wav')).toEqual(await fs.readFile(file));
    // One blob for twelve items.
    expect(await fs.readdir(queue.blobsDir)).toHaveLength(1);
    const hist = await history.list();
    expect(hist).toHaveLength(12);
    expect(hist[0]).toMatchObject({ pbxProfileId: 'pbx1', fileName: 'Welcome.wav', result: 'created', bytes: (await fs.stat(file)).size });
  });

  it('refuses a concurrency above 4', () => {
    expect(() => worker({ concurrency: 5 })).toThrow(/1 to 4/);
  });

  it('retries network errors and 5xx with growing jittered backoff, then succeeds', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    await enqueueRange(file, 1);
    let failures = 0;
    t.fault = (op) => {
      if (op === 'force' && failures < 3) {
        failures += 1;
        return failures === 2
          ? { error: new PbxBadResponseError('PBX_HTTP_STATUS', 'HTTP 503', { status: 503 }) }
          : { error: new PbxNetworkError('PBX_CONNECTION_RESET', 'reset') };
      }
      return undefined;
    };
    const summary = await worker({ backoff: { baseMs: 100, maxMs: 1000 } }).run();
    expect(summary).toMatchObject({ uploaded: 1, failed: 0 });
    // random() = 0.5 → 75 % of each exponential step.
    expect(sleeps).toEqual([75, 150, 300]);
    const [item] = await queue.list();
    expect(item).toMatchObject({ state: 'uploaded', attempts: 4, action: 'created' });
    expect(t.count('force')).toBe(4);
  });

  it('jitter stays within [step/2, step] and the step is capped', () => {
    const opts = { baseMs: 100, maxMs: 1000, maxAttempts: 5 };
    expect(backoffDelay(1, opts, () => 0)).toBe(50);
    expect(backoffDelay(1, opts, () => 1)).toBe(100);
    expect(backoffDelay(10, opts, () => 1)).toBe(1000);
  });

  it.each([
    [40002, 'PBX_40002'],
    [10005, 'PBX_10005'],
    [70004, 'PBX_70004'],
    [-1, 'PBX_-1'],
  ])('parks the item on errcode %i without retrying', async (errcode, code) => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    await enqueueRange(file, 2);
    t.fault = (op, ext) => (op === 'ask' && ext === '3200' ? { error: new PbxApiError(errcode, 'extension_vm_greeting/upload', `refused ${errcode}`) } : undefined);
    const summary = await worker().run();
    expect(summary).toMatchObject({ uploaded: 1, failed: 1 });
    const failed = (await queue.list()).find((i) => i.ext === '3200');
    expect(failed).toMatchObject({ state: 'failed', parked: true, attempts: 1, reason: `refused ${errcode}`, lastError: { code } });
    expect(sleeps).toEqual([]);
    expect((await history.get(failed?.historyId ?? '')).result).toBe('failed');
  });

  it('gives up after maxAttempts on errors that keep happening, and retry() gives a fresh budget', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    await enqueueRange(file, 1);
    t.fault = (op) => (op === 'ask' ? { error: new PbxNetworkError('PBX_CONNECTION_RESET', 'reset') } : undefined);
    const summary = await worker({ backoff: { maxAttempts: 3 } }).run();
    expect(summary).toMatchObject({ failed: 1, uploaded: 0 });
    const [item] = await queue.list();
    expect(item).toMatchObject({ state: 'failed', parked: false, attempts: 3 });
    expect(item?.reason).toMatch(/gave up after 3 attempts/);

    t.fault = undefined;
    await queue.retry([item?.id ?? '']);
    expect(await worker().run()).toMatchObject({ uploaded: 1, failed: 0 });
  });

  it('treats an unreachable PBX as offline: items stay pending, nothing fails, a later run finishes them', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    await enqueueRange(file, 10);
    t.fault = () => ({ error: new PbxNetworkError('PBX_CONNECTION_REFUSED', 'Nothing accepts connections') });
    const offline = await worker({ concurrency: 2 }).run();
    expect(offline).toMatchObject({ total: 10, failed: 0, uploaded: 0, unfinished: 10, offlineProfiles: ['pbx1'] });
    // Bounded effort: at most 3 tries for each of the 2 items in flight, none for the other 8.
    expect(t.calls.length).toBeLessThanOrEqual(6);
    expect(new Set(t.calls.map((c) => c.ext)).size).toBeLessThanOrEqual(2);
    expect((await queue.list()).every((i) => i.state === 'pending')).toBe(true);
    expect((await queue.list())[0]?.lastError?.code).toBe('PBX_CONNECTION_REFUSED');

    t.fault = undefined;
    expect(await worker().run()).toMatchObject({ uploaded: 10, unfinished: 0, offlineProfiles: [] });
  });

  it('applies each policy and ends every item in exactly one state', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'new');
    const old = Buffer.from('old greeting bytes');
    for (const ext of ['3200', '3201', '3202', '3203']) t.greetings(ext).set('Welcome.wav', old);
    t.greetings('3202').set('Welcome-2.wav', old);
    const mk = (ext: string, policy: 'overwrite' | 'skip' | 'rename' | 'fail') => ({ source: { filePath: file }, ext, policy, pbxProfileId: 'pbx1', pbx: PBX, name: 'Welcome' });
    await queue.enqueueMany([mk('3200', 'overwrite'), mk('3201', 'skip'), mk('3202', 'rename'), mk('3203', 'fail'), mk('3204', 'skip')]);
    const summary = await worker().run();
    const by = Object.fromEntries(summary.items.map((i) => [i.ext, i]));
    expect(by['3200']).toMatchObject({ state: 'uploaded', action: 'overwritten', target: 'Welcome.wav' });
    expect(by['3201']).toMatchObject({ state: 'skipped' });
    expect(by['3202']).toMatchObject({ state: 'renamed', target: 'Welcome-3.wav' });
    expect(by['3203']).toMatchObject({ state: 'failed' });
    expect(by['3203']?.reason).toMatch(/already has a greeting/);
    expect(by['3204']).toMatchObject({ state: 'uploaded', action: 'created' });
    expect(summary).toMatchObject({ total: 5, uploaded: 2, created: 1, overwritten: 1, skipped: 1, renamed: 1, failed: 1, cancelled: 0 });
    expect(t.greetings('3201').get('Welcome.wav')).toEqual(old);
    expect(t.greetings('3202').get('Welcome.wav')).toEqual(old);

    // The overwrite took a backup first; rollback puts the old bytes back.
    const entry = await history.get(by['3200']?.historyId ?? '');
    expect(entry).toMatchObject({ result: 'overwritten', backup: { fileName: 'Welcome.wav', bytes: old.length } });
    const downloadIndex = t.calls.findIndex((c) => c.op === 'download' && c.ext === '3200');
    const forceIndex = t.calls.findIndex((c) => c.op === 'force' && c.ext === '3200');
    expect(downloadIndex).toBeGreaterThanOrEqual(0);
    expect(downloadIndex).toBeLessThan(forceIndex);
    const rb = await rollback(entry.id, { history, transportFor: () => t });
    expect(rb.action).toBe('restored');
    expect(t.greetings('3200').get('Welcome.wav')).toEqual(old);
    expect(rb.entry).toMatchObject({ result: 'rolled-back', rollbackOf: entry.id });

    // Rolling back a created greeting removes it; a skip has nothing to roll back.
    expect((await rollback(by['3204']?.historyId ?? '', { history, transportFor: () => t })).action).toBe('removed');
    expect(t.greetings('3204').has('Welcome.wav')).toBe(false);
    await expect(rollback(by['3201']?.historyId ?? '', { history, transportFor: () => t })).rejects.toMatchObject({ code: 'HISTORY_NOTHING_TO_ROLL_BACK' });
  });

  it('ends "unchanged" under every policy when the name already holds exactly our bytes: no write, no copy, no conflict', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'ours');
    const ours = await fs.readFile(file);
    const policies = ['overwrite', 'skip', 'rename', 'fail'] as const;
    policies.forEach((_, i) => t.greetings(String(3200 + i)).set('Welcome.wav', ours));
    // A rerun of a rename batch: the original name is someone else's, the keep-both copy is already ours.
    t.greetings('3204').set('Welcome.wav', Buffer.from('theirs'));
    t.greetings('3204').set('Welcome-2.wav', ours);
    await queue.enqueueMany([
      ...policies.map((policy, i) => ({ source: { filePath: file }, ext: String(3200 + i), policy, pbxProfileId: 'pbx1', pbx: PBX, name: 'Welcome' })),
      { source: { filePath: file }, ext: '3204', policy: 'rename' as const, pbxProfileId: 'pbx1', pbx: PBX, name: 'Welcome' },
    ]);
    const summary = await worker().run();
    expect(summary).toMatchObject({ total: 5, unchanged: 5, uploaded: 0, failed: 0, skipped: 0, renamed: 0 });
    for (const item of summary.items) {
      expect(item, item.ext).toMatchObject({ state: 'uploaded', action: 'unchanged', target: item.ext === '3204' ? 'Welcome-2.wav' : 'Welcome.wav' });
      const entry = await history.get(item.historyId ?? '');
      expect(entry).toMatchObject({ result: 'unchanged', backup: null, fileName: item.target, pbx: PBX });
      // The overwrite's download served as the comparison; no backup folder is kept for it.
      await expect(fs.access(path.join(history.folderOf(entry.id), 'backup'))).rejects.toThrow();
    }
    expect(t.count('force')).toBe(0);
    expect([...t.greetings('3204').keys()].sort()).toEqual(['Welcome-2.wav', 'Welcome.wav']);
    // One download per existing name looked at, none for a free one.
    expect(t.count('download')).toBe(6);
  });

  it('keeps both under the one keep-both rule: a 64-character name gets a copy name of at most 64 characters', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'ours');
    const long = 'n'.repeat(64);
    t.greetings('3200').set(`${long}.wav`, Buffer.from('theirs'));
    t.greetings('3200').set(keepBothName(`${long}.wav`, 2), Buffer.from('theirs too'));
    await queue.enqueue({ source: { filePath: file }, ext: '3200', policy: 'rename', pbxProfileId: 'pbx1', pbx: PBX, name: long });
    const summary = await worker().run();
    expect(summary.items[0]).toMatchObject({ state: 'renamed', target: `${'n'.repeat(62)}-3.wav` });
    expect(summary.items[0]?.target).toBe(keepBothName(`${long}.wav`, 3));
  });

  it('applies the policy when the bytes differ, and compares only names that exist', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'ours');
    t.greetings('3200').set('Welcome.wav', Buffer.from('theirs'));
    await enqueueRange(file, 2, 'fail');
    const summary = await worker().run();
    const by = Object.fromEntries(summary.items.map((i) => [i.ext, i]));
    expect(by['3200']).toMatchObject({ state: 'failed' });
    expect((await queue.get(by['3200']?.id ?? '')).lastError).toMatchObject({ code: 'GREETING_EXISTS', kind: 'exists', retryable: false, unreachable: false });
    expect(by['3201']).toMatchObject({ state: 'uploaded', action: 'created' });
    expect(t.calls.filter((c) => c.op === 'download').map((c) => c.ext)).toEqual(['3200']);
  });

  it('hands transportFor the whole item (routing key and the PBX it names), once per profile', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    await enqueueRange(file, 3);
    const seen: unknown[] = [];
    await worker({
      transportFor: (target) => {
        seen.push({ pbxProfileId: target.pbxProfileId, pbx: target.pbx });
        return t;
      },
    }).run();
    expect(seen).toEqual([{ pbxProfileId: 'pbx1', pbx: PBX }]);
  });

  it('loads item and history files written before items named their PBX', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    const [cliItem, appItem] = await queue.enqueueMany([
      { source: { filePath: file }, ext: '3200', policy: 'skip', pbxProfileId: 'cli:https://PBX.example:8088#client-7', pbx: PBX },
      { source: { filePath: file }, ext: '3201', policy: 'skip', pbxProfileId: 'p-app-1', pbx: PBX },
    ]);
    for (const it of [cliItem, appItem]) {
      const f = path.join(queue.itemsDir, `${it?.id}.json`);
      const { pbx: _dropped, lastError: _none, ...old } = JSON.parse(await fs.readFile(f, 'utf8')) as Record<string, unknown>;
      await fs.writeFile(f, JSON.stringify({ ...old, lastError: { code: 'PBX_CONNECTION_RESET', message: 'reset' } }));
    }
    expect((await queue.get(cliItem?.id ?? '')).pbx).toEqual({ origin: 'https://pbx.example:8088', clientId: 'client-7' });
    expect((await queue.get(appItem?.id ?? '')).pbx).toEqual({ origin: '', clientId: '' });
    expect((await queue.get(appItem?.id ?? '')).lastError).toEqual({ code: 'PBX_CONNECTION_RESET', message: 'reset' });
    const hid = history.newId();
    await fs.mkdir(history.folderOf(hid), { recursive: true });
    await fs.writeFile(
      path.join(history.folderOf(hid), 'entry.json'),
      JSON.stringify({ schemaVersion: 1, id: hid, at: new Date().toISOString(), pbxProfileId: 'cli:http://127.0.0.1:9#c', ext: '3200', fileName: 'a.wav', bytes: 1, sha256: null, result: 'created', reason: null, queueItemId: null, backup: null, rollbackOf: null }),
    );
    expect((await history.get(hid)).pbx).toEqual({ origin: 'http://127.0.0.1:9', clientId: 'c' });
  });

  it('does not overwrite when the backup download fails, unless explicitly allowed', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'new');
    const old = Buffer.from('old');
    t.greetings('3200').set('Welcome.wav', old);
    t.greetings('3201').set('Welcome.wav', old);
    t.fault = (op) => (op === 'download' ? { error: new PbxApiError(10005, 'extension_vm_greeting/download', 'no permission to download') } : undefined);
    await queue.enqueue({ source: { filePath: file }, ext: '3200', policy: 'overwrite', pbxProfileId: 'p', pbx: PBX, name: 'Welcome' });
    await queue.enqueue({ source: { filePath: file }, ext: '3201', policy: 'overwrite', pbxProfileId: 'p', pbx: PBX, name: 'Welcome', allowOverwriteWithoutBackup: true });
    const summary = await worker().run();
    const by = Object.fromEntries(summary.items.map((i) => [i.ext, i]));
    expect(by['3200']).toMatchObject({ state: 'failed' });
    expect(by['3200']?.reason).toMatch(/Could not back up .* not overwritten/);
    expect(t.greetings('3200').get('Welcome.wav')).toEqual(old);
    expect(by['3201']).toMatchObject({ state: 'uploaded', action: 'overwritten' });
    expect(t.greetings('3201').get('Welcome.wav')).toEqual(await fs.readFile(file));
    expect((await history.get(by['3201']?.historyId ?? '')).backup).toBeNull();
  });

  it('resumes an item that crashed mid-force: asks first, and does not re-upload what already landed', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'new');
    const [landed, lost, stolen] = await enqueueRange(file, 3, 'rename');
    // Simulate the on-disk state a SIGKILL leaves: phase 'writing' with the chosen target persisted.
    const bytes = await fs.readFile(file);
    for (const it of [landed, lost, stolen]) {
      if (!it) throw new Error('enqueue failed');
      await queue.save({ ...it, state: 'running', phase: 'writing', target: 'Welcome-2.wav', existedBefore: false, attempts: 1 });
    }
    t.greetings('3200').set('Welcome.wav', Buffer.from('pre-existing'));
    t.greetings('3200').set('Welcome-2.wav', bytes); // our force landed before the crash
    t.greetings('3202').set('Welcome-2.wav', Buffer.from('someone else')); // a different greeting took the name
    const summary = await worker().run();
    const by = Object.fromEntries(summary.items.map((i) => [i.ext, i]));
    expect(by['3200']).toMatchObject({ state: 'renamed', target: 'Welcome-2.wav' });
    expect(t.calls.filter((c) => c.ext === '3200').map((c) => c.op)).toEqual(['ask', 'download']);
    expect([...t.greetings('3200').keys()].sort()).toEqual(['Welcome-2.wav', 'Welcome.wav']);
    // 3201: nothing landed → ask, then force under the SAME name (no new name picked).
    expect(by['3201']).toMatchObject({ state: 'renamed', target: 'Welcome-2.wav' });
    expect(t.calls.filter((c) => c.ext === '3201').map((c) => c.op)).toEqual(['ask', 'force']);
    // 3202: the name holds other bytes → decide again: original name is free → created under it.
    expect(by['3202']).toMatchObject({ state: 'uploaded', action: 'created', target: 'Welcome.wav' });
    expect(t.greetings('3202').get('Welcome-2.wav')?.toString()).toBe('someone else');
  });

  it('cancels pending items and items being uploaded', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'new');
    const items = await enqueueRange(file, 3);
    await queue.cancel([items[2]?.id ?? '']);
    t.delayMs = 20;
    const w = worker({ concurrency: 1 });
    const run = w.run({
      onProgress: (p) => {
        if (p.ext === '3200' && p.phase === 'writing') void w.cancel(p.itemId);
      },
    });
    const summary = await run;
    const by = Object.fromEntries(summary.items.map((i) => [i.ext, i.state]));
    expect(by).toEqual({ '3200': 'cancelled', '3201': 'uploaded' });
    expect((await queue.get(items[2]?.id ?? '')).state).toBe('cancelled');
    await expect(queue.cancel([items[1]?.id ?? ''])).rejects.toMatchObject({ code: 'QUEUE_ITEM_NOT_ELIGIBLE' });
    expect(t.greetings('3202').size).toBe(0);
  });

  it('honours a cancel made by another process while the item is being worked on', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'new');
    const [item] = await enqueueRange(file, 1);
    t.delayMs = 30;
    // Another process (a second UploadQueue on the same folder) cancels while the worker asks the PBX.
    const other = new UploadQueue({ dataDir: tmp.dir });
    let cancelled = false;
    const summary = await worker().run({
      onProgress: (p) => {
        if (!cancelled && p.state === 'running') {
          cancelled = true;
          void other.cancel([item?.id ?? '']);
        }
      },
    });
    expect(summary.items[0]).toMatchObject({ state: 'cancelled' });
    expect(t.count('force')).toBe(0);
    // retry() clears the mark and the item can go.
    await queue.retry([item?.id ?? '']);
    expect(await worker().run()).toMatchObject({ uploaded: 1 });
  });

  it('a stopped run leaves items pending (not cancelled) for the next run', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'new');
    await enqueueRange(file, 4);
    t.delayMs = 20;
    const stop = new AbortController();
    const summary = await worker({ concurrency: 1 }).run({
      signal: stop.signal,
      onProgress: (p) => {
        if (p.state === 'uploaded') stop.abort();
      },
    });
    expect(summary.uploaded).toBe(1);
    expect(summary.unfinished).toBe(3);
    expect(summary.cancelled).toBe(0);
    expect(await worker().run()).toMatchObject({ total: 3, uploaded: 3 });
    expect((await queue.list()).every((i) => i.state === 'uploaded')).toBe(true);
    expect(t.count('force')).toBe(4);
  });

  it('enqueues a rendered draft and rejects unrendered drafts and non-PBX files', async () => {
    const drafts = new DraftLibrary({
      dataDir: tmp.dir,
      renderer: async (o) => {
        await fs.writeFile(o.outputPath, 'rendered');
        return { outputPath: o.outputPath, format: 'wav', formatReason: '', bytes: 8, durationSec: 1, analysis: {} };
      },
    });
    const q = new UploadQueue({ dataDir: tmp.dir, drafts });
    const d = await drafts.create({ sourcePath: await fakeAudio(tmp.dir, 'take.webm', 'x'), name: 'Après-midi!' });
    await expect(q.enqueue({ source: { draftId: d.id }, ext: '3200', policy: 'skip', pbxProfileId: 'p', pbx: PBX })).rejects.toMatchObject({ code: 'QUEUE_DRAFT_NOT_RENDERED' });
    await expect(q.enqueue({ source: { filePath: path.join(tmp.dir, 'take.webm') }, ext: '3200', policy: 'skip', pbxProfileId: 'p', pbx: PBX })).rejects.toMatchObject({ code: 'QUEUE_BAD_FILE_TYPE' });
    await expect(q.enqueue({ source: { filePath: path.join(tmp.dir, 'x.wav') }, ext: '3200', policy: 'skip', pbxProfileId: 'p', pbx: PBX })).rejects.toMatchObject({ code: 'QUEUE_SOURCE_UNREADABLE' });
    await drafts.render(d.id);
    const item = await q.enqueue({ source: { draftId: d.id }, ext: '3200', policy: 'skip', pbxProfileId: 'p', pbx: PBX });
    expect(item).toMatchObject({ fileName: 'Apres-midi.wav', source: { kind: 'draft', ref: d.id }, blob: { bytes: 8 } });
    // The queue holds a snapshot: re-rendering the draft later does not change what was queued.
    expect(await fs.readFile(q.blobPath(item), 'utf8')).toBe('rendered');
  });

  it('parks items whose PBX profile cannot be resolved, and refuses a second run in the same process', async () => {
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    await enqueueRange(file, 2);
    t.delayMs = 20;
    const w = worker();
    const first = w.run();
    await expect(worker().run()).rejects.toMatchObject({ code: 'QUEUE_BUSY' });
    expect(await first).toMatchObject({ uploaded: 2 });
    await queue.enqueue({ source: { filePath: file }, ext: '3300', policy: 'skip', pbxProfileId: 'gone', pbx: PBX });
    const res = await worker({
      transportFor: () => {
        throw new Error('No PBX profile named "gone". Add it again.');
      },
    }).run();
    expect(res.items[0]).toMatchObject({ state: 'failed', reason: 'No PBX profile named "gone". Add it again.' });
  });

  it('takes over the lock of a dead worker but refuses a live one', async () => {
    await fs.mkdir(queue.dir, { recursive: true });
    await fs.writeFile(path.join(queue.dir, 'worker.lock'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    expect(await readWorkerLock(tmp.dir)).toBeNull();
    await expect(worker().run()).resolves.toMatchObject({ total: 0 });
    // A lock file of the older format (pid only) is an unknown holder.
    await fs.writeFile(path.join(queue.dir, 'worker.lock'), JSON.stringify({ pid: process.ppid }));
    await expect(worker().run()).rejects.toMatchObject({ code: 'QUEUE_BUSY', kind: 'busy', message: expect.stringMatching(new RegExp(`^Another VM Greeting Studio process \\(pid ${process.ppid}\\) has been uploading from this data folder`)) });
    await fs.rm(path.join(queue.dir, 'worker.lock'));
  });

  it('the lock names its holder: who, pid and since when, in the lock file and in QUEUE_BUSY', async () => {
    const since = new Date();
    since.setHours(14, 2, 0, 0);
    await fs.mkdir(queue.dir, { recursive: true });
    await fs.writeFile(path.join(queue.dir, 'worker.lock'), JSON.stringify({ by: 'app', pid: process.ppid, since: since.toISOString() }));
    expect(await readWorkerLock(tmp.dir)).toEqual({ by: 'app', pid: process.ppid, since: since.toISOString() });
    const err = await worker().run().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'QUEUE_BUSY', kind: 'busy', detail: { holder: { by: 'app', pid: process.ppid } } });
    expect((err as Error).message).toBe(`The VM Greeting Studio app (pid ${process.ppid}) has been uploading from this data folder since 14:02. Wait until its Outbox has finished (or quit the app), then try again.`);
    await fs.rm(path.join(queue.dir, 'worker.lock'));

    // While a worker runs, its lock says who it is; afterwards the folder is free again.
    const file = await fakeAudio(tmp.dir, 'g.wav', 'one');
    await enqueueRange(file, 1);
    t.delayMs = 20;
    let seen: unknown = null;
    await worker({ holder: 'cli' }).run({
      onProgress: (p) => {
        if (seen === null && p.state === 'running') seen = JSON.parse(readFileSync(path.join(queue.dir, 'worker.lock'), 'utf8'));
      },
    });
    expect(seen).toMatchObject({ by: 'cli', pid: process.pid, since: expect.any(String) });
    expect(await readWorkerLock(tmp.dir)).toBeNull();
    await expect(fs.access(path.join(queue.dir, 'worker.lock'))).rejects.toThrow();
  });
});

describe('openLibrary', () => {
  it('wires drafts, queue, history and worker over one data folder and reports a recovered index', async () => {
    const first = await openLibrary({ dataDir: tmp.dir, transportFor: () => t });
    expect(first.openReport).toMatchObject({ recovered: false, drafts: 0 });
    await first.drafts.create({ sourcePath: await fakeAudio(tmp.dir, 'a.wav', 'a'), name: 'A' });
    await fs.writeFile(path.join(tmp.dir, 'library', 'index.json'), 'not json');
    const again = await openLibrary({ dataDir: tmp.dir, transportFor: () => t, worker: { concurrency: 2 } });
    expect(again.openReport).toMatchObject({ recovered: true, reason: 'index-corrupt', drafts: 1 });
    await again.queue.enqueue({ source: { filePath: await fakeAudio(tmp.dir, 'b.wav', 'b') }, ext: '3200', policy: 'skip', pbxProfileId: 'p', pbx: PBX });
    expect(await again.worker.run()).toMatchObject({ uploaded: 1 });
    expect(await again.history.list()).toHaveLength(1);
  });
});

describe('classifyError', () => {
  it('retries what can heal and parks what cannot', () => {
    expect(classifyError(new PbxNetworkError('PBX_CONNECTION_RESET', 'x')).outcome).toBe('retry');
    expect(classifyError(new PbxBadResponseError('PBX_HTML_RESPONSE', 'x')).outcome).toBe('retry');
    expect(classifyError(new PbxBadResponseError('PBX_INVALID_JSON', 'x')).outcome).toBe('retry');
    expect(classifyError(new PbxBadResponseError('PBX_HTTP_STATUS', 'x', { status: 502 })).outcome).toBe('retry');
    expect(classifyError(new PbxBadResponseError('PBX_HTTP_STATUS', 'x', { status: 404 })).outcome).toBe('park');
    expect(classifyError(new PbxApiError(-2, 'e', 'x')).outcome).toBe('retry');
    expect(classifyError(new PbxApiError(40004, 'e', 'x')).outcome).toBe('park');
    // Decided by the error's class, not by a code table: a plain Error says nothing about healing, so it is parked
    // (the PBX client never throws one: socket errors arrive mapped to PbxNetworkError).
    expect(classifyError(Object.assign(new Error('socket'), { code: 'ECONNRESET' })).outcome).toBe('park');
    expect(classifyError(new PbxNetworkError('PBX_CONNECTION_REFUSED', 'x'))).toMatchObject({ outcome: 'retry', unreachable: true, kind: 'network' });
    expect(classifyError(new PbxNetworkError('PBX_CONNECTION_RESET', 'x'))).toMatchObject({ outcome: 'retry', unreachable: false });
    expect(classifyError(new PbxTimeoutError('x'))).toMatchObject({ outcome: 'retry', unreachable: true });
    expect(classifyError(new PbxTlsError('PBX_TLS_UNTRUSTED', 'x', {}))).toMatchObject({ outcome: 'park', kind: 'network' });
    expect(classifyError(new PbxApiError(10004, 'e', 'x')).outcome).toBe('retry');
    expect(classifyError(new PbxApiError(70004, 'e', 'x')).outcome).toBe('park');
    expect(classifyError(new PbxApiError(12345, 'e', 'an errcode nobody documented')).outcome).toBe('park');
    expect(classifyError(new GreetingExistsError('3200', 'a.wav'))).toMatchObject({ outcome: 'park', kind: 'exists', code: 'GREETING_EXISTS' });
    expect(classifyError(new CancelledError()).outcome).toBe('cancelled');
  });
});

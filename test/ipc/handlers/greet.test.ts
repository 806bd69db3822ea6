// Greeting selection, rename, safe delete, record by phone and measured details through the IPC handlers, against
// the simulator's switches for the spec's UNCONFIRMED points: fields absent → hidden with the reason; file vs
// real_filename; in-use delete refused or moved to the default; rename present or 10001; the cache in the data folder.
import { afterEach, describe, expect, it } from 'vitest';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SimulatorOptions } from '../../../main/sim/index.js';
import { saveSimProfile, sim, startApp, tempDir, toneBytes, waitFor } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: SimulatorOptions = {}) {
  const tmp = await tempDir('vmgs-greet-');
  const dataDir = path.join(tmp.dir, 'data');
  const t = startApp(dataDir);
  const s = await sim(opts);
  cleanups.push(tmp.cleanup, () => t.dispose(), () => s.close());
  const profileId = await saveSimProfile(t, s);
  await t.h.connect({ id: profileId }, t.ctx);
  return { t, s, tmp, dataDir, profileId };
}

async function seedTwo(s: Awaited<ReturnType<typeof sim>>, dir: string): Promise<void> {
  s.seedGreeting('3200', 'away.wav', Buffer.from(await toneBytes(dir, 1.5, 440)));
  s.seedGreeting('3200', 'welcome.wav', Buffer.from(await toneBytes(dir, 2, 600)));
}

const updates = (s: Awaited<ReturnType<typeof sim>>) => s.requestLog().filter((e) => e.path.endsWith('extension/update'));

describe('greeting selection in the app', () => {
  it('overview: matrix of default + six statuses; choosing writes read-modify-write, verified, and the simulator holds it', async () => {
    const { t, s, tmp } = await setup();
    await seedTwo(s, tmp.dir);
    s.seedSelection('3200', { vm_greeting: 'welcome.wav', presence: { away: 'away.wav' } });
    const o = await t.h.greetOverview({ ext: '3200' }, t.ctx);
    expect(o.selection.supported).toBe(true);
    if (!o.selection.supported) return;
    expect(o.selection.slots.map((x) => x.slot)).toEqual(['default', 'available', 'away', 'do_not_disturb', 'lunch', 'business_trip', 'off_work']);
    expect(o.selection.slots.find((x) => x.slot === 'away')!.choice).toEqual({ kind: 'greeting', file: 'away.wav' });
    expect(o.selection.slots.find((x) => x.slot === 'lunch')).toMatchObject({ choice: { kind: 'extension-default' }, effective: { kind: 'greeting', file: 'welcome.wav' } });
    const row = (f: string) => o.greetings.find((g) => g.realFilename === f)!;
    expect(row('away.wav').playsFor).toEqual(['away']);
    expect(row('welcome.wav').playsFor).toEqual(['default']);
    expect(row('welcome.wav').viaDefault).toEqual(['available', 'do_not_disturb', 'lunch', 'business_trip', 'off_work']);
    expect(o.rename).toEqual({ supported: true });

    s.clearRequestLog();
    const after = await t.h.greetChoose({ ext: '3200', slots: ['do_not_disturb', 'lunch'], choice: { kind: 'greeting', file: 'away.wav' } }, t.ctx);
    expect(s.selection('3200').presence).toMatchObject({ do_not_disturb: 'away.wav', lunch: 'away.wav', away: 'away.wav', available: '' });
    expect(after.greetings.find((g) => g.realFilename === 'away.wav')!.playsFor).toEqual(['away', 'do_not_disturb', 'lunch']);
    // Only the keys that were read go back: id and the whole presence_list, no vm_greeting (the default did not change).
    const body = updates(s)[0]!.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['id', 'presence_list']);

    await t.h.greetChoose({ ext: '3200', slots: ['default'], choice: { kind: 'reset' } }, t.ctx);
    expect(s.selection('3200').vm_greeting).toBe('follow_system');
    await t.h.greetChoose({ ext: '3200', slots: ['lunch'], choice: { kind: 'reset' } }, t.ctx);
    expect(s.selection('3200').presence.lunch).toBe('');
  });

  it("fields absent ('none'): the matrix is hidden with the typed reason and writing is refused; 'default-only' offers the default", async () => {
    const { t, s, tmp } = await setup({ selectionFields: 'none' });
    await seedTwo(s, tmp.dir);
    const o = await t.h.greetOverview({ ext: '3200' }, t.ctx);
    expect(o.selection).toEqual({ supported: false, reason: expect.stringContaining('does not report which greeting plays') });
    expect(o.greetings.every((g) => g.playsFor.length === 0)).toBe(true);
    await expect(t.h.greetChoose({ ext: '3200', slots: ['away'], choice: { kind: 'greeting', file: 'away.wav' } }, t.ctx)).rejects.toMatchObject({ code: 'PBX_SELECTION_UNSUPPORTED' });
    expect(updates(s)).toHaveLength(0);

    s.setOptions({ selectionFields: 'default-only' });
    const d = await t.h.greetOverview({ ext: '3200' }, t.ctx);
    expect(d.selection).toMatchObject({ supported: true, partial: expect.stringContaining('only the default') });
    if (d.selection.supported) expect(d.selection.slots.map((x) => x.slot)).toEqual(['default']);
    await t.h.greetChoose({ ext: '3200', slots: ['default'], choice: { kind: 'greeting', file: 'welcome.wav' } }, t.ctx);
    expect(s.selection('3200').vm_greeting).toBe('welcome.wav');
  });

  it("selectionValue 'real_filename': a recorded greeting (file without suffix) is chosen after one retry in the other form", async () => {
    const { t, s, tmp } = await setup({ selectionValue: 'real_filename' });
    s.seedGreeting('3200', 'closed.wav', Buffer.from(await toneBytes(tmp.dir, 1, 500)), { listedFile: 'closed' });
    await t.h.greetChoose({ ext: '3200', slots: ['off_work'], choice: { kind: 'greeting', file: 'closed.wav' } }, t.ctx);
    expect(s.selection('3200').presence.off_work).toBe('closed.wav');
    expect(updates(s).map((u) => ((u.body as { presence_list: { vm_greeting: string }[] }).presence_list.find((p) => p.vm_greeting !== '')?.vm_greeting))).toEqual(['closed', 'closed.wav']);
    const o = await t.h.greetOverview({ ext: '3200' }, t.ctx);
    expect(o.greetings[0]!.playsFor).toEqual(['off_work']);
  });

  it("selectionValue 'file' (default): the listed file is sent and shown for a recorded greeting", async () => {
    const { t, s, tmp } = await setup();
    s.seedGreeting('3200', 'closed.wav', Buffer.from(await toneBytes(tmp.dir, 1, 500)), { listedFile: 'closed' });
    await t.h.greetChoose({ ext: '3200', slots: ['away'], choice: { kind: 'greeting', file: 'closed.wav' } }, t.ctx);
    expect(updates(s)).toHaveLength(1);
    expect(s.selection('3200').presence.away).toBe('closed.wav');
    expect((await t.h.greetOverview({ ext: '3200' }, t.ctx)).greetings[0]!.playsFor).toEqual(['away']);
  });

  for (const deleteInUse of ['70091', 'follow_system'] as const) {
    it(`delete in use (deleteInUse '${deleteInUse}'): refuse names the statuses and changes nothing; reset moves them to the default first`, async () => {
      const { t, s, tmp } = await setup({ deleteInUse });
      await seedTwo(s, tmp.dir);
      s.seedSelection('3200', { vm_greeting: 'away.wav', presence: { away: 'away.wav', lunch: 'welcome.wav' } });
      await expect(t.h.greetDelete({ ext: '3200', file: 'away.wav', inUse: 'refuse' }, t.ctx)).rejects.toMatchObject({ code: 'GREETING_IN_USE', detail: { slots: ['default', 'away'] } });
      expect(s.greetings('3200').map((g) => g.real_filename).sort()).toEqual(['away.wav', 'welcome.wav']);
      expect(s.selection('3200').presence.away).toBe('away.wav');

      const r = await t.h.greetDelete({ ext: '3200', file: 'away.wav', inUse: 'reset' }, t.ctx);
      expect(r).toMatchObject({ deleted: 'away.wav', reset: ['default', 'away'] });
      expect(s.greetings('3200').map((g) => g.real_filename)).toEqual(['welcome.wav']);
      expect(s.selection('3200')).toMatchObject({ vm_greeting: 'follow_system', presence: { away: '', lunch: 'welcome.wav' } });
      expect(r.overview.greetings.map((g) => g.realFilename)).toEqual(['welcome.wav']);
      // A greeting nothing plays goes without a question.
      await t.h.greetChoose({ ext: '3200', slots: ['lunch'], choice: { kind: 'reset' } }, t.ctx);
      await t.h.greetDelete({ ext: '3200', file: 'welcome.wav', inUse: 'refuse' }, t.ctx);
      expect(s.greetings('3200')).toEqual([]);
    });
  }

  it('rename present: the statuses that played it follow (the simulator leaves them on the old name); absent (10001): hidden with the reason', async () => {
    const { t, s, tmp } = await setup({ greetingUpdate: true, renameCarriesSelection: false });
    await seedTwo(s, tmp.dir);
    s.seedSelection('3200', { presence: { away: 'away.wav', do_not_disturb: 'away.wav' } });
    const r = await t.h.greetRename({ ext: '3200', file: 'away.wav', to: 'holiday' }, t.ctx);
    expect(r).toMatchObject({ from: 'away.wav', to: 'holiday.wav', carried: ['away', 'do_not_disturb'] });
    expect(s.selection('3200').presence).toMatchObject({ away: 'holiday.wav', do_not_disturb: 'holiday.wav' });
    expect(r.overview.greetings.find((g) => g.realFilename === 'holiday.wav')!.playsFor).toEqual(['away', 'do_not_disturb']);
    await expect(t.h.greetRename({ ext: '3200', file: 'holiday.wav', to: 'welcome' }, t.ctx)).rejects.toMatchObject({ code: 'GREETING_EXISTS' });
    await expect(t.h.greetRename({ ext: '3200', file: 'holiday.wav', to: 'bad name' }, t.ctx)).rejects.toMatchObject({ code: 'PBX_BAD_FILE_NAME' });

    // The same app connected to a PBX without the call: the probe says so, and a rename is refused with the reason.
    const { t: t2, s: s2, tmp: tmp2 } = await setup({ greetingUpdate: false });
    await seedTwo(s2, tmp2.dir);
    const o = await t2.h.greetOverview({ ext: '3200' }, t2.ctx);
    expect(o.rename).toEqual({ supported: false, reason: expect.stringContaining('10001') });
    await expect(t2.h.greetRename({ ext: '3200', file: 'away.wav', to: 'holiday' }, t2.ctx)).rejects.toMatchObject({ code: 'PBX_RENAME_UNSUPPORTED' });
    expect(s2.greetings('3200').map((g) => g.real_filename).sort()).toEqual(['away.wav', 'welcome.wav']);
  });

  it('record by phone: the PBX rings the phone, progress while polling, the greeting appears; a taken name and a timeout say so; cancel stops it', async () => {
    const { t, s } = await setup({ recordDelayMs: 400 });
    const r = await t.h.greetRecordByPhone({ ext: '3200', phone: '3201', name: 'by_phone', operationId: 'rec-1', timeoutSec: 30 }, t.ctx);
    expect(r.greeting).toMatchObject({ realFilename: 'by_phone.wav' });
    expect(r.overview.greetings.map((g) => g.realFilename)).toContain('by_phone.wav');
    const rec = s.requestLog().find((e) => e.path.endsWith('extension_vm_greeting/record'))!;
    expect(rec.query).toMatchObject({ owner: '3200', recorder: '3201', file: 'by_phone' });
    const stages = t.events.filter((e) => e.name === 'progress').map((e) => (e.payload as { operationId: string; stage: string }));
    expect(stages[0]).toEqual({ operationId: 'rec-1', percent: 0, stage: 'calling' });
    await expect(t.h.greetRecordByPhone({ ext: '3200', phone: '3201', name: 'by_phone', operationId: 'rec-2', timeoutSec: 30 }, t.ctx)).rejects.toMatchObject({ code: 'GREETING_EXISTS' });

    s.setOptions({ recordDelayMs: undefined });
    const started = Date.now();
    await expect(t.h.greetRecordByPhone({ ext: '3200', phone: '3201', name: 'nobody', operationId: 'rec-3', timeoutSec: 5 }, t.ctx)).rejects.toMatchObject({ code: 'PBX_RECORD_TIMEOUT', message: expect.stringContaining('within 5 s') });
    expect(Date.now() - started).toBeLessThan(12_000);

    const pending = t.h.greetRecordByPhone({ ext: '3200', phone: '3201', name: 'cancelled', operationId: 'rec-4', timeoutSec: 60 }, t.ctx);
    await waitFor(() => t.events.some((e) => e.name === 'progress' && (e.payload as { operationId: string }).operationId === 'rec-4'), 5000, 'calling');
    await t.h.cancel({ operationId: 'rec-4' }, t.ctx);
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('details: duration, size and format measured from the download, cached in the data folder (zod-checked), re-measured when the file changes', async () => {
    const { t, s, tmp, dataDir } = await setup();
    await seedTwo(s, tmp.dir);
    const first = await t.h.greetDetails({ ext: '3200' }, t.ctx);
    expect(first.failed).toEqual([]);
    const away = first.details.find((d) => d.realFilename === 'away.wav')!;
    expect(away).toMatchObject({ fromCache: false, codec: 'pcm_s16le', sampleRate: 16000, channels: 1, format: 'WAV · PCM 16-bit · 16 kHz mono' });
    expect(away.durationSec).toBeCloseTo(1.5, 1);
    expect(away.sizeBytes).toBe(s.greetings('3200').find((g) => g.real_filename === 'away.wav')!.bytes.length);
    const downloads = () => s.requestLog().filter((e) => e.path.endsWith('extension_vm_greeting/download')).length;
    const before = downloads();
    const second = await t.h.greetDetails({ ext: '3200' }, t.ctx);
    expect(second.details.every((d) => d.fromCache)).toBe(true);
    expect(downloads()).toBe(before);

    // On disk, keyed by the PBX origin: a damaged file is ignored (measured again) and rewritten.
    const dir = path.join(dataDir, 'greeting-info');
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    const stored = JSON.parse(await readFile(path.join(dir, files[0]!), 'utf8')) as { origin: string; entries: Record<string, unknown> };
    expect(stored.origin).toBe(`http://127.0.0.1:${s.port}`);
    expect(Object.keys(stored.entries)).toHaveLength(2);
    await writeFile(path.join(dir, files[0]!), JSON.stringify({ schemaVersion: 1, origin: stored.origin, entries: { x: { realFilename: 5 } } }));
    expect((await t.h.greetDetails({ ext: '3200', files: ['away.wav'] }, t.ctx)).details).toMatchObject([{ fromCache: false, realFilename: 'away.wav' }]);
    expect((await t.h.greetDetails({ ext: '3200' }, t.ctx)).details.map((d) => [d.realFilename, d.fromCache]).sort()).toEqual([['away.wav', true], ['welcome.wav', false]]);

    // An overwrite through the app keeps the PBX id but writes a history entry: the next look measures again.
    const src = await t.h.importBytes({ name: 'longer.wav', bytes: await toneBytes(tmp.dir, 3, 700) }, t.ctx);
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3200'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false, activate: undefined }, t.ctx);
    await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx)).counts.uploaded === 1, 20_000, 'uploaded');
    const third = await t.h.greetDetails({ ext: '3200' }, t.ctx);
    const away3 = third.details.find((d) => d.realFilename === 'away.wav')!;
    expect(away3.fromCache).toBe(false);
    expect(away3.durationSec).toBeGreaterThan(2);
    expect(third.details.find((d) => d.realFilename === 'welcome.wav')!.fromCache).toBe(true);
  });
});


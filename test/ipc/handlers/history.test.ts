// History handlers over the real core and the simulator: overwrite takes a backup, rollback restores it byte for
// byte, the library's rollback rules decide canRollback, and the CSV goes where the save dialog says.
import { afterEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { saveSimProfile, sha256, sim, speechBytes, startApp, tempDir, toneBytes, waitFor } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('history and rollback', () => {
  it('overwrite → backup in history → rollback → the PBX holds the old bytes; canRollback follows the rules', async () => {
    const tmp = await tempDir();
    const csv = path.join(tmp.dir, 'history.csv');
    const t = startApp(path.join(tmp.dir, 'data'), { dialogs: { openAudioFile: async () => null, saveFile: async () => csv } });
    const s = await sim();
    cleanups.push(tmp.cleanup, () => t.dispose(), () => s.close());
    const old = Buffer.from(await toneBytes(tmp.dir, 2, 300));
    s.seedGreeting('3200', 'away.wav', old);
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);
    const src = await t.h.importBytes({ name: 'new.wav', bytes: await speechBytes(tmp.dir) }, t.ctx);
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3200'], name: 'away', ifExists: 'overwrite', allowOverwriteWithoutBackup: false }, t.ctx);
    await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx)).counts.uploaded === 1, 15_000, 'uploaded');
    const outbox = await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx);
    expect(outbox.items[0]).toMatchObject({ action: 'overwritten', backupTaken: true });
    const onPbx = () => s.greetings('3200').find((g) => g.real_filename === 'away.wav');
    expect(sha256(onPbx()!.bytes)).not.toBe(sha256(old));

    const hist = await t.h.listHistory({ page: 1, pageSize: 10 }, t.ctx);
    expect(hist.items).toHaveLength(1);
    expect(hist.items[0]).toMatchObject({ ext: '3200', fileName: 'away.wav', result: 'overwritten', backupTaken: true, canRollback: true, rolledBack: false, pbxLabel: 'Office' });
    const rb = await t.h.rollback({ historyId: hist.items[0]!.id }, t.ctx);
    expect(rb.result).toBe('restored');
    expect(sha256(onPbx()!.bytes)).toBe(sha256(old));

    const after = await t.h.listHistory({ page: 1, pageSize: 10 }, t.ctx);
    expect(after.items.map((i) => i.result)).toEqual(['rolled-back', 'overwritten']);
    expect(after.items[1]).toMatchObject({ rolledBack: true, canRollback: false });
    expect(after.items[0]).toMatchObject({ canRollback: false });
    await expect(t.h.rollback({ historyId: hist.items[0]!.id }, t.ctx)).rejects.toMatchObject({ code: 'HISTORY_ALREADY_ROLLED_BACK' });

    // Two uploads of the same name: only the newer one can be rolled back.
    await t.h.enqueueUploads({ draftId: src.draftId, extensions: ['3201'], name: 'hello', ifExists: 'overwrite', allowOverwriteWithoutBackup: false }, t.ctx);
    await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx)).counts.uploaded === 2, 15_000);
    const other = await t.h.importBytes({ name: 'other.wav', bytes: await toneBytes(tmp.dir, 1.5, 600) }, t.ctx);
    await t.h.enqueueUploads({ draftId: other.draftId, extensions: ['3201'], name: 'hello', ifExists: 'overwrite', allowOverwriteWithoutBackup: false }, t.ctx);
    await waitFor(async () => (await t.h.listOutbox({ page: 1, pageSize: 10 }, t.ctx)).counts.uploaded === 3, 15_000);
    const h3201 = (await t.h.listHistory({ page: 1, pageSize: 10, ext: '3201' }, t.ctx)).items;
    expect(h3201.map((i) => [i.result, i.canRollback])).toEqual([['overwritten', true], ['created', false]]);
    await expect(t.h.rollback({ historyId: h3201[1]!.id }, t.ctx)).rejects.toMatchObject({ code: 'HISTORY_ROLLBACK_NOT_LATEST' });

    const exported = await t.h.exportHistoryCsv({}, t.ctx);
    expect(exported).toEqual({ saved: true, rows: 4 });
    const text = await readFile(csv, 'utf8');
    expect(text.split('\r\n')[0]).toBe('time,pbx,extension,greeting,bytes,result,reason,backup,rolled_back,id');
    expect(text).toContain(',3200,away.wav,');
  });
});

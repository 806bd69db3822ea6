// Batch handlers over the real core and the simulator: a CSV mapping picked in the (fake) native dialog is parsed
// with the CLI's parser (same rows, same per-row errors), its good rows become drafts and Outbox items; the rows of a
// batch and their CSV export; which statuses a greeting can be chosen for.
import { afterEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseCsvMapping } from '../../../main/core/library/index.js';
import { saveSimProfile, sim, speechBytes, startApp, tempDir, waitFor } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('batch handlers', () => {
  it('CSV mapping: the CLI parser\'s rows and errors; good rows are queued as drafts and land on the PBX; rows and CSV export of the batch', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.cleanup);
    const wav = await speechBytes(tmp.dir);
    await writeFile(path.join(tmp.dir, 'a.wav'), wav);
    await writeFile(path.join(tmp.dir, 'b.wav'), wav);
    const csv = path.join(tmp.dir, 'map.csv');
    const text = '\uFEFFextension,file,name\r\n3200,a.wav,closed\r\n3201,b.wav\r\n32x1,a.wav\r\n3202,nope.wav\r\n3200,a.wav,closed\r\n';
    await writeFile(csv, text);
    const exported = path.join(tmp.dir, 'out.csv');
    const t = startApp(path.join(tmp.dir, 'data'), { dialogs: { openAudioFile: async () => null, saveFile: async () => exported, openCsvFile: async () => csv } });
    cleanups.push(() => t.dispose());
    const s = await sim();
    cleanups.push(() => s.close());
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);

    const preview = await t.h.pickCsvMapping({}, t.ctx);
    expect(preview).not.toBeNull();
    const cli = await parseCsvMapping(text, { baseDir: tmp.dir, anyAudio: true });
    expect(preview!.errors.map((e) => [e.line, e.code, e.message])).toEqual(cli.errors.map((e) => [e.line, e.code, e.message]));
    expect(preview!.errors.map((e) => e.code)).toEqual(['CSV_BAD_EXTENSION', 'CSV_FILE_NOT_FOUND', 'CSV_DUPLICATE_ROW']);
    expect(preview!.rows).toEqual([
      { line: 2, extension: '3200', fileName: 'a.wav', name: 'closed' },
      { line: 3, extension: '3201', fileName: 'b.wav', name: 'b' },
    ]);
    expect(JSON.stringify(preview)).not.toContain(tmp.dir); // the page never sees paths

    const run = await t.h.runCsvMapping({ token: preview!.token, ifExists: 'rename' }, t.ctx);
    expect(run.failed).toEqual([]);
    expect(run.itemIds).toHaveLength(2);
    await waitFor(() => s.greetings('3200').some((g) => g.file === 'closed.wav') && s.greetings('3201').some((g) => g.file === 'b.wav'), 20_000, 'uploaded');
    await waitFor(async () => (await t.h.batchItems({ ids: run.itemIds }, t.ctx)).every((r) => r.state === 'uploaded'), 5000, 'rows uploaded');
    const rows = await t.h.batchItems({ ids: run.itemIds }, t.ctx);
    expect(rows.map((r) => [r.ext, r.fileName, r.action, r.activation])).toEqual([['3200', 'closed.wav', 'created', null], ['3201', 'b.wav', 'created', null]]);
    // The token is spent: a second run is refused instead of uploading twice.
    await expect(t.h.runCsvMapping({ token: preview!.token, ifExists: 'rename' }, t.ctx)).rejects.toMatchObject({ code: 'CSV_MAPPING_GONE' });

    expect(await t.h.exportBatchCsv({ ids: run.itemIds }, t.ctx)).toEqual({ saved: true, rows: 2 });
    const lines = (await readFile(exported, 'utf8')).split('\r\n');
    expect(lines[0]).toBe('extension,greeting,stored_as,result,detail,attempts,activation,pbx,updated');
    expect(lines[1]).toMatch(/^3200,closed\.wav,closed\.wav,created,created,\d+,,/);
  });

  it('selectionSupport: unknown offline; read from the extension online (the simulator has every status)', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.cleanup);
    const t = startApp(path.join(tmp.dir, 'data'));
    cleanups.push(() => t.dispose());
    expect(await t.h.selectionSupport({ ext: '3200' }, t.ctx)).toMatchObject({ known: false, reason: null });
    const s = await sim();
    cleanups.push(() => s.close());
    await t.h.connect({ id: await saveSimProfile(t, s) }, t.ctx);
    const online = await t.h.selectionSupport({ ext: '3200' }, t.ctx);
    expect(online.known).toBe(true);
    expect([...online.supported].sort()).toEqual(['available', 'away', 'business_trip', 'default', 'do_not_disturb', 'lunch', 'off_work']);
  });

  it('selectionSupport: a PBX whose API carries no selection fields says so (the app hides "Play it when" with this reason)', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.cleanup);
    const t = startApp(path.join(tmp.dir, 'data'));
    cleanups.push(() => t.dispose());
    const s = await sim({ selectionFields: 'none' });
    cleanups.push(() => s.close());
    await t.h.connect({ id: await saveSimProfile(t, s) }, t.ctx);
    const r = await t.h.selectionSupport({ ext: '3200' }, t.ctx);
    expect(r.known).toBe(true);
    expect(r.supported).toEqual([]);
    expect(r.reason).toBeTruthy();
  });
});

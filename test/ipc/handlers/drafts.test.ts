// Draft handlers over fakes: imports and recordings are drafts from their first byte; the library's operations.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHandlers, type AppHandlers, type HandlerContext } from '../../../main/ipc/handlers/index.js';
import { fakePbxState, fakeServices, type FakePbxState } from '../fakes.js';

let dir: string;
let state: FakePbxState;
let app: AppHandlers;
const ctx: HandlerContext = { emit: () => undefined };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-drafts-test-'));
  state = fakePbxState(30);
  app = createHandlers(fakeServices(dir, state));
});
afterEach(async () => {
  await app.dispose();
  await rm(dir, { recursive: true, force: true });
});
const h = () => app.handlers;
const sourceFile = (id: string, name = 'source.webm') => path.join(dir, 'library', 'drafts', id, name);

describe('recording takes', () => {
  it('creates the draft at start and appends each chunk to its source as it arrives', async () => {
    const { takeId } = await h().startTake({ mimeType: 'audio/webm;codecs=opus' }, ctx);
    expect(await h().getDraft({ draftId: takeId }, ctx)).toMatchObject({ unfinished: true, origin: 'recording' });
    await h().appendChunk({ takeId, seq: 0, bytes: new Uint8Array(1000).fill(1) }, ctx);
    expect((await stat(sourceFile(takeId))).size).toBe(1000);
    const ack = await h().appendChunk({ takeId, seq: 1, bytes: new Uint8Array(500).fill(2) }, ctx);
    expect(ack.totalBytes).toBe(1500);
    expect((await stat(sourceFile(takeId))).size).toBe(1500);
    await expect(h().appendChunk({ takeId, seq: 5, bytes: new Uint8Array(1) }, ctx)).rejects.toMatchObject({ code: 'TAKE_CHUNK_ORDER' });
    const src = await h().finishTake({ takeId }, ctx);
    expect(src).toMatchObject({ origin: 'recording', sizeBytes: 1500, sourceId: takeId, draftId: takeId });
    expect(await h().getDraft({ draftId: takeId }, ctx)).toMatchObject({ unfinished: false, sourceBytes: 1500 });
    const back = await h().readSource({ sourceId: src.sourceId }, ctx);
    expect(back.bytes.byteLength).toBe(1500);
    expect(back.mime).toBe('audio/webm');
  });

  it('offers an unfinished take back after a restart and restores it', async () => {
    const { takeId } = await h().startTake({ mimeType: 'audio/webm' }, ctx);
    await h().appendChunk({ takeId, seq: 0, bytes: new Uint8Array(2000).fill(3) }, ctx);
    expect(await h().listUnfinishedTakes({}, ctx)).toEqual([]); // still active in this run
    const next = createHandlers(fakeServices(dir, state));
    const list = await next.handlers.listUnfinishedTakes({}, ctx);
    expect(list).toEqual([expect.objectContaining({ takeId, bytes: 2000, mimeType: 'audio/webm' })]);
    expect((await next.handlers.listDrafts({ page: 1, pageSize: 10, trash: false, query: '' }, ctx)).items[0]).toMatchObject({ id: takeId, unfinished: true });
    const restored = await next.handlers.restoreTake({ takeId }, ctx);
    expect(restored.sizeBytes).toBe(2000);
    expect(await next.handlers.listUnfinishedTakes({}, ctx)).toEqual([]);
    await next.dispose();
  });

  it('aborting a take deletes its draft; finishing an empty take is an error; discard removes an unfinished one', async () => {
    const a = await h().startTake({ mimeType: 'audio/webm' }, ctx);
    await h().appendChunk({ takeId: a.takeId, seq: 0, bytes: new Uint8Array(10) }, ctx);
    expect(await h().abortTake({ takeId: a.takeId }, ctx)).toEqual({ aborted: true });
    await expect(h().getDraft({ draftId: a.takeId }, ctx)).rejects.toMatchObject({ code: 'LIBRARY_DRAFT_NOT_FOUND' });
    await expect(h().appendChunk({ takeId: a.takeId, seq: 1, bytes: new Uint8Array(10) }, ctx)).rejects.toMatchObject({ code: 'TAKE_NOT_ACTIVE' });
    const b = await h().startTake({ mimeType: 'audio/webm' }, ctx);
    await expect(h().finishTake({ takeId: b.takeId }, ctx)).rejects.toMatchObject({ code: 'TAKE_EMPTY' });
    const c = await h().startTake({ mimeType: 'audio/ogg' }, ctx);
    await h().appendChunk({ takeId: c.takeId, seq: 0, bytes: new Uint8Array(10) }, ctx);
    const next = createHandlers(fakeServices(dir, state));
    expect(await next.handlers.discardTake({ takeId: c.takeId }, ctx)).toEqual({ discarded: true });
    expect(await next.handlers.listUnfinishedTakes({}, ctx)).toEqual([]);
    await next.dispose();
  });
});

describe('takes left by the previous version', () => {
  it('an unfinished take in the old workspace becomes an unfinished draft, offered for restore; the old folder goes', async () => {
    const legacy = path.join(dir, 'old-workspace');
    const take = path.join(legacy, 'takes', 'abc123');
    await mkdir(take, { recursive: true });
    await writeFile(path.join(take, 'meta.json'), JSON.stringify({ takeId: 'abc123', startedAt: '2026-01-01T09:00:00.000Z', mimeType: 'audio/webm;codecs=opus', state: 'recording' }));
    await writeFile(path.join(take, 'take.webm'), Buffer.alloc(3000, 5));
    const next = createHandlers(fakeServices(path.join(dir, 'new-data'), state, { legacyWorkspaceDir: legacy }));
    const list = await next.handlers.listUnfinishedTakes({}, ctx);
    expect(list).toEqual([expect.objectContaining({ bytes: 3000, mimeType: 'audio/webm' })]);
    const restored = await next.handlers.restoreTake({ takeId: list[0]!.takeId }, ctx);
    expect(restored).toMatchObject({ origin: 'recording', sizeBytes: 3000 });
    await expect(stat(take)).rejects.toThrow();
    await next.dispose();
  });
});

describe('imports', () => {
  it('imports through the dialog and a dropped file token only; no path channel exists', async () => {
    const f = path.join(dir, 'hello.wav');
    await writeFile(f, Buffer.alloc(4000, 7));
    expect('importPath' in h()).toBe(false);
    await expect(h().importWithDialog({}, ctx)).resolves.toBeNull();
    const app2 = createHandlers(fakeServices(path.join(dir, 'd2'), state, { dialogs: { openAudioFile: async () => f, saveFile: async () => null } }));
    await expect(app2.handlers.importWithDialog({}, ctx)).resolves.toMatchObject({ name: 'hello.wav', sizeBytes: 4000 });
    const token = app2.dropped.register(f);
    const dropped = await app2.handlers.importDropped({ token }, ctx);
    expect(dropped).toMatchObject({ name: 'hello.wav', origin: 'import' });
    // One time only; a made-up token imports nothing.
    await expect(app2.handlers.importDropped({ token }, ctx)).rejects.toMatchObject({ code: 'IMPORT_DROP_EXPIRED' });
    await expect(app2.handlers.importDropped({ token: 'made-up' }, ctx)).rejects.toMatchObject({ code: 'IMPORT_DROP_EXPIRED' });
    const txt = path.join(dir, 'notes.txt');
    await writeFile(txt, 'x');
    await expect(app2.handlers.importDropped({ token: app2.dropped.register(txt) }, ctx)).rejects.toMatchObject({ code: 'IMPORT_UNSUPPORTED_TYPE' });
    await app2.dispose();
  });

  it('readSource returns only the bytes of the app\'s own drafts', async () => {
    await expect(h().readSource({ sourceId: 'etc-passwd' }, ctx)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    await expect(h().readSource({ sourceId: '..' }, ctx)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    const src = await h().importBytes({ name: 'a.wav', bytes: new Uint8Array(300).fill(4) }, ctx);
    expect((await h().readSource({ sourceId: src.sourceId }, ctx)).bytes.byteLength).toBe(300);
  });

  it('rejects bytes the audio probe refuses and leaves no draft behind', async () => {
    await expect(h().importBytes({ name: 'x.wav', bytes: new Uint8Array(Buffer.from('BAD!xxxx')) }, ctx)).rejects.toMatchObject({ code: 'AUDIO_NO_AUDIO_STREAM' });
    expect((await h().listDrafts({ page: 1, pageSize: 10, trash: false, query: '' }, ctx)).total).toBe(0);
  });
});

describe('the drafts library', () => {
  it('lists newest first, renames, duplicates, saves settings and targets, trashes, restores, empties the trash', async () => {
    const a = await h().importBytes({ name: 'first.wav', bytes: new Uint8Array(1000) }, ctx);
    await new Promise((r) => setTimeout(r, 5));
    const b = await h().importBytes({ name: 'second.wav', bytes: new Uint8Array(2000) }, ctx);
    const page = await h().listDrafts({ page: 1, pageSize: 10, trash: false, query: '' }, ctx);
    expect(page.items.map((d) => d.name)).toEqual(['second', 'first']);
    expect(page.items[0]).toMatchObject({ durationSec: 2, sourceBytes: 2000, origin: 'import', format: null });
    expect((await h().renameDraft({ draftId: a.draftId, name: 'Away message' }, ctx)).name).toBe('Away message');
    expect((await h().listDrafts({ page: 1, pageSize: 10, trash: false, query: 'away' }, ctx)).items.map((d) => d.id)).toEqual([a.draftId]);
    const saved = await h().saveDraft({ draftId: a.draftId, settings: { trimStartSec: 0.2, format: 'gsm' }, targets: ['3200', '3201'], script: 'Hello' }, ctx);
    expect(saved).toMatchObject({ targets: ['3200', '3201'], script: 'Hello' });
    expect((await h().getDraft({ draftId: a.draftId }, ctx)).settings).toMatchObject({ trimStartSec: 0.2, format: 'gsm' });
    const rendered = await h().renderDraft({ draftId: a.draftId, operationId: 'r1' }, ctx);
    expect(rendered).toMatchObject({ format: 'gsm' });
    const copy = await h().duplicateDraft({ draftId: a.draftId }, ctx);
    expect(copy.name).toBe('Away message (copy)');
    expect(await h().trashDraft({ draftId: b.draftId }, ctx)).toEqual({ trashed: true });
    expect((await h().listDrafts({ page: 1, pageSize: 10, trash: true, query: '' }, ctx)).items.map((d) => d.id)).toEqual([b.draftId]);
    expect((await h().restoreDraft({ draftId: b.draftId }, ctx)).trashedAt).toBeNull();
    await h().trashDraft({ draftId: copy.id }, ctx);
    expect(await h().emptyTrash({}, ctx)).toEqual({ removed: 1 });
    expect((await h().listDrafts({ page: 1, pageSize: 10, trash: false, query: '' }, ctx)).total).toBe(2);
  });

  it('"Save as file…" writes the rendered greeting where the dialog says', async () => {
    const target = path.join(dir, 'out.wav');
    const app2 = createHandlers(fakeServices(path.join(dir, 'd3'), state, { dialogs: { openAudioFile: async () => null, saveFile: async () => target } }));
    const src = await app2.handlers.importBytes({ name: 'a.wav', bytes: new Uint8Array(500).fill(1) }, ctx);
    const r = await app2.handlers.exportDraft({ draftId: src.draftId }, ctx);
    expect(r.saved).toBe(true);
    expect((await readFile(target)).toString('latin1')).toMatch(/^RENDER:wav:/);
    await app2.dispose();
  });
});

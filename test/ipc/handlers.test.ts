import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHandlers, SOURCE_RETENTION_MS, type AppHandlers, type HandlerContext } from '../../main/ipc/handlers.js';
import type { EventMap, EventName } from '../../main/ipc/channels.js';
import { fakePbxState, fakeServices, type FakePbxState } from './fakes.js';

let dir: string;
let state: FakePbxState;
let svc: ReturnType<typeof fakeServices>;
let app: AppHandlers;
const events: { name: EventName; payload: unknown }[] = [];
const ctx: HandlerContext = {
  emit<E extends EventName>(name: E, payload: EventMap[E]) {
    events.push({ name, payload });
  },
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-handlers-test-'));
  state = fakePbxState(30);
  svc = fakeServices(dir, state);
  app = createHandlers(svc);
  events.length = 0;
});
afterEach(async () => {
  await app.dispose();
  await rm(dir, { recursive: true, force: true });
});

const h = () => app.handlers;

describe('profiles and connection', () => {
  it('connects with a stored profile and reports the extension count; wrong secret gives the client error', async () => {
    const p = await h().saveProfile({ name: 'Office', baseUrl: 'https://pbx:8088', clientId: 'id', clientSecret: 'right-secret', tls: { mode: 'system' } }, ctx);
    await expect(h().connect({ id: p.id }, ctx)).resolves.toMatchObject({ profileName: 'Office', extensionCount: 30 });
    const bad = await h().saveProfile({ name: 'Bad', baseUrl: 'https://pbx:8088', clientId: 'id', clientSecret: 'nope', tls: { mode: 'system' } }, ctx);
    await expect(h().testConnection({ id: bad.id }, ctx)).rejects.toMatchObject({ code: 'PBX_-1' });
  });

  it('test connection releases its token (8-token limit)', async () => {
    const p = await h().saveProfile({ name: 'Office', baseUrl: 'https://pbx:8088', clientId: 'id', clientSecret: 'right-secret', tls: { mode: 'system' } }, ctx);
    await h().testConnection({ id: p.id }, ctx);
    expect(state.signOuts).toBe(1);
  });

  it('explains a profile without a stored secret', async () => {
    const p = await h().saveProfile({ name: 'NoSecret', baseUrl: 'https://pbx:8088', clientId: 'id', tls: { mode: 'system' } }, ctx);
    await expect(h().connect({ id: p.id }, ctx)).rejects.toMatchObject({ code: 'PROFILE_NO_SECRET' });
  });

  it('starts the demo PBX once, lists it as a profile, connects, and stops it on dispose', async () => {
    const a = await h().startDemo({}, ctx);
    const b = await h().startDemo({}, ctx);
    expect(a.profile).toMatchObject({ id: 'demo', demo: true });
    expect(b.connection.extensionCount).toBe(30);
    expect((await h().listProfiles({}, ctx)).profiles.map((p) => p.id)).toEqual(['demo']);
    await app.dispose();
    expect(svc.demoClosed).toBe(1);
  });

  it('searches extensions, listing all for an empty query', async () => {
    await h().startDemo({}, ctx);
    const all = await h().searchExtensions({ query: '', page: 2, pageSize: 10 }, ctx);
    expect(all).toMatchObject({ total: 30, page: 2 });
    expect(all.items[0]?.number).toBe('3210');
    const hit = await h().searchExtensions({ query: 'person 1', page: 1, pageSize: 50 }, ctx);
    expect(hit.items.map((e) => e.number)).toContain('3201');
  });

  it('opens only allow-listed links', async () => {
    await expect(h().openExternal({ url: 'https://help.yeastar.com/en/p-series' }, ctx)).resolves.toEqual({ opened: true });
    await expect(h().openExternal({ url: 'http://help.yeastar.com/' }, ctx)).rejects.toMatchObject({ code: 'LINK_NOT_ALLOWED' });
    await expect(h().openExternal({ url: 'https://evil.example/' }, ctx)).rejects.toMatchObject({ code: 'LINK_NOT_ALLOWED' });
    expect(svc.opened).toEqual(['https://help.yeastar.com/en/p-series']);
  });
});

describe('recording takes', () => {
  it('writes each chunk to disk as it arrives and turns the take into a source', async () => {
    const { takeId } = await h().startTake({ mimeType: 'audio/webm;codecs=opus' }, ctx);
    const file = path.join(dir, 'takes', takeId, 'take.webm');
    await h().appendChunk({ takeId, seq: 0, bytes: new Uint8Array(1000).fill(1) }, ctx);
    expect((await stat(file)).size).toBe(1000);
    const ack = await h().appendChunk({ takeId, seq: 1, bytes: new Uint8Array(500).fill(2) }, ctx);
    expect(ack.totalBytes).toBe(1500);
    expect((await stat(file)).size).toBe(1500);
    await expect(h().appendChunk({ takeId, seq: 5, bytes: new Uint8Array(1) }, ctx)).rejects.toMatchObject({ code: 'TAKE_CHUNK_ORDER' });
    const src = await h().finishTake({ takeId }, ctx);
    expect(src).toMatchObject({ origin: 'recording', sizeBytes: 1500 });
    await expect(readdir(path.join(dir, 'takes'))).resolves.toEqual([]);
    const back = await h().readSource({ sourceId: src.sourceId }, ctx);
    expect(back.bytes.byteLength).toBe(1500);
    expect(back.mime).toBe('audio/webm');
  });

  it('offers an unfinished take back after a restart and restores it', async () => {
    const { takeId } = await h().startTake({ mimeType: 'audio/webm' }, ctx);
    await h().appendChunk({ takeId, seq: 0, bytes: new Uint8Array(2000).fill(3) }, ctx);
    expect(await h().listUnfinishedTakes({}, ctx)).toEqual([]); // still active in this run
    // "crash": a new app instance over the same data folder
    const next = createHandlers(fakeServices(dir, state));
    const list = await next.handlers.listUnfinishedTakes({}, ctx);
    expect(list).toEqual([expect.objectContaining({ takeId, bytes: 2000, mimeType: 'audio/webm' })]);
    const restored = await next.handlers.restoreTake({ takeId }, ctx);
    expect(restored.sizeBytes).toBe(2000);
    expect(await next.handlers.listUnfinishedTakes({}, ctx)).toEqual([]);
    await next.dispose();
  });

  it('aborting a take deletes it; finishing an empty take is an error', async () => {
    const a = await h().startTake({ mimeType: 'audio/webm' }, ctx);
    await h().appendChunk({ takeId: a.takeId, seq: 0, bytes: new Uint8Array(10) }, ctx);
    expect(await h().abortTake({ takeId: a.takeId }, ctx)).toEqual({ aborted: true });
    await expect(h().appendChunk({ takeId: a.takeId, seq: 1, bytes: new Uint8Array(10) }, ctx)).rejects.toMatchObject({ code: 'TAKE_NOT_ACTIVE' });
    const b = await h().startTake({ mimeType: 'audio/webm' }, ctx);
    await expect(h().finishTake({ takeId: b.takeId }, ctx)).rejects.toMatchObject({ code: 'TAKE_EMPTY' });
  });
});

describe('import, analyse, preview', () => {
  it('imports by path (audio extensions only) and via the dialog', async () => {
    const f = path.join(dir, 'hello.wav');
    await writeFile(f, Buffer.alloc(4000, 7));
    await expect(h().importPath({ path: f }, ctx)).resolves.toMatchObject({ name: 'hello.wav', sizeBytes: 4000 });
    const txt = path.join(dir, 'notes.txt');
    await writeFile(txt, 'x');
    await expect(h().importPath({ path: txt }, ctx)).rejects.toMatchObject({ code: 'IMPORT_UNSUPPORTED_TYPE' });
    await expect(h().importPath({ path: path.join(dir, 'missing.wav') }, ctx)).rejects.toMatchObject({ code: 'IMPORT_NOT_FOUND' });
    await expect(h().importWithDialog({}, ctx)).resolves.toBeNull();
    const app2 = createHandlers(fakeServices(dir, state, { dialogs: { openAudioFile: async () => f, saveFile: async () => null } }));
    await expect(app2.handlers.importWithDialog({}, ctx)).resolves.toMatchObject({ name: 'hello.wav' });
    await app2.dispose();
  });

  it('prunes sources older than the retention period when the app starts', async () => {
    const old = await h().importBytes({ name: 'old.wav', bytes: new Uint8Array(100) }, ctx);
    const fresh = await h().importBytes({ name: 'new.wav', bytes: new Uint8Array(100) }, ctx);
    const past = new Date(Date.now() - SOURCE_RETENTION_MS - 60_000);
    await utimes(path.join(dir, 'sources', old.sourceId, 'meta.json'), past, past);
    const next = createHandlers(fakeServices(dir, state));
    await next.dispose(); // waits for the start-up pruning
    await expect(next.handlers.readSource({ sourceId: old.sourceId }, ctx)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
    await expect(next.handlers.readSource({ sourceId: fresh.sourceId }, ctx)).resolves.toBeTruthy();
  });

  it('rejects bytes the audio probe refuses and leaves nothing behind', async () => {
    await expect(h().importBytes({ name: 'x.wav', bytes: new Uint8Array(Buffer.from('BAD!xxxx')) }, ctx)).rejects.toMatchObject({ code: 'AUDIO_NO_AUDIO_STREAM' });
    expect(await readdir(path.join(dir, 'sources'))).toEqual([]);
  });

  it('analysis pre-sets trim handles around the speech', async () => {
    const src = await h().importBytes({ name: 'a.wav', bytes: new Uint8Array(5000) }, ctx);
    const a = await h().analyse({ sourceId: src.sourceId, operationId: 'an1' }, ctx);
    expect(a.suggestedTrim.startSec).toBeCloseTo(0.35);
    expect(a.suggestedTrim.endSec).toBeCloseTo(4.8);
    expect(a.warnings[0]?.code).toBe('TOO_QUIET');
  });

  it('renders the automatic window as "whole file, trim silence" and a moved handle as an explicit range', async () => {
    const seen: { startSec?: number; endSec?: number; trimSilence?: boolean }[] = [];
    const base = fakeServices(dir, state);
    const app2 = createHandlers({ ...base, audio: { ...base.audio, render: async (o, c) => { seen.push({ startSec: o.startSec, endSec: o.endSec, trimSilence: o.trimSilence }); return base.audio.render(o, c); } } });
    const src = await app2.handlers.importBytes({ name: 'a.wav', bytes: new Uint8Array(5000) }, ctx);
    const a = await app2.handlers.analyse({ sourceId: src.sourceId, operationId: 'an' }, ctx);
    const round = (x: number) => Math.round(x * 100) / 100;
    await app2.handlers.renderPreview({ sourceId: src.sourceId, operationId: 'p1', startSec: round(a.suggestedTrim.startSec), endSec: round(a.suggestedTrim.endSec), format: 'wav', normalize: true }, ctx);
    await app2.handlers.renderPreview({ sourceId: src.sourceId, operationId: 'p2', startSec: 1, endSec: 2, format: 'wav', normalize: true }, ctx);
    expect(seen).toEqual([{ startSec: undefined, endSec: undefined, trimSilence: true }, { startSec: 1, endSec: 2, trimSilence: false }]);
    await app2.dispose();
  });

  it('renders the caller preview; gsm is played back through a PCM copy of the real render', async () => {
    const src = await h().importBytes({ name: 'a.wav', bytes: new Uint8Array(5000) }, ctx);
    const wav = await h().renderPreview({ sourceId: src.sourceId, operationId: 'p1', startSec: 0.5, endSec: 3, format: 'wav', normalize: true }, ctx);
    expect(wav.playbackMime).toBe('audio/wav');
    expect(Buffer.from(wav.playback).toString('latin1')).toMatch(/^RENDER:wav:/);
    const gsm = await h().renderPreview({ sourceId: src.sourceId, operationId: 'p2', format: 'gsm', normalize: true }, ctx);
    expect(gsm.format).toBe('gsm');
    expect(Buffer.from(gsm.playback).toString('latin1')).toMatch(/^RENDER:wav:RENDER:gsm:/);
    await expect(h().renderPreview({ sourceId: 'nope', operationId: 'p3', format: 'wav', normalize: true }, ctx)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});

describe('upload', () => {
  async function prepared() {
    await h().startDemo({}, ctx);
    const src = await h().importBytes({ name: 'a.wav', bytes: new Uint8Array(5000).fill(9) }, ctx);
    return h().renderPreview({ sourceId: src.sourceId, operationId: 'prep', format: 'wav', normalize: true }, ctx);
  }

  it('uploads, then on a duplicate asks and follows the decision (overwrite, keep both)', async () => {
    const r = await prepared();
    const first = await h().upload({ operationId: 'u1', renderId: r.renderId, extensions: ['3200'], name: 'welcome', policy: 'ask' }, ctx);
    expect(first.outcomes).toEqual([expect.objectContaining({ action: 'created', fileName: 'welcome.wav' })]);
    expect(events.some((e) => e.name === 'progress' && (e.payload as { percent: number }).percent === 100)).toBe(true);

    const pending = h().upload({ operationId: 'u2', renderId: r.renderId, extensions: ['3200'], name: 'welcome', policy: 'ask' }, ctx);
    await vi_waitFor(() => events.some((e) => e.name === 'decisionNeeded'));
    expect(events.find((e) => e.name === 'decisionNeeded')?.payload).toEqual({ operationId: 'u2', ext: '3200', fileName: 'welcome.wav' });
    await expect(h().decide({ operationId: 'u2', decision: 'overwrite' }, ctx)).resolves.toEqual({ accepted: true });
    expect((await pending).outcomes[0]).toMatchObject({ action: 'overwritten', existed: true });

    events.length = 0;
    const p3 = h().upload({ operationId: 'u3', renderId: r.renderId, extensions: ['3200'], name: 'welcome', policy: 'ask' }, ctx);
    await vi_waitFor(() => events.some((e) => e.name === 'decisionNeeded'));
    await h().decide({ operationId: 'u3', decision: 'rename' }, ctx);
    expect((await p3).outcomes[0]).toMatchObject({ action: 'renamed', fileName: 'welcome-2.wav' });
    expect((await h().listGreetings({ ext: '3200' }, ctx)).map((g) => g.file).sort()).toEqual(['welcome-2.wav', 'welcome.wav']);
  });

  it('cancel in the exists dialog stops the batch but keeps finished outcomes', async () => {
    const r = await prepared();
    await h().upload({ operationId: 'u1', renderId: r.renderId, extensions: ['3201'], name: 'hi', policy: 'ask' }, ctx);
    const p = h().upload({ operationId: 'u2', renderId: r.renderId, extensions: ['3200', '3201', '3202'], name: 'hi', policy: 'ask' }, ctx);
    await vi_waitFor(() => events.some((e) => e.name === 'decisionNeeded'));
    await h().cancel({ operationId: 'u2' }, ctx);
    const out = await p;
    expect(out.outcomes.map((o) => o.action)).toEqual(['created', 'cancelled', 'cancelled']);
  });

  it('plays, downloads (via the save dialog) and deletes greetings', async () => {
    const r = await prepared();
    await h().upload({ operationId: 'u1', renderId: r.renderId, extensions: ['3200'], name: 'hello', policy: 'overwrite' }, ctx);
    const play = await h().playGreeting({ ext: '3200', file: 'hello.wav' }, ctx);
    expect(play.mime).toBe('audio/wav');
    expect(Buffer.from(play.bytes).toString('latin1')).toMatch(/^RENDER:wav:/);
    expect(await h().downloadGreeting({ ext: '3200', file: 'hello.wav' }, ctx)).toEqual({ saved: false, bytes: 0 });
    await h().deleteGreeting({ ext: '3200', file: 'hello.wav' }, ctx);
    expect(await h().listGreetings({ ext: '3200' }, ctx)).toEqual([]);
    const target = path.join(dir, 'saved.wav');
    const app2 = createHandlers(fakeServices(dir, state, { dialogs: { openAudioFile: async () => null, saveFile: async () => target } }));
    state.greetings.get('3200')?.set('x.wav', Buffer.from('abc'));
    await app2.handlers.startDemo({}, ctx);
    expect(await app2.handlers.downloadGreeting({ ext: '3200', file: 'x.wav' }, ctx)).toEqual({ saved: true, bytes: 3 });
    expect(await readFile(target, 'utf8')).toBe('abc');
    await app2.dispose();
  });

  it('refuses an unknown render id with a message that says what to do', async () => {
    await h().startDemo({}, ctx);
    await expect(h().upload({ operationId: 'u', renderId: 'gone', extensions: ['3200'], name: 'x', policy: 'ask' }, ctx)).rejects.toMatchObject({ code: 'RENDER_NOT_FOUND' });
  });

  it('dispose removes the preview files', async () => {
    const r = await prepared();
    const previewDir = path.join(os.tmpdir(), r.renderId);
    await expect(stat(previewDir)).resolves.toBeTruthy();
    await app.dispose();
    await expect(stat(previewDir)).rejects.toThrow();
  });
});

async function vi_waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

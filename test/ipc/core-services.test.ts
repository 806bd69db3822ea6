// The real wiring the app and the e2e bridge use: handlers over the real audio engine, PBX client and simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { analyseAudio } from '../../main/core/audio/index.js';
import type { AppHandlers, HandlerContext } from '../../main/ipc/handlers/index.js';
import { createDispatcher, trustOrigin } from '../../main/ipc/register.js';
import { composeApp } from '../../main/shell/compose.js';
import { FakeProfiles } from './fakes.js';

const run = promisify(execFile);
let dir: string;
let app: AppHandlers;
const events: { name: string; payload: unknown }[] = [];
const ctx: HandlerContext = { emit: (name, payload) => void events.push({ name, payload }) };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-core-services-'));
  // 0.8 s silence, 2 s tone, 1 s silence at 44.1 kHz: stands in for a spoken take.
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono:d=0.8', '-f', 'lavfi', '-i', 'sine=f=440:r=44100:d=2',
    '-f', 'lavfi', '-i', 'anullsrc=r=44100:cl=mono:d=1', '-filter_complex', '[0][1][2]concat=n=3:v=0:a=1', path.join(dir, 'take.wav')]);
  app = composeApp({
    dataDir: path.join(dir, 'data'),
    env: {},
    profiles: new FakeProfiles(),
    dialogs: { openAudioFile: async () => path.join(dir, 'take.wav'), saveFile: async () => null },
    openExternal: async () => undefined,
    demo: { extensions: 40 },
  });
});
afterAll(async () => {
  await app?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('core services wiring', () => {
  it('demo PBX over pinned HTTPS: connect, search, import, analyse, hear as caller, upload through the Outbox, keep both', async () => {
    const dispatch = createDispatcher(app.handlers, { isTrustedSender: trustOrigin('app://vmgs') });
    const sent: unknown[] = [];
    const ev = { senderFrame: { url: 'app://vmgs/index.html' }, sender: { send: (...a: unknown[]) => void sent.push(a) } };
    const demo = await dispatch('startDemo', {}, ev);
    expect(demo).toMatchObject({ ok: true, value: { profile: { tls: { mode: 'pin' } }, connection: { extensionCount: 40 } } });

    const h = app.handlers;
    const page = await h.searchExtensions({ query: '320', page: 1, pageSize: 10 }, ctx);
    expect(page.items.length).toBeGreaterThan(0);
    const ext = page.items[0]!.number;

    const src = await h.importWithDialog({}, ctx);
    expect(src?.durationSec).toBeCloseTo(3.8, 1);
    const analysis = await h.analyse({ sourceId: src!.sourceId, operationId: 'a1' }, ctx);
    expect(analysis.suggestedTrim.startSec).toBeGreaterThan(0.4);
    expect(analysis.suggestedTrim.endSec).toBeLessThan(3.5);

    const t0 = Date.now();
    const preview = await h.renderPreview({ sourceId: src!.sourceId, operationId: 'p1', ...analysis.suggestedTrim, format: 'wav', normalize: true }, ctx);
    const ms = Date.now() - t0;
    expect(preview.format).toBe('wav');
    expect(Buffer.from(preview.playback.subarray(0, 4)).toString('latin1')).toBe('RIFF');
    expect(preview.plan.budgetText).toMatch(/8 MB/);
    console.log(`caller preview of a ${(analysis.suggestedTrim.endSec - analysis.suggestedTrim.startSec).toFixed(2)} s selection: ${ms} ms`);

    const gsm = await h.renderPreview({ sourceId: src!.sourceId, operationId: 'p2', format: 'gsm', normalize: true }, ctx);
    expect(gsm.format).toBe('gsm');
    expect(Buffer.from(gsm.playback.subarray(0, 4)).toString('latin1')).toBe('RIFF');

    const waitOutbox = async (pred: (p: Awaited<ReturnType<typeof h.listOutbox>>) => boolean) => {
      for (let i = 0; i < 300; i++) {
        const p = await h.listOutbox({ page: 1, pageSize: 50 }, ctx);
        if (pred(p)) return p;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('outbox did not settle');
    };
    // The draft's render is the gsm one now: go back to the wav the first preview heard.
    await h.renderPreview({ sourceId: src!.sourceId, operationId: 'p3', ...analysis.suggestedTrim, format: 'wav', normalize: true }, ctx);
    await h.enqueueUploads({ draftId: src!.draftId, extensions: [ext], name: 'welcome', ifExists: 'fail', allowOverwriteWithoutBackup: false }, ctx);
    await waitOutbox((p) => p.counts.uploaded === 1);
    const check = await h.checkNames({ draftId: src!.draftId, extensions: [ext], name: 'welcome' }, ctx);
    expect(check).toEqual({ checked: true, existing: [{ ext, identical: true }], keepBothNames: { [ext]: 'welcome-2.wav' } });
    // Other bytes under the name: keep both.
    const other = await h.importBytes({ name: 'other.wav', bytes: new Uint8Array(await readFile(path.join(dir, 'take.wav'))) }, ctx);
    await h.renderPreview({ sourceId: other.sourceId, operationId: 'p4', startSec: 0.5, endSec: 2.5, format: 'wav', normalize: true }, ctx);
    await h.enqueueUploads({ draftId: other.draftId, extensions: [ext], name: 'welcome', ifExists: 'rename', allowOverwriteWithoutBackup: false }, ctx);
    const done = await waitOutbox((p) => p.counts.renamed === 1);
    expect(done.items.find((i) => i.state === 'renamed')).toMatchObject({ target: 'welcome-2.wav', action: 'renamed' });
    const list = await h.listGreetings({ ext }, ctx);
    expect(list.map((g) => g.file).sort()).toEqual(['welcome-2.wav', 'welcome.wav']);
    const played = await h.playGreeting({ ext, file: 'welcome.wav' }, ctx);
    expect(played.bytes.byteLength).toBe(preview.bytes);
    expect(Buffer.from(played.bytes)).toEqual(Buffer.from(preview.playback));
  });
});

describe('recording decoded while it is made', () => {
  it('finishTake brings probe and analysis along; analyse is instant; the preview renders from the decoded PCM', async () => {
    const src = path.join(dir, 'rec-src.wav');
    const webm = path.join(dir, 'rec.webm');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono:d=1', '-f', 'lavfi', '-i', 'sine=f=300:r=48000:d=3',
      '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=mono:d=1.5', '-filter_complex', '[0][1][2]concat=n=3:v=0:a=1', src]);
    // Streamed webm, like MediaRecorder's (no duration in the header).
    await run('sh', ['-c', `ffmpeg -hide_banner -loglevel error -i "${src}" -c:a libopus -b:a 32k -f webm pipe:1 > "${webm}"`]);
    const h = app.handlers;
    const bytes = await readFile(webm);
    const { takeId } = await h.startTake({ mimeType: 'audio/webm;codecs=opus' }, ctx);
    let seq = 0;
    for (let i = 0; i < bytes.length; i += 4000) {
      await h.appendChunk({ takeId, seq: seq++, bytes: new Uint8Array(bytes.subarray(i, i + 4000)) }, ctx);
      await new Promise((r) => setTimeout(r, 2));
    }
    const source = await h.finishTake({ takeId }, ctx);
    expect(source).toMatchObject({ origin: 'recording', codec: 'opus', sampleRate: 48000, channels: 1, sizeBytes: bytes.length });
    expect(source.durationSec).toBeCloseTo(5.5, 1);
    const files = await readdir(path.join(dir, 'data', 'library', 'drafts', source.sourceId));
    expect(files).toContain('decoded.wav');
    const t0 = Date.now();
    const analysis = await h.analyse({ sourceId: source.sourceId, operationId: 'r1' }, ctx);
    expect(Date.now() - t0).toBeLessThan(100); // no ffmpeg run: the live decoder analysed it
    const ref = await analyseAudio(webm);
    expect(analysis.integratedLufs).toBeCloseTo(ref.integratedLufs, 1);
    expect(analysis.speechStartSec).toBeCloseTo(ref.speechStartSec, 2);
    expect(analysis.speechEndSec).toBeCloseTo(ref.speechEndSec, 2);
    const preview = await h.renderPreview({ sourceId: source.sourceId, operationId: 'r2', ...analysis.suggestedTrim, format: 'wav', normalize: true }, ctx);
    expect(preview.format).toBe('wav');
    // Rendered ahead, as soon as the take was decoded: the request took that file over.
    expect(await readdir(path.join(dir, 'data', 'library', 'drafts', source.sourceId))).not.toContain('preview-auto.wav');
    expect(preview.durationSec).toBeGreaterThan(3);
    expect(preview.durationSec).toBeLessThan(4);
    // An explicit section renders too (the range is analysed on the PCM copy).
    const again = await h.renderPreview({ sourceId: source.sourceId, operationId: 'r4', ...analysis.suggestedTrim, format: 'wav', normalize: true }, ctx);
    expect(Buffer.from(again.playback)).toEqual(Buffer.from(preview.playback)); // the ahead-of-time render is the same render
    const part = await h.renderPreview({ sourceId: source.sourceId, operationId: 'r3', startSec: 1.5, endSec: 3.5, format: 'wav', normalize: true }, ctx);
    expect(part.durationSec).toBeGreaterThan(1.9);
    expect(part.durationSec).toBeLessThan(2.3);
  });
});

// Preview handlers over fakes: analysis kept with the draft, the editor's choices rendered into the draft.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createHandlers, type AppHandlers, type HandlerContext } from '../../../main/ipc/handlers/index.js';
import { PLAYBACK_SIZE_LIMIT } from '../../../main/ipc/handlers/preview.js';
import { fakePbxState, fakeServices, type FakePbxState } from '../fakes.js';

let dir: string;
let state: FakePbxState;
let app: AppHandlers;
const ctx: HandlerContext = { emit: () => undefined };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-preview-test-'));
  state = fakePbxState(30);
  app = createHandlers(fakeServices(dir, state));
});
afterEach(async () => {
  await app.dispose();
  await rm(dir, { recursive: true, force: true });
});
const h = () => app.handlers;

describe('analyse and preview', () => {
  it('analysis pre-sets trim handles around the speech and is kept with the draft', async () => {
    const src = await h().importBytes({ name: 'a.wav', bytes: new Uint8Array(5000) }, ctx);
    const a = await h().analyse({ sourceId: src.sourceId, operationId: 'an1' }, ctx);
    expect(a.suggestedTrim.startSec).toBeCloseTo(0.35);
    expect(a.suggestedTrim.endSec).toBeCloseTo(4.8);
    expect(a.warnings[0]?.code).toBe('TOO_QUIET');
    const next = createHandlers(fakeServices(dir, state, {
      audio: { ...fakeServices(dir, state).audio, analyse: async () => { throw new Error('must not analyse again'); } },
    }));
    expect((await next.handlers.getDraft({ draftId: src.draftId }, ctx)).analysis).toEqual(a);
    expect(await next.handlers.analyse({ sourceId: src.sourceId, operationId: 'an2' }, ctx)).toEqual(a);
    expect((await next.handlers.listDrafts({ page: 1, pageSize: 5, trash: false, query: '' }, ctx)).items[0]).toMatchObject({ integratedLufs: -30, durationSec: 5 });
    await next.dispose();
  });

  it('renders the automatic window as "whole file, trim silence" and a moved handle as an explicit range', async () => {
    const seen: { startSec?: number | undefined; endSec?: number | undefined; trimSilence?: boolean | undefined }[] = [];
    const base = fakeServices(dir, state);
    const app2 = createHandlers({ ...base, dataDir: path.join(dir, 'd2'), audio: { ...base.audio, render: async (o, c) => { seen.push({ startSec: o.startSec, endSec: o.endSec, trimSilence: o.trimSilence }); return base.audio.render(o, c); } } });
    const src = await app2.handlers.importBytes({ name: 'a.wav', bytes: new Uint8Array(5000) }, ctx);
    const a = await app2.handlers.analyse({ sourceId: src.sourceId, operationId: 'an' }, ctx);
    const round = (x: number) => Math.round(x * 100) / 100;
    await app2.handlers.renderPreview({ sourceId: src.sourceId, operationId: 'p1', startSec: round(a.suggestedTrim.startSec), endSec: round(a.suggestedTrim.endSec), format: 'wav', normalize: true }, ctx);
    await app2.handlers.renderPreview({ sourceId: src.sourceId, operationId: 'p2', startSec: 1, endSec: 2, format: 'wav', normalize: true }, ctx);
    // The same choices again: the draft's render is current, nothing is rendered.
    await app2.handlers.renderPreview({ sourceId: src.sourceId, operationId: 'p3', startSec: 1, endSec: 2, format: 'wav', normalize: true }, ctx);
    expect(seen).toEqual([{ startSec: undefined, endSec: undefined, trimSilence: true }, { startSec: 1, endSec: 2, trimSilence: false }]);
    expect((await app2.handlers.getDraft({ draftId: src.draftId }, ctx)).settings).toMatchObject({ trimStartSec: 1, trimEndSec: 2, format: 'wav' });
    await app2.dispose();
  });

  it('the PCM playback copy of a G.711/GSM render is exempt from the PBX size limit; the draft render is not', async () => {
    const seen: { format?: string | undefined; sizeLimitBytes?: number | undefined }[] = [];
    const base = fakeServices(dir, state);
    const app2 = createHandlers({ ...base, dataDir: path.join(dir, 'd3'), audio: { ...base.audio, render: async (o, c) => { seen.push({ format: o.format, sizeLimitBytes: o.sizeLimitBytes }); return base.audio.render(o, c); } } });
    const src = await app2.handlers.importBytes({ name: 'a.wav', bytes: new Uint8Array(5000) }, ctx);
    for (const [i, format] of (['wav-ulaw', 'wav-alaw', 'gsm'] as const).entries()) {
      await app2.handlers.renderPreview({ sourceId: src.sourceId, operationId: `l${i}`, format, normalize: true }, ctx);
    }
    expect(seen).toEqual([
      { format: 'wav-ulaw', sizeLimitBytes: undefined }, { format: 'wav', sizeLimitBytes: PLAYBACK_SIZE_LIMIT },
      { format: 'wav-alaw', sizeLimitBytes: undefined }, { format: 'wav', sizeLimitBytes: PLAYBACK_SIZE_LIMIT },
      { format: 'gsm', sizeLimitBytes: undefined }, { format: 'wav', sizeLimitBytes: PLAYBACK_SIZE_LIMIT },
    ]);
    expect(PLAYBACK_SIZE_LIMIT).toBeGreaterThan(16_000 * 3600);
    await app2.dispose();
  });

  it('renders the caller preview into the draft; gsm is played back through a PCM copy of the real render', async () => {
    const src = await h().importBytes({ name: 'a.wav', bytes: new Uint8Array(5000) }, ctx);
    const wav = await h().renderPreview({ sourceId: src.sourceId, operationId: 'p1', startSec: 0.5, endSec: 3, format: 'wav', normalize: true }, ctx);
    expect(wav).toMatchObject({ playbackMime: 'audio/wav', renderId: src.draftId });
    expect(Buffer.from(wav.playback).toString('latin1')).toMatch(/^RENDER:wav:/);
    const gsm = await h().renderPreview({ sourceId: src.sourceId, operationId: 'p2', format: 'gsm', normalize: true }, ctx);
    expect(gsm.format).toBe('gsm');
    expect(Buffer.from(gsm.playback).toString('latin1')).toMatch(/^RENDER:wav:RENDER:gsm:/);
    expect((await h().getDraft({ draftId: src.draftId }, ctx))).toMatchObject({ format: 'gsm' });
    await expect(h().renderPreview({ sourceId: 'nope', operationId: 'p3', format: 'wav', normalize: true }, ctx)).rejects.toMatchObject({ code: 'SOURCE_NOT_FOUND' });
  });
});

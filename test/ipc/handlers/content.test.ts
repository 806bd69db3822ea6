// Content handlers over the real core (templates store, espeak-ng, ffmpeg) and the simulator: templates CRUD and
// import/export, filled scripts, TTS drafts, personalised batches into the Outbox, and the clean-up settings.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ffmpeg, espeak, measure } from '../../helpers/audio-fixtures.js';
import { saveSimProfile, sha256, sim, startApp, tempDir, waitFor, type TestApp } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: Parameters<typeof startApp>[1] = {}): Promise<{ dir: string; t: TestApp }> {
  const tmp = await tempDir('vmgs-content-');
  const t = startApp(`${tmp.dir}/data`, opts);
  cleanups.push(tmp.cleanup, () => t.dispose());
  return { dir: tmp.dir, t };
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return 'no error';
}

describe('templates', () => {
  it('lists the built-ins, adds, edits, removes, and refuses what the CLI refuses', async () => {
    const { t } = await setup();
    const all = await t.h.listTemplates({}, t.ctx);
    expect(all.map((x) => x.name)).toEqual(expect.arrayContaining(['away', 'busy', 'after-hours', 'vacation']));
    const added = await t.h.saveTemplate({ name: 'lunch', title: 'Lunch break', text: 'Hi, {name} is at lunch until two.', replace: false }, t.ctx);
    expect(added).toMatchObject({ kind: 'custom', placeholders: ['name'] });
    expect(await code(t.h.saveTemplate({ name: 'lunch', title: 'x', text: 'again', replace: false }, t.ctx))).toBe('TEMPLATE_EXISTS');
    expect(await code(t.h.saveTemplate({ name: 'bad', title: 'Bad', text: 'Hello {Name}', replace: false }, t.ctx))).toBe('TEMPLATE_INVALID');
    const edited = await t.h.saveTemplate({ name: 'away', title: 'Away', text: 'Away, {name}.', replace: true }, t.ctx);
    expect(edited.kind).toBe('edited');
    expect((await t.h.removeTemplate({ name: 'away' }, t.ctx)).result).toBe('restored');
    expect((await t.h.removeTemplate({ name: 'lunch' }, t.ctx)).result).toBe('removed');
    expect((await t.h.listTemplates({}, t.ctx)).find((x) => x.name === 'away')?.kind).toBe('built-in');
  });

  it('exports through the save dialog and imports the file back; a bad file changes nothing', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.cleanup);
    const out = path.join(tmp.dir, 'mine.json');
    const { t } = await setup({ dialogs: { openAudioFile: async () => null, saveFile: async () => out } });
    await t.h.saveTemplate({ name: 'lunch', title: 'Lunch', text: 'At lunch, {name}.', replace: false }, t.ctx);
    expect(await t.h.exportTemplates({}, t.ctx)).toMatchObject({ saved: true, file: 'mine.json' });
    const text = await readFile(out, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ format: 'vm-greeting-studio/templates' });

    const { t: other } = await setup();
    const r = await other.h.importTemplatesText({ fileName: 'mine.json', text, replace: false }, other.ctx);
    expect(r.added).toEqual(['lunch']);
    expect(r.file).toBe('mine.json');
    const bad = JSON.stringify({ format: 'vm-greeting-studio/templates', version: 1, templates: [{ name: 'x', title: 'X', text: 'Hi {nmae}' }] });
    const err = await other.h.importTemplatesText({ fileName: 'bad.json', text: bad, replace: false }, other.ctx).catch((e: unknown) => e as Error & { code: string });
    expect(err).toMatchObject({ code: 'TEMPLATE_IMPORT_INVALID' });
    expect((err as Error).message).toContain('bad.json');
    expect((err as Error).message).not.toContain('vmgs-templates-');
    expect(await code(other.h.importTemplatesText({ fileName: 'n.json', text: 'not json', replace: false }, other.ctx))).toBe('TEMPLATE_IMPORT_INVALID');
    expect((await other.h.listTemplates({}, other.ctx)).some((x) => x.name === 'x')).toBe(false);
    expect(await code(other.h.importTemplatesWithDialog({ replace: false }, other.ctx))).toBe('DIALOG_UNAVAILABLE');
  });

  it('fills placeholders for the teleprompter and names what is left unfilled', async () => {
    const { t } = await setup();
    const f = await t.h.fillTemplate({ text: 'This is {name} at {company}, back on {back_date}.', values: { name: 'Ana Lima', company: 'Acme', back_date: '2025-01-06' } }, t.ctx);
    expect(f.script).toBe('This is Ana Lima at Acme, back on Monday, January 6, 2025.');
    expect(f.problems).toEqual([]);
    const g = await t.h.fillTemplate({ text: 'This is {name} at {company}.', values: { name: 'Ana' } }, t.ctx);
    expect(g.problems.join(' ')).toContain('{company}');
  });
});

describe('text-to-speech', () => {
  it('lists espeak-ng as available and the PBX engine as needing a connection', async () => {
    const { t } = await setup();
    const engines = await t.h.ttsEngines({}, t.ctx);
    const es = engines.find((e) => e.id === 'espeak-ng');
    expect(es?.available).toBe(true);
    expect(es?.voices.length).toBeGreaterThan(0);
    expect(engines.find((e) => e.id === 'pbx')).toMatchObject({ available: false });
  });

  it('speaks text into a draft with its script, rendered to 8 kHz near the loudness target', async () => {
    const { t } = await setup();
    const r = await t.h.createTtsDraft({ operationId: 'tts1', engine: 'espeak-ng', text: 'Hello, you have reached the help desk. Please leave a message.', name: 'help desk' }, t.ctx);
    const d = await t.h.getDraft({ draftId: r.draftId }, t.ctx);
    expect(d).toMatchObject({ origin: 'tts', script: 'Hello, you have reached the help desk. Please leave a message.' });
    expect(d.renderedBytes).toBeGreaterThan(1000);
    const draft = await t.app.context.drafts.get(r.draftId);
    const file = t.app.context.drafts.renderedPath(draft);
    expect(file).toBeTruthy();
    const m = await measure(file ?? '');
    expect(m.sampleRate).toBe(8000);
    expect(Math.abs(m.integratedLufs - -20)).toBeLessThanOrEqual(1.5);
    expect(t.events.some((e) => e.name === 'progress' && (e.payload as { operationId: string }).operationId === 'tts1')).toBe(true);
  });

  it('the PBX engine needs the extension it speaks into', async () => {
    const s = await sim();
    cleanups.push(() => s.close());
    const { t } = await setup();
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);
    expect(await code(t.h.createTtsDraft({ operationId: 'tts2', engine: 'pbx', text: 'Hello there.', name: 'x' }, t.ctx))).toBe('TTS_PBX_NEEDS_EXTENSION');
  });
});

describe('personalised batch', () => {
  it('plans from the live directory, then makes one draft per extension and queues them to the Outbox', async () => {
    const s = await sim();
    cleanups.push(() => s.close());
    const { t } = await setup();
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);
    const plan = await t.h.planPersonalBatch({ template: 'after-hours', spec: '3200-3202', exts: ['9999'], values: { company: 'Acme' }, engine: 'espeak-ng' }, t.ctx);
    expect(plan.rows.map((r) => r.ext).sort()).toEqual(['3200', '3201', '3202', '9999']);
    expect(plan.ready).toBe(3);
    expect(plan.rows.find((r) => r.ext === '9999')?.problems.join(' ')).toContain('does not exist');
    const row = plan.rows.find((r) => r.ext === '3201');
    expect(row?.script).toContain(row?.name ?? 'no name');
    expect(row?.script).toContain('Acme');

    const r = await t.h.runPersonalBatch({ operationId: 'pb1', template: 'after-hours', spec: '3200-3202', values: { company: 'Acme' }, engine: 'espeak-ng', ifExists: 'overwrite' }, t.ctx);
    expect(r.created).toHaveLength(3);
    expect(r.itemIds).toHaveLength(3);
    for (const c of r.created) {
      const d = await t.h.getDraft({ draftId: c.draftId }, t.ctx);
      expect(d.origin).toBe('tts');
      expect(d.script).toBe(c.script);
      expect(d.targets).toEqual([c.ext]);
    }
    const progress = t.events.filter((e) => e.name === 'progress' && (e.payload as { operationId: string }).operationId === 'pb1');
    expect(progress.at(-1)?.payload).toMatchObject({ percent: 100, stage: '3/3' });
    await waitFor(() => ['3200', '3201', '3202'].every((e) => s.greetings(e).some((g) => g.real_filename.startsWith('after-hours.'))), 30_000, 'uploads on the simulator');
  });

  it('offline it uses the cached directory of the last PBX', async () => {
    const s = await sim();
    const { t } = await setup();
    const profileId = await saveSimProfile(t, s);
    await t.h.connect({ id: profileId }, t.ctx);
    await waitFor(async () => (await t.h.searchExtensions({ query: '', page: 1, pageSize: 5 }, t.ctx)).total > 0, 5000, 'directory');
    // The full directory is cached after connecting.
    await waitFor(async () => (await t.app.context.directory.read({ origin: `http://127.0.0.1:${s.port}`, clientId: s.clientId })) !== null, 10_000, 'cache');
    await t.h.disconnect({}, t.ctx);
    await s.close();
    const plan = await t.h.planPersonalBatch({ template: 'away', exts: ['3203'], values: {}, engine: 'espeak-ng' }, t.ctx);
    expect(plan.directory.source).toBe('cache');
    expect(plan.rows[0]?.name).toBeTruthy();
    expect(plan.ready).toBe(1);
  });

  it('with no PBX known it says to connect once', async () => {
    const { t } = await setup();
    expect(await code(t.h.planPersonalBatch({ template: 'away', exts: ['3200'], values: {}, engine: 'espeak-ng' }, t.ctx))).toBe('NOT_CONNECTED');
  });
});

describe('clean-up', () => {
  it('suggests noise reduction for noisy speech; the toggle changes the render and A/B gives both', async () => {
    const tmp = await tempDir();
    cleanups.push(tmp.cleanup);
    const speech = await espeak(path.join(tmp.dir, 's.wav'), 'Hello, you have reached the sales team. Nobody can take your call. Please leave a message after the tone.');
    const noisy = path.join(tmp.dir, 'noisy.wav');
    await ffmpeg(['-i', speech, '-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.05:duration=12:sample_rate=22050', '-filter_complex', '[0:a]adelay=800|800,apad=pad_dur=1[s];[s][1:a]amix=inputs=2:duration=shortest:normalize=0', '-ar', '16000', noisy]);
    const { t } = await setup();
    const src = await t.h.importBytes({ name: 'noisy.wav', bytes: new Uint8Array(await readFile(noisy)) }, t.ctx);
    await t.h.analyse({ sourceId: src.sourceId, operationId: 'a1' }, t.ctx);
    const st = await t.h.cleanupState({ draftId: src.draftId }, t.ctx);
    expect(st).toMatchObject({ denoise: false, level: false });
    expect(st.suggestions.map((x) => x.code)).toContain('DENOISE');

    const before = await t.h.renderPreview({ sourceId: src.sourceId, operationId: 'r1', format: 'wav', normalize: true }, t.ctx);
    const on = await t.h.setCleanup({ draftId: src.draftId, denoise: true }, t.ctx);
    expect(on.denoise).toBe(true);
    expect((await t.h.getDraft({ draftId: src.draftId }, t.ctx)).format).toBeNull(); // the old render is stale now
    const after = await t.h.renderPreview({ sourceId: src.sourceId, operationId: 'r2', format: 'wav', normalize: true }, t.ctx);
    expect(sha256(after.playback)).not.toBe(sha256(before.playback));
    const draft = await t.app.context.drafts.get(src.draftId);
    expect(draft.settings.denoise).toBe(true);

    const ab = await t.h.compareCleanup({ draftId: src.draftId, operationId: 'ab1', denoise: true, level: false }, t.ctx);
    expect(sha256(ab.with.playback)).toBe(sha256(after.playback));
    expect(sha256(ab.without.playback)).toBe(sha256(before.playback));
    // Independent check of what the person hears: the noise floor of B is well under A's.
    const floor = async (bytes: Uint8Array, name: string): Promise<number> => {
      const f = path.join(tmp.dir, name);
      await writeFile(f, bytes);
      const s2 = await t.h.importBytes({ name, bytes: new Uint8Array(await readFile(f)) }, t.ctx);
      return (await t.h.analyse({ sourceId: s2.sourceId, operationId: `an-${name.slice(0, 1)}` }, t.ctx)).noiseFloorDbfs;
    };
    expect(await floor(ab.with.playback, 'b.wav')).toBeLessThan((await floor(ab.without.playback, 'a.wav')) - 6);
    await t.h.setCleanup({ draftId: src.draftId, denoise: false }, t.ctx);
    const back = await t.h.renderPreview({ sourceId: src.sourceId, operationId: 'r3', format: 'wav', normalize: true }, t.ctx);
    expect(sha256(back.playback)).toBe(sha256(before.playback));
  });
});

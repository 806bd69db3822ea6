// Personalised batch: one template × 20 extensions of the simulator → 20 drafts (origin tts, script with each
// person's name) rendered by the drafts library's renderer, measured independently (8 kHz, -20 ±1 LUFS), queued and
// uploaded by the one queue worker. Rows that cannot be spoken are reported, not spoken.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TemplateStore, cachedDirectory, createEspeakEngine, createPersonalDrafts, fixedDirectory, liveDirectory, liveOrCached, planPersonalBatch, queuePersonalDrafts,
  type DirectorySource,
} from '../../../main/core/content/index.js';
import { renderGreeting } from '../../../main/core/audio/index.js';
import { DraftLibrary, HistoryStore, QueueWorker, UploadQueue } from '../../../main/core/library/index.js';
import { PbxNetworkError } from '../../../main/core/pbx/index.js';
import { startSimulator, type SeedExtension, type Simulator } from '../../../main/sim/index.js';
import { PbxClient } from '../../../main/core/pbx/index.js';
import { makeTempDir, measure } from '../../helpers/audio-fixtures.js';

let sim: Simulator;
let client: PbxClient;
let tmp: { dir: string; cleanup: () => Promise<void> };

const FIRST = ['Ana', 'Bruno', 'Chloé', 'Dmitri', 'Elif', 'Femi', 'Greta', 'Hiro', 'Ines', 'Jamal', 'Kirsi', 'Luca', 'Mara', 'Nils', 'Olu', 'Priya', 'Quentin', 'Rosa', 'Sami', 'Tove'];
const seed: SeedExtension[] = [
  ...FIRST.map((f, i) => ({ number: String(3200 + i), caller_id_name: `${f} Example` })),
  { number: '3220', caller_id_name: '' },
];

beforeAll(async () => {
  sim = await startSimulator({ extensions: seed });
  client = new PbxClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, onWarning: () => undefined });
  tmp = await makeTempDir('vmgs-personal-');
}, 60_000);
afterAll(async () => {
  await client.signOut().catch(() => undefined);
  await sim.close();
  await tmp.cleanup();
});

describe('personalised batch', () => {
  it('plans from the live directory and rejects unknown extensions, nameless ones and unfilled placeholders', async () => {
    const template = await new TemplateStore({ dataDir: path.join(tmp.dir, 'plan') }).get('after-hours');
    const directory = await liveDirectory(client).snapshot();
    expect(directory).toMatchObject({ source: 'live', fetchedAt: null });
    expect(directory.entries.size).toBe(21);
    const plan = planPersonalBatch({ template, exts: ['3200', '3220', '3299'], directory, values: { company: 'Example Ltd' }, maxChars: 1000 });
    expect(plan.fileName).toBe('after-hours.wav');
    expect(plan.ready.map((r) => r.ext)).toEqual(['3200']);
    expect(plan.ready[0]?.script).toBe('Thank you for calling Example Ltd. You have reached the voicemail of Ana Example, extension 3200. Our office is closed now. Please leave a message after the tone and we will return your call on the next business day.');
    expect(plan.ready[0]?.spoken).toContain('extension 3 2 0 0.');
    expect(plan.rejected.map((r) => [r.ext, r.code, r.problems[0]])).toEqual([
      ['3220', 'PERSONAL_UNFILLED', 'The PBX has no caller ID name for extension 3220, so {name} cannot be filled.'],
      ['3299', 'PERSONAL_UNKNOWN_EXTENSION', 'Extension 3299 does not exist on this PBX.'],
    ]);
    const noCompany = planPersonalBatch({ template, exts: ['3201'], directory, maxChars: 1000 });
    expect(noCompany.rejected[0]?.problems).toEqual([expect.stringMatching(/^\{company\} has no value/)]);
    expect(() => planPersonalBatch({ template, exts: ['3201'], directory, greetingName: 'bad name', maxChars: 1000 })).toThrow(/cannot be used/);
  });

  it('falls back to a cached directory only when the PBX cannot be reached', async () => {
    const down: DirectorySource = { snapshot: () => Promise.reject(new PbxNetworkError('PBX_CONNECTION_REFUSED', 'refused')) };
    const cache = fixedDirectory([{ number: '3200', callerIdName: 'Cached Person' }], '2025-01-01T00:00:00.000Z');
    const snap = await liveOrCached(down, cache).snapshot();
    expect(snap).toMatchObject({ source: 'cache', fetchedAt: '2025-01-01T00:00:00.000Z' });
    expect(snap.entries.get('3200')?.callerIdName).toBe('Cached Person');
    const refused: DirectorySource = { snapshot: () => Promise.reject(new Error('other')) };
    await expect(liveOrCached(refused, cache).snapshot()).rejects.toThrow('other');

    // The app's cache, read through its reader interface: found for this PBX, or a clear error when never fetched.
    const pbx = { origin: 'https://10.0.0.5:8088', clientId: 'abc' };
    const reader = { read: async (p: { origin: string; clientId: string }) => (p.origin === pbx.origin && p.clientId === pbx.clientId ? { fetchedAt: '2025-02-03T04:05:06.000Z', extensions: [{ number: '3201', callerIdName: 'Offline Olga' }] } : null) };
    const offline = await liveOrCached(down, cachedDirectory(reader, pbx)).snapshot();
    expect(offline).toMatchObject({ source: 'cache', fetchedAt: '2025-02-03T04:05:06.000Z' });
    const plan = planPersonalBatch({ template: { name: 'hi', title: 'Hi', text: 'Hi {name}.' }, exts: ['3201', '3202'], directory: offline, maxChars: 100 });
    expect(plan.ready.map((r) => r.script)).toEqual(['Hi Offline Olga.']);
    expect(plan.rejected[0]?.problems[0]).toBe('Extension 3202 does not exist in the cached directory of 2025-02-03T04:05:06.000Z.');
    await expect(liveOrCached(down, cachedDirectory(reader, { ...pbx, clientId: 'other' })).snapshot()).rejects.toMatchObject({ code: 'PERSONAL_NO_DIRECTORY' });
  });

  it('20 extensions → 20 tts drafts whose scripts carry each name, rendered at 8 kHz -20 ±1 LUFS, then uploaded', async () => {
    const dataDir = path.join(tmp.dir, 'data');
    const template = await new TemplateStore({ dataDir }).get('away');
    const directory = await liveDirectory(client).snapshot();
    const exts = seed.slice(0, 20).map((s) => s.number);
    const plan = planPersonalBatch({ template, exts, directory, maxChars: 4000 });
    expect(plan.ready).toHaveLength(20);

    const drafts = new DraftLibrary({ dataDir, renderer: renderGreeting });
    const progress: string[] = [];
    const made = await createPersonalDrafts({ plan, engine: createEspeakEngine(), drafts, settings: { format: 'wav', targetLufs: -20 }, onProgress: (p) => progress.push(p.ext) });
    expect(made.failed).toEqual([]);
    expect(made.cancelled).toBe(false);
    expect(made.created.map((d) => d.ext)).toEqual(exts);
    expect(progress.sort()).toEqual([...exts].sort());

    for (const [i, c] of made.created.entries()) {
      const d = await drafts.get(c.draftId);
      expect(d).toMatchObject({ origin: 'tts', name: 'away', targetExtensions: [exts[i]] });
      expect(d.script).toContain(`${FIRST[i]} Example`);
      expect(d.script).toContain(`extension ${exts[i]}`);
      const file = drafts.renderedPath(d);
      expect(file).not.toBeNull();
      const m = await measure(file!);
      expect(m).toMatchObject({ codec: 'pcm_s16le', sampleRate: 8000, channels: 1 });
      expect(Math.abs(m.integratedLufs - -20), `${exts[i]} at ${m.integratedLufs} LUFS`).toBeLessThanOrEqual(1);
    }

    const queue = new UploadQueue({ dataDir, drafts });
    const items = await queuePersonalDrafts({ queue, plan, drafts: made.created, policy: 'fail', pbxProfileId: 'test', pbx: { origin: sim.url, clientId: sim.clientId } });
    expect(items.map((q) => [q.ext, q.fileName, q.source.kind])).toEqual(exts.map((e) => [e, 'away.wav', 'draft']));
    const worker = new QueueWorker({ queue, history: new HistoryStore({ dataDir }), transportFor: () => client });
    const summary = await worker.run({ ids: items.map((q) => q.id) });
    expect(summary).toMatchObject({ total: 20, created: 20, failed: 0 });
    for (const [i, e] of exts.entries()) {
      const [g] = sim.greetings(e);
      expect(g?.real_filename).toBe('away.wav');
      const d = await drafts.get(made.created[i]!.draftId);
      expect(g?.bytes.length).toBe(d.rendered?.bytes);
    }
  }, 240_000);

  it('a row whose speech fails leaves no draft and is reported; the others go on', async () => {
    const dataDir = path.join(tmp.dir, 'fail');
    const template = { name: 'hello', title: 'Hello', text: 'Hello {name}.' };
    const directory = fixedDirectory([{ number: '1', callerIdName: 'One' }, { number: '2', callerIdName: 'Two' }]);
    const plan = planPersonalBatch({ template, exts: ['1', '2'], directory: await directory.snapshot(), maxChars: 100 });
    const drafts = new DraftLibrary({ dataDir, renderer: renderGreeting });
    const real = createEspeakEngine();
    const flaky = { ...real, synthesize: (req: Parameters<typeof real.synthesize>[0]) => (req.ext === '2' ? Promise.reject(new Error('voice crashed')) : real.synthesize(req)) };
    const made = await createPersonalDrafts({ plan, engine: flaky, drafts });
    expect(made.created.map((c) => c.ext)).toEqual(['1']);
    expect(made.failed).toEqual([{ ext: '2', code: 'PERSONAL_FAILED', message: 'voice crashed' }]);
    expect((await drafts.list()).length).toBe(1);
    expect(await drafts.listTrash()).toEqual([]);
  });

  it('stops on cancel and keeps the drafts made so far', async () => {
    const dataDir = path.join(tmp.dir, 'cancel');
    const directory = fixedDirectory(['1', '2', '3', '4'].map((n) => ({ number: n, callerIdName: `P${n}` })));
    const plan = planPersonalBatch({ template: { name: 'hi', title: 'Hi', text: 'Hi {name}.' }, exts: ['1', '2', '3', '4'], directory: await directory.snapshot(), maxChars: 100 });
    const drafts = new DraftLibrary({ dataDir, renderer: renderGreeting });
    const ac = new AbortController();
    const made = await createPersonalDrafts({ plan, engine: createEspeakEngine(), drafts, concurrency: 1, signal: ac.signal, onProgress: (p) => p.done === 1 && ac.abort() });
    expect(made.cancelled).toBe(true);
    expect(made.created).toHaveLength(1);
    expect((await drafts.list()).map((d) => d.id)).toEqual([made.created[0]!.draftId]);
  });
});

// The content side of the app over main/core/content: the templates store (the same file and checks as
// `vmgreet templates`), filled scripts for the teleprompter, text-to-speech drafts (the engines of this computer and
// the PBX's own when connected), personalised batches (planPersonalBatch → createPersonalDrafts →
// queuePersonalDrafts) and the clean-up of a recording (noise reduction, levelling, A/B).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  cachedDirectory, createPbxEngine, createPersonalDrafts, discoverEngines, fillScript, liveDirectory, liveOrCached, localEngines,
  pickEngine, planPersonalBatch, queuePersonalDrafts, TemplateStore, withSpeechDir, ContentError,
  type DirectorySource, type PbxTtsTransport, type PersonalPlan, type TemplateView, type TtsEngine,
} from '../../core/content/index.js';
import { isRenderCurrent, parseExtensionList } from '../../core/library/index.js';
import type { CleanupState, CleanupVariant, PersonalPlanInfo, TemplateInfo, TtsEngineView } from '../channels/content.js';
import type { ParsedRequestOf } from '../channels.js';
import { AppStateError } from '../errors.js';
import type { PbxClientLike } from '../services.js';
import type { AppContext, HandlersFor } from './context.js';
import { pbxRefOf } from './pbx.js';
import { ensureRendered, type DraftRenderer } from './preview.js';

export type ContentChannels =
  | 'listTemplates' | 'saveTemplate' | 'removeTemplate' | 'exportTemplates' | 'importTemplatesWithDialog' | 'importTemplatesText' | 'fillTemplate'
  | 'ttsEngines' | 'createTtsDraft' | 'planPersonalBatch' | 'runPersonalBatch' | 'cleanupState' | 'setCleanup' | 'compareCleanup';

function templateInfo(t: TemplateView): TemplateInfo {
  return { name: t.name, title: t.title, text: t.text, kind: t.kind, placeholders: [...t.placeholders], updatedAt: t.updatedAt };
}

/** The real PbxClient speaks TTS; a client without these methods (a test double) has no PBX engine. */
function ttsTransport(client: unknown): PbxTtsTransport | null {
  const c = client as Partial<PbxTtsTransport> | null;
  return c && typeof c.probeTtsGreeting === 'function' && typeof c.createTtsGreeting === 'function' && typeof c.downloadGreeting === 'function' &&
    typeof c.deleteGreeting === 'function' && typeof c.listGreetings === 'function' && typeof c.baseUrl === 'string'
    ? (c as PbxTtsTransport)
    : null;
}

function playbackMime(file: string): string {
  return file.endsWith('.mp3') ? 'audio/mpeg' : 'audio/wav';
}

type PersonalReq = ParsedRequestOf<'planPersonalBatch'>;

export interface ContentHandlerOptions {
  /** The engines of this computer (tests inject stubs); default: espeak-ng, flite, say, SAPI as found. */
  localEngines?: () => TtsEngine[];
}

export function contentHandlers<C extends PbxClientLike>(app: AppContext<C>, renderer: DraftRenderer, opts: ContentHandlerOptions = {}): HandlersFor<ContentChannels> {
  const { session, drafts, services, operations } = app;
  const store = new TemplateStore({ dataDir: app.dataDir, now: () => app.clock.now() });
  let locals: TtsEngine[] | null = null;
  const local = (): TtsEngine[] => (locals ??= (opts.localEngines ?? (() => localEngines()))());

  /** Local engines, plus the PBX's own while connected. */
  function engines(): TtsEngine[] {
    const out = [...local()];
    if (session.isOnline()) {
      try {
        const t = ttsTransport(session.requireClient());
        if (t) out.push(createPbxEngine(t, { pollMs: 300 }));
      } catch {
        // not connected after all
      }
    }
    return out;
  }

  async function templateText(name: string): Promise<{ name: string; title: string; text: string }> {
    const t = await store.get(name);
    return { name: t.name, title: t.title, text: t.text };
  }

  function extsOf(req: PersonalReq): string[] {
    const out = new Set<string>(req.spec !== undefined && req.spec.trim() !== '' ? parseExtensionList(req.spec) : []);
    for (const e of req.exts ?? []) out.add(e);
    if (out.size === 0) throw new ContentError('usage', 'PERSONAL_NO_EXTENSIONS', 'Choose at least one extension (pick them, or type numbers or a range such as 3200-3219).');
    // In number order, as the directory lists them (typed and ticked ones mixed).
    return [...out].sort((a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a.localeCompare(b)));
  }

  /** The live directory while connected, else the cached copy of the last used profile's PBX. */
  async function directory(profileId?: string): Promise<{ source: DirectorySource; profile: { id: string; baseUrl: string; clientId: string } | undefined }> {
    const profiles = await session.profiles();
    const id = profileId ?? session.currentOrLastProfileId() ?? (profiles.length === 1 ? profiles[0]?.id : undefined);
    const profile = id ? profiles.find((p) => p.id === id) : undefined;
    if (!profile) {
      throw new AppStateError('NOT_CONNECTED', 'Connect to a PBX once first: the names for {name} come from its directory (the app keeps a copy for offline use).', 'usage');
    }
    const cached = cachedDirectory(app.directory, pbxRefOf(profile));
    if (session.isOnline() && session.connectedProfileId() === profile.id) {
      return { source: liveOrCached(liveDirectory(session.requireClient()), cached), profile };
    }
    return { source: cached, profile };
  }

  async function plan(req: PersonalReq, signal?: AbortSignal, profileId?: string): Promise<{ plan: PersonalPlan; engine: TtsEngine; profile: { id: string; baseUrl: string; clientId: string } | undefined }> {
    const exts = extsOf(req);
    const template = await templateText(req.template);
    const { engine } = await pickEngine(engines(), req.engine, signal);
    const dir = await directory(profileId);
    const snapshot = await dir.source.snapshot(signal);
    const values = Object.fromEntries(Object.entries(req.values).filter(([, v]) => v !== undefined && v.trim() !== '')) as Record<string, string>;
    const p = planPersonalBatch({
      template, exts, directory: snapshot, values, maxChars: engine.info.maxChars, format: 'auto',
      ...(req.greetingName && req.greetingName.trim() !== '' ? { greetingName: req.greetingName.trim() } : {}),
    });
    return { plan: p, engine, profile: dir.profile };
  }

  function planInfo(p: PersonalPlan): PersonalPlanInfo {
    return {
      greetingName: p.greetingName,
      fileName: p.fileName,
      directory: p.directory,
      rows: p.rows.map((r) => ({ ext: r.ext, name: r.name, script: r.script, problems: [...r.problems] })),
      ready: p.ready.length,
      rejected: p.rejected.length,
    };
  }

  async function importResult(file: string, replace: boolean, shownName: string) {
    const r = await store.importFrom(file, { replace });
    return { file: shownName, added: r.added, replaced: r.replaced, unchanged: r.unchanged };
  }

  async function cleanupState(draftId: string): Promise<CleanupState> {
    const d = await drafts.get(draftId);
    let suggestions: CleanupState['suggestions'] = [];
    let noiseFloorDbfs: number | null = null;
    if (!d.unfinished) {
      const a = await services.audio.analyse(drafts.sourcePath(d), {});
      noiseFloorDbfs = a.noiseFloorDbfs;
      suggestions = (a.suggestions ?? []).flatMap((s) => (s.code === 'DENOISE' || s.code === 'LEVEL' ? [{ code: s.code, message: s.message }] : []));
    }
    return { denoise: d.settings.denoise === true, level: d.settings.level === true, suggestions, noiseFloorDbfs };
  }

  return {
    async listTemplates() {
      return (await store.list()).map(templateInfo);
    },
    async saveTemplate(req) {
      return templateInfo(await store.put({ name: req.name, title: req.title, text: req.text }, { replace: req.replace }));
    },
    async removeTemplate(req) {
      return store.remove(req.name);
    },
    async exportTemplates() {
      const file = await services.dialogs.saveFile('greeting-templates.json');
      if (!file) return { saved: false, count: 0, file: null };
      const r = await store.exportTo(file, { force: true });
      return { saved: true, count: r.count, file: path.basename(r.file) };
    },
    async importTemplatesWithDialog(req) {
      const open = services.dialogs.openTemplatesFile;
      if (!open) throw new AppStateError('DIALOG_UNAVAILABLE', 'Choose the templates file with "Import from file" instead.', 'usage');
      const file = await open();
      return file ? importResult(file, req.replace, path.basename(file)) : null;
    },
    async importTemplatesText(req) {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-templates-'));
      try {
        const file = path.join(dir, 'templates.json');
        await writeFile(file, req.text, 'utf8');
        return await importResult(file, req.replace, path.basename(req.fileName)).catch((err: unknown) => {
          // The store names the temporary copy; the person knows the file by its own name.
          if (err instanceof ContentError) throw new ContentError(err.kind, err.code, err.message.split(file).join(path.basename(req.fileName)), err.detail ? { detail: err.detail } : undefined);
          throw err;
        });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async fillTemplate(req) {
      const values = Object.fromEntries(Object.entries(req.values).filter(([, v]) => v !== undefined)) as Record<string, string>;
      const f = fillScript(req.text, values);
      return { script: f.script, used: [...f.used], problems: f.problems.map((p) => p.message) };
    },

    async ttsEngines() {
      const reports = await discoverEngines(engines());
      const out: TtsEngineView[] = reports.map((r) => ({
        id: r.id, label: r.info.label, available: r.available, reason: r.reason, version: r.version,
        voices: [...new Map(r.voices.map((v) => [v.id, { id: v.id, label: v.label, language: v.language }])).values()], maxChars: r.info.maxChars, licence: r.info.licence,
      }));
      if (!out.some((e) => e.id === 'pbx')) {
        out.push({ id: 'pbx', label: "The PBX's text-to-speech", available: false, reason: 'Connect to the PBX to use its own voices.', version: null, voices: [], maxChars: 1000, licence: "The PBX's terms" });
      }
      return out;
    },
    async createTtsDraft(req, ctx) {
      return operations.run(req.operationId, async (signal) => {
        const emit = (percent: number, stage: string) => ctx.emit('progress', { operationId: req.operationId, percent, stage });
        emit(0, 'speak');
        const { engine } = await pickEngine(engines(), req.engine, signal);
        if (engine.info.id === 'pbx' && !req.ext) {
          throw new ContentError('usage', 'TTS_PBX_NEEDS_EXTENSION', "The PBX speaks into an extension's greeting list: enter the extension it is for.");
        }
        const script = req.text.replace(/\s+/g, ' ').trim();
        const draftId = await withSpeechDir(async (dir) => {
          const speech = await engine.synthesize({ text: script, dir, voice: req.voice, ratePercent: req.ratePercent, ext: req.ext, signal });
          const d = await drafts.create({ sourcePath: speech.file, name: req.name, origin: 'tts', script, settings: { format: 'auto' }, ...(req.ext ? { targetExtensions: [req.ext] } : {}) });
          return d.id;
        });
        try {
          emit(40, 'render');
          const d = await drafts.get(draftId);
          const probe = await services.audio.probe(drafts.sourcePath(d), { signal });
          await drafts.annotate(draftId, { probe: { durationSec: probe.durationSec, codec: probe.codec, sampleRate: probe.sampleRate, channels: probe.channels } });
          await ensureRendered(app, renderer, draftId, { signal, onProgress: (p) => emit(40 + p.percent * 0.6, p.stage) });
        } catch (err) {
          await drafts.purge(draftId).catch(() => undefined);
          throw err;
        }
        emit(100, 'done');
        return { draftId, script };
      });
    },

    async planPersonalBatch(req) {
      return planInfo((await plan(req)).plan);
    },
    async runPersonalBatch(req, ctx) {
      return operations.run(req.operationId, async (signal) => {
        const planned = await plan(req, signal, req.profileId);
        const profile = planned.profile;
        if (!profile) throw new AppStateError('OUTBOX_NO_PROFILE', 'Add a PBX profile first: the Outbox needs to know which PBX these greetings are for.', 'usage');
        const of = planned.plan.ready.length;
        ctx.emit('progress', { operationId: req.operationId, percent: 0, stage: `0/${of}` });
        const made = await createPersonalDrafts({
          plan: planned.plan, engine: planned.engine, drafts, voice: req.voice, ratePercent: req.ratePercent, signal, settings: { format: 'auto' },
          onProgress: (p) => ctx.emit('progress', { operationId: req.operationId, percent: (100 * p.done) / Math.max(1, p.of), stage: `${p.done}/${p.of}` }),
        });
        const items = signal.aborted ? [] : await queuePersonalDrafts({ queue: app.queue, plan: planned.plan, drafts: made.created, policy: req.ifExists, pbxProfileId: profile.id, pbx: pbxRefOf(profile) });
        if (items.length > 0) {
          app.outbox.kick();
          app.outbox.emit(null, null);
        }
        return {
          created: made.created.map((c) => ({ ext: c.ext, draftId: c.draftId, script: c.script })),
          failed: made.failed,
          cancelled: made.cancelled,
          itemIds: items.map((i) => i.id),
          warnings: made.warnings,
        };
      });
    },

    async cleanupState(req) {
      return cleanupState(req.draftId);
    },
    async setCleanup(req) {
      await drafts.updateSettings(req.draftId, { ...(req.denoise !== undefined ? { denoise: req.denoise } : {}), ...(req.level !== undefined ? { level: req.level } : {}) });
      return cleanupState(req.draftId);
    },
    async compareCleanup(req, ctx) {
      return operations.run(req.operationId, async (signal) => {
        const d = await drafts.get(req.draftId);
        const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-ab-'));
        try {
          const variant = async (denoise: boolean, level: boolean, name: string, from: number): Promise<CleanupVariant> => {
            const current = isRenderCurrent(d) && (d.settings.denoise === true) === denoise && (d.settings.level === true) === level ? drafts.renderedPath(d) : null;
            if (current && d.rendered && d.rendered.format !== 'gsm' && !d.rendered.format.startsWith('wav-')) {
              return { playback: new Uint8Array(await readFile(current)), mime: playbackMime(current), bytes: d.rendered.bytes, durationSec: d.rendered.durationSec };
            }
            // Heard as the caller hears it (8 kHz, loudness target, the draft's trim), as PCM the page can play.
            const out = path.join(dir, `${name}.wav`);
            const r = await services.audio.render({
              inputPath: drafts.sourcePath(d), outputPath: out, format: 'wav',
              ...(d.settings.trimStartSec !== null ? { startSec: d.settings.trimStartSec } : {}),
              ...(d.settings.trimEndSec !== null ? { endSec: d.settings.trimEndSec } : {}),
              trimSilence: d.settings.trimSilence, normalize: d.settings.normalize,
              ...(denoise ? { denoise: true } : {}), ...(level ? { level: true } : {}),
            }, { signal, onProgress: (p) => ctx.emit('progress', { operationId: req.operationId, percent: from + p.percent / 2, stage: name }) });
            return { playback: new Uint8Array(await readFile(out)), mime: 'audio/wav', bytes: r.bytes, durationSec: r.durationSec };
          };
          const without = await variant(false, false, 'without', 0);
          const withCleanup = await variant(req.denoise, req.level, 'with', 50);
          return { without, with: withCleanup, denoise: req.denoise, level: req.level };
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      });
    },
  };
}

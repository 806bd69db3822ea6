// The IPC handlers as plain functions over injected services: no Electron here, so unit tests and the e2e test
// bridge (plain Node) run exactly the code the app runs. Registration, sender checks and payload validation
// live in register.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CancelledError, VmgsError } from '../core/errors.js';
import type {
  AnalysisResult,
  ChannelName,
  ConnectionResult,
  EventMap,
  EventName,
  GreetingFormat,
  ParsedRequestOf,
  ProfileSummary,
  ResponseOf,
  UploadDecision,
  UploadOutcome,
} from './channels.js';
import { isAllowedExternalUrl } from './channels.js';
import { AppStateError, notConnected, toIpcError } from './errors.js';
import type { AppServices, PbxClientLike, PbxConnectionConfig } from './services.js';
import { SourceStore, TakeStore } from './workspace.js';

export interface HandlerContext {
  /** Sends an event to the window that made the request. */
  emit<E extends EventName>(event: E, payload: EventMap[E]): void;
}

export type Handlers = {
  [K in ChannelName]: (request: ParsedRequestOf<K>, ctx: HandlerContext) => Promise<ResponseOf<K>>;
};

export interface AppHandlers {
  handlers: Handlers;
  /** Signs out, stops the demo PBX, cancels operations and removes preview files. */
  dispose(): Promise<void>;
}

const DEMO_PROFILE_ID = 'demo';
const MAX_KEPT_RENDERS = 8;
const DEFAULT_MAX_RECORDING_SEC = 600;
/** Imported and recorded sources are kept this long (unfinished takes are kept until restored or discarded). */
export const SOURCE_RETENTION_MS = 14 * 24 * 3600 * 1000;

function mimeFor(format: GreetingFormat | string): string {
  if (format === 'mp3') return 'audio/mpeg';
  if (format === 'gsm') return 'audio/x-gsm';
  return 'audio/wav';
}
function extensionOf(format: GreetingFormat): string {
  return format === 'mp3' ? '.mp3' : format === 'gsm' ? '.gsm' : '.wav';
}
/** Chromium decodes PCM wav and mp3; gsm and G.711 are played through a lossless PCM copy of the actual render. */
function browserPlayable(format: GreetingFormat): boolean {
  return format === 'wav' || format === 'mp3';
}
function sourceMime(name: string): string {
  const ext = path.extname(name).toLowerCase();
  const map: Record<string, string> = {
    '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.ogg': 'audio/ogg', '.oga': 'audio/ogg', '.opus': 'audio/ogg',
    '.webm': 'audio/webm', '.m4a': 'audio/mp4', '.mp4': 'audio/mp4', '.aac': 'audio/aac', '.flac': 'audio/flac',
    '.gsm': 'audio/x-gsm', '.aif': 'audio/aiff', '.aiff': 'audio/aiff',
  };
  return map[ext] ?? 'application/octet-stream';
}

interface Connection<C> {
  profileId: string;
  profileName: string;
  client: C;
}
interface DemoState {
  pbx: { close(): Promise<void> };
  profile: ProfileSummary;
  secret: string;
}
interface RenderEntry {
  dir: string;
  path: string;
  format: GreetingFormat;
}

export function createHandlers<C extends PbxClientLike>(services: AppServices<C>): AppHandlers {
  const sources = new SourceStore(services.dataDir, services.audio);
  const takes = new TakeStore(services.dataDir, sources);
  const pruning = sources.prune(SOURCE_RETENTION_MS).catch(() => 0);
  const maxRecordingSec = services.maxRecordingSec ?? DEFAULT_MAX_RECORDING_SEC;
  let connection: Connection<C> | null = null;
  let demo: DemoState | null = null;
  let demoStarting: Promise<DemoState> | null = null;
  const operations = new Map<string, AbortController>();
  const decisions = new Map<string, (d: UploadDecision) => void>();
  const renders = new Map<string, RenderEntry>();
  /** Automatic trim per source, as sent to the renderer (rounded there to 0.01 s). */
  const autoTrims = new Map<string, { startSec: number; endSec: number }>();

  function requireClient(): C {
    if (!connection) throw notConnected();
    return connection.client;
  }

  async function resolveProfile(id: string): Promise<{ summary: ProfileSummary; config: PbxConnectionConfig }> {
    if (id === DEMO_PROFILE_ID) {
      if (!demo) throw new AppStateError('DEMO_NOT_RUNNING', 'The demo PBX is not running. Press "Try the demo PBX" to start it.');
      return { summary: demo.profile, config: { baseUrl: demo.profile.baseUrl, clientId: demo.profile.clientId, clientSecret: demo.secret, tls: demo.profile.tls } };
    }
    const summary = (await services.profiles.list()).find((p) => p.id === id);
    if (!summary) throw new AppStateError('PROFILE_NOT_FOUND', 'That PBX profile no longer exists. Choose another one or add it again.');
    const secret = await services.profiles.getSecret(id);
    if (!secret) throw new AppStateError('PROFILE_NO_SECRET', `No client secret is stored for "${summary.name}". Edit the profile and enter the Client Secret.`);
    return { summary, config: { baseUrl: summary.baseUrl, clientId: summary.clientId, clientSecret: secret, tls: summary.tls } };
  }

  async function openConnection(id: string): Promise<ConnectionResult> {
    const { summary, config } = await resolveProfile(id);
    const client = services.createPbxClient(config);
    const result = await client.testConnection();
    const previous = connection;
    connection = { profileId: summary.id, profileName: summary.name, client };
    if (previous) void previous.client.signOut().catch(() => undefined);
    return { profileId: summary.id, profileName: summary.name, reachable: true, tokenOk: true, extensionCount: result.extensionCount };
  }

  /** Runs a long operation under an AbortController the renderer can cancel by operationId. */
  async function withOperation<T>(operationId: string, run: (signal: AbortSignal) => Promise<T>, opts: { partialResults?: boolean } = {}): Promise<T> {
    if (operations.has(operationId)) throw new AppStateError('OPERATION_ID_IN_USE', 'That operation is already running.', 'internal');
    const controller = new AbortController();
    operations.set(operationId, controller);
    try {
      const out = await run(controller.signal);
      // Batch operations report what they finished before the cancel; single ones are simply cancelled.
      if (controller.signal.aborted && !opts.partialResults) throw new CancelledError();
      return out;
    } catch (err) {
      if (controller.signal.aborted && !(err instanceof VmgsError && err.code === 'CANCELLED')) throw new CancelledError();
      throw err;
    } finally {
      operations.delete(operationId);
    }
  }

  async function rememberRender(renderId: string, entry: RenderEntry): Promise<void> {
    renders.set(renderId, entry);
    while (renders.size > MAX_KEPT_RENDERS) {
      const oldest = renders.keys().next().value;
      if (oldest === undefined) break;
      const old = renders.get(oldest);
      renders.delete(oldest);
      if (old) await rm(old.dir, { recursive: true, force: true });
    }
  }

  const handlers: Handlers = {
    async listProfiles() {
      const stored = await services.profiles.list();
      return { profiles: demo ? [...stored, demo.profile] : stored, secretStorage: services.profiles.secretStatus() };
    },
    async saveProfile(req) {
      if (req.id === DEMO_PROFILE_ID) throw new AppStateError('PROFILE_READ_ONLY', 'The demo profile cannot be edited.', 'usage');
      return services.profiles.save(req);
    },
    async deleteProfile(req) {
      if (connection?.profileId === req.id) {
        const c = connection;
        connection = null;
        void c.client.signOut().catch(() => undefined);
      }
      return { deleted: await services.profiles.delete(req.id) };
    },
    async testConnection(req) {
      const { summary, config } = await resolveProfile(req.id);
      const client = services.createPbxClient(config);
      try {
        const r = await client.testConnection();
        return { profileId: summary.id, profileName: summary.name, reachable: true, tokenOk: true, extensionCount: r.extensionCount };
      } finally {
        // Release the token: the PBX allows only 8 live tokens per application.
        await client.signOut().catch(() => undefined);
      }
    },
    async connect(req) {
      return openConnection(req.id);
    },
    async disconnect() {
      const c = connection;
      connection = null;
      if (c) await c.client.signOut().catch(() => undefined);
      return { disconnected: c !== null };
    },
    async startDemo() {
      if (!demo) {
        demoStarting ??= (async () => {
          const pbx = await services.startDemoPbx();
          const profile: ProfileSummary = {
            id: DEMO_PROFILE_ID,
            name: 'Demo PBX (simulator)',
            baseUrl: pbx.url,
            clientId: pbx.clientId,
            tls: pbx.fingerprint256 ? { mode: 'pin', pinSha256: pbx.fingerprint256 } : { mode: 'system' },
            hasSecret: true,
            secretSessionOnly: true,
            demo: true,
          };
          return { pbx, profile, secret: pbx.clientSecret };
        })();
        try {
          demo = await demoStarting;
        } finally {
          demoStarting = null;
        }
      }
      const conn = await openConnection(DEMO_PROFILE_ID);
      return { profile: demo.profile, connection: conn };
    },

    async searchExtensions(req) {
      const client = requireClient();
      const q = req.query.trim();
      const r = q === ''
        ? await client.listExtensions({ page: req.page, pageSize: req.pageSize })
        : await client.searchExtensions(q, { page: req.page, pageSize: req.pageSize });
      return { total: r.total, page: req.page, pageSize: req.pageSize, items: r.items };
    },
    async listGreetings(req) {
      return requireClient().listGreetings(req.ext);
    },
    async playGreeting(req) {
      const client = requireClient();
      const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-play-'));
      try {
        const dest = path.join(dir, 'greeting' + path.extname(req.file).toLowerCase());
        await client.downloadGreeting(req.ext, req.file, dest);
        const bytes = new Uint8Array(await readFile(dest));
        return { bytes, mime: sourceMime(req.file) };
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    async downloadGreeting(req) {
      const client = requireClient();
      const dest = await services.dialogs.saveFile(req.file);
      if (!dest) return { saved: false, bytes: 0 };
      const r = await client.downloadGreeting(req.ext, req.file, dest);
      return { saved: true, bytes: r.bytes };
    },
    async deleteGreeting(req) {
      await requireClient().deleteGreeting(req.ext, req.file);
      return { deleted: true };
    },

    async importWithDialog() {
      const chosen = await services.dialogs.openAudioFile();
      return chosen ? sources.importPath(chosen) : null;
    },
    async importPath(req) {
      return sources.importPath(req.path);
    },
    async importBytes(req) {
      return sources.importBytes(req.name, req.bytes);
    },
    async readSource(req) {
      const s = await sources.get(req.sourceId);
      return { bytes: new Uint8Array(await readFile(s.path)), mime: sourceMime(s.path) };
    },
    async startTake(req) {
      return { takeId: await takes.start(req.mimeType), maxDurationSec: maxRecordingSec };
    },
    async appendChunk(req) {
      return { takeId: req.takeId, seq: req.seq, totalBytes: await takes.append(req.takeId, req.seq, req.bytes) };
    },
    async finishTake(req) {
      return takes.finish(req.takeId);
    },
    async abortTake(req) {
      return { aborted: await takes.abort(req.takeId) };
    },
    async listUnfinishedTakes() {
      return takes.listUnfinished();
    },
    async restoreTake(req) {
      return takes.restore(req.takeId);
    },
    async discardTake(req) {
      return { discarded: await takes.discard(req.takeId) };
    },

    async capabilities() {
      return services.audio.capabilities();
    },
    async analyse(req, ctx) {
      const src = await sources.get(req.sourceId);
      return withOperation(req.operationId, async (signal) => {
        const a = await services.audio.analyse(src.path, {
          signal,
          onProgress: (p) => ctx.emit('progress', { operationId: req.operationId, percent: p.percent, stage: p.stage }),
        });
        const hasSpeech = a.speechEndSec > a.speechStartSec;
        const suggestedTrim = services.audio.suggestTrim?.(src.path) ?? (hasSpeech
          ? { startSec: Math.max(0, a.speechStartSec - 0.15), endSec: Math.min(a.durationSec, a.speechEndSec + 0.3) }
          : { startSec: 0, endSec: a.durationSec });
        autoTrims.set(req.sourceId, suggestedTrim);
        const out: AnalysisResult = { sourceId: req.sourceId, ...pickAnalysis(a), suggestedTrim };
        return out;
      });
    },
    async planFormat(req) {
      return services.audio.planFormat(req.durationSec, req.format);
    },
    async renderPreview(req, ctx) {
      const src = await sources.get(req.sourceId);
      return withOperation(req.operationId, async (signal) => {
        const selected = req.startSec !== undefined && req.endSec !== undefined ? req.endSec - req.startSec : src.durationSec ?? 0;
        const format = req.format === 'auto' ? (await services.audio.planFormat(selected, 'auto')).format : req.format;
        const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-preview-'));
        try {
          const outputPath = path.join(dir, `greeting${extensionOf(format)}`);
          const onProgress = (p: { percent: number; stage: string }) =>
            ctx.emit('progress', { operationId: req.operationId, percent: p.percent, stage: p.stage });
          // The automatic window itself is rendered as "whole file, trim silence" (reuses the analysis).
          const auto = autoTrims.get(req.sourceId);
          const isAuto = auto !== undefined && req.startSec !== undefined && req.endSec !== undefined &&
            Math.abs(auto.startSec - req.startSec) < 0.006 && Math.abs(auto.endSec - req.endSec) < 0.006;
          const explicitTrim = !isAuto && (req.startSec !== undefined || req.endSec !== undefined);
          const r = await services.audio.render(
            {
              inputPath: src.path,
              outputPath,
              format,
              ...(explicitTrim && req.startSec !== undefined ? { startSec: req.startSec } : {}),
              ...(explicitTrim && req.endSec !== undefined ? { endSec: req.endSec } : {}),
              // Handles chosen in the editor replace the automatic silence trim.
              trimSilence: !explicitTrim,
              normalize: req.normalize,
            },
            { signal, onProgress },
          );
          let playbackPath = r.outputPath;
          if (!browserPlayable(r.format)) {
            playbackPath = path.join(dir, 'playback.wav');
            await services.audio.render(
              { inputPath: r.outputPath, outputPath: playbackPath, format: 'wav', trimSilence: false, normalize: false },
              { signal },
            );
          }
          const playback = new Uint8Array(await readFile(playbackPath));
          const renderId = path.basename(dir).replace(/[^A-Za-z0-9_-]/g, '');
          await rememberRender(renderId, { dir, path: r.outputPath, format: r.format });
          return {
            renderId,
            format: r.format,
            formatReason: r.formatReason,
            bytes: r.bytes,
            durationSec: r.durationSec,
            plan: r.plan,
            playback,
            playbackMime: browserPlayable(r.format) ? mimeFor(r.format) : 'audio/wav',
          };
        } catch (err) {
          await rm(dir, { recursive: true, force: true });
          throw err;
        }
      });
    },

    async upload(req, ctx) {
      const client = requireClient();
      const render = renders.get(req.renderId);
      if (!render) throw new AppStateError('RENDER_NOT_FOUND', 'The prepared greeting is gone. Press "Hear as caller" again, then upload.');
      const fileName = services.audio.greetingFileName(req.name, render.format);
      return withOperation(req.operationId, async (signal) => {
        const outcomes: UploadOutcome[] = [];
        const n = req.extensions.length;
        let stopped = false;
        for (const [i, ext] of req.extensions.entries()) {
          if (signal.aborted || stopped) {
            outcomes.push({ ext, fileName, action: 'cancelled', existed: false, bytes: 0 });
            continue;
          }
          try {
            const r = await services.uploadWithPolicy(client, {
              ext,
              filePath: render.path,
              fileName,
              policy: req.policy,
              signal,
              onProgress: (sent, total) =>
                ctx.emit('progress', { operationId: req.operationId, percent: ((i + (total > 0 ? sent / total : 0)) / n) * 100, stage: `upload ${ext}` }),
              ...(req.policy === 'ask'
                ? {
                    decide: (existing: { ext: string; fileName: string }) =>
                      new Promise<UploadDecision>((resolve) => {
                        const onAbort = () => resolve('cancel');
                        signal.addEventListener('abort', onAbort, { once: true });
                        decisions.set(req.operationId, (d) => {
                          signal.removeEventListener('abort', onAbort);
                          decisions.delete(req.operationId);
                          resolve(d);
                        });
                        ctx.emit('decisionNeeded', { operationId: req.operationId, ext: existing.ext, fileName: existing.fileName });
                      }),
                  }
                : {}),
            });
            outcomes.push({ ext: r.ext, fileName: r.fileName, action: r.action, existed: r.existed, bytes: r.bytes });
          } catch (err) {
            const e = toIpcError(err);
            if (e.code === 'CANCELLED' || signal.aborted) {
              outcomes.push({ ext, fileName, action: 'cancelled', existed: false, bytes: 0 });
              // A "Cancel" in the exists dialog stops the batch.
              stopped = true;
            } else {
              outcomes.push({ ext, fileName, action: 'failed', existed: false, bytes: 0, error: e });
            }
          }
        }
        ctx.emit('progress', { operationId: req.operationId, percent: 100, stage: 'done' });
        return { outcomes };
      }, { partialResults: true });
    },
    async decide(req) {
      const resolve = decisions.get(req.operationId);
      if (!resolve) return { accepted: false };
      resolve(req.decision);
      return { accepted: true };
    },
    async cancel(req) {
      const c = operations.get(req.operationId);
      decisions.get(req.operationId)?.('cancel');
      if (!c) return { cancelled: false };
      c.abort();
      return { cancelled: true };
    },
    async openExternal(req) {
      if (!isAllowedExternalUrl(req.url)) throw new AppStateError('LINK_NOT_ALLOWED', 'That link is not on the list of sites the app opens.', 'usage');
      await services.openExternal(req.url);
      return { opened: true };
    },
  };

  return {
    handlers,
    async dispose() {
      await pruning;
      await takes.stopLiveDecoders();
      for (const c of operations.values()) c.abort();
      for (const d of decisions.values()) d('cancel');
      if (connection) await connection.client.signOut().catch(() => undefined);
      connection = null;
      if (demo) await demo.pbx.close().catch(() => undefined);
      demo = null;
      for (const r of renders.values()) await rm(r.dir, { recursive: true, force: true });
      renders.clear();
    },
  };
}

function pickAnalysis(a: {
  durationSec: number; integratedLufs: number; truePeakDbfs: number; leadingSilenceSec: number; trailingSilenceSec: number;
  speechStartSec: number; speechEndSec: number; clippingRatio: number; noiseFloorDbfs: number; warnings: { code: string; message: string }[];
}): Omit<AnalysisResult, 'sourceId' | 'suggestedTrim'> {
  return {
    durationSec: a.durationSec,
    integratedLufs: a.integratedLufs,
    truePeakDbfs: a.truePeakDbfs,
    leadingSilenceSec: a.leadingSilenceSec,
    trailingSilenceSec: a.trailingSilenceSec,
    speechStartSec: a.speechStartSec,
    speechEndSec: a.speechEndSec,
    clippingRatio: a.clippingRatio,
    noiseFloorDbfs: a.noiseFloorDbfs,
    warnings: a.warnings.map((w) => ({ code: w.code, message: w.message })),
  };
}

// Analysis and rendering of a draft. renderPreview saves the editor's choices (trim, format, normalise) into the
// draft and renders it there, so what the person hears is exactly what an upload sends.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isRenderCurrent, type Draft, type DraftSettings } from '../../core/library/index.js';
import type { AnalysisResult, FormatChoice, FormatPlanInfo, GreetingFormat } from '../channels.js';
import type { PbxClientLike, RenderResultLike } from '../services.js';
import type { AppContext, HandlersFor } from './context.js';
import { draftSummary, storedAnalysis } from './views.js';

export type PreviewChannels = 'analyse' | 'renderPreview' | 'renderDraft';

/** Limit for playback copies: far above any greeting the PBX holds (GSM fits ~80 min into 8 MB: ~77 MB as PCM). */
export const PLAYBACK_SIZE_LIMIT = 1e12;

function mimeFor(format: GreetingFormat): string {
  if (format === 'mp3') return 'audio/mpeg';
  if (format === 'gsm') return 'audio/x-gsm';
  return 'audio/wav';
}
/** Chromium decodes PCM wav and mp3; gsm and G.711 are played through a lossless PCM copy of the actual render. */
function browserPlayable(format: GreetingFormat): boolean {
  return format === 'wav' || format === 'mp3';
}

/**
 * The library's renderer over the app's audio port. 'auto' is resolved to a format first (from the hint the
 * handler computed for that source), so the render a fresh take got speculatively is reused; the plan of each
 * render is kept for the preview's answer.
 */
export class DraftRenderer {
  readonly hints = new Map<string, GreetingFormat>();
  readonly plans = new Map<string, FormatPlanInfo>();
  readonly results = new Map<string, RenderResultLike>();
  constructor(private readonly render: (o: Parameters<AppContext['services']['audio']['render']>[0], ctl: Parameters<AppContext['services']['audio']['render']>[1]) => Promise<RenderResultLike>) {}

  fn = async (o: { inputPath: string; outputPath: string; format?: FormatChoice; startSec?: number; endSec?: number; trimSilence?: boolean; normalize?: boolean; targetLufs?: number }, ctl?: { signal?: AbortSignal; onProgress?: (p: { percent: number; stage: string }) => void }) => {
    const hinted = o.format === 'auto' || o.format === undefined ? this.hints.get(o.inputPath) : undefined;
    const { targetLufs: _ignored, ...rest } = o;
    void _ignored;
    const r = await this.render({ ...rest, ...(hinted ? { format: hinted } : {}) }, ctl ?? {});
    this.plans.set(o.inputPath, r.plan);
    this.results.set(o.inputPath, r);
    return { outputPath: r.outputPath, format: r.format, formatReason: r.formatReason, bytes: r.bytes, durationSec: r.durationSec, analysis: null };
  };
}

/** Settings as the editor sends them: handles that equal the automatic trim mean "whole file, trim silence". */
export function settingsFromEditor(req: { startSec?: number | undefined; endSec?: number | undefined; format: FormatChoice; normalize: boolean }, auto: { startSec: number; endSec: number } | null): Partial<DraftSettings> {
  const isAuto = auto !== null && req.startSec !== undefined && req.endSec !== undefined &&
    Math.abs(auto.startSec - req.startSec) < 0.006 && Math.abs(auto.endSec - req.endSec) < 0.006;
  const explicit = !isAuto && (req.startSec !== undefined || req.endSec !== undefined);
  return {
    trimStartSec: explicit && req.startSec !== undefined ? req.startSec : null,
    trimEndSec: explicit && req.endSec !== undefined ? req.endSec : null,
    trimSilence: !explicit,
    normalize: req.normalize,
    format: req.format,
  };
}

/** Renders the draft when its render is missing or older than its settings; returns the current draft. */
export async function ensureRendered<C extends PbxClientLike>(app: AppContext<C>, renderer: DraftRenderer, draftId: string, ctl?: { signal?: AbortSignal; onProgress?: (p: { percent: number; stage: string }) => void }): Promise<Draft> {
  const draft = await app.drafts.get(draftId);
  if (isRenderCurrent(draft)) return draft;
  await hintAuto(app, renderer, draft);
  return app.drafts.render(draftId, ctl);
}

async function hintAuto<C extends PbxClientLike>(app: AppContext<C>, renderer: DraftRenderer, d: Draft): Promise<void> {
  const src = app.drafts.sourcePath(d);
  if (d.settings.format !== 'auto') {
    renderer.hints.delete(src);
    return;
  }
  const full = storedAnalysis(d)?.durationSec ?? d.probe?.durationSec ?? 0;
  const start = d.settings.trimStartSec ?? 0;
  const end = d.settings.trimEndSec ?? full;
  const selected = d.settings.trimStartSec !== null && d.settings.trimEndSec !== null ? end - start : full;
  renderer.hints.set(src, (await app.services.audio.planFormat(Math.max(0, selected), 'auto')).format);
}

export function previewHandlers<C extends PbxClientLike>(app: AppContext<C>, renderer: DraftRenderer): HandlersFor<PreviewChannels> {
  const { services, workspace, drafts, operations } = app;
  return {
    async analyse(req, ctx) {
      const src = await workspace.get(req.sourceId);
      const kept = storedAnalysis(src.draft);
      if (kept) {
        ctx.emit('progress', { operationId: req.operationId, percent: 100, stage: 'analyse' });
        return kept;
      }
      return operations.run(req.operationId, async (signal) => {
        const a = await services.audio.analyse(src.path, {
          signal,
          onProgress: (p) => ctx.emit('progress', { operationId: req.operationId, percent: p.percent, stage: p.stage }),
        });
        const hasSpeech = a.speechEndSec > a.speechStartSec;
        const suggestedTrim = services.audio.suggestTrim?.(src.path) ?? (hasSpeech
          ? { startSec: Math.max(0, a.speechStartSec - 0.15), endSec: Math.min(a.durationSec, a.speechEndSec + 0.3) }
          : { startSec: 0, endSec: a.durationSec });
        const out: AnalysisResult = {
          sourceId: req.sourceId,
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
          suggestedTrim,
        };
        // Kept with the draft: a later start (or another process on the same data folder) shows it at once.
        await drafts.annotate(req.sourceId, { sourceAnalysis: { ...out } });
        return out;
      });
    },
    async renderPreview(req, ctx) {
      const src = await workspace.get(req.sourceId);
      return operations.run(req.operationId, async (signal) => {
        const auto = storedAnalysis(src.draft)?.suggestedTrim ?? null;
        const settings = settingsFromEditor(req, auto);
        const updated = await drafts.updateSettings(req.sourceId, settings);
        const onProgress = (p: { percent: number; stage: string }) => ctx.emit('progress', { operationId: req.operationId, percent: p.percent, stage: p.stage });
        let draft = updated;
        if (!isRenderCurrent(updated)) {
          await hintAuto(app, renderer, updated);
          draft = await drafts.render(req.sourceId, { signal, onProgress });
        } else {
          onProgress({ percent: 100, stage: 'done' });
        }
        const rendered = draft.rendered;
        const file = drafts.renderedPath(draft);
        if (!rendered || !file) throw new Error('render missing');
        let playback: Uint8Array;
        if (browserPlayable(rendered.format)) {
          playback = new Uint8Array(await readFile(file));
        } else {
          const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-preview-'));
          try {
            const out = path.join(dir, 'playback.wav');
            // The copy is only played here, never uploaded: a 12-minute µ-law render makes an 11.5 MB PCM copy, so
            // the PBX's 8 MB limit must not apply to it (the upload sends `file`, the real render).
            await services.audio.render({ inputPath: file, outputPath: out, format: 'wav', trimSilence: false, normalize: false, sizeLimitBytes: PLAYBACK_SIZE_LIMIT }, { signal });
            playback = new Uint8Array(await readFile(out));
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        }
        const plan = renderer.plans.get(drafts.sourcePath(draft)) ?? (await services.audio.planFormat(rendered.durationSec, rendered.format));
        return {
          renderId: draft.id,
          format: rendered.format,
          formatReason: rendered.formatReason,
          bytes: rendered.bytes,
          durationSec: rendered.durationSec,
          plan,
          playback,
          playbackMime: browserPlayable(rendered.format) ? mimeFor(rendered.format) : 'audio/wav',
        };
      });
    },
    async renderDraft(req, ctx) {
      return operations.run(req.operationId, async (signal) => {
        const d = await ensureRendered(app, renderer, req.draftId, {
          signal,
          onProgress: (p) => ctx.emit('progress', { operationId: req.operationId, percent: p.percent, stage: p.stage }),
        });
        return draftSummary(d);
      });
    },
  };
}

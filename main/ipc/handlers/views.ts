// How library objects look over IPC (drafts; the Outbox and history map theirs in their own modules).
import { z } from 'zod';
import { isRenderCurrent, type Draft } from '../../core/library/index.js';
import type { AnalysisResult, DraftDetail, DraftSummary } from '../channels.js';
import { sourceInfoOf } from '../workspace.js';

const AnalysisStored = z.object({
  sourceId: z.string(),
  durationSec: z.number(),
  integratedLufs: z.number(),
  truePeakDbfs: z.number(),
  leadingSilenceSec: z.number(),
  trailingSilenceSec: z.number(),
  speechStartSec: z.number(),
  speechEndSec: z.number(),
  clippingRatio: z.number(),
  noiseFloorDbfs: z.number(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
  suggestedTrim: z.object({ startSec: z.number(), endSec: z.number() }),
});

/** The analysis kept with a draft (validated: it is read from disk), or null. */
export function storedAnalysis(d: Draft): AnalysisResult | null {
  const parsed = AnalysisStored.safeParse(d.sourceAnalysis ?? null);
  return parsed.success ? { ...parsed.data, sourceId: d.id } : null;
}

export function draftSummary(d: Draft): DraftSummary {
  const a = storedAnalysis(d);
  const current = isRenderCurrent(d) ? d.rendered : null;
  return {
    id: d.id,
    name: d.name,
    origin: d.origin ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    durationSec: a?.durationSec ?? d.probe?.durationSec ?? null,
    integratedLufs: a?.integratedLufs ?? null,
    format: current?.format ?? null,
    renderedBytes: current?.bytes ?? null,
    sourceBytes: d.source.bytes,
    targets: [...d.targetExtensions],
    script: d.script ?? null,
    trashedAt: d.trashedAt,
    unfinished: d.unfinished === true,
  };
}

export function draftDetail(d: Draft): DraftDetail {
  return {
    ...draftSummary(d),
    settings: { trimStartSec: d.settings.trimStartSec, trimEndSec: d.settings.trimEndSec, normalize: d.settings.normalize, format: d.settings.format },
    source: sourceInfoOf(d),
    analysis: storedAnalysis(d),
  };
}

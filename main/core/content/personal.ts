// Personalised batches: one template × many extensions. Planning fills `{name}` and `{extension}` from the PBX
// directory (and `{company}`, `{back_date}` from the caller) and reports every row that cannot be spoken; creating
// turns each good row into a draft (origin 'tts', the filled script stored with it) rendered by the drafts library's
// renderer (renderGreeting), and queueing hands the drafts to the one upload queue.
import { greetingNameProblem, suffixFor, type FormatChoice, type IfExistsPolicy } from '../domain.js';
import { isVmgsError } from '../errors.js';
import type { DraftLibrary } from '../library/drafts.js';
import type { UploadQueue } from '../library/queue.js';
import type { DraftSettings, PbxRef, QueueItem } from '../library/schemas.js';
import type { DirectorySnapshot } from './directory.js';
import { ContentError } from './errors.js';
import { fillScript, type PlaceholderValues } from './placeholders.js';
import type { TtsEngine } from './tts/engine.js';
import { withSpeechDir } from './tts/speak.js';

export interface PersonalRow {
  ext: string;
  /** The extension's caller ID name, when the directory has the extension. */
  name: string | null;
  /** The filled script (what the greeting says); null when the row cannot be spoken. */
  script: string | null;
  /** The text given to the engine (extension numbers spaced to be read digit by digit). */
  spoken: string | null;
  /** Why the row is not spoken (empty for a good row). */
  problems: string[];
  code: 'PERSONAL_UNKNOWN_EXTENSION' | 'PERSONAL_UNFILLED' | 'PERSONAL_TOO_LONG' | null;
}

export interface PersonalPlan {
  template: { name: string; title: string; text: string };
  greetingName: string;
  /** The PBX file name every greeting gets, e.g. after-hours.wav. */
  fileName: string;
  directory: { source: DirectorySnapshot['source']; fetchedAt: string | null; size: number };
  rows: PersonalRow[];
  ready: PersonalRow[];
  rejected: PersonalRow[];
}

/** The suffix a rendered greeting of `format` gets (auto renders a spoken greeting as wav: it always fits). */
export function personalFileName(greetingName: string, format: FormatChoice): string {
  return `${greetingName}${format === 'auto' ? '.wav' : suffixFor(format)}`;
}

export function planPersonalBatch(o: {
  template: { name: string; title: string; text: string };
  exts: readonly string[];
  directory: DirectorySnapshot;
  /** {company}, {back_date}; {name} and {extension} always come from the directory. */
  values?: PlaceholderValues;
  greetingName?: string;
  format?: FormatChoice;
  /** Longest text the chosen engine takes. */
  maxChars: number;
}): PersonalPlan {
  const greetingName = o.greetingName ?? o.template.name;
  const problem = greetingNameProblem(greetingName);
  if (problem) throw new ContentError('usage', 'PERSONAL_BAD_NAME', `The greeting name "${greetingName.slice(0, 70)}" cannot be used: ${problem}`);
  if (o.exts.length === 0) throw new ContentError('usage', 'PERSONAL_NO_EXTENSIONS', 'Give at least one extension.');
  const rows: PersonalRow[] = o.exts.map((ext) => {
    const entry = o.directory.entries.get(ext);
    if (!entry) {
      const where = o.directory.source === 'live' ? 'on this PBX' : `in the cached directory${o.directory.fetchedAt ? ` of ${o.directory.fetchedAt}` : ''}`;
      return { ext, name: null, script: null, spoken: null, problems: [`Extension ${ext} does not exist ${where}.`], code: 'PERSONAL_UNKNOWN_EXTENSION' };
    }
    const filled = fillScript(o.template.text, { ...o.values, name: entry.callerIdName, extension: entry.number });
    const name = entry.callerIdName.trim() === '' ? null : entry.callerIdName;
    if (filled.problems.length > 0) {
      const problems = filled.problems.map((p) => (p.token === '{name}' && p.kind === 'unfilled-placeholder' ? `The PBX has no caller ID name for extension ${ext}, so {name} cannot be filled.` : p.message));
      return { ext, name, script: null, spoken: null, problems, code: 'PERSONAL_UNFILLED' };
    }
    if (filled.spoken.length > o.maxChars) {
      return { ext, name, script: null, spoken: null, problems: [`The filled script has ${filled.spoken.length} characters; the engine takes at most ${o.maxChars}.`], code: 'PERSONAL_TOO_LONG' };
    }
    return { ext, name, script: filled.script, spoken: filled.spoken, problems: [], code: null };
  });
  return {
    template: o.template,
    greetingName,
    fileName: personalFileName(greetingName, o.format ?? 'wav'),
    directory: { source: o.directory.source, fetchedAt: o.directory.fetchedAt, size: o.directory.entries.size },
    rows,
    ready: rows.filter((r) => r.code === null),
    rejected: rows.filter((r) => r.code !== null),
  };
}

export interface PersonalDraft {
  ext: string;
  draftId: string;
  script: string;
  durationSec: number | null;
}

export interface PersonalFailure {
  ext: string;
  code: string;
  message: string;
}

export interface CreatePersonalDraftsResult {
  created: PersonalDraft[];
  failed: PersonalFailure[];
  /** True when the signal stopped the run; the drafts made until then are kept. */
  cancelled: boolean;
  warnings: string[];
}

/**
 * Speaks every ready row and keeps it as a draft for that extension, rendered with `settings` by the library's
 * renderer. A row whose speech or render fails is reported and leaves no draft (a half-made one goes to the trash).
 */
export async function createPersonalDrafts(o: {
  plan: PersonalPlan;
  engine: TtsEngine;
  drafts: DraftLibrary;
  settings?: Partial<DraftSettings>;
  voice?: string | undefined;
  ratePercent?: number | undefined;
  /** Rows spoken and rendered at the same time (default 2). */
  concurrency?: number;
  signal?: AbortSignal | undefined;
  onProgress?: (p: { done: number; of: number; ext: string; ok: boolean }) => void;
  tempDir?: string;
}): Promise<CreatePersonalDraftsResult> {
  const rows = o.plan.ready;
  const created: PersonalDraft[] = [];
  const failed: PersonalFailure[] = [];
  const warnings: string[] = [];
  let next = 0;
  let done = 0;
  let cancelled = false;
  const one = async (row: PersonalRow): Promise<void> => {
    let draftId: string | undefined;
    try {
      await withSpeechDir(async (dir) => {
        const speech = await o.engine.synthesize({ text: row.spoken ?? '', dir, voice: o.voice, ratePercent: o.ratePercent, ext: row.ext, signal: o.signal });
        warnings.push(...speech.warnings);
        const draft = await o.drafts.create({
          sourcePath: speech.file, name: o.plan.greetingName, origin: 'tts', script: row.script, targetExtensions: [row.ext], ...(o.settings ? { settings: o.settings } : {}),
        });
        draftId = draft.id;
      }, o.tempDir);
      if (!draftId) throw new ContentError('internal', 'PERSONAL_INTERNAL', 'No draft was created.');
      const rendered = await o.drafts.render(draftId, o.signal ? { signal: o.signal } : undefined);
      created.push({ ext: row.ext, draftId, script: row.script ?? '', durationSec: rendered.rendered?.durationSec ?? null });
      done += 1;
      o.onProgress?.({ done, of: rows.length, ext: row.ext, ok: true });
    } catch (err) {
      if (draftId) await o.drafts.delete(draftId).catch(() => undefined);
      if (o.signal?.aborted) {
        cancelled = true;
        return;
      }
      failed.push({ ext: row.ext, code: isVmgsError(err) ? err.code : 'PERSONAL_FAILED', message: err instanceof Error ? err.message : String(err) });
      done += 1;
      o.onProgress?.({ done, of: rows.length, ext: row.ext, ok: false });
    }
  };
  const slot = async (): Promise<void> => {
    for (;;) {
      if (o.signal?.aborted) {
        cancelled = true;
        return;
      }
      const row = rows[next];
      next += 1;
      if (!row) return;
      await one(row);
    }
  };
  const width = Math.max(1, Math.min(o.concurrency ?? 2, 4, rows.length));
  await Promise.all(Array.from({ length: width }, slot));
  const order = new Map(rows.map((r, i) => [r.ext, i]));
  created.sort((a, b) => (order.get(a.ext) ?? 0) - (order.get(b.ext) ?? 0));
  failed.sort((a, b) => (order.get(a.ext) ?? 0) - (order.get(b.ext) ?? 0));
  return { created, failed, cancelled, warnings };
}

/** One queue item per draft: the greeting name of the plan, for the draft's extension, under one if-exists policy. */
export async function queuePersonalDrafts(o: {
  queue: UploadQueue;
  plan: Pick<PersonalPlan, 'greetingName'>;
  drafts: readonly PersonalDraft[];
  policy: IfExistsPolicy;
  pbxProfileId: string;
  pbx: PbxRef;
}): Promise<QueueItem[]> {
  if (o.drafts.length === 0) return [];
  return o.queue.enqueueMany(o.drafts.map((d) => ({ source: { draftId: d.draftId }, ext: d.ext, policy: o.policy, pbxProfileId: o.pbxProfileId, pbx: o.pbx, name: o.plan.greetingName })));
}

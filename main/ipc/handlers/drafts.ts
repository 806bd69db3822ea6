// Imports, recordings and the drafts library. Every import or recording is a draft from its first byte; only the
// app's own drafts can be read back (readSource), and a path is imported only when main obtained it itself (the
// native dialog, or a dropped file's one-time token).
import { copyFile, readFile } from 'node:fs/promises';
import { safeBaseName } from '../../core/audio/filename.js';
import { suffixFor } from '../../core/domain.js';
import type { DraftSettings } from '../../core/library/index.js';
import type { DraftPage } from '../channels.js';
import type { PbxClientLike } from '../services.js';
import { greetingMime } from './pbx.js';
import type { AppContext, HandlersFor } from './context.js';
import { ensureRendered, settingsFromEditor, type DraftRenderer } from './preview.js';
import { draftDetail, draftSummary, storedAnalysis } from './views.js';

export type DraftChannels =
  | 'importWithDialog' | 'importDropped' | 'importBytes' | 'readSource'
  | 'startTake' | 'appendChunk' | 'finishTake' | 'abortTake' | 'listUnfinishedTakes' | 'restoreTake' | 'discardTake'
  | 'listDrafts' | 'getDraft' | 'saveDraft' | 'renameDraft' | 'duplicateDraft' | 'trashDraft' | 'restoreDraft'
  | 'emptyTrash' | 'exportDraft';

const DEFAULT_MAX_RECORDING_SEC = 600;

export function draftHandlers<C extends PbxClientLike>(app: AppContext<C>, renderer: DraftRenderer): HandlersFor<DraftChannels> {
  const { workspace, drafts, services } = app;
  const maxRecordingSec = services.maxRecordingSec ?? DEFAULT_MAX_RECORDING_SEC;
  return {
    async importWithDialog() {
      const chosen = await services.dialogs.openAudioFile();
      return chosen ? workspace.importPath(chosen) : null;
    },
    async importDropped(req) {
      return workspace.importPath(app.dropped.take(req.token));
    },
    async importBytes(req) {
      return workspace.importBytes(req.name, req.bytes);
    },
    async readSource(req) {
      const s = await workspace.get(req.sourceId);
      return { bytes: new Uint8Array(await readFile(s.path)), mime: greetingMime(s.path) };
    },
    async startTake(req) {
      return { takeId: await workspace.startTake(req.mimeType, app.clock.now()), maxDurationSec: maxRecordingSec };
    },
    async appendChunk(req) {
      return { takeId: req.takeId, seq: req.seq, totalBytes: await workspace.append(req.takeId, req.seq, req.bytes) };
    },
    async finishTake(req) {
      return workspace.finishTake(req.takeId);
    },
    async abortTake(req) {
      return { aborted: await workspace.abortTake(req.takeId) };
    },
    async listUnfinishedTakes() {
      return workspace.listUnfinished();
    },
    async restoreTake(req) {
      return workspace.restoreTake(req.takeId);
    },
    async discardTake(req) {
      return { discarded: await workspace.discardTake(req.takeId) };
    },

    async listDrafts(req) {
      const q = req.query.trim().toLowerCase();
      const start = (req.page - 1) * req.pageSize;
      if (req.trash) {
        const all = (await drafts.listTrash()).filter((d) => q === '' || d.name.toLowerCase().includes(q));
        const page: DraftPage = { total: all.length, page: req.page, pageSize: req.pageSize, items: all.slice(start, start + req.pageSize).map(draftSummary) };
        return page;
      }
      const index = (await drafts.list()).filter((e) => (q === '' || e.name.toLowerCase().includes(q)) && !(e.unfinished === true && workspace.isActive(e.id)));
      const items = [];
      for (const e of index.slice(start, start + req.pageSize)) {
        const d = await drafts.get(e.id).catch(() => undefined);
        if (d) items.push(draftSummary(d));
      }
      return { total: index.length, page: req.page, pageSize: req.pageSize, items };
    },
    async getDraft(req) {
      return draftDetail(await drafts.get(req.draftId));
    },
    async saveDraft(req) {
      let d = await drafts.get(req.draftId);
      if (req.settings) {
        const s = req.settings;
        const patch: Partial<DraftSettings> = {};
        if (s.trimStartSec !== undefined) patch.trimStartSec = s.trimStartSec;
        if (s.trimEndSec !== undefined) patch.trimEndSec = s.trimEndSec;
        if (s.normalize !== undefined) patch.normalize = s.normalize;
        if (s.format !== undefined) patch.format = s.format;
        if (s.trimStartSec !== undefined || s.trimEndSec !== undefined) {
          const start = s.trimStartSec !== undefined ? s.trimStartSec : d.settings.trimStartSec;
          const end = s.trimEndSec !== undefined ? s.trimEndSec : d.settings.trimEndSec;
          // Handles chosen in the editor replace the automatic silence trim; none, or handles left where the
          // analysis put them, mean the automatic one — the same rule as renderPreview, so the upload sends
          // exactly the render the person heard.
          const auto = settingsFromEditor(
            { ...(start !== null ? { startSec: start } : {}), ...(end !== null ? { endSec: end } : {}), format: patch.format ?? d.settings.format, normalize: patch.normalize ?? d.settings.normalize },
            storedAnalysis(d)?.suggestedTrim ?? null,
          );
          patch.trimStartSec = auto.trimStartSec ?? null;
          patch.trimEndSec = auto.trimEndSec ?? null;
          patch.trimSilence = auto.trimSilence ?? true;
        }
        d = await drafts.updateSettings(req.draftId, patch);
      }
      if (req.targets !== undefined) d = await drafts.setTargets(req.draftId, req.targets);
      if (req.script !== undefined) d = await drafts.annotate(req.draftId, { script: req.script });
      return draftSummary(d);
    },
    async renameDraft(req) {
      return draftSummary(await drafts.rename(req.draftId, req.name));
    },
    async duplicateDraft(req) {
      return draftSummary(await drafts.duplicate(req.draftId));
    },
    async trashDraft(req) {
      await drafts.delete(req.draftId);
      return { trashed: true };
    },
    async restoreDraft(req) {
      return draftSummary(await drafts.restore(req.draftId));
    },
    async emptyTrash() {
      return { removed: await drafts.emptyTrash() };
    },
    async exportDraft(req) {
      const d = await ensureRendered(app, renderer, req.draftId);
      const file = drafts.renderedPath(d);
      if (!file || !d.rendered) return { saved: false, bytes: 0 };
      const dest = await services.dialogs.saveFile(`${safeBaseName(d.name)}${suffixFor(d.rendered.format)}`);
      if (!dest) return { saved: false, bytes: 0 };
      await copyFile(file, dest);
      return { saved: true, bytes: d.rendered.bytes };
    },
  };
}

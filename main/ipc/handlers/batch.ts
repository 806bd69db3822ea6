// Batch work from the app: which statuses a greeting can be chosen for ("Play it when"), a CSV mapping of files to
// extensions picked in the native dialog and parsed with the CLI's parser (`vmgreet batch --csv`: the same per-row
// errors), the status rows of one batch and their export as CSV. Uploads themselves are Outbox items like any other.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { safeBaseName } from '../../core/audio/filename.js';
import { greetingNameProblem, SELECTION_SLOTS, type SelectionSlot } from '../../core/domain.js';
import { VmgsError } from '../../core/errors.js';
import { canSelect } from '../../core/library/activation.js';
import { parseCsvMapping, type CsvRow } from '../../core/library/index.js';
import { readSelection } from '../../core/pbx/index.js';
import type { OutboxItem } from '../channels.js';
import { activationText, batchOutcomeText, type BatchRow, type CsvPreviewError } from '../channels/batch.js';
import { AppStateError } from '../errors.js';
import type { PbxClientLike } from '../services.js';
import { isUnreachableError } from '../session.js';
import type { AppContext, HandlersFor } from './context.js';
import { enqueueDraftUploads } from './outbox.js';
import { pbxRefOf } from './pbx.js';
import type { DraftRenderer } from './preview.js';

export type BatchChannels = 'selectionSupport' | 'pickCsvMapping' | 'runCsvMapping' | 'batchItems' | 'exportBatchCsv';

/** Parsed mappings kept for runCsvMapping (the page holds only the token, never a path). */
const MAX_MAPPINGS = 8;

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // A leading =, +, - or @ would be a formula in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function nameFor(row: CsvRow): string {
  return row.name ?? safeBaseName(path.basename(row.file));
}

export function batchHandlers<C extends PbxClientLike>(app: AppContext<C>, renderer: DraftRenderer): HandlersFor<BatchChannels> {
  const { session, services } = app;
  const mappings = new Map<string, CsvRow[]>();

  async function rowsOf(ids: readonly string[]): Promise<BatchRow[]> {
    const wanted = new Set(ids);
    const page = await app.outbox.page({ page: 1, pageSize: Number.MAX_SAFE_INTEGER });
    const byId = new Map<string, OutboxItem>(page.items.filter((i) => wanted.has(i.id)).map((i) => [i.id, i]));
    const queued = new Map((await app.queue.list({ ids: [...wanted] })).map((q) => [q.id, q]));
    const out: BatchRow[] = [];
    for (const id of ids) {
      const item = byId.get(id);
      if (!item) continue;
      let activation: BatchRow['activation'] = null;
      const historyId = queued.get(id)?.historyId ?? null;
      if (item.activate && historyId) {
        const entry = await app.history.get(historyId).catch(() => null);
        const a = entry?.activation;
        if (a) activation = { ok: a.ok, slots: a.slots, message: a.error?.message ?? null };
      }
      out.push({ ...item, activation });
    }
    return out;
  }

  return {
    async selectionSupport(req) {
      const unknown = { known: false, supported: [...SELECTION_SLOTS] as SelectionSlot[], reason: null };
      if (!session.isOnline()) return unknown;
      const client = session.requireClient();
      if (!canSelect(client)) return { known: true, supported: [], reason: 'This connection cannot choose which greeting plays.' };
      try {
        const read = await readSelection(client, req.ext);
        return { known: true, supported: read.supported, reason: read.support.level === 'full' ? null : read.support.reason };
      } catch (err) {
        if (isUnreachableError(err)) return unknown;
        if (err instanceof VmgsError && err.code === 'PBX_SELECTION_UNSUPPORTED') return { known: true, supported: [], reason: err.message };
        throw err;
      }
    },

    async pickCsvMapping() {
      if (!services.dialogs.openCsvFile) throw new AppStateError('CSV_NO_DIALOG', 'Choosing a CSV file is not available here.', 'usage');
      const chosen = await services.dialogs.openCsvFile();
      if (!chosen) return null;
      let text: string;
      try {
        text = await readFile(chosen, 'utf8');
      } catch {
        throw new AppStateError('BATCH_CSV_UNREADABLE', `"${path.basename(chosen)}" could not be read. Check that the file still exists.`, 'usage');
      }
      // Extensions are checked against the PBX's directory when a complete copy is known (live or cached).
      const profileId = session.currentOrLastProfileId();
      const profile = profileId ? await session.profile(profileId) : undefined;
      const dir = profile ? await app.directory.read(pbxRefOf(profile)).catch(() => null) : null;
      const known = dir?.complete ? new Set(dir.extensions.map((e) => e.number)) : undefined;
      const mapping = await parseCsvMapping(text, {
        baseDir: path.dirname(chosen),
        probe: async (p, o) => {
          const r = await services.audio.probe(p, o ?? {});
          return { durationSec: r.durationSec ?? 0, codec: r.codec, channels: r.channels };
        },
        ...(known ? { knownExtensions: known } : {}),
      });
      const token = randomBytes(12).toString('hex');
      mappings.set(token, mapping.rows);
      while (mappings.size > MAX_MAPPINGS) mappings.delete(mappings.keys().next().value as string);
      return {
        token,
        csvName: path.basename(chosen),
        rows: mapping.rows.map((r) => ({ line: r.line, extension: r.extension, fileName: path.basename(r.file), name: nameFor(r) })),
        errors: mapping.errors.map((e) => ({ line: e.line, code: e.code, message: e.message, extension: e.extension ?? null })),
        checkedAgainstDirectory: known !== undefined,
      };
    },

    async runCsvMapping(req) {
      const rows = mappings.get(req.token);
      if (!rows) throw new AppStateError('CSV_MAPPING_GONE', 'Choose the CSV file again: this preview is no longer known.', 'usage');
      const lines = req.lines ? new Set(req.lines) : null;
      const itemIds: string[] = [];
      const failed: CsvPreviewError[] = [];
      for (const row of rows) {
        if (lines && !lines.has(row.line)) continue;
        const name = nameFor(row);
        const problem = greetingNameProblem(name);
        if (problem) {
          failed.push({ line: row.line, code: 'CSV_BAD_NAME', message: `line ${row.line}: ${problem}`, extension: row.extension });
          continue;
        }
        try {
          const source = await app.workspace.importPath(row.file);
          const r = await enqueueDraftUploads(app, renderer, {
            draftId: source.draftId,
            extensions: [row.extension],
            name,
            ifExists: req.ifExists,
            allowOverwriteWithoutBackup: false,
            ...(req.activate ? { activate: req.activate } : {}),
          });
          itemIds.push(...r.itemIds);
        } catch (err) {
          if (err instanceof VmgsError && err.code === 'OUTBOX_NO_PROFILE') throw err;
          const message = err instanceof VmgsError ? err.message : 'The file could not be imported.';
          failed.push({ line: row.line, code: err instanceof VmgsError ? err.code : 'CSV_IMPORT_FAILED', message: `line ${row.line}: ${message}`, extension: row.extension });
        }
      }
      mappings.delete(req.token);
      return { itemIds, failed };
    },

    async batchItems(req) {
      return rowsOf(req.ids);
    },

    async exportBatchCsv(req) {
      const dest = await services.dialogs.saveFile('batch-result.csv');
      if (!dest) return { saved: false, rows: 0 };
      const rows = await rowsOf(req.ids);
      const head = ['extension', 'greeting', 'stored_as', 'result', 'detail', 'attempts', 'activation', 'pbx', 'updated'];
      const lines = [head.join(','), ...rows.map((r) => [r.ext, r.fileName, r.target ?? '', r.state === 'uploaded' ? (r.action ?? 'created') : r.state === 'pending' ? 'queued' : r.state, batchOutcomeText(r), r.attempts, activationText(r) ?? '', r.pbxLabel, r.updatedAt].map(csvCell).join(','))];
      await writeFile(dest, `${lines.join('\r\n')}\r\n`);
      return { saved: true, rows: rows.length };
    },
  };
}

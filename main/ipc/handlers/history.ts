// Upload history, rollback (the library's rules: only the latest change of a greeting, never twice) and the CSV
// export through the native save dialog.
import { writeFile } from 'node:fs/promises';
import { rollback, rollbackRefusal, type HistoryEntry } from '../../core/library/index.js';
import type { HistoryItem } from '../channels.js';
import type { PbxClientLike } from '../services.js';
import type { AppContext, HandlersFor } from './context.js';

export type HistoryChannels = 'listHistory' | 'rollback' | 'exportHistoryCsv';

/** One CSV cell: quoted, and never read as a formula by a spreadsheet. */
export function csvCell(v: string | number | boolean | null): string {
  let s = v === null ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r']/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function canRollback(entry: HistoryEntry, sameExtNewestFirst: readonly HistoryEntry[]): boolean {
  if (entry.rollbackOf !== null) return false;
  const restorable = entry.backup !== null || entry.result === 'created' || entry.result === 'renamed';
  if (!restorable) return false;
  return rollbackRefusal(entry, sameExtNewestFirst) === null;
}

export function historyHandlers<C extends PbxClientLike>(app: AppContext<C>): HandlersFor<HistoryChannels> {
  const { history, session } = app;

  async function items(all: HistoryEntry[]): Promise<HistoryItem[]> {
    const byExt = new Map<string, HistoryEntry[]>();
    for (const e of all) {
      const list = byExt.get(e.ext) ?? [];
      list.push(e);
      byExt.set(e.ext, list);
    }
    const undone = new Set(all.map((e) => e.rollbackOf).filter((x): x is string => x !== null));
    const labels = new Map<string, string>();
    const out: HistoryItem[] = [];
    for (const e of all) {
      const key = `${e.pbxProfileId}|${e.pbx.origin}|${e.pbx.clientId}`;
      if (!labels.has(key)) labels.set(key, (await session.profileFor(e))?.name ?? (e.pbx.origin || e.pbxProfileId));
      out.push({
        id: e.id,
        at: e.at,
        pbxLabel: labels.get(key) ?? '',
        ext: e.ext,
        fileName: e.fileName,
        bytes: e.bytes,
        result: e.result,
        reason: e.reason,
        backupTaken: e.backup !== null,
        canRollback: !undone.has(e.id) && canRollback(e, byExt.get(e.ext) ?? []),
        rolledBack: undone.has(e.id),
      });
    }
    return out;
  }

  return {
    async listHistory(req) {
      // Rollback rules look at every entry of the extension, so the page is cut after computing them.
      const all = await history.list(req.ext ? { ext: req.ext } : undefined);
      const start = (req.page - 1) * req.pageSize;
      const pageEntries = all.slice(start, start + req.pageSize);
      const wanted = new Set(pageEntries.map((e) => e.ext));
      const context = all.filter((e) => wanted.has(e.ext));
      const mapped = (await items(context)).filter((i) => pageEntries.some((e) => e.id === i.id));
      return { total: all.length, page: req.page, pageSize: req.pageSize, items: mapped };
    },
    async rollback(req) {
      const r = await rollback(req.historyId, { history, transportFor: (t) => session.transportFor(t) });
      const what = r.action === 'restored'
        ? `The earlier ${r.entry.fileName} is back on extension ${r.entry.ext}.`
        : r.action === 'removed'
          ? `${r.entry.fileName} was removed from extension ${r.entry.ext} again.`
          : `The greeting selection of extension ${r.entry.ext} was put back.`;
      app.outbox.emit(null, null);
      return { result: r.action, message: what };
    },
    async exportHistoryCsv() {
      const all = await history.list();
      const dest = await app.services.dialogs.saveFile('greeting-history.csv');
      if (!dest) return { saved: false, rows: 0 };
      const rows = await items(all);
      const head = ['time', 'pbx', 'extension', 'greeting', 'bytes', 'result', 'reason', 'backup', 'rolled_back', 'id'];
      const lines = [head.join(','), ...rows.map((r) => [r.at, r.pbxLabel, r.ext, r.fileName, r.bytes, r.result, r.reason, r.backupTaken ? 'yes' : 'no', r.rolledBack ? 'yes' : 'no', r.id].map(csvCell).join(','))];
      await writeFile(dest, `${lines.join('\r\n')}\r\n`);
      return { saved: true, rows: rows.length };
    },
  };
}

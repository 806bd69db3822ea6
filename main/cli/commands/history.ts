// vmgreet history [--ext N] [--limit N]   and   vmgreet rollback HISTORY_ID
import type { Command } from 'commander';
import { parseExt, parseIntArg } from '../args.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type RunState } from '../context.js';
import { UsageError } from '../errors.js';
import { addDataDirOption, isForConnection, openDataDir } from '../library-context.js';
import { pbxLabel } from '../queue-run.js';
import { slotLabels } from '../selection.js';
import { formatBytes, renderTable } from '../table.js';

interface Flags extends ConnectionFlags {
  dataDir?: string;
  ext?: string;
  limit?: string;
}

export function registerHistory(program: Command, state: RunState): void {
  const hist = program
    .command('history')
    .description('uploads done from the queue or a batch, newest first (ids for rollback)')
    .option('--ext <number>', 'only this extension')
    .option('--limit <n>', 'at most N entries', '50');
  addDataDirOption(hist);
  addJsonOption(hist);
  hist.action(
    action<[Flags]>(state, async (ctx, flags) => {
      const ext = flags.ext !== undefined ? parseExt(flags.ext) : undefined;
      const limit = parseIntArg(flags.limit ?? '50', 'Limit', 1, 100_000);
      const { HistoryStore } = await import('../../core/library/index.js');
      const history = new HistoryStore({ dataDir: await openDataDir(flags.dataDir, ctx.io.env) });
      const entries = (await history.list(ext ? { ext } : undefined)).slice(0, limit);
      ctx.out.result({ total: entries.length, items: entries }, () =>
        entries.length === 0
          ? 'No uploads recorded yet.'
          : renderTable(entries, [
              { header: 'ID', value: (e) => e.id },
              { header: 'WHEN', value: (e) => e.at.slice(0, 19).replace('T', ' ') },
              { header: 'PBX', value: pbxLabel },
              { header: 'EXT', value: (e) => e.ext, align: 'right' },
              { header: 'NAME', value: (e) => e.fileName },
              { header: 'RESULT', value: (e) => e.result },
              { header: 'BACKUP', value: (e) => (e.backup ? formatBytes(e.backup.bytes) : '') },
            ]),
      );
    }),
  );

  const rb = program
    .command('rollback')
    .description('undo one upload: restore the greeting it overwrote (from its backup), or remove the one it created; with --use-when, also the statuses it activated')
    .argument('<historyId>', 'id from `vmgreet history` or a batch --json result');
  addDataDirOption(rb);
  addConnectionOptions(rb);
  addJsonOption(rb);
  rb.action(
    action<[string, Flags]>(state, async (ctx, historyId, flags) => {
      const { HistoryStore, rollback } = await import('../../core/library/index.js');
      const history = new HistoryStore({ dataDir: await openDataDir(flags.dataDir, ctx.io.env) });
      const entry = await history.get(historyId);
      const conn = await resolveConnection(flags, ctx.io.env);
      if (!isForConnection(entry, conn)) {
        throw new UsageError(`History entry ${historyId} was uploaded to another PBX (${entry.pbx.origin || entry.pbxProfileId.replace(/^cli:/, '')}); connect to that PBX to roll it back.`, 'CLI_ROLLBACK_OTHER_PBX');
      }
      const res = await withClient(conn, ctx.out, (client) => rollback(historyId, { history, transportFor: () => client }));
      const sel = res.selection;
      ctx.out.result({ historyId, action: res.action, ext: entry.ext, fileName: res.entry.fileName, entry: res.entry, ...(sel ? { selection: sel } : {}) }, () => {
        const audio =
          res.action === 'restored'
            ? `Restored the previous ${res.entry.fileName} on extension ${entry.ext} from its backup (${formatBytes(res.entry.bytes)}).`
            : res.action === 'removed'
              ? `Removed ${entry.fileName} from extension ${entry.ext} (it did not exist before that upload).`
              : `The audio of ${entry.fileName} on extension ${entry.ext} was left as it is (that upload changed no audio).`;
        if (!sel) return audio;
        const lines = [audio];
        if (sel.restored.length > 0) lines.push(`${slotLabels(sel.restored)}: back to the greeting chosen before.`);
        if (sel.resetToDefault.length > 0) lines.push(`${slotLabels(sel.resetToDefault)}: the greeting chosen before no longer exists, so back to the default.`);
        if (sel.changedSince.length > 0) lines.push(`${slotLabels(sel.changedSince)}: changed by someone since, left as they are.`);
        return lines.join('\n');
      });
    }),
  );
}

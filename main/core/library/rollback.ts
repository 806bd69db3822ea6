// Rollback of one history entry: re-upload (force) the greeting that an overwrite replaced, from the backup taken
// before it; for an upload that created a new name, remove that greeting again.
import { VmgsError } from '../errors.js';
import { LibraryError } from './errors.js';
import type { HistoryStore } from './history.js';
import type { HistoryEntry } from './schemas.js';
import type { TransportFor } from './worker.js';
import { restoreActivation } from './activation.js';
import type { RestoreResult } from '../pbx/presence.js';

export interface RollbackResult {
  entry: HistoryEntry;
  /** 'selection': only the greeting selection was put back (the upload changed no audio that could be undone). */
  action: 'restored' | 'removed' | 'selection';
  /** When the upload also activated the greeting: which slots got their earlier greeting back. */
  selection?: RestoreResult;
}

export async function rollback(
  historyId: string,
  deps: { history: HistoryStore; transportFor: TransportFor },
): Promise<RollbackResult> {
  const { history } = deps;
  const entry = await history.get(historyId);
  const transport = await deps.transportFor(entry);
  const id = history.newId();
  try {
    // Selection first: a created greeting cannot be removed while statuses still play it.
    const selection = await restoreActivation(entry, transport, { removing: !entry.backup && (entry.result === 'created' || entry.result === 'renamed') });
    const sel = selection ? { selection } : {};
    if (entry.backup) {
      await transport.uploadGreetingFile({ ext: entry.ext, filePath: history.backupPath(entry.backup), fileName: entry.backup.fileName, mode: 'force' });
      const recorded = await history.record({
        id,
        pbxProfileId: entry.pbxProfileId,
        pbx: entry.pbx,
        ext: entry.ext,
        fileName: entry.backup.fileName,
        bytes: entry.backup.bytes,
        sha256: entry.backup.sha256,
        result: 'rolled-back',
        reason: null,
        queueItemId: null,
        backup: null,
        rollbackOf: entry.id,
      });
      return { entry: recorded, action: 'restored', ...sel };
    }
    if (entry.result === 'created' || entry.result === 'renamed') {
      await transport.deleteGreeting(entry.ext, entry.fileName);
      const recorded = await history.record({
        id,
        pbxProfileId: entry.pbxProfileId,
        pbx: entry.pbx,
        ext: entry.ext,
        fileName: entry.fileName,
        bytes: 0,
        sha256: null,
        result: 'removed',
        reason: null,
        queueItemId: null,
        backup: null,
        rollbackOf: entry.id,
      });
      return { entry: recorded, action: 'removed', ...sel };
    }
    if (selection) {
      const recorded = await history.record({
        id,
        pbxProfileId: entry.pbxProfileId,
        pbx: entry.pbx,
        ext: entry.ext,
        fileName: entry.fileName,
        bytes: 0,
        sha256: null,
        result: 'rolled-back',
        reason: 'greeting selection restored',
        queueItemId: null,
        backup: null,
        rollbackOf: entry.id,
      });
      return { entry: recorded, action: 'selection', selection };
    }
  } catch (err) {
    if (err instanceof LibraryError) throw err;
    // Same kind and same verdict as the call that failed (a network error stays one: exit 4, worth a retry).
    const c = err instanceof VmgsError ? err : undefined;
    const why = err instanceof Error ? err.message : String(err);
    throw new LibraryError(c?.kind ?? 'internal', 'HISTORY_ROLLBACK_FAILED', `Rollback of ${entry.id} (extension ${entry.ext}, ${entry.fileName}) failed: ${why}. Nothing was recorded; try again.`, {
      cause: err,
      retryable: c?.retryable === true,
      unreachable: c?.unreachable === true,
    });
  }
  throw new LibraryError('input', 'HISTORY_NOTHING_TO_ROLL_BACK', `History entry ${entry.id} (${entry.result}) has no backup and created nothing, so there is nothing to roll back.`);
}

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

const CHANGES_AUDIO: ReadonlySet<HistoryEntry['result']> = new Set(['created', 'overwritten', 'renamed']);
const samePbx = (a: HistoryEntry, b: HistoryEntry): boolean => a.pbxProfileId === b.pbxProfileId || (a.pbx.origin !== '' && a.pbx.origin === b.pbx.origin && a.pbx.clientId === b.pbx.clientId);

/**
 * A rollback puts back what was there before `entry`, without a backup of what is there now. That is only right
 * while `entry` is the last change of that greeting: rolling back an entry twice, or an older upload after a newer
 * one replaced the greeting again, would silently throw away the newer greeting. `newestFirst`: the extension's
 * history as HistoryStore.list returns it.
 */
function refuseStale(entry: HistoryEntry, newestFirst: readonly HistoryEntry[]): void {
  const refusal = rollbackRefusal(entry, newestFirst);
  if (refusal) throw refusal;
}

/**
 * Why `entry` cannot be rolled back now (HISTORY_ALREADY_ROLLED_BACK, HISTORY_ROLLBACK_NOT_LATEST), or null when
 * the staleness rules allow it. The same rules `rollback` applies, for surfaces that offer the action.
 */
export function rollbackRefusal(entry: HistoryEntry, newestFirst: readonly HistoryEntry[]): LibraryError | null {
  try {
    refuseStaleRules(entry, newestFirst);
    return null;
  } catch (err) {
    if (err instanceof LibraryError) return err;
    throw err;
  }
}

function refuseStaleRules(entry: HistoryEntry, newestFirst: readonly HistoryEntry[]): void {
  const undone = new Set(newestFirst.map((e) => e.rollbackOf).filter((id): id is string => id !== null));
  const done = newestFirst.find((e) => e.rollbackOf === entry.id);
  if (done) {
    throw new LibraryError('input', 'HISTORY_ALREADY_ROLLED_BACK', `History entry ${entry.id} (extension ${entry.ext}, ${entry.fileName}) was already rolled back at ${done.at.slice(0, 19).replace('T', ' ')} (${done.id}). Nothing was changed.`);
  }
  if (!entry.backup && entry.result !== 'created' && entry.result !== 'renamed') return; // no audio to put back
  const at = newestFirst.findIndex((e) => e.id === entry.id);
  const newer = (at < 0 ? [] : newestFirst.slice(0, at)).find(
    (e) => e.rollbackOf === null && CHANGES_AUDIO.has(e.result) && !undone.has(e.id) && e.fileName === entry.fileName && samePbx(e, entry),
  );
  if (newer) {
    throw new LibraryError(
      'input',
      'HISTORY_ROLLBACK_NOT_LATEST',
      `${entry.fileName} on extension ${entry.ext} was changed again after ${entry.id} (${newer.result} at ${newer.at.slice(0, 19).replace('T', ' ')}, ${newer.id}). Rolling back ${entry.id} now would discard that newer greeting, which has no backup. Roll back ${newer.id} first. Nothing was changed.`,
    );
  }
}

export async function rollback(
  historyId: string,
  deps: { history: HistoryStore; transportFor: TransportFor },
): Promise<RollbackResult> {
  const { history } = deps;
  const entry = await history.get(historyId);
  refuseStale(entry, await history.list({ ext: entry.ext }));
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

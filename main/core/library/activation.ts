// Upload and activate in one go: the worker's one step after a successful upload of an item with `activate`
// (make the greeting play for those presence statuses / the default), and the matching rollback step.
// The history entry keeps the raw values the PBX held before (`previousSelection`) and what the step did
// (`activation`). An activation failure does not undo or fail the upload: it is recorded, and surfaces report it.
import { SELECTION_SLOT_LABELS, type SelectionSlot } from '../domain.js';
import { VmgsError } from '../errors.js';
import { activateUploaded, assertNotPlaying, restoreSelection, type PresenceApi, type RestoreResult } from '../pbx/presence.js';
import { GreetingInUseError } from '../pbx/selection-errors.js';
import { LibraryError } from './errors.js';
import type { HistoryStore } from './history.js';
import type { HistoryEntry, QueueItem } from './schemas.js';
import type { GreetingTransport } from './types.js';

const PRESENCE_METHODS = ['apiGet', 'apiPost', 'listGreetings', 'searchExtensions', 'listExtensions', 'deleteGreeting'] as const;

/** Whether the transport can read and choose greetings (a PbxClient can; a bare upload transport cannot). */
export function canSelect(t: GreetingTransport): t is GreetingTransport & PresenceApi {
  const r = t as unknown as Record<string, unknown>;
  return PRESENCE_METHODS.every((m) => typeof r[m] === 'function');
}

function noSelection(outcome: string): LibraryError {
  return new LibraryError('pbx', 'QUEUE_ACTIVATION_UNSUPPORTED', `This connection cannot choose which greeting plays, so ${outcome}. Choose it on the PBX, or with: vmgreet greetings use NAME --ext N --when STATUSES`);
}

/**
 * After `item` was uploaded (its `target` is the name written): if it asks for activation, select that greeting for
 * the slots and record the result on the item's history entry. Never throws: the upload is done whatever happens here.
 */
export async function activateAfterUpload(deps: { item: QueueItem; transport: GreetingTransport; history: HistoryStore }): Promise<void> {
  const { item, transport, history } = deps;
  const slots: SelectionSlot[] | undefined = item.activate;
  if (slots === undefined || slots.length === 0 || item.historyId === null) return;
  let patch: Pick<HistoryEntry, 'previousSelection' | 'activation'>;
  try {
    if (!canSelect(transport)) throw noSelection('the greeting was uploaded but not activated');
    const res = await activateUploaded(transport, item.ext, item.target ?? item.fileName, slots);
    patch = { previousSelection: { extId: res.extId, slots: res.previous }, activation: { slots, value: res.value, ok: true, error: null } };
  } catch (err) {
    const error = err instanceof VmgsError ? { code: err.code, message: err.message, kind: err.kind } : { code: 'QUEUE_ACTIVATION_FAILED', message: err instanceof Error ? err.message : String(err), kind: 'internal' as const };
    patch = { previousSelection: null, activation: { slots, value: null, ok: false, error } };
  }
  try {
    const entry = await history.get(item.historyId);
    await history.record({ ...entry, ...patch });
  } catch {
    // The entry was written a moment ago by the same worker; if it cannot be rewritten the disk is failing and the
    // queue's own saves report that.
  }
}

/**
 * Rollback's first step, before the audio is removed or restored: put back the selection an activation changed.
 * `removing`: the rollback will delete the greeting, so it must not play for any status afterwards; a status chosen
 * for it since (not by this upload) refuses the rollback before anything changes.
 */
export async function restoreActivation(entry: HistoryEntry, transport: GreetingTransport, opts: { removing: boolean }): Promise<RestoreResult | undefined> {
  try {
    if (!entry.previousSelection) {
      if (opts.removing && canSelect(transport)) await assertNotPlaying(transport, entry.ext, entry.fileName);
      return undefined;
    }
    if (!canSelect(transport)) throw noSelection('the earlier selection was not restored (nothing was rolled back)');
    return await restoreSelection(transport, entry.ext, entry.previousSelection, entry.fileName, { requireFree: opts.removing });
  } catch (err) {
    if (!(err instanceof GreetingInUseError)) throw err;
    const slots = err.slots.join(',');
    throw new LibraryError(
      'pbx',
      'HISTORY_ROLLBACK_IN_USE',
      `${entry.fileName} plays on extension ${entry.ext} for ${slotList(err.slots)}, chosen after that upload, so the rollback was refused and nothing changed. Choose another greeting for ${err.slots.length === 1 ? 'that status' : 'those statuses'} first (vmgreet greetings reset --ext ${entry.ext} --when ${slots}), then roll back again.`,
      { detail: { ext: entry.ext, fileName: entry.fileName, slots: err.slots } },
    );
  }
}

const slotList = (slots: readonly SelectionSlot[]): string => slots.map((s) => SELECTION_SLOT_LABELS[s]).join(', ');

// Shared CLI plumbing for "which greeting plays": the --when / --use-when status lists, the pre-flight check that
// the PBX lets us choose greetings at all, and the text for matrices and activation results.
import { Option, type Command } from 'commander';
import { SELECTION_SLOTS, SELECTION_SLOT_LABELS, type SelectionSlot } from '../core/domain.js';
import type { HistoryEntry } from '../core/library/index.js';
import type { PbxClient, SelectionMatrix } from '../core/pbx/index.js';
import { describeChoice } from '../core/pbx/selection.js';
import { showValue } from './args.js';
import { UsageError } from './errors.js';
import { EXIT, exitCodeForKind } from './exit-codes.js';
import { renderTable } from './table.js';

const ALIASES: Readonly<Record<string, SelectionSlot>> = {
  default: 'default',
  available: 'available',
  away: 'away',
  dnd: 'do_not_disturb',
  do_not_disturb: 'do_not_disturb',
  lunch: 'lunch',
  trip: 'business_trip',
  business_trip: 'business_trip',
  off: 'off_work',
  off_work: 'off_work',
};

export const WHEN_HELP = 'statuses: available, away, dnd, lunch, trip (business_trip), off (off_work), default, or all (the default and every status); comma-separated';

/** `away,dnd` / `all` / `default` → the slots, in the PBX's order, without duplicates. */
export function parseWhen(value: string, flag = '--when'): SelectionSlot[] {
  const wanted = new Set<SelectionSlot>();
  const parts = value.split(',').map((p) => p.trim().toLowerCase().replace(/-/g, '_'));
  if (parts.length === 0 || parts.some((p) => p === '')) {
    throw new UsageError(`${flag} ${showValue(value)} is not valid: give ${WHEN_HELP}.`, 'CLI_BAD_WHEN');
  }
  for (const p of parts) {
    if (p === 'all') {
      for (const s of SELECTION_SLOTS) wanted.add(s);
      continue;
    }
    const slot = ALIASES[p];
    if (slot === undefined) throw new UsageError(`${flag}: ${showValue(p)} is not a presence status. Use ${WHEN_HELP}.`, 'CLI_BAD_WHEN');
    wanted.add(slot);
  }
  return SELECTION_SLOTS.filter((s) => wanted.has(s));
}

export function addUseWhenOption(cmd: Command): Command {
  return cmd.addOption(new Option('--use-when <statuses>', `after uploading, make callers hear it when the extension is ${WHEN_HELP.replace(/^statuses: /, '')}`));
}

export const slotLabels = (slots: readonly SelectionSlot[]): string => slots.map((s) => SELECTION_SLOT_LABELS[s]).join(', ');

/**
 * Before uploading with --use-when: refuses (exit 3, with the PBX's reason) when this PBX does not let us choose
 * greetings for those slots, so nothing is uploaded that the admin would still have to activate by hand.
 */
export async function preflightSelection(client: PbxClient, ext: string, slots: readonly SelectionSlot[]): Promise<void> {
  const { readSelection, SelectionUnsupportedError } = await import('../core/pbx/index.js');
  const read = await readSelection(client, ext);
  const missing = slots.filter((s) => !read.supported.includes(s));
  if (missing.length > 0) {
    const reason = read.support.level === 'full' ? `extension ${ext} has no presence setting for ${slotLabels(missing)}` : read.support.reason;
    throw new SelectionUnsupportedError(ext, missing, `${reason} Nothing was uploaded; drop --use-when to upload only.`);
  }
}

/** What a history entry says about the activation, as one line. */
export function activationLine(entry: Pick<HistoryEntry, 'activation' | 'ext' | 'fileName'> | undefined): string | undefined {
  const a = entry?.activation;
  if (!a || !entry) return undefined;
  if (!a.ok) return `Not activated on extension ${entry.ext}: ${a.error?.message ?? 'unknown error'}`;
  return `Callers of extension ${entry.ext} now hear ${entry.fileName} when: ${slotLabels(a.slots)}${a.value === null ? ' (already chosen)' : ''}.`;
}

/** The matrix for a person: status, what it is set to, what callers hear. */
export function matrixText(m: SelectionMatrix): string {
  const head = `Extension ${m.ext}: which greeting plays`;
  if (m.support.level === 'none') return `${head}: not available (${m.support.reason})`;
  const table = renderTable(m.slots, [
    { header: 'STATUS', value: (v) => v.label },
    { header: 'SET TO', value: (v) => describeChoice(v.choice) },
    { header: 'CALLERS HEAR', value: (v) => describeChoice(v.effective) },
  ]);
  const note = m.support.level === 'default-only' ? `\nNote: ${m.support.reason}` : '';
  return `${head}\n${table}${note}`;
}

/** The history entry of a finished queue item (where the activation result is recorded). */
export async function historyEntryOf(dataDir: string, item: { historyId: string | null }): Promise<HistoryEntry | undefined> {
  if (item.historyId === null) return undefined;
  const { HistoryStore } = await import('../core/library/index.js');
  return new HistoryStore({ dataDir }).get(item.historyId).catch(() => undefined);
}

/** Non-zero when an activation failed: the code its error's kind gives (3 PBX refused/not supported, 4 network). */
export function activationExit(entries: readonly (HistoryEntry | undefined)[]): number {
  const codes = entries.filter((e) => e?.activation?.ok === false).map((e) => exitCodeForKind(e!.activation!.error?.kind ?? 'pbx'));
  if (codes.length === 0) return EXIT.ok;
  return codes.includes(EXIT.network) ? EXIT.network : Math.max(...codes);
}

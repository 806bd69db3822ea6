// Which greeting plays, as the PBX reports it in `extension/get`: the extension's default (`vm_greeting`) and one
// choice per presence status (`presence_list[i].vm_greeting`). These OpenAPI fields are UNCONFIRMED (known from
// Yeastar's web API), so this module never assumes them: it reads what the answer carries, says what is supported
// (and why not), and builds write-backs in exactly the shape that was read. Pure functions, no I/O.
import { z } from 'zod';
import { PRESENCE_STATUSES, SELECTION_SLOTS, SELECTION_SLOT_LABELS, type Greeting, type PresenceStatus, type SelectionSlot } from '../domain.js';
import { PbxBadResponseError } from './errors.js';
import { SelectionUnsupportedError } from './selection-errors.js';

/** The value of `vm_greeting` that plays the PBX's system greeting. */
export const FOLLOW_SYSTEM = 'follow_system';
/** A presence status's value for "use the extension's default greeting". */
export const EXTENSION_DEFAULT = '';

export type SelectionSupport =
  | { level: 'full' }
  | { level: 'default-only'; reason: string }
  | { level: 'none'; reason: string };

/** One extension's voicemail selection exactly as read, with what is needed to write it back in the same shape. */
export interface SelectionRead {
  ext: string;
  extId: number;
  /** `id` as the PBX sent it (number or string): echoed unchanged. */
  rawId: unknown;
  support: SelectionSupport;
  /** The slots this PBX lets us choose (empty when none). */
  supported: SelectionSlot[];
  /** Raw values as read, for the supported slots ('' = extension default, 'follow_system', or a greeting name). */
  values: Partial<Record<SelectionSlot, string>>;
  /** `presence_list` items exactly as read (every key), when there was one. */
  presenceList: Record<string, unknown>[] | undefined;
  /** Index of each status's item in presenceList (lunch found as `lunch` or `launch`). */
  statusIndex: Partial<Record<PresenceStatus, number>>;
  /** How each status was spelled on the wire (`launch` on PBXs that use the web API's spelling). */
  spelling: Partial<Record<PresenceStatus, string>>;
}

const detailSchema = z.object({
  id: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  number: z.union([z.string(), z.number()]).transform(String).optional(),
  vm_greeting: z.unknown().optional(),
  presence_list: z.unknown().optional(),
});

const UNSUPPORTED_HINT = 'Choose greetings on the PBX web portal (Extension > Voicemail) instead, or update the PBX firmware.';

/** 'lunch' and 'launch' both read as lunch: OpenAPI spells it one way, Yeastar's web API the other. */
export function statusFromWire(raw: unknown): PresenceStatus | undefined {
  if (raw === 'launch') return 'lunch';
  return typeof raw === 'string' && (PRESENCE_STATUSES as readonly string[]).includes(raw) ? (raw as PresenceStatus) : undefined;
}

/** Parses one Ext_DetailInfo (from extension/get or extension/query). */
export function parseSelection(ext: string, raw: unknown): SelectionRead {
  const parsed = detailSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PbxBadResponseError('PBX_UNEXPECTED_RESPONSE', `The PBX answer for extension ${ext} has no usable "id". The PBX firmware may be incompatible; update it or report this.`, { endpoint: 'extension/get' });
  }
  const d = parsed.data;
  const values: Partial<Record<SelectionSlot, string>> = {};
  const supported: SelectionSlot[] = [];
  const hasDefault = typeof d.vm_greeting === 'string';
  if (hasDefault) {
    values.default = d.vm_greeting as string;
    supported.push('default');
  }
  let presenceList: Record<string, unknown>[] | undefined;
  const statusIndex: Partial<Record<PresenceStatus, number>> = {};
  const spelling: Partial<Record<PresenceStatus, string>> = {};
  if (Array.isArray(d.presence_list) && d.presence_list.every((i) => i !== null && typeof i === 'object' && !Array.isArray(i))) {
    presenceList = d.presence_list as Record<string, unknown>[];
    presenceList.forEach((item, i) => {
      const status = statusFromWire(item.status);
      if (status === undefined || statusIndex[status] !== undefined) return;
      statusIndex[status] = i;
      spelling[status] = String(item.status);
    });
  }
  for (const status of PRESENCE_STATUSES) {
    const i = statusIndex[status];
    const v = i === undefined ? undefined : presenceList?.[i]?.vm_greeting;
    if (typeof v === 'string') {
      values[status] = v;
      supported.push(status);
    }
  }
  const hasStatuses = supported.some((s) => s !== 'default');
  let support: SelectionSupport;
  if (hasDefault && hasStatuses) support = { level: 'full' };
  else if (hasDefault) support = { level: 'default-only', reason: `This PBX's API reports only the default greeting of an extension, not one per presence status (presence_list carries no vm_greeting). ${UNSUPPORTED_HINT}` };
  else if (hasStatuses) support = { level: 'default-only', reason: `This PBX's API reports the greeting per presence status but not the extension's default (no vm_greeting).` };
  else support = { level: 'none', reason: `This PBX's API does not report which greeting plays: extension/get carries neither vm_greeting nor presence_list[].vm_greeting. ${UNSUPPORTED_HINT}` };
  return { ext, extId: Number(d.id), rawId: d.id, support, supported, values, presenceList, statusIndex, spelling };
}

/** Refuses slots this PBX does not let us choose, with its reason. */
export function requireSlots(read: SelectionRead, slots: readonly SelectionSlot[]): void {
  const missing = slots.filter((s) => !read.supported.includes(s));
  if (missing.length === 0) return;
  const reason = read.support.level === 'full' ? `extension ${read.ext} has no presence setting for ${missing.join(', ')}` : read.support.reason;
  throw new SelectionUnsupportedError(read.ext, missing, reason);
}

/**
 * The `extension/update` body that changes only `changes`: `id` as read; `vm_greeting` when the default changes;
 * the whole `presence_list` as read (every item, every key, the PBX's own status spelling) with only the changed
 * statuses' `vm_greeting` replaced. Nothing that was not read is ever sent.
 */
export function buildUpdateBody(read: SelectionRead, changes: Partial<Record<SelectionSlot, string>>): Record<string, unknown> {
  requireSlots(read, Object.keys(changes) as SelectionSlot[]);
  const body: Record<string, unknown> = { id: read.rawId };
  if (changes.default !== undefined) body.vm_greeting = changes.default;
  const statusChanges = PRESENCE_STATUSES.filter((s) => changes[s] !== undefined);
  if (statusChanges.length > 0 && read.presenceList) {
    const byIndex = new Map<number, string>();
    for (const s of statusChanges) byIndex.set(read.statusIndex[s] as number, changes[s] as string);
    body.presence_list = read.presenceList.map((item, i) => {
      const next = byIndex.get(i);
      // Spreading keeps every key and its order; only vm_greeting's value changes.
      return next === undefined ? item : { ...item, vm_greeting: next };
    });
  }
  return body;
}

/** What a raw value means. */
export type SlotChoice =
  | { kind: 'extension-default' }
  | { kind: 'system' }
  | { kind: 'greeting'; greeting: Greeting }
  | { kind: 'missing'; name: string };

/** Matches a raw value to a listed greeting by either of its names. */
export function greetingForValue(value: string, greetings: readonly Greeting[]): Greeting | undefined {
  return greetings.find((g) => g.realFilename === value) ?? greetings.find((g) => g.file === value);
}

export function interpret(slot: SelectionSlot, value: string, greetings: readonly Greeting[]): SlotChoice {
  if (value === EXTENSION_DEFAULT) return slot === 'default' ? { kind: 'system' } : { kind: 'extension-default' };
  if (value === FOLLOW_SYSTEM) return { kind: 'system' };
  const g = greetingForValue(value, greetings);
  return g ? { kind: 'greeting', greeting: g } : { kind: 'missing', name: value };
}

export type ValueForm = 'file' | 'real_filename';

/**
 * The form the PBX itself uses for a greeting already selected, learnt from a value that names a greeting whose two
 * names differ. Undefined when nothing selected tells them apart.
 */
export function learntForm(read: SelectionRead, greetings: readonly Greeting[]): ValueForm | undefined {
  for (const slot of read.supported) {
    const v = read.values[slot];
    if (v === undefined || v === EXTENSION_DEFAULT || v === FOLLOW_SYSTEM) continue;
    for (const g of greetings) {
      if (g.file === g.realFilename) continue;
      if (v === g.realFilename) return 'real_filename';
      if (v === g.file) return 'file';
    }
  }
  return undefined;
}

/** The values to try for selecting `g`, best first: the learnt form, else the listed `file`; the other form once. */
export function candidateValues(g: Greeting, form: ValueForm | undefined): string[] {
  const order = form === 'real_filename' ? [g.realFilename, g.file] : [g.file, g.realFilename];
  return [...new Set(order.filter((v) => v !== ''))];
}

/** The slots whose value selects greeting `g`. */
export function slotsUsing(read: SelectionRead, g: Greeting): SelectionSlot[] {
  return read.supported.filter((s) => {
    const v = read.values[s];
    return v !== undefined && v !== EXTENSION_DEFAULT && v !== FOLLOW_SYSTEM && (v === g.realFilename || v === g.file);
  });
}

/** One row of the matrix a person reads: what the slot is set to and what callers hear in that status. */
export interface SlotView {
  slot: SelectionSlot;
  label: string;
  value: string;
  choice: SlotChoice;
  /** For a status on "extension default": what the default plays. */
  effective: SlotChoice;
}

export interface SelectionMatrix {
  ext: string;
  extId: number;
  support: SelectionSupport;
  supported: SelectionSlot[];
  slots: SlotView[];
}

export function matrixOf(read: SelectionRead, greetings: readonly Greeting[]): SelectionMatrix {
  const def = read.values.default !== undefined ? interpret('default', read.values.default, greetings) : undefined;
  const slots: SlotView[] = [];
  for (const slot of SELECTION_SLOTS) {
    const value = read.values[slot];
    if (value === undefined) continue;
    const choice = interpret(slot, value, greetings);
    slots.push({ slot, label: SELECTION_SLOT_LABELS[slot], value, choice, effective: choice.kind === 'extension-default' && def ? def : choice });
  }
  return { ext: read.ext, extId: read.extId, support: read.support, supported: read.supported, slots };
}

/** Short text for a choice, as tables show it: 'away.wav', '(system greeting)', '(extension default)', 'MISSING: old.wav'. */
export function describeChoice(c: SlotChoice): string {
  switch (c.kind) {
    case 'greeting':
      return c.greeting.realFilename;
    case 'system':
      return '(system greeting)';
    case 'extension-default':
      return '(extension default)';
    case 'missing':
      return `MISSING: ${c.name}`;
  }
}

// Greeting selection per presence status, rename, record by phone and a delete that never leaves an extension
// pointing at a missing file. Everything reads first, writes in the shape that was read (selection.ts), and reads
// again to verify, because the OpenAPI fields involved are UNCONFIRMED and vary between PBXs.
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { greetingNameProblem, type Greeting, type SelectionSlot } from '../domain.js';
import { CancelledError, VmgsError } from '../errors.js';
import type { PbxClient } from './client.js';
import { GreetingExistsError, PbxApiError, PbxInputError } from './errors.js';
import { checkExtensionNumber } from './multipart.js';
import {
  EXTENSION_DEFAULT,
  FOLLOW_SYSTEM,
  buildUpdateBody,
  candidateValues,
  greetingForValue,
  learntForm,
  matrixOf,
  parseSelection,
  requireSlots,
  slotsUsing,
  type SelectionMatrix,
  type SelectionRead,
  type ValueForm,
} from './selection.js';
import {
  GreetingInUseError,
  GreetingNotFoundError,
  RecordTimeoutError,
  RenameUnsupportedError,
  SelectionNotTakenError,
} from './selection-errors.js';

/** The part of PbxClient these operations use (tests may pass a fake). */
export type PresenceApi = Pick<PbxClient, 'apiGet' | 'apiPost' | 'listGreetings' | 'searchExtensions' | 'listExtensions' | 'deleteGreeting'>;

const okSchema = z.object({});
const detailAnswer = z.object({ data: z.unknown() });
const detailsAnswer = z.object({ data: z.array(z.unknown()).optional().default([]) });

const QUERY_CHUNK = 50;

// ---------- extensions and reading ----------

/** Extension number -> internal id (extension/get and update take the id). Unknown numbers are absent from the map. */
export async function extensionIds(api: PresenceApi, numbers: readonly string[]): Promise<Map<string, number>> {
  const want = new Set(numbers.map((n) => checkExtensionNumber(n)));
  const out = new Map<string, number>();
  if (want.size <= 5) {
    // A search per number is one small request each; listing 10,000 extensions for one would not be.
    for (const n of want) {
      const page = await api.searchExtensions(n, { pageSize: 100 });
      const hit = page.items.find((e) => e.number === n);
      if (hit) out.set(n, hit.id);
    }
    return out;
  }
  const pageSize = 1000;
  for (let page = 1; page <= 1000; page++) {
    const res = await api.listExtensions({ page, pageSize });
    for (const e of res.items) if (want.has(e.number)) out.set(e.number, e.id);
    if (res.items.length < pageSize || out.size === want.size) break;
  }
  return out;
}

export function unknownExtension(ext: string): PbxInputError {
  return new PbxInputError('PBX_UNKNOWN_EXTENSION', `Extension ${ext} does not exist on this PBX. Check the number (vmgreet extensions --search ${ext}).`, { ext });
}

export async function readSelectionById(api: PresenceApi, ext: string, id: number | string, signal?: AbortSignal): Promise<SelectionRead> {
  const answer = await api.apiGet('extension/get', { id: String(id) }, detailAnswer, signal);
  return parseSelection(ext, answer.data);
}

/** One extension's selection as read (extension/get). */
export async function readSelection(api: PresenceApi, ext: string, signal?: AbortSignal): Promise<SelectionRead> {
  const number = checkExtensionNumber(ext);
  const id = (await extensionIds(api, [number])).get(number);
  if (id === undefined) throw unknownExtension(number);
  return readSelectionById(api, number, id, signal);
}

/** Many extensions at once (extension/query in chunks); a number the PBX does not know maps to an error. */
export async function readSelections(api: PresenceApi, numbers: readonly string[]): Promise<Map<string, SelectionRead | VmgsError>> {
  const ids = await extensionIds(api, numbers);
  const out = new Map<string, SelectionRead | VmgsError>();
  const byId = new Map<number, string>();
  for (const n of numbers) {
    const id = ids.get(n);
    if (id === undefined) out.set(n, unknownExtension(n));
    else byId.set(id, n);
  }
  const idList = [...byId.keys()];
  for (let i = 0; i < idList.length; i += QUERY_CHUNK) {
    const chunk = idList.slice(i, i + QUERY_CHUNK);
    const answer = await api.apiGet('extension/query', { ids: chunk.join(',') }, detailsAnswer);
    for (const raw of answer.data) {
      const id = typeof raw === 'object' && raw !== null ? Number((raw as { id?: unknown }).id) : NaN;
      const n = byId.get(id);
      if (n !== undefined) out.set(n, parseSelection(n, raw));
    }
  }
  for (const n of byId.values()) if (!out.has(n)) out.set(n, unknownExtension(n));
  return out;
}

/** The matrix a person reads (status -> what plays), with the greeting list resolved. */
export async function activeMatrix(api: PresenceApi, ext: string, read?: SelectionRead): Promise<SelectionMatrix> {
  const r = read ?? (await readSelection(api, ext));
  const greetings = await api.listGreetings(ext);
  return matrixOf(r, greetings);
}

// ---------- finding a greeting by what a person typed ----------

function stem(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

/** `away.wav` (its real file name), its listed `file`, or `away` when only one greeting has that stem. */
export function findGreeting(greetings: readonly Greeting[], ext: string, name: string): Greeting {
  const exact = greetings.find((g) => g.realFilename === name) ?? greetings.find((g) => g.file === name);
  if (exact) return exact;
  const byStem = greetings.filter((g) => stem(g.realFilename) === name);
  if (byStem.length === 1) return byStem[0] as Greeting;
  throw new GreetingNotFoundError(ext, name, byStem.map((g) => g.realFilename));
}

// ---------- choosing ----------

export type Choice = { kind: 'greeting'; greeting: Greeting } | { kind: 'reset' };

export interface ChooseResult {
  ext: string;
  extId: number;
  slots: SelectionSlot[];
  /** Raw values before (what rollback writes back). */
  before: Partial<Record<SelectionSlot, string>>;
  /** Raw values read back after the write. */
  after: Partial<Record<SelectionSlot, string>>;
  /** The value written ('' / follow_system for a reset), or null when nothing had to change. */
  value: string | null;
  unchanged: boolean;
}

function pick(values: Partial<Record<SelectionSlot, string>>, slots: readonly SelectionSlot[]): Partial<Record<SelectionSlot, string>> {
  const out: Partial<Record<SelectionSlot, string>> = {};
  for (const s of slots) if (values[s] !== undefined) out[s] = values[s];
  return out;
}

const resetValue = (slot: SelectionSlot): string => (slot === 'default' ? FOLLOW_SYSTEM : EXTENSION_DEFAULT);

/** Sends the update and reads the extension again. */
async function writeSlots(api: PresenceApi, read: SelectionRead, changes: Partial<Record<SelectionSlot, string>>, signal?: AbortSignal): Promise<SelectionRead> {
  await api.apiPost('extension/update', buildUpdateBody(read, changes), okSchema, signal);
  return readSelectionById(api, read.ext, read.rawId as number | string, signal);
}

const selects = (value: string | undefined, g: Greeting): boolean => value !== undefined && (value === g.realFilename || value === g.file);

function isResetValue(slot: SelectionSlot, value: string | undefined): boolean {
  if (value === undefined) return false;
  return slot === 'default' ? value === FOLLOW_SYSTEM || value === EXTENSION_DEFAULT : value === EXTENSION_DEFAULT;
}

/**
 * Makes `slots` of `ext` play `choice` (a greeting, or back to the default: presence statuses to "extension
 * default", the default to the system greeting). Verifies by reading back. For a greeting it sends the form the PBX
 * itself uses for a greeting already selected; when nothing tells, the listed `file`, then the other form once.
 */
export async function chooseGreeting(
  api: PresenceApi,
  ext: string,
  slots: readonly SelectionSlot[],
  choice: Choice,
  opts: { read?: SelectionRead; greetings?: readonly Greeting[]; form?: ValueForm; signal?: AbortSignal } = {},
): Promise<ChooseResult> {
  if (slots.length === 0) throw new PbxInputError('PBX_BAD_OPTION', 'Say for which statuses the greeting should play.');
  let read = opts.read ?? (await readSelection(api, ext, opts.signal));
  requireSlots(read, slots);
  const before = pick(read.values, slots);
  const base = { ext: read.ext, extId: read.extId, slots: [...slots], before };

  if (choice.kind === 'reset') {
    if (slots.every((s) => isResetValue(s, read.values[s]))) return { ...base, after: before, value: null, unchanged: true };
    const changes: Partial<Record<SelectionSlot, string>> = {};
    for (const s of slots) changes[s] = resetValue(s);
    const after = await writeSlots(api, read, changes, opts.signal);
    const notTaken = slots.filter((s) => !isResetValue(s, after.values[s]));
    if (notTaken.length > 0) throw new SelectionNotTakenError(read.ext, notTaken, 'default', { got: pick(after.values, notTaken) });
    return { ...base, after: pick(after.values, slots), value: slots.includes('default') ? FOLLOW_SYSTEM : EXTENSION_DEFAULT, unchanged: false };
  }

  const g = choice.greeting;
  if (slots.every((s) => selects(read.values[s], g))) return { ...base, after: before, value: null, unchanged: true };
  const greetings = opts.greetings ?? (await api.listGreetings(read.ext));
  const candidates = candidateValues(g, opts.form ?? learntForm(read, greetings));
  let lastTried: string | undefined;
  for (const [i, value] of candidates.entries()) {
    const changes: Partial<Record<SelectionSlot, string>> = {};
    for (const s of slots) changes[s] = value;
    lastTried = value;
    let after: SelectionRead;
    try {
      after = await writeSlots(api, read, changes, opts.signal);
    } catch (err) {
      // A PBX that selects by the other form refuses this one as an unknown value: try the other form once.
      if (err instanceof PbxApiError && err.errcode === 40002 && i < candidates.length - 1) continue;
      throw err;
    }
    if (slots.every((s) => selects(after.values[s], g))) return { ...base, after: pick(after.values, slots), value, unchanged: false };
    // Accepted but not taken: the next try starts from what the PBX shows now.
    read = after;
  }
  throw new SelectionNotTakenError(read.ext, slots.filter((s) => !selects(read.values[s], g)), g.realFilename, { tried: candidates, lastTried });
}

/** The queue worker's activation step: after `fileName` was uploaded to `ext`, make it play for `slots`. */
export async function activateUploaded(api: PresenceApi, ext: string, fileName: string, slots: readonly SelectionSlot[], signal?: AbortSignal): Promise<{ extId: number; previous: Partial<Record<SelectionSlot, string>>; value: string | null; greeting: Greeting }> {
  const greetings = await api.listGreetings(ext);
  // A PBX that stores uploads under .wav lists x.mp3 as x.wav: fall back to the stem.
  const g = greetings.find((x) => x.realFilename === fileName) ?? findGreeting(greetings, ext, stem(fileName));
  const res = await chooseGreeting(api, ext, slots, { kind: 'greeting', greeting: g }, { greetings, ...(signal ? { signal } : {}) });
  return { extId: res.extId, previous: res.before, value: res.value, greeting: g };
}

export interface RestoreResult {
  /** Slots set back to what they were before. */
  restored: SelectionSlot[];
  /** Slots someone changed since (they no longer played the uploaded greeting): left alone. */
  changedSince: SelectionSlot[];
  /** Slots whose earlier greeting no longer exists: set to the default instead. */
  resetToDefault: SelectionSlot[];
}

/**
 * Rollback of an activation: every slot that still plays `activatedFile` goes back to its previous raw value
 * (written exactly as the PBX had it); a slot changed since is left alone; a previous greeting that is gone is
 * replaced by the default, so nothing points at a missing file.
 */
export async function restoreSelection(
  api: PresenceApi,
  ext: string,
  previous: { extId: number; slots: Partial<Record<SelectionSlot, string>> },
  activatedFile: string,
  opts: { requireFree?: boolean } = {},
): Promise<RestoreResult> {
  const greetings = await api.listGreetings(ext);
  const read = await readSelectionById(api, ext, previous.extId);
  const ours = greetings.find((g) => g.realFilename === activatedFile);
  const playsOurs = (v: string | undefined): boolean => v !== undefined && (v === activatedFile || v === stem(activatedFile) || (ours !== undefined && selects(v, ours)));
  const result: RestoreResult = { restored: [], changedSince: [], resetToDefault: [] };
  const changes: Partial<Record<SelectionSlot, string>> = {};
  for (const [slot, prev] of Object.entries(previous.slots) as [SelectionSlot, string][]) {
    const cur = read.values[slot];
    if (cur === prev) {
      result.restored.push(slot);
    } else if (!read.supported.includes(slot) || !playsOurs(cur)) {
      result.changedSince.push(slot);
    } else if (prev !== EXTENSION_DEFAULT && prev !== FOLLOW_SYSTEM && greetingForValue(prev, greetings) === undefined) {
      changes[slot] = resetValue(slot);
      result.resetToDefault.push(slot);
    } else {
      changes[slot] = prev;
      result.restored.push(slot);
    }
  }
  if (opts.requireFree) {
    // The greeting is about to be removed: any other slot that plays it (chosen after the upload) blocks, before
    // anything is written, so a refused rollback changes nothing.
    const blocking = read.supported.filter((s) => previous.slots[s] === undefined && playsOurs(read.values[s]));
    if (blocking.length > 0) throw new GreetingInUseError(ext, activatedFile, blocking);
  }
  const changed = Object.keys(changes) as SelectionSlot[];
  if (changed.length === 0) return result;
  const after = await writeSlots(api, read, changes);
  const notTaken = changed.filter((s) => after.values[s] !== changes[s] && !(isResetValue(s, changes[s]) && isResetValue(s, after.values[s])));
  if (notTaken.length > 0) throw new SelectionNotTakenError(ext, notTaken, notTaken.map((s) => changes[s]).join(', '));
  return result;
}

// ---------- delete, rename, record ----------

/** Refuses (GreetingInUseError, naming the statuses) when `fileName` plays for any status of `ext`. */
export async function assertNotPlaying(api: PresenceApi, ext: string, fileName: string): Promise<void> {
  const read = await readSelection(api, ext);
  if (read.supported.length === 0) return;
  const g = (await api.listGreetings(ext)).find((x) => x.realFilename === fileName);
  if (!g) return;
  const used = slotsUsing(read, g);
  if (used.length > 0) throw new GreetingInUseError(ext, fileName, used);
}

export interface SafeDeleteResult {
  deleted: Greeting;
  /** Slots that were moved to the default before the delete. */
  reset: SelectionSlot[];
  /** Whether this PBX let us check the selection at all. */
  selectionChecked: boolean;
}

/**
 * Deletes a greeting without leaving any status pointing at it: refuses when it is in use (`inUse: 'refuse'`,
 * naming the statuses), or first moves those statuses to the default (`'reset'`).
 */
export async function deleteGreetingSafely(api: PresenceApi, ext: string, name: string, inUse: 'refuse' | 'reset'): Promise<SafeDeleteResult> {
  const greetings = await api.listGreetings(ext);
  const g = findGreeting(greetings, ext, name);
  const read = await readSelection(api, ext);
  const checked = read.supported.length > 0;
  const used = checked ? slotsUsing(read, g) : [];
  if (used.length > 0 && inUse === 'refuse') throw new GreetingInUseError(ext, g.realFilename, used);
  if (used.length > 0) await chooseGreeting(api, ext, used, { kind: 'reset' }, { read, greetings });
  await api.deleteGreeting(ext, g.realFilename);
  if (checked) {
    // A PBX that fell back on its own, or a change made meanwhile: whatever still names the file goes to the default.
    const after = await readSelectionById(api, ext, read.rawId as number | string);
    const dangling = slotsUsing(after, g);
    if (dangling.length > 0) await chooseGreeting(api, ext, dangling, { kind: 'reset' }, { read: after, greetings });
  }
  return { deleted: g, reset: used, selectionChecked: checked };
}

/** Whether `extension_vm_greeting/update` exists, asked with an empty body (a PBX that has it answers 40002). */
export async function probeRename(api: PresenceApi): Promise<{ supported: true } | { supported: false; reason: string }> {
  try {
    await api.apiPost('extension_vm_greeting/update', {}, okSchema);
    return { supported: true };
  } catch (err) {
    if (err instanceof PbxApiError && err.errcode === 10001) return { supported: false, reason: new RenameUnsupportedError().reason };
    if (err instanceof PbxApiError && (err.errcode === 40002 || err.errcode === 40001 || err.errcode === 60001)) return { supported: true };
    throw err;
  }
}

export interface RenameResult {
  from: Greeting;
  to: Greeting;
  /** Slots that played the greeting under its old name and play it under the new one. */
  carried: SelectionSlot[];
  /** Who moved them: the PBX itself, or this client (the PBX left them on the old name). */
  carriedBy: 'pbx' | 'client' | null;
}

/** Renames a greeting (`extension_vm_greeting/update`) and keeps every status that played it playing it. */
export async function renameGreeting(api: PresenceApi, ext: string, from: string, to: string): Promise<RenameResult> {
  const greetings = await api.listGreetings(ext);
  const g = findGreeting(greetings, ext, from);
  const suffix = g.suffix || g.realFilename.slice(g.realFilename.lastIndexOf('.'));
  const base = to.toLowerCase().endsWith(suffix.toLowerCase()) ? to.slice(0, -suffix.length) : to;
  const problem = greetingNameProblem(base);
  if (problem !== null) throw new PbxInputError('PBX_BAD_FILE_NAME', `The new name "${base}" is not allowed: ${problem}`);
  if (greetings.some((x) => x.id !== g.id && x.realFilename === `${base}${suffix}`)) {
    throw new GreetingExistsError(ext, `${base}${suffix}`);
  }
  const read = await readSelection(api, ext);
  const used = slotsUsing(read, g);
  // The old value's form tells which form the PBX selects by, even after the old name is gone.
  const oldValue = used.length > 0 ? read.values[used[0] as SelectionSlot] : undefined;
  const form: ValueForm | undefined = oldValue !== undefined && g.file !== g.realFilename ? (oldValue === g.realFilename ? 'real_filename' : 'file') : undefined;
  try {
    await api.apiPost('extension_vm_greeting/update', { id: g.id, number: ext, file: base }, okSchema);
  } catch (err) {
    if (err instanceof PbxApiError && err.errcode === 10001) throw new RenameUnsupportedError();
    throw err;
  }
  const after = await api.listGreetings(ext);
  const renamed = after.find((x) => x.id === g.id && x.realFilename !== g.realFilename) ?? after.find((x) => x.realFilename === `${base}${suffix}`);
  if (!renamed) {
    throw new VmgsError('pbx', 'PBX_RENAME_NOT_SEEN', `The PBX accepted renaming ${g.realFilename} on extension ${ext}, but its greeting list does not show "${base}". Refresh the list; if it persists, rename it on the PBX web portal.`, { detail: { ext, from: g.realFilename, to: base } });
  }
  if (used.length === 0) return { from: g, to: renamed, carried: [], carriedBy: null };
  const now = await readSelectionById(api, ext, read.rawId as number | string);
  const left = used.filter((s) => !selects(now.values[s], renamed));
  if (left.length > 0) {
    await chooseGreeting(api, ext, left, { kind: 'greeting', greeting: renamed }, { read: now, greetings: after, ...(form ? { form } : {}) });
  }
  return { from: g, to: renamed, carried: used, carriedBy: left.length > 0 ? 'client' : 'pbx' };
}

export interface RecordOptions {
  /** Extension that owns the new greeting. */
  ext: string;
  /** Extension the PBX rings; its user records after the tone. */
  phone: string;
  /** Greeting name: letters, digits, _ and - (the PBX adds .wav). */
  name: string;
  /** How long to wait for the file to appear (default 180 s). */
  timeoutMs?: number;
  /** How often to look (default 3 s). */
  pollMs?: number;
  signal?: AbortSignal;
  /** Called after each look with the seconds waited so far. */
  onWaiting?: (seconds: number) => void;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, signal ? { signal } : undefined);
  } catch (err) {
    if (signal?.aborted) throw new CancelledError('Waiting for the recording');
    throw err;
  }
}

const matchesName = (g: Greeting, name: string): boolean => g.file === name || stem(g.realFilename) === name;

/**
 * Record by phone: asks the PBX to ring `phone`; whoever answers records after the tone and the PBX stores the file
 * for `ext`. The call only says the PBX placed the call, so the greeting list is polled until the file appears.
 */
export async function recordByPhone(api: PresenceApi, o: RecordOptions): Promise<Greeting> {
  const ext = checkExtensionNumber(o.ext);
  const phone = checkExtensionNumber(o.phone);
  const problem = greetingNameProblem(o.name);
  if (problem !== null) throw new PbxInputError('PBX_BAD_FILE_NAME', `The greeting name "${o.name}" is not allowed: ${problem}`);
  const timeoutMs = o.timeoutMs ?? 180_000;
  const pollMs = o.pollMs ?? 3000;
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? abortableSleep;
  const before = await api.listGreetings(ext);
  const clash = before.find((g) => matchesName(g, o.name));
  // With the name taken we could not tell the new recording from the old file.
  if (clash) throw new GreetingExistsError(ext, clash.realFilename);
  const known = new Set(before.map((g) => g.id));
  await api.apiGet('extension_vm_greeting/record', { owner: ext, recorder: phone, file: o.name }, okSchema, o.signal);
  const started = now();
  for (;;) {
    await sleep(pollMs, o.signal);
    const list = await api.listGreetings(ext);
    const found = list.find((g) => !known.has(g.id) && matchesName(g, o.name));
    if (found) return found;
    const waited = now() - started;
    o.onWaiting?.(Math.round(waited / 1000));
    if (waited >= timeoutMs) throw new RecordTimeoutError(ext, phone, o.name, Math.round(timeoutMs / 1000));
  }
}

// Which greeting plays: each extension's default greeting (`vm_greeting`) and one choice per presence status
// (`presence_list[i].vm_greeting`), as Yeastar's web API models them. The OpenAPI names are UNCONFIRMED, so how they
// appear on the wire follows the simulator's switches (see README.md): which fields exist, which form of a greeting's
// name selects it, how lunch is spelled, what deleting an in-use greeting does, whether a rename carries the choice.
import { PRESENCE_STATUSES, type PresenceStatus } from '../core/domain.js';
import { fail, type Json } from './envelope.js';
import type { GreetingStore } from './greetings.js';
import type { LunchSpelling, SelectionFieldsMode, SelectionValueForm } from './types.js';

export const FOLLOW_SYSTEM = 'follow_system';

/** What the switches decide about the wire format. */
export interface VoicemailWire {
  selectionFields: SelectionFieldsMode;
  selectionValue: SelectionValueForm;
  lunchSpelling: LunchSpelling;
}

interface PresenceSetting {
  /** Every other key of the presence item (forwarding rules, ring timeout …), stored as last written. */
  other: Record<string, unknown>;
  /** '' (use the extension default), 'follow_system', or a greeting's real_filename (possibly dangling). */
  greeting: string;
}

interface VoicemailState {
  /** 'follow_system' or a greeting's real_filename (possibly dangling). */
  vmGreeting: string;
  presence: Map<PresenceStatus, PresenceSetting>;
}

/** A stored selection in canonical form: values are '' / 'follow_system' / a real_filename. */
export interface StoredSelection {
  vm_greeting: string;
  presence: Record<PresenceStatus, string>;
}

// Non-greeting keys of a presence item, after Yeastar's web-API fixtures: the client must send them back untouched.
function defaultOther(status: PresenceStatus): Record<string, unknown> {
  return {
    information: '',
    enb_in_always_forward: 0,
    in_always_forward_dest: 'ext_vm',
    enb_in_no_answer_forward: 1,
    in_no_answer_forward_dest: 'ext_vm',
    enb_in_busy_forward: 1,
    in_busy_forward_dest: 'ext_vm',
    // Differs per status so a test can tell a preserved setting from one reset to a default.
    ring_timeout: 20 + PRESENCE_STATUSES.indexOf(status) * 5,
  };
}

export function spelled(status: PresenceStatus, spelling: LunchSpelling): string {
  return status === 'lunch' ? spelling : status;
}

function unspell(raw: string, spelling: LunchSpelling): PresenceStatus | undefined {
  if (raw === spelling) return 'lunch';
  if (raw === 'lunch' || raw === 'launch') return undefined; // the spelling this PBX does not use
  return (PRESENCE_STATUSES as readonly string[]).includes(raw) ? (raw as PresenceStatus) : undefined;
}

type Checked<T> = { ok: true; value: T } | { ok: false; error: Json };

export class VoicemailSettings {
  private readonly byExt = new Map<string, VoicemailState>();

  constructor(private readonly store: GreetingStore) {}

  private state(ext: string): VoicemailState {
    let s = this.byExt.get(ext);
    if (!s) {
      s = { vmGreeting: FOLLOW_SYSTEM, presence: new Map(PRESENCE_STATUSES.map((p) => [p, { other: defaultOther(p), greeting: '' }])) };
      this.byExt.set(ext, s);
    }
    return s;
  }

  /** Canonical values for tests and the demo. */
  snapshot(ext: string): StoredSelection {
    const s = this.state(ext);
    const presence = {} as Record<PresenceStatus, string>;
    for (const p of PRESENCE_STATUSES) presence[p] = s.presence.get(p)?.greeting ?? '';
    return { vm_greeting: s.vmGreeting, presence };
  }

  /** Sets canonical values directly (test seeding); names are real_filenames, not checked. */
  seed(ext: string, values: { vm_greeting?: string; presence?: Partial<Record<PresenceStatus, string>> }): void {
    const s = this.state(ext);
    if (values.vm_greeting !== undefined) s.vmGreeting = values.vm_greeting;
    for (const [p, v] of Object.entries(values.presence ?? {}) as [PresenceStatus, string][]) {
      const setting = s.presence.get(p);
      if (setting) setting.greeting = v;
    }
  }

  /** The fields `extension/get` and `extension/query` add to an extension. */
  fieldsFor(ext: string, wire: VoicemailWire): Record<string, unknown> {
    const s = this.state(ext);
    const show = (v: string): string => this.render(ext, v, wire.selectionValue);
    const presence_list = PRESENCE_STATUSES.map((p) => {
      const setting = s.presence.get(p) as PresenceSetting;
      return {
        status: spelled(p, wire.lunchSpelling),
        ...setting.other,
        ...(wire.selectionFields === 'all' ? { vm_greeting: show(setting.greeting) } : {}),
      };
    });
    return {
      enb_vm: 1,
      ...(wire.selectionFields !== 'none' ? { vm_greeting: show(s.vmGreeting) } : {}),
      presence_list,
    };
  }

  /** A stored value as the PBX shows it: the selecting form of a greeting that exists, else the value as stored. */
  private render(ext: string, value: string, form: SelectionValueForm): string {
    if (value === '' || value === FOLLOW_SYSTEM) return value;
    const g = this.store.find(ext, value);
    if (!g) return value;
    return form === 'file' ? g.file : g.real_filename;
  }

  /** A value sent by a client: '' / follow_system / the selecting form of an existing greeting of `ext`. */
  private resolve(ext: string, value: unknown, form: SelectionValueForm, allowEmpty: boolean): string | undefined {
    if (typeof value !== 'string') return undefined;
    if (value === FOLLOW_SYSTEM || (allowEmpty && value === '')) return value;
    const g = this.store.list(ext).find((x) => (form === 'file' ? x.file : x.real_filename) === value);
    return g?.real_filename;
  }

  /**
   * `extension/update` for the voicemail fields. Validates everything first and changes nothing on an error.
   * A presence item is stored as sent: keys a client leaves out are gone afterwards (so a partial item loses settings).
   */
  update(ext: string, body: Record<string, unknown>, wire: VoicemailWire): Json | undefined {
    const s = this.state(ext);
    let nextDefault: string | undefined;
    if ('vm_greeting' in body && wire.selectionFields !== 'none') {
      const v = this.resolve(ext, body.vm_greeting, wire.selectionValue, false);
      if (v === undefined) return fail(40002, { invalid_param_list: [{ field: 'vm_greeting', value: String(body.vm_greeting) }] });
      nextDefault = v;
    }
    const items = this.checkPresenceList(ext, body.presence_list, wire);
    if (!items.ok) return items.error;
    if (nextDefault !== undefined) s.vmGreeting = nextDefault;
    for (const item of items.value) {
      const prev = s.presence.get(item.status) as PresenceSetting;
      s.presence.set(item.status, { other: item.other, greeting: item.greeting ?? prev.greeting });
    }
    return undefined;
  }

  private checkPresenceList(ext: string, raw: unknown, wire: VoicemailWire): Checked<{ status: PresenceStatus; other: Record<string, unknown>; greeting: string | undefined }[]> {
    if (raw === undefined) return { ok: true, value: [] };
    if (!Array.isArray(raw)) return { ok: false, error: fail(40002, { invalid_param_list: [{ field: 'presence_list', value: typeof raw }] }) };
    const out: { status: PresenceStatus; other: Record<string, unknown>; greeting: string | undefined }[] = [];
    for (const item of raw as unknown[]) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        return { ok: false, error: fail(40002, { invalid_param_list: [{ field: 'presence_list', value: JSON.stringify(item) }] }) };
      }
      const { status, vm_greeting, ...other } = item as Record<string, unknown>;
      const p = typeof status === 'string' ? unspell(status, wire.lunchSpelling) : undefined;
      if (p === undefined) return { ok: false, error: fail(40002, { invalid_param_list: [{ field: 'presence_list.status', value: String(status) }] }) };
      let greeting: string | undefined;
      if (vm_greeting !== undefined && wire.selectionFields === 'all') {
        greeting = this.resolve(ext, vm_greeting, wire.selectionValue, true);
        if (greeting === undefined) return { ok: false, error: fail(40002, { invalid_param_list: [{ field: 'presence_list.vm_greeting', value: String(vm_greeting) }] }) };
      }
      out.push({ status: p, other, greeting });
    }
    return { ok: true, value: out };
  }

  /** The slots of `ext` that select `realFilename` ('default' for vm_greeting). */
  usesOf(ext: string, realFilename: string): string[] {
    const s = this.state(ext);
    const used: string[] = [];
    if (s.vmGreeting === realFilename) used.push('default');
    for (const p of PRESENCE_STATUSES) if (s.presence.get(p)?.greeting === realFilename) used.push(p);
    return used;
  }

  /** After a delete that falls back: every slot that selected the greeting goes back to the default. */
  fallBack(ext: string, realFilename: string): void {
    const s = this.state(ext);
    if (s.vmGreeting === realFilename) s.vmGreeting = FOLLOW_SYSTEM;
    for (const setting of s.presence.values()) if (setting.greeting === realFilename) setting.greeting = '';
  }

  /** After a rename on a PBX that carries the choice over. */
  renamed(ext: string, from: string, to: string): void {
    const s = this.state(ext);
    if (s.vmGreeting === from) s.vmGreeting = to;
    for (const setting of s.presence.values()) if (setting.greeting === from) setting.greeting = to;
  }
}

/** The rename rule of `extension_vm_greeting/update`: no spaces, none of '"!:@#$%^*.&(){}[];/, or backtick, ≤ 250. */
export function validRenameTarget(file: string): boolean {
  return /^[^\s'"!:@#$%^*.&(){}[\];/,`]{1,250}$/.test(file);
}

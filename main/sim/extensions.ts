// Extension directory: deterministic generation, list/search with paging and sorting, fast at 10,000 entries.
import { PRESENCE_STATUSES, type PresenceStatus, type SeedExtension } from './types.js';

export interface OnlineStatus {
  status: number;
  ext_dev_type?: string;
  status_list?: { status: number; ip: string; user_agent?: string }[];
}

export interface Extension {
  id: number;
  number: string;
  caller_id_name: string;
  first_name: string;
  last_name: string;
  email_addr: string;
  mobile_number: string;
  presence_status: PresenceStatus;
  role_name: string;
  online: boolean;
  /** Lower-cased number + name + email, precomputed so a search is one substring scan. */
  haystack: string;
  /** Cached JSON of basicInfo(): list/search answers are concatenated from these (10,000 rows stay fast). */
  json?: Buffer;
}

export type SortKey = 'id' | 'number' | 'caller_id_name' | 'email_addr' | 'mobile_number' | 'presence_status';
export const SORT_KEYS: readonly SortKey[] = ['id', 'number', 'caller_id_name', 'email_addr', 'mobile_number', 'presence_status'];

// A few fixed names first (with non-ASCII on purpose), then first x last combinations.
const FIXED_NAMES = ['Front Desk', 'José Núñez', 'Zoë Schäfer', 'Ana Lima', 'Björn Ødegaard', 'François Lefèvre', 'Chloé Dubois',
  'Łukasz Wójcik', 'Sales Team', 'Mei Chen'];
const FIRST = ['Alice', 'Bob', 'Carla', 'David', 'Emma', 'Farid', 'Grace', 'Hugo', 'Irene', 'Jonas', 'Karin', 'Liam', 'Marta',
  'Noah', 'Olga', 'Pablo', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wen', 'Xavier', 'Yusuf', 'Zoë', 'Renée', 'Søren',
  'Íñigo', 'Mónica', 'Jürgen', 'Agnès'];
const LAST = ['Anderson', 'Baker', 'Castro', 'Dalton', 'Evans', 'Fischer', 'García', 'Hansen', 'Ito', 'Jensen', 'Kowalski',
  'López', 'Müller', 'Nakamura', 'Olsen', 'Peña', 'Quist', 'Rossi', 'Silva', 'Tanaka', 'Ulrich', 'Varga', 'Weber', 'Xu',
  'Yilmaz', 'Zimmermann', 'Brontë', 'Çelik', 'Ångström', 'Novák', 'Ó Briain', 'Šimek', 'Núñez'];
const ROLES = ['Employee', 'Employee', 'Employee', 'Supervisor', 'Operator', 'Human Resource', 'Accounting Supervisor'];

function ascii(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]+/g, '.').replace(/^\.|\.$/g, '').toLowerCase()
    .replace(/ø/g, 'o').replace(/ł/g, 'l');
}

function nameFor(i: number): string {
  if (i < FIXED_NAMES.length) return FIXED_NAMES[i] as string;
  const j = i - FIXED_NAMES.length;
  const first = FIRST[j % FIRST.length] as string;
  const last = LAST[Math.floor(j / FIRST.length) % LAST.length] as string;
  const round = Math.floor(j / (FIRST.length * LAST.length));
  return round === 0 ? `${first} ${last}` : `${first} ${last} ${round + 1}`;
}

function build(id: number, number: string, seed: Partial<SeedExtension>, i: number): Extension {
  const callerIdName = seed.caller_id_name ?? nameFor(i);
  const [first = '', ...rest] = callerIdName.split(' ');
  const email = seed.email_addr ?? (i % 7 === 6 ? '' : `${ascii(callerIdName).replace(/^\.+/, '') || 'user'}.${number}@example.com`);
  return {
    id,
    number,
    caller_id_name: callerIdName,
    first_name: first,
    last_name: rest.join(' '),
    email_addr: email,
    mobile_number: seed.mobile_number ?? (i % 3 === 0 ? `+1555${String(1_000_000 + i * 7).slice(-7)}` : ''),
    presence_status: seed.presence_status ?? (PRESENCE_STATUSES[(i * 5) % 11 % PRESENCE_STATUSES.length] as PresenceStatus),
    role_name: seed.role_name ?? (ROLES[i % ROLES.length] as string),
    online: seed.online ?? i % 4 !== 3,
    haystack: `${number}\u0000${callerIdName}\u0000${email}`.toLowerCase(),
  };
}

export function generateExtensions(spec: number | SeedExtension[], firstNumber: number): Extension[] {
  if (typeof spec === 'number') {
    return Array.from({ length: spec }, (_, i) => build(i + 1, String(firstNumber + i), {}, i));
  }
  return spec.map((s, i) => build(i + 1, s.number, s, i));
}

/** The Ext_Basicinfo shape of extension/list and extension/search. */
export function basicInfo(e: Extension): Record<string, unknown> {
  const lastOctet = (e.id % 250) + 2;
  return {
    id: e.id,
    number: e.number,
    caller_id_name: e.caller_id_name,
    online_status: {
      sip_phone: e.online
        ? { status: 1, ext_dev_type: 'sip', status_list: [{ status: 1, ip: `192.0.2.${lastOctet}`, user_agent: 'Yealink SIP-T46U 108.86.0.45' }] }
        : { status: 0, ext_dev_type: 'sip', status_list: [] },
      linkus_desktop: { status: e.id % 5 === 0 ? 1 : 0, ext_dev_type: 'linkusdesktop' },
      linkus_mobile: { status: e.id % 6 === 0 ? 1 : 0, ext_dev_type: 'linkusmobile' },
      linkus_web: { status: 0, ext_dev_type: 'linkusweb' },
    },
    presence_status: e.presence_status,
    custom_presence_status: '',
    role_name: e.role_name,
    email_addr: e.email_addr,
    mobile_number: e.mobile_number,
  };
}

/**
 * Ext_DetailInfo shape of extension/get and extension/query (fields beyond the documented head are assumptions).
 * The voicemail fields (enb_vm, vm_greeting, presence_list) come from voicemail.ts, shaped by the switches.
 */
export function detailInfo(e: Extension): Record<string, unknown> {
  return {
    id: e.id,
    type: 'SIP',
    number: e.number,
    caller_id: e.number,
    first_name: e.first_name,
    last_name: e.last_name,
    email_addr: e.email_addr,
    mobile_number: e.mobile_number,
    organization_list: [{ value: '1', text: 'Default' }],
    role_id: 1,
    title: '',
    email_language: 'default',
    user_lang: 'en',
    vm_lang: 'follow_system',
    presence_status: e.presence_status,
  };
}

/** The serialised Ext_Basicinfo, computed once per extension. */
export function basicInfoJson(e: Extension): Buffer {
  e.json ??= Buffer.from(JSON.stringify(basicInfo(e)));
  return e.json;
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

export class ExtensionDirectory {
  private readonly all: Extension[];
  private readonly byNumber = new Map<string, Extension>();
  private readonly byId = new Map<number, Extension>();
  // Sorted copies are computed once per key: sorting 10,000 names with a collator on every call would be slow.
  private readonly sorted = new Map<SortKey, Extension[]>();
  private readonly sortedDesc = new Map<SortKey, Extension[]>();

  constructor(list: Extension[]) {
    this.all = list;
    list.forEach((e, i) => {
      if (e.id !== i + 1) throw new Error('ExtensionDirectory: ids must be 1..n in list order'); // search relies on it
    });
    for (const e of list) {
      this.byNumber.set(e.number, e);
      this.byId.set(e.id, e);
    }
  }

  get size(): number {
    return this.all.length;
  }

  byNumberOf(number: string): Extension | undefined {
    return this.byNumber.get(number);
  }

  byIdOf(id: number): Extension | undefined {
    return this.byId.get(id);
  }

  ordered(sortBy: SortKey, orderBy: 'asc' | 'desc'): Extension[] {
    let asc = this.sorted.get(sortBy);
    if (!asc) {
      asc = [...this.all];
      if (sortBy === 'id') asc.sort((a, b) => a.id - b.id);
      else asc.sort((a, b) => collator.compare(a[sortBy], b[sortBy]) || a.id - b.id);
      this.sorted.set(sortBy, asc);
    }
    if (orderBy === 'asc') return asc;
    let desc = this.sortedDesc.get(sortBy);
    if (!desc) {
      desc = [...asc].reverse();
      this.sortedDesc.set(sortBy, desc);
    }
    return desc;
  }

  /** Build the sort caches and serialised rows ahead of the first request. */
  warm(): void {
    for (const key of SORT_KEYS) this.ordered(key, 'asc');
    for (const e of this.all) basicInfoJson(e);
    this.matches('warm');
  }

  /** Case-insensitive substring over number, caller_id_name and email_addr, in the requested order. */
  search(text: string, sortBy: SortKey, orderBy: 'asc' | 'desc'): Extension[] {
    const needle = text.toLowerCase();
    const base = this.ordered(sortBy, orderBy);
    if (needle === '') return base;
    const hit = this.matches(needle);
    const out: Extension[] = [];
    for (const e of base) if (hit[e.id - 1] === 1) out.push(e); // ids are 1..n in `all` order (generateExtensions)
    return out;
  }

  // One indexOf scan over all haystacks joined (with a separator no needle can span) instead of 10,000 includes().
  private joined: { text: string; starts: Int32Array } | undefined;

  private matches(needle: string): Uint8Array {
    if (!this.joined) {
      const starts = new Int32Array(this.all.length);
      let offset = 0;
      this.all.forEach((e, i) => {
        starts[i] = offset;
        offset += e.haystack.length + 1;
      });
      this.joined = { text: this.all.map((e) => e.haystack).join('\u0001'), starts };
    }
    const { text, starts } = this.joined;
    const hit = new Uint8Array(this.all.length);
    if (needle.includes('\u0001')) return hit;
    let from = 0;
    let record = 0;
    for (;;) {
      const at = text.indexOf(needle, from);
      if (at < 0) break;
      // Advance to the record containing `at` (starts is increasing), mark it, continue after it.
      while (record + 1 < starts.length && (starts[record + 1] as number) <= at) record++;
      hit[record] = 1;
      if (record + 1 >= starts.length) break;
      from = starts[record + 1] as number;
    }
    return hit;
  }
}

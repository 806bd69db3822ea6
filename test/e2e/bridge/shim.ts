// Browser half of the test bridge: defines window.vmgs with the shape of the preload's contextBridge API (one
// function per channel of the shared map + on(event, listener)), forwarding calls with fetch and delivering
// main -> page events from an EventSource. Playwright serialises these functions into the page
// (page.addInitScript(fn, arg)), so they must be self-contained: no imports, no outer variables.
import { CHANNEL_NAMES, EVENT_NAMES } from '../../../main/ipc/channels.js';
import { BRIDGE_PREFIX } from './server.js';

export interface ShimConfig {
  /** Same-origin path prefix of the bridge, e.g. '/__vmgs'. */
  prefix: string;
  channels: readonly string[];
  events: readonly string[];
}

/** The shim's config, derived from the shared channel map so it cannot drift from the preload. */
export function shimConfig(): ShimConfig {
  return { prefix: BRIDGE_PREFIX, channels: [...CHANNEL_NAMES], events: [...EVENT_NAMES] };
}

// Minimal typings of the browser globals used below (the project's tsconfig has no DOM lib).
interface FetchResponseLike {
  ok: boolean;
  status: number;
  text(): Promise<string>;
}
interface EventSourceLike {
  onmessage: ((m: { data: string }) => void) | null;
}
interface Uint8ArrayStatics {
  fromBase64?: (s: string) => Uint8Array;
}
interface BrowserGlobals {
  crypto: { randomUUID(): string };
  fetch(url: string, init: { method: string; headers: Record<string, string>; body: string }): Promise<FetchResponseLike>;
  EventSource: new (url: string) => EventSourceLike;
  btoa(s: string): string;
  atob(s: string): string;
}

/** Runs in the page before the app's scripts. */
export function installVmgsShim(cfg: ShimConfig): void {
  const g = globalThis as unknown as BrowserGlobals;
  const clientId = g.crypto.randomUUID();
  const U8 = Uint8Array as unknown as Uint8ArrayStatics;

  const toB64 = (u8: Uint8Array): string => {
    const native = (u8 as unknown as { toBase64?: () => string }).toBase64;
    if (typeof native === 'function') return native.call(u8);
    let s = '';
    for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode(...u8.subarray(i, i + 0x8000));
    return g.btoa(s);
  };
  const fromB64 = (s: string): Uint8Array => {
    if (typeof U8.fromBase64 === 'function') return U8.fromBase64(s);
    const bin = g.atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  };
  const encode = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? { $bytes: toB64(x) } : x));
  const decode = (t: string): unknown =>
    JSON.parse(t, (_k, x: unknown) => {
      if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
        const rec = x as Record<string, unknown>;
        const b = rec['$bytes'];
        if (typeof b === 'string' && Object.keys(rec).length === 1) return fromB64(b);
      }
      return x;
    });

  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const source = new g.EventSource(`${cfg.prefix}/events?client=${encodeURIComponent(clientId)}`);
  source.onmessage = (m) => {
    const msg = decode(m.data) as { event: string; payload: unknown };
    for (const l of [...(listeners.get(msg.event) ?? [])]) l(msg.payload);
  };

  const api: Record<string, unknown> = {};
  for (const name of cfg.channels) {
    api[name] = async (request: unknown) => {
      const r = await g.fetch(`${cfg.prefix}/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-vmgs-client': clientId },
        body: encode(request),
      });
      if (!r.ok) return { ok: false, error: { code: 'BRIDGE_HTTP', kind: 'internal', message: `The test bridge answered HTTP ${r.status}.` } };
      return decode(await r.text());
    };
  }
  api['on'] = (event: string, listener: (payload: unknown) => void) => {
    if (!cfg.events.includes(event) || typeof listener !== 'function') throw new Error(`Unknown event ${String(event)}`);
    const wrapped = (payload: unknown) => listener(payload);
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  };
  // contextBridge exposes a frozen, non-replaceable object; so does the shim.
  Object.defineProperty(globalThis, 'vmgs', { value: Object.freeze(api), writable: false, configurable: false, enumerable: true });
}

export interface ProbeState {
  /** Trusted click events (real pointer clicks, or Enter/Space on a button) since the last reset. */
  clicks: number;
  clickTargets: string[];
}

/** Test probe: counts trusted clicks. Runs in the page. (What plays is visible in the page's own <audio> elements.) */
export function installTestProbes(): void {
  type El = { tagName?: string; textContent?: string | null; getAttribute?: (n: string) => string | null };
  const state: ProbeState = { clicks: 0, clickTargets: [] };
  Object.defineProperty(globalThis, '__vmgsProbe', { value: state, enumerable: false });
  const doc = (globalThis as unknown as { document: { addEventListener(t: string, f: (e: { isTrusted: boolean; target: unknown }) => void, c: boolean): void } }).document;
  doc.addEventListener('click', (e) => {
    if (!e.isTrusted) return;
    state.clicks += 1;
    const t = e.target as El | null;
    const label = t?.getAttribute?.('data-testid') ?? (t?.textContent ?? '').trim().slice(0, 40);
    state.clickTargets.push(`${t?.tagName ?? '?'}:${label}`);
  }, true);
}

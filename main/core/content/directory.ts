// Where a personalised batch gets `{name}` for each extension: a port, so the live PBX directory and the cached one
// the app keeps for offline work fit the same way. The live source pages extension/list.
import { isVmgsError } from '../errors.js';
import { ContentError } from './errors.js';

export interface DirectoryEntry {
  number: string;
  /** The caller ID name the PBX shows ("Ana Lima", "Sales Team"); '' when the PBX has none. */
  callerIdName: string;
}

export interface DirectorySnapshot {
  source: 'live' | 'cache';
  /** When a cached directory was fetched (ISO); null for a live answer. */
  fetchedAt: string | null;
  entries: ReadonlyMap<string, DirectoryEntry>;
}

export interface DirectorySource {
  snapshot(signal?: AbortSignal): Promise<DirectorySnapshot>;
}

/** The part of PbxClient a live directory needs. */
export interface ExtensionLister {
  listExtensions(opts: { page: number; pageSize: number }): Promise<{ total: number; items: readonly DirectoryEntry[] }>;
}

const PAGE_SIZE = 1000;

export function liveDirectory(lister: ExtensionLister): DirectorySource {
  return {
    async snapshot(signal) {
      const entries = new Map<string, DirectoryEntry>();
      for (let page = 1; page <= 1000; page += 1) {
        signal?.throwIfAborted();
        const res = await lister.listExtensions({ page, pageSize: PAGE_SIZE });
        for (const e of res.items) entries.set(e.number, { number: e.number, callerIdName: e.callerIdName });
        if (res.items.length < PAGE_SIZE || entries.size >= res.total) break;
      }
      return { source: 'live', fetchedAt: null, entries };
    },
  };
}

/** A directory given as data (the app's cache, a test). */
export function fixedDirectory(entries: readonly DirectoryEntry[], fetchedAt: string | null = null): DirectorySource {
  const map = new Map(entries.map((e) => [e.number, e]));
  return { snapshot: () => Promise.resolve({ source: 'cache', fetchedAt, entries: map }) };
}

/**
 * The app's offline copy of a PBX's directory (main/core/library's DirectoryCache: one file per PBX under
 * <dataDir>/directory/), as far as a personalised batch needs it.
 */
export interface DirectoryCacheReader {
  read(pbx: { origin: string; clientId: string }): Promise<{ fetchedAt: string; extensions: readonly DirectoryEntry[] } | null | undefined>;
}

export function cachedDirectory(cache: DirectoryCacheReader, pbx: { origin: string; clientId: string }): DirectorySource {
  return {
    async snapshot() {
      const hit = await cache.read(pbx);
      if (!hit) {
        throw new ContentError('network', 'PERSONAL_NO_DIRECTORY', `The PBX at ${pbx.origin} cannot be reached and no copy of its directory is kept here. Connect once (the app keeps the directory for offline use), then try again.`);
      }
      return { source: 'cache', fetchedAt: hit.fetchedAt, entries: new Map(hit.extensions.map((e) => [e.number, { number: e.number, callerIdName: e.callerIdName }])) };
    },
  };
}

/** True for "the PBX cannot be reached now" (as opposed to "it answered no"). */
export function isOfflineError(err: unknown): boolean {
  if (!isVmgsError(err)) return false;
  return err.kind === 'network' || err.name === 'PbxNetworkError' || err.name === 'PbxTimeoutError';
}

/** Live when the PBX answers; the cached directory when it cannot be reached (any other error is passed on). */
export function liveOrCached(live: DirectorySource, cached: DirectorySource): DirectorySource {
  return {
    async snapshot(signal) {
      try {
        return await live.snapshot(signal);
      } catch (err) {
        if (!isOfflineError(err)) throw err;
        return cached.snapshot(signal);
      }
    },
  };
}

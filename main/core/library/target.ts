// Where an upload lands when its name is taken, and whether a name already holds exactly our bytes. One rule for the
// queue worker, the dry run and anything else that renames: the n-th "keep both" name is keepBothName(name, n) from
// main/core/domain.ts, and a name that already holds these very bytes is the answer (unchanged), not a reason to
// pick yet another name.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keepBothName } from '../domain.js';
import { VmgsError } from '../errors.js';
import { hashFile } from './atomic.js';
import { LibraryError } from './errors.js';
import type { GreetingTransport } from './types.js';

/** Highest n tried for keepBothName(name, n): past that, the extension is cluttered enough for a person to look. */
export const MAX_KEEP_BOTH = 99;

export interface NameChecks {
  exists(name: string): Promise<boolean>;
  /** Optional: true when `name` holds exactly the bytes we would send (checked only for names that exist). */
  holdsOurs?(name: string): Promise<boolean>;
}

/**
 * The first keep-both name (n = 2, 3, …) that is free, or, when `holdsOurs` is given, the first existing one that
 * already holds our bytes (`unchanged: true`).
 */
export async function keepBothTarget(ext: string, fileName: string, checks: NameChecks, signal?: AbortSignal): Promise<{ name: string; unchanged: boolean }> {
  for (let n = 2; n <= MAX_KEEP_BOTH; n += 1) {
    signal?.throwIfAborted();
    const candidate = keepBothName(fileName, n);
    if (!(await checks.exists(candidate))) return { name: candidate, unchanged: false };
    if (checks.holdsOurs && (await checks.holdsOurs(candidate))) return { name: candidate, unchanged: true };
  }
  throw new LibraryError('exists', 'QUEUE_NO_FREE_NAME', `Extension ${ext} has no free name like ${keepBothName(fileName, MAX_KEEP_BOTH)} (tried up to ${MAX_KEEP_BOTH} copies). Delete old greetings or choose another name.`);
}

/**
 * Downloads `fileName` of `ext` into a fresh folder under `workDir` (default the system temp folder) and compares
 * its sha256 with ours. Only called for names the PBX says exist, so a first upload costs no download.
 * A download that cannot succeed by waiting (no permission to download, the greeting vanished) means "not known to
 * be ours": the caller applies its policy as it would without the check. Errors that can heal are thrown (retry).
 */
export async function holdsBytes(
  t: Pick<GreetingTransport, 'downloadGreeting'>,
  ext: string,
  fileName: string,
  sha256: string,
  opts: { workDir?: string; signal?: AbortSignal } = {},
): Promise<boolean> {
  opts.signal?.throwIfAborted();
  const root = opts.workDir ?? os.tmpdir();
  await fs.mkdir(root, { recursive: true });
  const dir = await fs.mkdtemp(path.join(root, 'verify-'));
  try {
    const dest = path.join(dir, path.basename(fileName));
    try {
      await t.downloadGreeting(ext, fileName, dest);
    } catch (err) {
      if (opts.signal?.aborted || (err instanceof VmgsError && (err.retryable || err.kind === 'cancelled'))) throw err;
      return false;
    }
    return (await hashFile(dest)).sha256 === sha256;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

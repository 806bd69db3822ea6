import { withRetry, type RetryOptions } from './backoff.js';
import type { ExtensionDirectory } from './types.js';

/**
 * All extension numbers on the PBX (paged), for rejecting unknown extensions in a batch. Each page read gets the
 * queue's retry and backoff, so one 503 or a reset does not abort the batch before it starts.
 */
export async function knownExtensionNumbers(dir: ExtensionDirectory, pageSize = 100, retry: RetryOptions = {}): Promise<Set<string>> {
  const out = new Set<string>();
  for (let page = 1; page < 10_000; page += 1) {
    const res = await withRetry(() => dir.listExtensions({ page, pageSize }), retry);
    for (const e of res.items) out.add(e.number);
    if (res.items.length === 0 || out.size >= res.total) break;
  }
  return out;
}

import type { ExtensionDirectory } from './types.js';

/** All extension numbers on the PBX (paged), for rejecting unknown extensions in a batch. */
export async function knownExtensionNumbers(dir: ExtensionDirectory, pageSize = 100): Promise<Set<string>> {
  const out = new Set<string>();
  for (let page = 1; page < 10_000; page += 1) {
    const res = await dir.listExtensions({ page, pageSize });
    for (const e of res.items) out.add(e.number);
    if (res.items.length === 0 || out.size >= res.total) break;
  }
  return out;
}

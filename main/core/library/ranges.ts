// Extension selections typed by people: "3200-3299", "3200,3205,3300-3310".
import { LibraryError } from './errors.js';

export const MAX_EXTENSIONS_PER_SPEC = 10_000;

/** Expands a list of numbers and ranges into extension numbers (input order, duplicates dropped). */
export function parseExtensionList(spec: string): string[] {
  const parts = spec.split(',').map((p) => p.trim());
  if (spec.trim() === '' || parts.some((p) => p === '')) {
    throw rangeError(spec, 'it is empty or has an empty item between commas');
  }
  const out = new Set<string>();
  for (const part of parts) {
    const m = /^(\d{1,12})(?:\s*-\s*(\d{1,12}))?$/.exec(part);
    if (!m) throw rangeError(part, 'use extension numbers (digits) or ranges like 3200-3299');
    const startText = m[1] ?? '';
    const endText = m[2];
    if (endText === undefined) {
      out.add(startText);
      continue;
    }
    const start = Number(startText);
    const end = Number(endText);
    if (end < start) throw rangeError(part, `the range runs backwards; write ${endText}-${startText}`);
    if (startText.length !== endText.length && (startText.startsWith('0') || endText.startsWith('0'))) {
      throw rangeError(part, 'both ends of a range with leading zeros need the same number of digits');
    }
    if (end - start + 1 + out.size > MAX_EXTENSIONS_PER_SPEC) throw rangeError(part, `more than ${MAX_EXTENSIONS_PER_SPEC} extensions`);
    for (let n = start; n <= end; n += 1) out.add(String(n).padStart(startText.length, '0'));
  }
  return [...out];
}

function rangeError(part: string, why: string): LibraryError {
  return new LibraryError('input', 'BATCH_BAD_RANGE', `"${part}" is not a valid extension list: ${why}.`, { detail: { part } });
}

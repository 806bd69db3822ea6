// Extension selections typed by people: "3200-3299", "3200,3205,3300-3310". The rule itself is the domain's
// (parseExtensionRanges, shared with the app's picker); this wraps it in the library's error.
import { extensionListProblem, MAX_EXTENSIONS_PER_SPEC, parseExtensionRanges } from '../domain.js';
import { LibraryError } from './errors.js';

export { MAX_EXTENSIONS_PER_SPEC };

/** Expands a list of numbers and ranges into extension numbers (input order, duplicates dropped). */
export function parseExtensionList(spec: string): string[] {
  const r = parseExtensionRanges(spec);
  if (r.ok) return r.extensions;
  throw new LibraryError('input', 'BATCH_BAD_RANGE', extensionListProblem(r), { detail: { part: r.part } });
}

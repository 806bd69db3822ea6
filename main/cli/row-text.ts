// One way to say which row a per-row message is about (batch, greetings use, tts --ext), without saying the
// extension twice when the message already starts with it ("extension 3250: Extension 3250 does not exist …").

/** `line 5: extension 3200: MESSAGE`, leaving out what MESSAGE already says (its own "line N:" or "Extension N"). */
export function rowProblem(where: { ext?: string | undefined; line?: number | undefined }, message: string): string {
  if (/^line \d+:/i.test(message)) return message;
  const ext = where.ext !== undefined && where.ext !== '' ? where.ext : undefined;
  const namesExt = ext !== undefined && new RegExp(`^extension ${ext}(?![0-9])`, 'i').test(message);
  const parts = [where.line !== undefined ? `line ${where.line}` : undefined, ext !== undefined && !namesExt ? `extension ${ext}` : undefined].filter(Boolean);
  return parts.length > 0 ? `${parts.join(': ')}: ${message}` : message;
}

/** `3200,3201,3202,3250` → `3200-3202, 3250`: extension numbers as the shortest list of ranges (same digit count). */
export function compactExtensions(exts: readonly string[]): string {
  const sorted = [...new Set(exts)].sort((a, b) => a.length - b.length || Number(a) - Number(b));
  const out: string[] = [];
  let start: string | undefined;
  let prev: string | undefined;
  const close = (): void => {
    if (start === undefined || prev === undefined) return;
    out.push(start === prev ? start : `${start}-${prev}`);
  };
  for (const e of sorted) {
    if (prev !== undefined && e.length === prev.length && Number(e) === Number(prev) + 1) {
      prev = e;
      continue;
    }
    close();
    start = e;
    prev = e;
  }
  close();
  return out.join(', ');
}

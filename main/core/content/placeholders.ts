// Placeholders in greeting scripts: `{name}`, `{extension}`, `{company}`, `{back_date}`. A placeholder that is
// unknown, unfilled or a stray brace is reported, never spoken: a text-to-speech engine would otherwise read
// "left brace company right brace" to every caller.

export const PLACEHOLDERS = ['name', 'extension', 'company', 'back_date'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Partial<Record<Placeholder, string>>;

export const PLACEHOLDER_HELP: Readonly<Record<Placeholder, string>> = {
  name: "the person's or team's name (the extension's caller ID name on the PBX)",
  extension: 'the extension number (spoken digit by digit)',
  company: 'the company name',
  back_date: 'the return date of a vacation (2025-01-06 is spoken as "Monday, January 6, 2025")',
};

export interface TextProblem {
  kind: 'unknown-placeholder' | 'unfilled-placeholder' | 'stray-brace';
  /** The text as written, e.g. `{Name}` or `{`. */
  token: string;
  message: string;
}

export function isPlaceholder(value: string): value is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(value);
}

type Piece = { text: string } | { placeholder: Placeholder; token: string } | { problem: TextProblem };

const TOKEN = /\{([^{}\n]{0,40})\}|[{}]/g;

function parse(text: string): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index;
    if (at > last) pieces.push({ text: text.slice(last, at) });
    last = at + m[0].length;
    const inner = m[1];
    if (inner === undefined) {
      pieces.push({ problem: { kind: 'stray-brace', token: m[0], message: `A lone "${m[0]}" would be read out: remove it, or write a placeholder such as {name}.` } });
      continue;
    }
    const key = inner.trim();
    if (isPlaceholder(key)) {
      pieces.push({ placeholder: key, token: m[0] });
      continue;
    }
    const near = PLACEHOLDERS.find((p) => p === key.toLowerCase().replace(/[\s-]+/g, '_'));
    pieces.push({
      problem: {
        kind: 'unknown-placeholder',
        token: m[0],
        message: `${m[0]} is not a placeholder${near ? ` (did you mean {${near}}?)` : ''}: use ${PLACEHOLDERS.map((p) => `{${p}}`).join(', ')}.`,
      },
    });
  }
  if (last < text.length) pieces.push({ text: text.slice(last) });
  return pieces;
}

/** The placeholders a script uses (in order of first use) and its syntax problems (unknown names, stray braces). */
export function scanScript(text: string): { used: Placeholder[]; problems: TextProblem[] } {
  const used: Placeholder[] = [];
  const problems: TextProblem[] = [];
  for (const p of parse(text)) {
    if ('placeholder' in p && !used.includes(p.placeholder)) used.push(p.placeholder);
    if ('problem' in p) problems.push(p.problem);
  }
  return { used, problems };
}

export interface FilledScript {
  /** What the greeting says, as people read it (stored with the draft, shown in lists). */
  script: string;
  /** What the engine is given: the same words, extension numbers spaced so they are read digit by digit. */
  spoken: string;
  used: Placeholder[];
  /** Empty when the script can be spoken. */
  problems: TextProblem[];
}

/** Control characters and runs of whitespace out: a caller ID name must not break a script's lines. */
export function cleanValue(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/** "3200" → "3 2 0 0": engines read a bare number as "three thousand two hundred". */
export function spokenDigits(value: string): string {
  return value.replace(/\d{2,}/g, (d) => d.split('').join(' '));
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An ISO date (2025-01-06) in words ("Monday, January 6, 2025"); any other text as given. */
export function backDateWords(value: string): string {
  const m = ISO_DATE.exec(value.trim());
  if (!m) return value;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.getUTCMonth() !== Number(m[2]) - 1) return value;
  return new Intl.DateTimeFormat('en-US', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }).format(d);
}

/** Fills every placeholder; each one left unfilled (missing or empty value) is reported, with its syntax problems. */
export function fillScript(text: string, values: PlaceholderValues): FilledScript {
  const problems: TextProblem[] = [];
  const used: Placeholder[] = [];
  let script = '';
  let spoken = '';
  for (const p of parse(text)) {
    if ('text' in p) {
      script += p.text;
      spoken += p.text;
    } else if ('problem' in p) {
      problems.push(p.problem);
      script += p.problem.token;
    } else {
      if (!used.includes(p.placeholder)) used.push(p.placeholder);
      const raw = values[p.placeholder];
      const value = raw === undefined ? '' : cleanValue(p.placeholder === 'back_date' ? backDateWords(raw) : raw);
      if (value === '') {
        if (!problems.some((x) => x.token === p.token && x.kind === 'unfilled-placeholder')) {
          problems.push({ kind: 'unfilled-placeholder', token: p.token, message: `${p.token} has no value (${PLACEHOLDER_HELP[p.placeholder]}).` });
        }
        script += p.token;
        continue;
      }
      script += value;
      spoken += p.placeholder === 'extension' ? spokenDigits(value) : value;
    }
  }
  return { script: script.replace(/\s+/g, ' ').trim(), spoken: spoken.replace(/\s+/g, ' ').trim(), used, problems };
}

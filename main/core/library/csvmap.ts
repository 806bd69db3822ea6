// CSV mapping of many files to many extensions: header `extension,file[,name]`. Every problem is reported per row
// (with its line number) so the good rows can proceed; `allOrNothing` turns any error into "nothing runs".
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { greetingNameProblem } from '../domain.js';
import { showValue } from '../errors.js';
import { LibraryError } from './errors.js';
import type { ProbeFn } from './types.js';

export interface CsvRow {
  line: number;
  extension: string;
  /** Absolute path (relative paths are resolved against the CSV's folder). */
  file: string;
  name?: string;
}

export interface CsvRowError {
  line: number;
  code: 'CSV_MISSING_VALUE' | 'CSV_BAD_EXTENSION' | 'CSV_UNKNOWN_EXTENSION' | 'CSV_DUPLICATE_ROW' | 'CSV_CONFLICTING_ROW' | 'CSV_FILE_NOT_FOUND' | 'CSV_NOT_AUDIO' | 'CSV_BAD_NAME' | 'CSV_BAD_ROW';
  message: string;
  extension?: string;
}

export interface CsvMapping {
  rows: CsvRow[];
  errors: CsvRowError[];
}

export interface CsvCheckOptions {
  /** Folder relative file paths are resolved against (default: the CSV's folder, else the cwd). */
  baseDir?: string;
  /** Extension numbers that exist on the PBX; rows for others are errors. Omit to skip the check. */
  knownExtensions?: ReadonlySet<string>;
  /** Audio probe (probeAudio); a file it rejects, or one without an audio stream, is an error. */
  probe?: ProbeFn;
  /** Any row error → no rows at all. */
  allOrNothing?: boolean;
}

export async function readCsvMapping(csvPath: string, opts: Omit<CsvCheckOptions, 'baseDir'> & { baseDir?: string } = {}): Promise<CsvMapping> {
  let text: string;
  try {
    text = await fs.readFile(csvPath, 'utf8');
  } catch (cause) {
    throw new LibraryError('input', 'BATCH_CSV_UNREADABLE', `Cannot read the CSV file ${csvPath}. Check the path.`, { cause });
  }
  return parseCsvMapping(text, { ...opts, baseDir: opts.baseDir ?? path.dirname(path.resolve(csvPath)) });
}

export async function parseCsvMapping(text: string, opts: CsvCheckOptions = {}): Promise<CsvMapping> {
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    parsed = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true, trim: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (cause) {
    throw new LibraryError('input', 'BATCH_CSV_INVALID', `The CSV file cannot be parsed: ${parseProblem(cause)}. Check the quotes on that line.`, { cause });
  }
  const records = parsed.map((p) => p.record);
  const header = records[0]?.map((h) => h.trim().toLowerCase());
  if (!header) throw new LibraryError('input', 'BATCH_CSV_EMPTY', 'The CSV file is empty. It needs a header row "extension,file[,name]" and one row per upload.');
  const extCol = header.indexOf('extension');
  const fileCol = header.indexOf('file');
  const nameCol = header.indexOf('name');
  if (extCol < 0 || fileCol < 0) {
    const missing = [extCol < 0 ? 'extension' : null, fileCol < 0 ? 'file' : null].filter(Boolean).join(' and ');
    throw new LibraryError('input', 'BATCH_CSV_HEADER', `The CSV header lacks the ${missing} column. The first row must be "extension,file" or "extension,file,name" (found ${showValue(records[0]?.join(',') ?? '', 80)}).`);
  }
  const baseDir = opts.baseDir ?? process.cwd();
  const rows: CsvRow[] = [];
  const errors: CsvRowError[] = [];
  const seen = new Map<string, { line: number; file: string }>();
  for (let i = 1; i < records.length; i += 1) {
    // csv-parse counts physical lines (blank lines and CRLF included), so messages point at the right line.
    const line = parsed[i]?.info.lines ?? i + 1;
    const rec = records[i] ?? [];
    const ext = (rec[extCol] ?? '').trim();
    const fileText = (rec[fileCol] ?? '').trim();
    const name = nameCol >= 0 ? (rec[nameCol] ?? '').trim() : '';
    if (ext === '' || fileText === '') {
      errors.push({ line, code: 'CSV_MISSING_VALUE', message: `line ${line}: ${ext === '' ? 'the extension' : 'the file'} is missing.`, ...(ext ? { extension: ext } : {}) });
      continue;
    }
    if (!/^\d{1,12}$/.test(ext)) {
      errors.push({ line, code: 'CSV_BAD_EXTENSION', message: `line ${line}: ${showValue(ext)} is not an extension number (digits only).`, extension: ext });
      continue;
    }
    // The same name rule as --name and the app's field: refused with the line, never silently rewritten.
    const nameProblem = name !== '' ? greetingNameProblem(name) : null;
    if (nameProblem !== null) {
      errors.push({ line, code: 'CSV_BAD_NAME', message: `line ${line}: the name ${showValue(name)} is not allowed. ${nameProblem}`, extension: ext });
      continue;
    }
    if (opts.knownExtensions && !opts.knownExtensions.has(ext)) {
      errors.push({ line, code: 'CSV_UNKNOWN_EXTENSION', message: `line ${line}: extension ${ext} does not exist on this PBX.`, extension: ext });
      continue;
    }
    const file = path.resolve(baseDir, fileText);
    const prior = seen.get(ext);
    if (prior) {
      errors.push(
        prior.file === file
          ? { line, code: 'CSV_DUPLICATE_ROW', message: `line ${line}: duplicate of line ${prior.line} (extension ${ext}, same file); ignored.`, extension: ext }
          : { line, code: 'CSV_CONFLICTING_ROW', message: `line ${line}: extension ${ext} is already mapped to another file on line ${prior.line}.`, extension: ext },
      );
      continue;
    }
    seen.set(ext, { line, file });
    const stat = await fs.stat(file).catch(() => null);
    if (!stat?.isFile()) {
      errors.push({ line, code: 'CSV_FILE_NOT_FOUND', message: `line ${line}: the file ${showValue(fileText)} does not exist.`, extension: ext });
      continue;
    }
    if (!/\.(wav|mp3|gsm)$/i.test(file)) {
      errors.push({ line, code: 'CSV_NOT_AUDIO', message: `line ${line}: ${showValue(fileText)} is not a .wav, .mp3 or .gsm file; render it to a PBX format first.`, extension: ext });
      continue;
    }
    if (opts.probe) {
      const probe = opts.probe;
      const ok = await probe(file).then(
        (p) => p.channels > 0 && p.durationSec > 0,
        () => false,
      );
      if (!ok) {
        errors.push({ line, code: 'CSV_NOT_AUDIO', message: `line ${line}: ${showValue(fileText)} is not an audio file.`, extension: ext });
        continue;
      }
    } else if (stat.size === 0) {
      errors.push({ line, code: 'CSV_NOT_AUDIO', message: `line ${line}: ${showValue(fileText)} is empty.`, extension: ext });
      continue;
    }
    rows.push({ line, extension: ext, file, ...(name ? { name } : {}) });
  }
  if (opts.allOrNothing && errors.length > 0) return { rows: [], errors };
  return { rows, errors };
}

/** csv-parse's message, with the offending value cut the way every other message cuts values (it quotes it whole). */
function parseProblem(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  const cut = text.replace(/(value is )"([\s\S]*)"$/, (_m, lead: string, value: string) => `${lead}${showValue(value)}`);
  return cut.length > 300 ? `${cut.slice(0, 300)}…` : cut;
}

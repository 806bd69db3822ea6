// vmgreet greetings use NAME --ext 3200-3299 --when away,dnd|all|default [--dry-run]
// vmgreet greetings use --csv MAP.csv [--when …] [--dry-run]          (header: extension,name[,when])
// vmgreet greetings reset --ext 3200-3299 --when …  [--dry-run]        (back to the default)
// Chooses which greeting plays per presence status on many extensions: each extension is read, written back in the
// shape read (only the greeting fields changed) and read again; results per extension, exit code as for `batch`.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import type { ErrorKind } from '../../core/errors.js';
import { isVmgsError } from '../../core/errors.js';
import type { Greeting, SelectionSlot } from '../../core/domain.js';
import type { PbxClient, SelectionRead } from '../../core/pbx/index.js';
import { parseExt, parseExtRange, parseGreetingFile, showValue } from '../args.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type RunState } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { EXIT, exitCodeForKind } from '../exit-codes.js';
import { WHEN_HELP, parseWhen, slotLabels } from '../selection.js';
import { renderTable } from '../table.js';

interface Flags extends ConnectionFlags {
  ext?: string;
  csv?: string;
  when?: string;
  dryRun?: boolean;
}

interface Row {
  line?: number;
  ext: string;
  /** The greeting to choose; undefined = back to the default. */
  name: string | undefined;
  slots: SelectionSlot[];
}

export interface UseResult {
  line?: number;
  ext: string;
  name: string | null;
  slots: SelectionSlot[];
  result: 'changed' | 'unchanged' | 'would-change' | 'would-keep' | 'error';
  /** Raw values before, and after (read back) or planned (dry run). */
  before: Partial<Record<SelectionSlot, string>>;
  after: Partial<Record<SelectionSlot, string>>;
  error?: { code: string; kind: ErrorKind; message: string };
}

/**
 * 0 when every row succeeded; otherwise the worst problem, as for `batch`: 4 network/TLS, 3 PBX refused or not
 * supported, 2 only bad rows (unknown extension or greeting).
 */
export function useExit(results: readonly UseResult[]): number {
  const codes = results.filter((r) => r.error).map((r) => exitCodeForKind(r.error!.kind));
  if (codes.length === 0) return EXIT.ok;
  if (codes.includes(EXIT.network)) return EXIT.network;
  if (codes.includes(EXIT.pbx)) return EXIT.pbx;
  return Math.max(...codes);
}

function asError(err: unknown): NonNullable<UseResult['error']> {
  if (isVmgsError(err)) return { code: err.code, kind: err.kind, message: err.message };
  return { code: 'CLI_INTERNAL', kind: 'internal', message: err instanceof Error ? err.message : String(err) };
}

async function readCsv(file: string, defaultWhen: SelectionSlot[] | undefined): Promise<{ rows: Row[]; errors: UseResult[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new InputError(`Cannot read the CSV ${showValue(file)}: check the path.`, 'CLI_CSV_UNREADABLE', { cause });
  }
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()), skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (cause) {
    throw new InputError(`${showValue(file)} is not a readable CSV: ${cause instanceof Error ? cause.message.slice(0, 200) : String(cause)}`, 'CLI_CSV_BAD', { cause });
  }
  const first = records[0];
  if (first === undefined || !('extension' in first) || !('name' in first)) {
    throw new InputError(`${showValue(file)} needs a header row with the columns extension,name (and optionally when).`, 'CLI_CSV_HEADER');
  }
  const rows: Row[] = [];
  const errors: UseResult[] = [];
  records.forEach((r, i) => {
    const line = i + 2;
    const ext = r.extension ?? '';
    try {
      const when = r.when !== undefined && r.when !== '' ? parseWhen(r.when.replace(/;/g, ','), 'when') : defaultWhen;
      if (when === undefined) throw new UsageError(`line ${line}: no "when" column value and no --when.`, 'CLI_BAD_WHEN');
      rows.push({ line, ext: parseExt(ext), name: parseGreetingFile(r.name ?? ''), slots: when });
    } catch (err) {
      // A bad cell is a bad row (exit 2 like `batch`), not a bad command line.
      errors.push({ line, ext, name: r.name ?? null, slots: [], result: 'error', before: {}, after: {}, error: { ...asError(err), kind: 'input' } });
    }
  });
  return { rows, errors };
}

async function runRows(client: PbxClient, rows: readonly Row[], dryRun: boolean): Promise<UseResult[]> {
  const pbx = await import('../../core/pbx/index.js');
  const reads = await pbx.readSelections(client, [...new Set(rows.map((r) => r.ext))]);
  const byExt = new Map<string, Row[]>();
  for (const r of rows) byExt.set(r.ext, [...(byExt.get(r.ext) ?? []), r]);
  const results = new Map<Row, UseResult>();

  const one = async (row: Row, read: SelectionRead | undefined, greetings: Greeting[]): Promise<UseResult> => {
    const base = { ...(row.line !== undefined ? { line: row.line } : {}), ext: row.ext, name: row.name ?? null, slots: row.slots };
    const choice = row.name === undefined ? ({ kind: 'reset' } as const) : ({ kind: 'greeting', greeting: pbx.findGreeting(greetings, row.ext, row.name) } as const);
    if (dryRun) {
      const r = read ?? (await pbx.readSelection(client, row.ext));
      pbx.requireSlots(r, row.slots);
      const before: UseResult['before'] = {};
      const after: UseResult['after'] = {};
      let change = false;
      for (const s of row.slots) {
        const cur = r.values[s] ?? '';
        before[s] = cur;
        const keep = choice.kind === 'reset' ? (s === 'default' ? cur === 'follow_system' || cur === '' : cur === '') : cur === choice.greeting.file || cur === choice.greeting.realFilename;
        const planned = choice.kind === 'reset' ? (s === 'default' ? 'follow_system' : '') : choice.greeting.realFilename;
        after[s] = keep ? cur : planned;
        if (!keep) change = true;
      }
      return { ...base, result: change ? 'would-change' : 'would-keep', before, after };
    }
    const res = await pbx.chooseGreeting(client, row.ext, row.slots, choice, { ...(read ? { read } : {}), greetings });
    return { ...base, result: res.unchanged ? 'unchanged' : 'changed', before: res.before, after: res.after };
  };

  // Rows of one extension run in order, each on a fresh read (a second row must not write back the first's old state).
  const groups = [...byExt.entries()];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const g = groups[next++];
      if (!g) return;
      const [ext, extRows] = g;
      const read = reads.get(ext);
      let greetings: Greeting[] | undefined;
      for (const [i, row] of extRows.entries()) {
        try {
          if (read instanceof Error) throw read;
          greetings ??= await client.listGreetings(ext);
          results.set(row, await one(row, i === 0 || dryRun ? read : undefined, greetings));
        } catch (err) {
          results.set(row, { ...(row.line !== undefined ? { line: row.line } : {}), ext, name: row.name ?? null, slots: row.slots, result: 'error', before: {}, after: {}, error: asError(err) });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, groups.length) }, worker));
  return rows.map((r) => results.get(r)!);
}

const RESULT_TEXT: Record<UseResult['result'], string> = {
  changed: 'changed',
  unchanged: 'already so',
  'would-change': 'would change',
  'would-keep': 'already so',
  error: 'error',
};

function show(value: string | undefined): string {
  if (value === undefined) return '?';
  if (value === '') return '(extension default)';
  if (value === 'follow_system') return '(system greeting)';
  return value;
}

function resultTable(results: readonly UseResult[]): string {
  return renderTable(results, [
    { header: 'EXT', value: (r) => r.ext, align: 'right' },
    { header: 'STATUSES', value: (r) => slotLabels(r.slots) },
    { header: 'GREETING', value: (r) => (r.name === null ? '(default)' : r.name) },
    { header: 'RESULT', value: (r) => RESULT_TEXT[r.result] },
    {
      header: 'DETAIL',
      value: (r) => r.error?.message ?? (r.result === 'changed' || r.result === 'would-change' ? r.slots.filter((s) => r.before[s] !== r.after[s]).map((s) => `${s}: ${show(r.before[s])} -> ${show(r.after[s])}`).join('; ') : ''),
    },
  ]);
}

function register(group: Command, state: RunState, mode: 'use' | 'reset'): void {
  const cmd = group.command(mode);
  if (mode === 'use') {
    cmd
      .description('choose which greeting plays for which presence statuses, on one or many extensions')
      .argument('[name]', 'the greeting, as `greetings list` shows it (away.wav) or without suffix (away)')
      .option('--csv <file>', 'CSV with a header row extension,name[,when] (when: statuses separated by ; or quoted commas)');
  } else {
    cmd.description('put presence statuses back to the extension default (and the default back to the system greeting)');
  }
  cmd
    .option('--ext <range>', 'extensions: 3200, 3200-3299, 3200,3205 or a mix')
    .option('--when <statuses>', WHEN_HELP)
    .option('--dry-run', 'only read and show what would change');
  addConnectionOptions(cmd);
  addJsonOption(cmd);
  cmd.addHelpText(
    'after',
    mode === 'use'
      ? '\nExamples:\n  vmgreet greetings use away --ext 3200 --when away,dnd\n  vmgreet greetings use holiday.wav --ext 3200-3299 --when all --dry-run\n  vmgreet greetings use --csv plan.csv\n\nExit code: 0 when every extension succeeded; otherwise 2 (bad rows only), 3 (PBX refused or does not support it), 4 (network/TLS).'
      : '\nExample:\n  vmgreet greetings reset --ext 3200 --when away,lunch\n\nExit code: as for `greetings use`.',
  );
  cmd.action(
    action<unknown[]>(state, async ({ out, io }, ...args) => {
      const [name, flags] = (mode === 'use' ? args : [undefined, ...args]) as [string | undefined, Flags];
      const when = flags.when !== undefined ? parseWhen(flags.when) : undefined;
      let rows: Row[];
      let errors: UseResult[] = [];
      if (flags.csv !== undefined) {
        if (flags.ext !== undefined || name !== undefined) throw new UsageError('With --csv the extensions and greetings come from the CSV: drop NAME and --ext.', 'CLI_USE_MODE');
        ({ rows, errors } = await readCsv(flags.csv, when));
      } else {
        if (flags.ext === undefined) throw new UsageError(mode === 'use' ? 'Give NAME and --ext RANGE (or --csv MAP.csv).' : 'Give --ext RANGE.', 'CLI_USE_MODE');
        if (mode === 'use' && name === undefined) throw new UsageError('Which greeting? Give its NAME, e.g. vmgreet greetings use away --ext 3200 --when away', 'CLI_USE_MODE');
        if (when === undefined) throw new UsageError(`Say when it should play: --when ${WHEN_HELP.replace(/^statuses: /, '')}.`, 'CLI_BAD_WHEN');
        const file = name !== undefined ? parseGreetingFile(name) : undefined;
        rows = parseExtRange(flags.ext).map((ext) => ({ ext, name: file, slots: when }));
      }
      const conn = await resolveConnection(flags, io.env);
      const results = rows.length > 0 ? await withClient(conn, out, (client) => runRows(client, rows, flags.dryRun === true)) : [];
      const all = [...errors, ...results].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      for (const r of all) if (r.error) out.problem(`extension ${r.ext}${r.line !== undefined ? ` (line ${r.line})` : ''}: ${r.error.message}`);
      const count = (k: UseResult['result']): number => all.filter((r) => r.result === k).length;
      out.result({ dryRun: flags.dryRun === true, total: all.length, changed: count('changed') + count('would-change'), unchanged: count('unchanged') + count('would-keep'), failed: count('error'), items: all }, () => {
        const parts = flags.dryRun
          ? [`${count('would-change')} would change`, `${count('would-keep')} already so`]
          : [`${count('changed')} changed`, `${count('unchanged')} already so`];
        if (count('error')) parts.push(`${count('error')} failed`);
        return `${resultTable(all)}${flags.dryRun ? 'Dry run (nothing changed): ' : ''}${all.length} extension${all.length === 1 ? '' : 's'}: ${parts.join(', ')}.`;
      });
      return useExit(all);
    }),
  );
}

export function registerGreetingsUse(group: Command, state: RunState): void {
  register(group, state, 'use');
  register(group, state, 'reset');
}

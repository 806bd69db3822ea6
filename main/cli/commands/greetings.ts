// vmgreet greetings list --ext N | download --ext N --file NAME -o PATH | delete --ext N --file NAME [--reset-statuses]
//   | active --ext N | use … | reset … (greetings-use.ts) | rename --ext N --file NAME --to NEW
//   | record --ext N --phone M --name NAME
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parseExt, parseExtRange, parseGreetingFile, parseIntArg, showValue } from '../args.js';
import type { SelectionSlot } from '../../core/domain.js';
import type { PbxClient } from '../../core/pbx/index.js';
import { matrixText, slotLabels } from '../selection.js';
import { registerGreetingsUse, useExit, type UseResult } from './greetings-use.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type RunState } from '../context.js';
import { InputError } from '../errors.js';
import { formatBytes, renderTable } from '../table.js';

interface ExtFlags extends ConnectionFlags {
  ext: string;
}
interface FileFlags extends ExtFlags {
  file: string;
}
interface DeleteFlags extends FileFlags {
  resetStatuses?: boolean;
}
interface RenameFlags extends FileFlags {
  to: string;
}
interface RecordFlags extends ExtFlags {
  phone: string;
  name: string;
  timeout?: string;
}
interface DownloadFlags extends FileFlags {
  output: string;
  force?: boolean;
}

export function registerGreetings(program: Command, state: RunState): void {
  const group = program.command('greetings').description('list, download, delete, rename or record greetings of an extension, and choose which one plays per presence status');

  const list = group.command('list').description('list the voicemail greetings stored for an extension').requiredOption('--ext <number>', 'extension number, e.g. 3200');
  addConnectionOptions(list);
  addJsonOption(list);
  list.action(
    action<[ExtFlags]>(state, async ({ out, io }, flags) => {
      const ext = parseExt(flags.ext);
      const conn = await resolveConnection(flags, io.env);
      const { items, plays } = await withClient(conn, out, async (client) => {
        const greetings = await client.listGreetings(ext);
        return { items: greetings, plays: greetings.length > 0 ? await playsFor(client, ext, greetings) : new Map<number, SelectionSlot[]>() };
      });
      const doc = items.map((g) => (plays.has(g.id) ? { ...g, playsFor: plays.get(g.id) } : g));
      out.result({ ext, total: items.length, items: doc }, () => {
        if (items.length === 0) return `Extension ${ext} has no voicemail greetings yet. Add one with: vmgreet upload FILE --ext ${ext}`;
        const table = renderTable(items, [
          { header: 'ID', value: (g) => String(g.id), align: 'right' },
          { header: 'FILE', value: (g) => g.realFilename },
          { header: 'TYPE', value: (g) => g.type },
        ]);
        const lines = items.filter((g) => (plays.get(g.id) ?? []).length > 0).map((g) => `${g.realFilename} plays for: ${slotLabels(plays.get(g.id)!)}`);
        return `${table}\n${items.length} greeting${items.length === 1 ? '' : 's'} on extension ${ext}.${lines.length > 0 ? `\n${lines.join('\n')}` : ''}`;
      });
    }),
  );

  const download = group
    .command('download')
    .description('download one greeting of an extension to a local file')
    .requiredOption('--ext <number>', 'extension number, e.g. 3200')
    .requiredOption('--file <name>', 'greeting file name as `greetings list` shows it, e.g. vm_away.wav')
    .requiredOption('-o, --output <path>', 'where to save it (a folder, or a file path)')
    .option('--force', 'replace the output file if it already exists');
  addConnectionOptions(download);
  addJsonOption(download);
  download.action(
    action<[DownloadFlags]>(state, async ({ out, io }, flags) => {
      const ext = parseExt(flags.ext);
      const file = parseGreetingFile(flags.file);
      let dest = path.resolve(flags.output);
      const existing = await stat(dest).catch(() => undefined);
      if (existing?.isDirectory()) dest = path.join(dest, file);
      const target = dest === path.resolve(flags.output) ? existing : await stat(dest).catch(() => undefined);
      if (target && !flags.force) {
        throw new InputError(`${showValue(dest)} already exists: choose another path or add --force to replace it.`, 'CLI_OUTPUT_EXISTS');
      }
      const conn = await resolveConnection(flags, io.env);
      const res = await withClient(conn, out, (client) => client.downloadGreeting(ext, file, dest));
      out.result({ ext, file, path: dest, bytes: res.bytes }, () => `Saved ${file} from extension ${ext} to ${dest} (${formatBytes(res.bytes)}).`);
    }),
  );

  const del = group
    .command('delete')
    .description('delete one greeting of an extension on the PBX (refused while it plays for a status, unless --reset-statuses)')
    .requiredOption('--ext <number>', 'extension number, e.g. 3200')
    .requiredOption('--file <name>', 'greeting file name as `greetings list` shows it, e.g. vm_away.wav')
    .option('--reset-statuses', 'if it plays for some statuses, first put those back to the default, then delete');
  addConnectionOptions(del);
  addJsonOption(del);
  del.action(
    action<[DeleteFlags]>(state, async ({ out, io }, flags) => {
      const ext = parseExt(flags.ext);
      const file = parseGreetingFile(flags.file);
      const conn = await resolveConnection(flags, io.env);
      const res = await withClient(conn, out, async (client) => {
        const pbx = await import('../../core/pbx/index.js');
        try {
          return await pbx.deleteGreetingSafely(client, ext, file, flags.resetStatuses ? 'reset' : 'refuse');
        } catch (err) {
          // Not in the list: let the PBX give its own answer (60001 when it really is not there).
          if (!(err instanceof pbx.GreetingNotFoundError)) throw err;
          await client.deleteGreeting(ext, file);
          return { deleted: { realFilename: file }, reset: [] as SelectionSlot[], selectionChecked: false };
        }
      });
      const name = res.deleted.realFilename;
      out.result({ ext, file: name, deleted: true, resetStatuses: res.reset }, () =>
        res.reset.length > 0 ? `Put ${slotLabels(res.reset)} back to the default, then deleted ${name} from extension ${ext}.` : `Deleted ${name} from extension ${ext}.`,
      );
    }),
  );

  const active = group
    .command('active')
    .description('show which greeting plays for each presence status (and the default) of an extension')
    .requiredOption('--ext <range>', 'extension number, e.g. 3200 (or a range: 3200-3210)');
  addConnectionOptions(active);
  addJsonOption(active);
  active.addHelpText('after', '\nExit code: 3 when this PBX\'s API does not report the selection (the reason is shown).');
  active.action(
    action<[ExtFlags]>(state, async ({ out, io }, flags) => {
      const exts = parseExtRange(flags.ext, 1000);
      const conn = await resolveConnection(flags, io.env);
      const pbx = await import('../../core/pbx/index.js');
      const rows = await withClient(conn, out, async (client) => {
        if (exts.length === 1) return [await pbx.activeMatrix(client, exts[0]!)];
        const reads = await pbx.readSelections(client, exts);
        const outRows: (Awaited<ReturnType<typeof pbx.activeMatrix>> | { ext: string; error: { code: string; kind: string; message: string } })[] = [];
        for (const ext of exts) {
          const r = reads.get(ext);
          try {
            if (r instanceof Error || r === undefined) throw r ?? new Error('not read');
            outRows.push(await pbx.activeMatrix(client, ext, r));
          } catch (err) {
            const e = err as { code?: string; kind?: string; message?: string };
            outRows.push({ ext, error: { code: e.code ?? 'CLI_INTERNAL', kind: e.kind ?? 'internal', message: e.message ?? String(err) } });
          }
        }
        return outRows;
      });
      const first = rows[0];
      if (rows.length === 1 && first && 'support' in first && first.support.level === 'none') {
        throw new pbx.SelectionUnsupportedError(first.ext, ['default'], first.support.reason);
      }
      const doc = rows.length === 1 ? rows[0] : { total: rows.length, items: rows };
      out.result(doc, () => rows.map((r) => ('error' in r ? `Extension ${r.ext}: ${r.error.message}` : matrixText(r))).join('\n'));
      const failures: UseResult[] = rows.filter((r): r is Extract<typeof r, { error: unknown }> => 'error' in r).map((r) => ({ ext: r.ext, name: null, slots: [], result: 'error', before: {}, after: {}, error: r.error as NonNullable<UseResult['error']> }));
      return useExit(failures);
    }),
  );

  registerGreetingsUse(group, state);

  const rename = group
    .command('rename')
    .description('rename a greeting on the PBX; statuses that played it keep playing it')
    .requiredOption('--ext <number>', 'extension number, e.g. 3200')
    .requiredOption('--file <name>', 'the greeting as `greetings list` shows it, e.g. away.wav')
    .requiredOption('--to <name>', 'new name: letters, digits, _ and - (the suffix stays)');
  addConnectionOptions(rename);
  addJsonOption(rename);
  rename.addHelpText('after', '\nExit code 3 when the PBX has no rename call (extension_vm_greeting/update answers 10001).');
  rename.action(
    action<[RenameFlags]>(state, async ({ out, io }, flags) => {
      const ext = parseExt(flags.ext);
      const file = parseGreetingFile(flags.file);
      const to = parseGreetingFile(flags.to);
      const conn = await resolveConnection(flags, io.env);
      const { renameGreeting } = await import('../../core/pbx/index.js');
      const res = await withClient(conn, out, (client) => renameGreeting(client, ext, file, to));
      out.result({ ext, from: res.from, to: res.to, carried: res.carried, carriedBy: res.carriedBy }, () => {
        const head = `Renamed ${res.from.realFilename} to ${res.to.realFilename} on extension ${ext}.`;
        if (res.carried.length === 0) return head;
        const who = res.carriedBy === 'client' ? ' (the PBX left them on the old name; vmgreet moved them)' : '';
        return `${head} ${slotLabels(res.carried)} still play it${who}.`;
      });
    }),
  );

  const record = group
    .command('record')
    .description('record a greeting by phone: the PBX rings --phone, the person speaks after the tone, the file appears on --ext')
    .requiredOption('--ext <number>', 'extension that gets the greeting, e.g. 3200')
    .requiredOption('--phone <number>', 'extension the PBX rings to record, e.g. 3201')
    .requiredOption('--name <name>', 'greeting name: letters, digits, _ and - (stored as NAME.wav)')
    .option('--timeout <seconds>', 'how long to wait for the recording in seconds, 1-1800', '180');
  addConnectionOptions(record);
  addJsonOption(record);
  record.addHelpText('after', '\nExample:\n  vmgreet greetings record --ext 3200 --phone 3201 --name away\n\nExit code 3 when no greeting appeared in time (nobody answered, or hung up before it was saved).');
  record.action(
    action<[RecordFlags]>(state, async ({ out, io, signal }, flags) => {
      const ext = parseExt(flags.ext);
      const phone = parseExt(flags.phone);
      const name = parseGreetingFile(flags.name);
      const timeoutSec = parseIntArg(flags.timeout ?? '180', 'Timeout', 1, 1800);
      const conn = await resolveConnection(flags, io.env);
      const { recordByPhone } = await import('../../core/pbx/index.js');
      out.info(`Calling extension ${phone}: answer, speak after the tone, then hang up (waiting up to ${timeoutSec} s)…`);
      let shown = 0;
      const onWaiting = (s: number): void => {
        // A line every 15 s on a terminal, so a long wait does not look like a hang.
        if (!out.interactive || s - shown < 15) return;
        shown = s;
        out.info(`  still waiting for the recording (${s} s)…`);
      };
      const g = await withClient(conn, out, (client: PbxClient) => recordByPhone(client, { ext, phone, name, timeoutMs: timeoutSec * 1000, signal, onWaiting }));
      out.result({ ext, phone, greeting: g }, () => `Recorded ${g.realFilename} on extension ${ext}. Make it play with: vmgreet greetings use ${g.realFilename} --ext ${ext} --when away`);
    }),
  );
}

/** Which slots play each greeting; empty when this PBX does not report it (listing must not fail for that). */
async function playsFor(client: PbxClient, ext: string, greetings: readonly { id: number; file: string; realFilename: string; suffix: string; type: string }[]): Promise<Map<number, SelectionSlot[]>> {
  const out = new Map<number, SelectionSlot[]>();
  try {
    const { readSelection } = await import('../../core/pbx/index.js');
    const { slotsUsing } = await import('../../core/pbx/selection.js');
    const read = await readSelection(client, ext);
    for (const g of greetings) {
      const slots = slotsUsing(read, g);
      if (slots.length > 0) out.set(g.id, slots);
    }
  } catch {
    // The selection is extra information here; the list itself already succeeded.
  }
  return out;
}

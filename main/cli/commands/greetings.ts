// vmgreet greetings list --ext N | download --ext N --file NAME -o PATH | delete --ext N --file NAME
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { parseExt, parseGreetingFile, showValue } from '../args.js';
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
interface DownloadFlags extends FileFlags {
  output: string;
  force?: boolean;
}

export function registerGreetings(program: Command, state: RunState): void {
  const group = program.command('greetings').description('list, download or delete the voicemail greetings of an extension');

  const list = group.command('list').description('list the voicemail greetings stored for an extension').requiredOption('--ext <number>', 'extension number, e.g. 3200');
  addConnectionOptions(list);
  addJsonOption(list);
  list.action(
    action<[ExtFlags]>(state, async ({ out, io }, flags) => {
      const ext = parseExt(flags.ext);
      const conn = await resolveConnection(flags, io.env);
      const items = await withClient(conn, out, (client) => client.listGreetings(ext));
      out.result({ ext, total: items.length, items }, () => {
        if (items.length === 0) return `Extension ${ext} has no voicemail greetings yet. Add one with: vmgreet upload FILE --ext ${ext}`;
        const table = renderTable(items, [
          { header: 'ID', value: (g) => String(g.id), align: 'right' },
          { header: 'FILE', value: (g) => g.realFilename },
          { header: 'TYPE', value: (g) => g.type },
        ]);
        return `${table}\n${items.length} greeting${items.length === 1 ? '' : 's'} on extension ${ext}.`;
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
    .description('delete one greeting of an extension on the PBX')
    .requiredOption('--ext <number>', 'extension number, e.g. 3200')
    .requiredOption('--file <name>', 'greeting file name as `greetings list` shows it, e.g. vm_away.wav');
  addConnectionOptions(del);
  addJsonOption(del);
  del.action(
    action<[FileFlags]>(state, async ({ out, io }, flags) => {
      const ext = parseExt(flags.ext);
      const file = parseGreetingFile(flags.file);
      const conn = await resolveConnection(flags, io.env);
      await withClient(conn, out, (client) => client.deleteGreeting(ext, file));
      out.result({ ext, file, deleted: true }, () => `Deleted ${file} from extension ${ext}.`);
    }),
  );
}

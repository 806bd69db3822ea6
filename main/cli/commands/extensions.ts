// vmgreet extensions [--search TEXT] [--page N] [--page-size N]
import type { Command } from 'commander';
import { parseIntArg, showValue } from '../args.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type RunState } from '../context.js';
import { UsageError } from '../errors.js';
import { renderTable } from '../table.js';

interface Flags extends ConnectionFlags {
  search?: string;
  page?: string;
  pageSize?: string;
}

export function registerExtensions(program: Command, state: RunState): void {
  const cmd = program
    .command('extensions')
    .description('list the PBX extensions (number, name, presence, online, e-mail), or search them')
    .option('--search <text>', 'only extensions whose number, name or e-mail contains TEXT')
    .option('--page <n>', 'page number, from 1', '1')
    .option('--page-size <n>', 'rows per page, 1-1000', '100');
  addConnectionOptions(cmd);
  addJsonOption(cmd);
  cmd.addHelpText('after', '\nExamples:\n  vmgreet extensions --search sales\n  vmgreet extensions --page 2 --page-size 50 --json');
  cmd.action(
    action<[Flags]>(state, async ({ out, io }, flags) => {
      const page = parseIntArg(flags.page ?? '1', 'Page', 1, 1_000_000);
      const pageSize = parseIntArg(flags.pageSize ?? '100', 'Page size', 1, 1000);
      const search = flags.search;
      if (search !== undefined && (search.trim() === '' || search.length > 100 || /[\r\n]/.test(search))) {
        throw new UsageError(`Search text ${showValue(search)} is not valid: give 1-100 characters on one line.`, 'CLI_BAD_ARGUMENT');
      }
      const conn = await resolveConnection(flags, io.env);
      const res = await withClient(conn, out, (client) =>
        search !== undefined ? client.searchExtensions(search, { page, pageSize }) : client.listExtensions({ page, pageSize }),
      );
      out.result({ total: res.total, page, pageSize, ...(search !== undefined ? { search } : {}), items: res.items }, () => {
        if (res.items.length === 0) {
          return search !== undefined ? `No extension matches ${showValue(search)}.` : res.total > 0 ? `Page ${page} is empty (${res.total} extensions in total).` : 'The PBX has no extensions.';
        }
        const first = (page - 1) * pageSize + 1;
        const last = first + res.items.length - 1;
        const pages = Math.max(1, Math.ceil(res.total / pageSize));
        const table = renderTable(res.items, [
          { header: 'NUMBER', value: (e) => e.number, align: 'right' },
          { header: 'NAME', value: (e) => e.callerIdName },
          { header: 'PRESENCE', value: (e) => e.presence.replace(/_/g, ' ') },
          { header: 'ONLINE', value: (e) => (e.online ? 'yes' : 'no') },
          { header: 'E-MAIL', value: (e) => e.email },
        ]);
        const more = page < pages ? ` Next page: --page ${page + 1}.` : '';
        return `${table}\n${search !== undefined ? 'Matches' : 'Extensions'} ${first}-${last} of ${res.total} (page ${page} of ${pages}).${more}`;
      });
    }),
  );
}

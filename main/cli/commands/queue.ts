// vmgreet queue list | run | retry [ID…] | cancel ID…   (the persistent upload queue, shared with the app)
import type { Command } from 'commander';
import type { QueueState, UploadQueue } from '../../core/library/index.js';
import { parseChoice, parseIntArg } from '../args.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type CommandContext, type RunState } from '../context.js';
import { addDataDirOption, isForConnection, resolveDataDir } from '../library-context.js';
import { batchExit, itemsTable, runQueueItems, summaryLine } from '../queue-run.js';
import { renderTable } from '../table.js';

interface Flags {
  dataDir?: string;
  state?: string;
}
interface RunFlags extends Flags, ConnectionFlags {
  concurrency?: string;
}

const STATES = ['pending', 'running', 'uploaded', 'skipped', 'renamed', 'failed', 'cancelled'] as const;

async function openQueue(ctx: CommandContext, flags: Flags): Promise<{ queue: UploadQueue; dataDir: string }> {
  const { UploadQueue, DraftLibrary } = await import('../../core/library/index.js');
  const dataDir = resolveDataDir(flags.dataDir, ctx.io.env);
  return { queue: new UploadQueue({ dataDir, drafts: new DraftLibrary({ dataDir }) }), dataDir };
}

export function registerQueue(program: Command, state: RunState): void {
  const group = program.command('queue').description('the persistent upload queue (shared with the app): list, run, retry, cancel');

  const list = addJsonOption(addDataDirOption(group.command('list').description('list queued uploads and their state').option('--state <state>', `only items in this state: ${STATES.join(', ')}`)));
  list.action(
    action<[Flags]>(state, async (ctx, flags) => {
      const st = flags.state !== undefined ? parseChoice(flags.state, STATES, '--state') : undefined;
      const { queue } = await openQueue(ctx, flags);
      const { items, corrupt } = await queue.listWithProblems(st ? { states: [st as QueueState] } : undefined);
      for (const c of corrupt) ctx.out.warn(`queue item file ${c} is damaged and was skipped (left on disk for inspection).`);
      ctx.out.result({ total: items.length, items, corrupt }, () => {
        if (items.length === 0) return st ? `No queue items in state ${st}.` : 'The upload queue is empty.';
        return renderTable(items, [
          { header: 'ID', value: (i) => i.id },
          { header: 'EXT', value: (i) => i.ext, align: 'right' },
          { header: 'NAME', value: (i) => i.target ?? i.fileName },
          { header: 'STATE', value: (i) => i.state },
          { header: 'POLICY', value: (i) => i.policy },
          { header: 'DETAIL', value: (i) => i.reason ?? i.lastError?.message ?? '' },
        ]);
      });
    }),
  );

  const run = group
    .command('run')
    .description('upload the pending items queued for this PBX (connection flags or VMGREET_* env)')
    .option('--concurrency <n>', 'parallel uploads, 1-4', '4');
  addDataDirOption(run);
  addConnectionOptions(run);
  addJsonOption(run);
  run.action(
    action<[RunFlags]>(state, async (ctx, flags) => {
      const concurrency = parseIntArg(flags.concurrency ?? '4', 'Concurrency', 1, 4);
      const { queue, dataDir } = await openQueue(ctx, flags);
      const conn = await resolveConnection(flags, ctx.io.env);
      const waiting = await queue.list({ states: ['pending', 'running'] });
      const mine = waiting.filter((i) => isForConnection(i, conn));
      const others = waiting.length - mine.length;
      if (others > 0) ctx.out.warn(`${others} pending item(s) belong to another PBX or to the app; they are left for it.`);
      const { summary, items } = mine.length === 0
        ? { summary: null, items: [] }
        : await withClient(conn, ctx.out, (client) => runQueueItems({ dataDir, client, conn, ids: mine.map((i) => i.id), concurrency, out: ctx.out, signal: ctx.signal }));
      ctx.out.result(summary ?? { total: 0, items: [] }, () => (summary ? `${itemsTable(items)}\n${summaryLine(summary)}` : 'Nothing to upload for this PBX.'));
      return batchExit(items, 0);
    }),
  );

  const retry = addJsonOption(addDataDirOption(group.command('retry').description('put failed or cancelled items back in the queue (all, or the given ids)').argument('[ids...]', 'queue item ids')));
  retry.action(
    action<[string[], Flags]>(state, async (ctx, ids, flags) => {
      const { queue } = await openQueue(ctx, flags);
      const items = await queue.retry(ids.length > 0 ? ids : undefined);
      ctx.out.result({ retried: items.map((i) => i.id) }, () =>
        items.length === 0 ? 'No failed or cancelled items to retry.' : `${items.length} item(s) are pending again. Upload them with: vmgreet queue run`,
      );
    }),
  );

  const cancel = addJsonOption(addDataDirOption(group.command('cancel').description('cancel queued items that have not finished').argument('<ids...>', 'queue item ids')));
  cancel.action(
    action<[string[], Flags]>(state, async (ctx, ids, flags) => {
      const { queue } = await openQueue(ctx, flags);
      const items = await queue.cancel(ids);
      ctx.out.result({ cancelled: items.map((i) => i.id) }, () => `Cancelled ${items.length} item(s).`);
    }),
  );
}

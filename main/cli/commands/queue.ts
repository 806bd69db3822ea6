// vmgreet queue list | run | retry [ID…] | cancel ID…   (the persistent upload queue, shared with the app)
import type { Command } from 'commander';
import type { QueueItem, QueueState, UploadQueue } from '../../core/library/index.js';
import { parseChoice, parseIntArg } from '../args.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type CommandContext, type RunState } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { addDataDirOption, ensureQueueFree, isForConnection, openDataDir } from '../library-context.js';
import { batchExit, detailOf, itemsTable, offlineLine, pbxLabel, resultOf, runQueueItems, summaryLine } from '../queue-run.js';
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
  const dataDir = await openDataDir(flags.dataDir, ctx.io.env);
  return { queue: new UploadQueue({ dataDir, drafts: new DraftLibrary({ dataDir }) }), dataDir };
}

/**
 * A failed item is still owed to the PBX unless a newer item for the same PBX, extension and name has since ended
 * well (the person uploaded it again another way, or chose to skip): then nothing the user asked for is missing.
 */
function stillOwed(failed: QueueItem, all: readonly QueueItem[]): boolean {
  return !all.some(
    (o) => o.seq > failed.seq && o.ext === failed.ext && o.fileName === failed.fileName && o.pbxProfileId === failed.pbxProfileId && (o.state === 'uploaded' || o.state === 'renamed' || o.state === 'skipped'),
  );
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
          { header: 'STATE', value: (i) => (i.state === 'uploaded' ? `uploaded (${resultOf(i)})` : i.state) },
          { header: 'POLICY', value: (i) => i.policy },
          { header: 'PBX', value: pbxLabel },
          { header: 'DETAIL', value: detailOf },
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
      const { out } = ctx;
      const concurrency = parseIntArg(flags.concurrency ?? '4', 'Concurrency', 1, 4);
      const { queue, dataDir } = await openQueue(ctx, flags);
      const conn = await resolveConnection(flags, ctx.io.env);
      await ensureQueueFree(dataDir);
      const all = await queue.list();
      const mine = all.filter((i) => isForConnection(i, conn));
      const others = all.filter((i) => (i.state === 'pending' || i.state === 'running') && !isForConnection(i, conn)).length;
      if (others > 0) out.warn(`${others} pending item(s) belong to another PBX or to the app; they are left for it.`);
      // Items that ran out of retries on errors that can heal (network, 5xx) are what `queue run` is for: take them
      // again with a fresh budget. Parked ones need a change first; they are listed below instead.
      const tired = mine.filter((i) => i.state === 'failed' && !i.parked && stillOwed(i, all));
      if (tired.length > 0) {
        await queue.retry(tired.map((i) => i.id));
        out.info(`Taking ${tired.length} item(s) that ran out of retries earlier again.`);
      }
      const ids = [...mine.filter((i) => i.state === 'pending' || i.state === 'running').map((i) => i.id), ...tired.map((i) => i.id)];
      const run = ids.length > 0 ? await withClient(conn, out, (client) => runQueueItems({ dataDir, client, conn, ids, concurrency, out, signal: ctx.signal })) : undefined;
      const ran = new Set(ids);
      const after = await queue.list();
      const owed = after.filter((i) => !ran.has(i.id) && i.state === 'failed' && isForConnection(i, conn) && stillOwed(i, after));
      for (const i of owed) out.problem(`still failed: ${i.id}  extension ${i.ext}  ${i.target ?? i.fileName}: ${i.reason ?? i.lastError?.message ?? 'failed'}`);
      const items = run?.items ?? [];
      const offline = offlineLine(items);
      const doc = { ...(run?.summary ?? { total: 0, items: [] }), stillFailed: owed.map((i) => ({ id: i.id, ext: i.ext, fileName: i.target ?? i.fileName, reason: i.reason, code: i.lastError?.code ?? null, historyId: i.historyId })) };
      out.result(doc, () =>
        [
          run ? `${itemsTable(items)}\n${summaryLine(run.summary)}` : owed.length === 0 ? 'Nothing to upload for this PBX.' : 'Nothing pending for this PBX.',
          offline ?? '',
          owed.length > 0
            ? `${owed.length} earlier item(s) for this PBX failed and are not on the PBX (listed above). Fix what the reason says, then \`vmgreet queue retry ${owed.map((i) => i.id).join(' ')}\` and \`vmgreet queue run\`; or drop them with \`vmgreet queue cancel ID…\`.`
            : '',
        ]
          .filter(Boolean)
          .join('\n'),
      );
      const code = batchExit([...items, ...owed], 0);
      return code === EXIT.ok && owed.length > 0 ? EXIT.pbx : code;
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

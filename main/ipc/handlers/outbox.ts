// Uploads: every upload, to one extension or many, is a queue item carried out by the library's worker (ask →
// backup before overwrite → force → history) in the Outbox. checkNames asks the PBX up front which extensions hold
// the name already, whether with the very same bytes, and what keep-both would call the copy.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { suffixFor } from '../../core/domain.js';
import { holdsBytes, keepBothTarget, type EnqueueInput, type QueueItem } from '../../core/library/index.js';
import type { NameCheck, ParsedRequestOf } from '../channels.js';
import { AppStateError } from '../errors.js';
import type { PbxClientLike } from '../services.js';
import { isUnreachableError } from '../session.js';
import type { AppContext, HandlersFor } from './context.js';
import { pbxRefOf } from './pbx.js';
import { ensureRendered, type DraftRenderer } from './preview.js';

export type OutboxChannels = 'checkNames' | 'enqueueUploads' | 'listOutbox' | 'retryOutbox' | 'cancelOutbox' | 'clearFinishedOutbox';

const CHECK_CONCURRENCY = 4;

async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next;
      next += 1;
      const item = items[i];
      if (item === undefined) return;
      await fn(item);
    }
  }));
}

/**
 * The same greeting queued again for the same PBX, extension and name replaces what is still waiting of the earlier
 * one (as the CLI does on a rerun), so an older take cannot land after the newer. Items already running finish.
 */
async function supersede<C extends PbxClientLike>(app: AppContext<C>, fresh: readonly QueueItem[]): Promise<void> {
  const key = (i: QueueItem): string => `${i.pbxProfileId}\n${i.ext}\n${i.fileName}`;
  const byKey = new Map(fresh.map((i) => [key(i), i]));
  const freshIds = new Set(fresh.map((i) => i.id));
  const stale = (await app.queue.list({ states: ['pending'] })).filter((i) => !freshIds.has(i.id) && (byKey.get(key(i))?.seq ?? -1) > i.seq);
  for (const i of stale) {
    try {
      const [cancelled] = await app.queue.cancel([i.id]);
      if (cancelled?.state === 'cancelled') await app.queue.save({ ...cancelled, reason: `superseded by ${byKey.get(key(i))?.id ?? 'a newer upload'}: the same greeting was queued again` });
    } catch {
      // Started or finished meanwhile: it stays as it is.
    }
  }
}

/** enqueueUploads' work, shared with the batch handlers (a CSV mapping enqueues one draft per row this way). */
export async function enqueueDraftUploads<C extends PbxClientLike>(app: AppContext<C>, renderer: DraftRenderer, req: ParsedRequestOf<'enqueueUploads'>): Promise<{ itemIds: string[] }> {
  const { session, outbox } = app;
  const profiles = await session.profiles();
  const id = req.profileId ?? session.currentOrLastProfileId() ?? (profiles.length === 1 ? profiles[0]?.id : undefined);
  const profile = id ? profiles.find((p) => p.id === id) : undefined;
  if (!profile) {
    throw new AppStateError('OUTBOX_NO_PROFILE', profiles.length === 0
      ? 'Add a PBX profile first: the Outbox needs to know which PBX these uploads are for.'
      : 'Choose the PBX profile these uploads are for.', 'usage');
  }
  await ensureRendered(app, renderer, req.draftId);
  const inputs: EnqueueInput[] = [...new Set(req.extensions)].map((ext) => ({
    source: { draftId: req.draftId },
    ext,
    policy: req.ifExists,
    pbxProfileId: profile.id,
    pbx: pbxRefOf(profile),
    name: req.name,
    allowOverwriteWithoutBackup: req.allowOverwriteWithoutBackup,
    ...(req.activate ? { activate: req.activate } : {}),
  }));
  const items = await app.queue.enqueueMany(inputs);
  await supersede(app, items);
  outbox.kick();
  outbox.emit(null, null);
  return { itemIds: items.map((i) => i.id) };
}

export function outboxHandlers<C extends PbxClientLike>(app: AppContext<C>, renderer: DraftRenderer): HandlersFor<OutboxChannels> {
  const { session, outbox } = app;
  return {
    async checkNames(req) {
      const offline: NameCheck = { checked: false, existing: [], keepBothNames: {} };
      if (!session.isOnline()) return offline;
      const draft = await ensureRendered(app, renderer, req.draftId);
      if (!draft.rendered) return offline;
      const fileName = `${req.name}${suffixFor(draft.rendered.format)}`;
      const sha = draft.rendered.sha256;
      const client = session.requireClient();
      const existing: NameCheck['existing'] = [];
      const keepBothNames: Record<string, string> = {};
      const work = await mkdtemp(path.join(os.tmpdir(), 'vmgs-check-'));
      try {
        await eachLimited([...new Set(req.extensions)], CHECK_CONCURRENCY, async (ext) => {
          const ex = await client.greetingExists(ext, fileName);
          if (!ex.exists) return;
          const identical = await holdsBytes(client, ext, fileName, sha, { workDir: work });
          existing.push({ ext, identical });
          const kb = await keepBothTarget(ext, fileName, {
            exists: async (n) => (await client.greetingExists(ext, n)).exists,
            holdsOurs: (n) => holdsBytes(client, ext, n, sha, { workDir: work }),
          });
          keepBothNames[ext] = kb.name;
        });
      } catch (err) {
        if (isUnreachableError(err)) return offline;
        throw err;
      } finally {
        await rm(work, { recursive: true, force: true });
      }
      const order = new Map(req.extensions.map((e, i) => [e, i]));
      existing.sort((a, b) => (order.get(a.ext) ?? 0) - (order.get(b.ext) ?? 0));
      return { checked: true, existing, keepBothNames };
    },
    async enqueueUploads(req) {
      return enqueueDraftUploads(app, renderer, req);
    },
    async listOutbox(req) {
      return outbox.page(req);
    },
    async retryOutbox(req) {
      return { retried: await outbox.retry(req.ids) };
    },
    async cancelOutbox(req) {
      return { cancelled: await outbox.cancel(req.ids) };
    },
    async clearFinishedOutbox() {
      return { removed: await outbox.clearFinished() };
    },
  };
}

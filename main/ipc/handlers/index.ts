// The IPC handlers as plain functions over injected services: no Electron here, so unit tests and the e2e test
// bridge (plain Node) run exactly the code the app runs. One module per concern, each returning its typed part of
// the channel map; this file joins them (a channel nobody handles fails to compile) and owns their shared state.
// Registration, sender checks and payload validation live in register.ts.
import { DirectoryCache, DraftLibrary, HistoryStore, UploadQueue } from '../../core/library/index.js';
import { DroppedPaths } from '../dropped.js';
import { Outbox } from '../outbox.js';
import { systemClock, type AppServices, type Broadcaster, type PbxClientLike } from '../services.js';
import { Session } from '../session.js';
import { Workspace } from '../workspace.js';
import { Operations, type AppContext, type Handlers } from './context.js';
import { contentHandlers } from './content.js';
import { batchHandlers } from './batch.js';
import { draftHandlers } from './drafts.js';
import { greetHandlers } from './greet.js';
import { historyHandlers } from './history.js';
import { outboxHandlers } from './outbox.js';
import { pbxHandlers, refreshDirectory } from './pbx.js';
import { DraftRenderer, previewHandlers } from './preview.js';
import { sessionHandlers } from './session.js';
import { systemHandlers } from './system.js';

export type { Handlers, HandlerContext, HandlersFor, AppContext } from './context.js';

export interface AppHandlers<C extends PbxClientLike = PbxClientLike> {
  handlers: Handlers;
  /** Paths of dropped files by one-time token (the preload-only channel registers them). */
  dropped: DroppedPaths;
  /** The shared state, for the composition root and tests (Outbox, session, library). */
  context: AppContext<C>;
  /** Stops the Outbox and the connection checks, signs out, stops the demo PBX, cancels operations. */
  dispose(): Promise<void>;
}

const noBroadcast: Broadcaster = { emit: () => undefined };

export function createHandlers<C extends PbxClientLike>(services: AppServices<C>): AppHandlers<C> {
  const clock = services.clock ?? systemClock;
  const broadcast = services.broadcast ?? noBroadcast;
  const renderer = new DraftRenderer((o, ctl) => services.audio.render(o, ctl));
  const drafts = new DraftLibrary({ dataDir: services.dataDir, renderer: renderer.fn, now: () => clock.now() });
  const queue = new UploadQueue({ dataDir: services.dataDir, drafts });
  const history = new HistoryStore({ dataDir: services.dataDir });
  const directory = new DirectoryCache({ dataDir: services.dataDir, now: () => clock.now() });
  const session = new Session(services, clock);
  const outbox = new Outbox({ dataDir: services.dataDir, queue, history, session, broadcast, clock }, services.outbox ?? {});
  const app: AppContext<C> = {
    services,
    dataDir: services.dataDir,
    drafts,
    queue,
    history,
    directory,
    workspace: new Workspace(drafts, services.audio),
    session,
    outbox,
    operations: new Operations(),
    dropped: new DroppedPaths(() => clock.now()),
    broadcast,
    clock,
  };
  session.onChange((s) => broadcast.emit('connection', s));
  session.onOnline((profileId) => {
    outbox.profileBackOnline(profileId);
    void (async () => {
      const profile = await session.profile(profileId);
      if (profile && session.connectedProfileId() === profileId) await refreshDirectory(app, profile, await session.clientFor(profileId));
    })().catch(() => undefined);
  });
  outbox.start();
  const legacy = services.legacyWorkspaceDir;
  const adopting = legacy ? app.workspace.adoptLegacyTakes(legacy).catch(() => 0) : Promise.resolve(0);

  const joined: Handlers = {
    ...sessionHandlers(app),
    ...pbxHandlers(app),
    ...draftHandlers(app, renderer),
    ...previewHandlers(app, renderer),
    ...outboxHandlers(app, renderer),
    ...historyHandlers(app),
    ...systemHandlers(app),
    ...contentHandlers(app, renderer),
    ...batchHandlers(app, renderer),
    ...greetHandlers(app),
  };
  // Unfinished takes of the previous version are drafts before the window asks for them.
  const handlers = { ...joined, listUnfinishedTakes: async (req, ctx) => (await adopting, joined.listUnfinishedTakes(req, ctx)) } satisfies Handlers;

  return {
    handlers,
    dropped: app.dropped,
    context: app,
    async dispose() {
      await adopting;
      app.operations.cancelAll();
      await outbox.dispose();
      await app.workspace.stopLiveDecoders();
      await session.dispose();
    },
  };
}

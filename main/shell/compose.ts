// Composition root of the app: the real core services (audio, PBX client), the demo simulator, the data folder
// shared with the CLI, and the handlers over them. Plain Node (no electron import), so the Electron entry, the e2e
// test bridge and unit tests compose the app the same way; only profiles, dialogs, links and events differ.
import path from 'node:path';
import { defaultDataDir } from '../core/library/paths.js';
import type { PbxClient } from '../core/pbx/index.js';
import { createCoreServices } from '../ipc/core-services.js';
import { createHandlers, type AppHandlers } from '../ipc/handlers/index.js';
import type { AppServices, Broadcaster, ClockPort, DemoPbx, DialogsPort, ProfileStorePort } from '../ipc/services.js';
import { startSimulator, type SimulatorOptions } from '../sim/index.js';
import { demoPbxFromEnv } from './demo-env.js';

/** Same variable and default as `vmgreet --data-dir` (main/cli/library-context.ts), so app and CLI share one folder. */
export const DATA_DIR_ENV = 'VMGREET_DATA_DIR';

export function appDataDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const v = env[DATA_DIR_ENV];
  return path.resolve(v !== undefined && v !== '' ? v : defaultDataDir());
}

export interface ComposeOptions {
  /** Default: VMGREET_DATA_DIR, else defaultDataDir() (the CLI's default too). */
  dataDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  profiles: ProfileStorePort;
  dialogs: DialogsPort;
  openExternal(url: string): Promise<void>;
  broadcast?: Broadcaster;
  /** Options of the demo simulator; default HTTPS with a pinned certificate, 250 extensions. */
  demo?: SimulatorOptions;
  /** Replaces the demo simulator (a test hands over its own; `npm run demo` names one in the environment). */
  startDemoPbx?: () => Promise<DemoPbx>;
  maxRecordingSec?: number;
  /** The previous version's workspace (<userData>/workspace), whose unfinished takes become drafts. */
  legacyWorkspaceDir?: string;
  clock?: ClockPort;
  connectionCheckMs?: number;
  outbox?: AppServices['outbox'];
  userAgent?: string;
}

export function startDemoSimulator(options: SimulatorOptions = {}): () => Promise<DemoPbx> {
  return async () => {
    const sim = await startSimulator({ https: true, extensions: 250, ...options });
    return {
      url: sim.url,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      ...(sim.fingerprint256 ? { fingerprint256: sim.fingerprint256 } : {}),
      close: () => sim.close(),
    };
  };
}

export function composeApp(opts: ComposeOptions): AppHandlers<PbxClient> {
  const env = opts.env ?? process.env;
  const startDemoPbx = opts.startDemoPbx ?? demoPbxFromEnv(env as NodeJS.ProcessEnv) ?? startDemoSimulator(opts.demo);
  const core = createCoreServices({
    dataDir: opts.dataDir ?? appDataDir(env),
    profiles: opts.profiles,
    dialogs: opts.dialogs,
    openExternal: opts.openExternal,
    startDemoPbx,
    ...(opts.maxRecordingSec !== undefined ? { maxRecordingSec: opts.maxRecordingSec } : {}),
    ...(opts.userAgent !== undefined ? { userAgent: opts.userAgent } : {}),
  });
  return createHandlers({
    ...core,
    ...(opts.broadcast ? { broadcast: opts.broadcast } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.legacyWorkspaceDir ? { legacyWorkspaceDir: opts.legacyWorkspaceDir } : {}),
    ...(opts.connectionCheckMs !== undefined ? { connectionCheckMs: opts.connectionCheckMs } : {}),
    ...(opts.outbox ? { outbox: opts.outbox } : {}),
  });
}

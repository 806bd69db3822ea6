// Shared plumbing for the commands that use the drafts/queue library (issue 5): the data folder (--data-dir, else
// VMGREET_DATA_DIR, else the app's own folder so the CLI and the app see the same drafts and queue), the PBX
// profile id the CLI files its queue items under, and a connected client used as the queue's transport.
import path from 'node:path';
import { Option, type Command } from 'commander';
import { defaultDataDir } from '../core/library/paths.js';
import type { ResolvedConnection } from './connection.js';

export const DATA_DIR_ENV = 'VMGREET_DATA_DIR';

export function addDataDirOption(cmd: Command): Command {
  return cmd.addOption(new Option('--data-dir <folder>', `drafts, queue and history folder (env ${DATA_DIR_ENV}; default: the app's data folder)`));
}

export function resolveDataDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const v = flag ?? env[DATA_DIR_ENV];
  return path.resolve(v !== undefined && v !== '' ? v : defaultDataDir());
}

/**
 * Queue items remember which PBX they go to. The CLI has no saved profiles, so its profile id is the PBX address
 * plus the client ID (never the secret): `queue run` with the same connection picks its own items up again.
 */
export function cliProfileId(conn: Pick<ResolvedConnection, 'baseUrl' | 'clientId'>): string {
  return `cli:${conn.baseUrl}#${conn.clientId}`;
}

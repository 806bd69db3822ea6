// Shared plumbing for the commands that use the drafts/queue library (main/core/library): the data folder (--data-dir, else
// VMGREET_DATA_DIR, else the app's own folder so the CLI and the app see the same drafts and queue), the PBX
// profile id the CLI files its queue items under, and a connected client used as the queue's transport.
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { showValue } from '../core/errors.js';
import { queueBusyError, readWorkerLock } from '../core/library/lock.js';
import { defaultDataDir } from '../core/library/paths.js';
import type { PbxRef } from '../core/library/schemas.js';
import { originOf } from '../core/pbx/url.js';
import type { ResolvedConnection } from './connection.js';
import { InputError } from './errors.js';

export const DATA_DIR_ENV = 'VMGREET_DATA_DIR';

export function addDataDirOption(cmd: Command): Command {
  return cmd.addOption(new Option('--data-dir <folder>', `drafts, queue and history folder (env ${DATA_DIR_ENV}; default: the app's data folder)`));
}

export function resolveDataDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const v = flag ?? env[DATA_DIR_ENV];
  return path.resolve(v !== undefined && v !== '' ? v : defaultDataDir());
}

/**
 * The data folder, created when missing, with a clear message (exit 2) when it cannot be: a file in its place
 * (`--data-dir /etc/passwd`), a file on its path, no permission.
 */
export async function openDataDir(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  const dir = resolveDataDir(flag, env);
  const given = flag !== undefined ? '--data-dir' : env[DATA_DIR_ENV] ? DATA_DIR_ENV : 'the data folder';
  const st = await stat(dir).catch(() => undefined);
  if (st && !st.isDirectory()) {
    throw new InputError(`${given} ${showValue(dir)} is a file, not a folder: give the folder that holds (or should hold) the drafts, queue and history.`, 'CLI_DATA_DIR_UNUSABLE');
  }
  if (!st) {
    await mkdir(dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOTDIR' || err.code === 'EEXIST' ? 'lies inside a file, not a folder' : err.code === 'EACCES' || err.code === 'EPERM' || err.code === 'EROFS' ? 'cannot be created here (no permission)' : `cannot be created (${err.code ?? 'error'})`;
      throw new InputError(`${given} ${showValue(dir)} ${why}: choose another folder.`, 'CLI_DATA_DIR_UNUSABLE', { cause: err });
    });
  }
  return dir;
}

/**
 * Refuses to start when another process runs this data folder's queue, before anything is queued. The message
 * names the holder (QUEUE_BUSY, exit 6); waiting here would not help, since the holder may run for hours.
 */
export async function ensureQueueFree(dataDir: string): Promise<void> {
  const holder = await readWorkerLock(dataDir);
  if (holder) throw queueBusyError(holder);
}

/**
 * Queue items remember which PBX they go to. The CLI has no saved profiles, so its profile id is the PBX address
 * plus the client ID (never the secret): `queue run` with the same connection picks its own items up again.
 */
export function cliProfileId(conn: Pick<ResolvedConnection, 'baseUrl' | 'clientId'>): string {
  return `cli:${conn.baseUrl}#${conn.clientId}`;
}

/** The PBX a CLI connection talks to, as queue items and history entries name it. */
export function cliPbx(conn: Pick<ResolvedConnection, 'baseUrl' | 'clientId'>): PbxRef {
  return { origin: originOf(conn.baseUrl), clientId: conn.clientId };
}

/**
 * Whether an item (or history entry) is for the PBX of this connection: queued by the CLI with the same settings,
 * or queued elsewhere (the app) for the same origin and client ID, which these credentials can serve as well.
 */
export function isForConnection(target: { pbxProfileId: string; pbx: PbxRef }, conn: Pick<ResolvedConnection, 'baseUrl' | 'clientId'>): boolean {
  if (target.pbxProfileId === cliProfileId(conn)) return true;
  const mine = cliPbx(conn);
  return target.pbx.origin !== '' && target.pbx.origin === mine.origin && target.pbx.clientId === mine.clientId;
}

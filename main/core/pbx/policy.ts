// What to do when the greeting name already exists. Always asks the PBX first (is_check=ask) and only sends
// is_check=force after an explicit choice: nothing is overwritten by default.
// Superseded by the library's queue worker (main/core/library/worker.ts: ask, backup before overwrite, force,
// history), which the CLI uses; kept only while the app's upload handler still calls it, and renames with the same
// keep-both rule (keepBothTarget).
import type { IfExistsPolicy, UploadAction } from '../domain.js';
import { keepBothName } from '../domain.js';
import { CancelledError } from '../errors.js';
import { keepBothTarget } from '../library/target.js';
import type { PbxClient, UploadGreetingOptions } from './client.js';
import { GreetingExistsError, PbxInputError } from './errors.js';
import { cleanGreetingName } from './multipart.js';

export type OverwritePolicy = 'ask' | IfExistsPolicy;
export type ExistsDecision = 'overwrite' | 'rename' | 'skip' | 'cancel';

export interface UploadWithPolicyOptions {
  ext: string;
  filePath: string;
  fileName: string;
  policy: OverwritePolicy;
  /** Called for policy 'ask' when the name exists; without it, 'ask' fails with GreetingExistsError. */
  decide?: (existing: { ext: string; fileName: string }) => Promise<ExistsDecision>;
  signal?: AbortSignal;
  onProgress?: (sent: number, total: number) => void;
}

export interface UploadOutcome {
  ext: string;
  /** The name stored on the PBX (differs from the request when renamed). */
  fileName: string;
  action: Exclude<UploadAction, 'unchanged'>;
  /** Whether the requested name already existed. */
  existed: boolean;
  /** Bytes of the file sent (0 when skipped). */
  bytes: number;
}

export type GreetingUploader = Pick<PbxClient, 'greetingExists' | 'uploadGreetingFile'>;

const POLICIES: ReadonlySet<string> = new Set(['ask', 'overwrite', 'skip', 'rename', 'fail']);

/** 'vm_away.wav', 3 -> 'vm_away-3.wav': the domain's keep-both rule (keepBothName). */
export const renamedCandidate = keepBothName;

export async function uploadWithPolicy(client: GreetingUploader, opts: UploadWithPolicyOptions): Promise<UploadOutcome> {
  if (!POLICIES.has(opts.policy)) throw new PbxInputError('PBX_BAD_OPTION', 'The if-exists policy must be ask, overwrite, skip, rename or fail.');
  const name = cleanGreetingName(opts.fileName);
  const { ext, signal } = opts;
  const force = async (fileName: string): Promise<number> => {
    const upload: UploadGreetingOptions = { ext, filePath: opts.filePath, fileName, mode: 'force' };
    if (signal) upload.signal = signal;
    if (opts.onProgress) upload.onProgress = opts.onProgress;
    return (await client.uploadGreetingFile(upload)).bytes;
  };

  const first = await client.greetingExists(ext, name, signal);
  if (!first.exists) return { ext, fileName: name, action: 'created', existed: false, bytes: await force(name) };

  let choice: Exclude<OverwritePolicy, 'ask'> | 'cancel';
  if (opts.policy === 'ask') {
    if (!opts.decide) throw new GreetingExistsError(ext, name, first.existType);
    choice = await opts.decide({ ext, fileName: name });
    if (signal?.aborted) throw new CancelledError('The upload');
  } else {
    choice = opts.policy;
  }
  switch (choice) {
    case 'overwrite':
      return { ext, fileName: name, action: 'overwritten', existed: true, bytes: await force(name) };
    case 'skip':
      return { ext, fileName: name, action: 'skipped', existed: true, bytes: 0 };
    case 'rename': {
      const target = await keepBothTarget(ext, name, { exists: async (n) => (await client.greetingExists(ext, n, signal)).exists }, signal);
      return { ext, fileName: target.name, action: 'renamed', existed: true, bytes: await force(target.name) };
    }
    case 'cancel':
      throw new CancelledError('The upload');
    case 'fail':
      throw new GreetingExistsError(ext, name, first.existType);
    default:
      throw new PbxInputError('PBX_BAD_OPTION', 'The decision must be overwrite, rename, skip or cancel.');
  }
}

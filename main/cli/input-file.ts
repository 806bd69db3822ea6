// Checks on a local input file before anything expensive happens, with messages that say what to do.
import { stat } from 'node:fs/promises';
import { showValue } from './args.js';
import { InputError } from './errors.js';

export async function requireInputFile(p: string): Promise<{ sizeBytes: number }> {
  const st = await stat(p).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new InputError(`Input file ${showValue(p)} does not exist: check the path.`, 'CLI_INPUT_NOT_FOUND');
    throw new InputError(`Cannot read input file ${showValue(p)} (${err.code ?? 'error'}): check the path and its permissions.`, 'CLI_INPUT_UNREADABLE', { cause: err });
  });
  if (!st.isFile()) throw new InputError(`Input ${showValue(p)} is not a file: give the path of an audio file.`, 'CLI_INPUT_NOT_A_FILE');
  if (st.size === 0) throw new InputError(`Input file ${showValue(p)} is empty (0 bytes): record or export the greeting again.`, 'AUDIO_EMPTY_FILE');
  return { sizeBytes: st.size };
}

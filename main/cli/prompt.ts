// The interactive "this name already exists" question for --if-exists ask (terminal only).
import { createInterface } from 'node:readline/promises';
import type { IfExistsPolicy } from '../core/domain.js';
import type { CliIo } from './io.js';

/** A policy to queue for the name that exists, or stop. */
export type ExistsDecision = Exclude<IfExistsPolicy, 'fail'> | 'cancel';

export function canPrompt(io: CliIo): boolean {
  return io.stdin.isTTY === true && io.stderr.isTTY === true;
}

export async function askExists(io: CliIo, existing: { ext: string; fileName: string }, signal: AbortSignal): Promise<ExistsDecision> {
  const rl = createInterface({ input: io.stdin, output: io.stderr as unknown as NodeJS.WritableStream, terminal: true });
  // Ctrl-D (end of input) closes the interface without answering the pending question: that is a "cancel".
  const closed = new Promise<null>((resolve) => rl.once('close', () => resolve(null)));
  try {
    for (let i = 0; i < 5; i++) {
      const question = `Extension ${existing.ext} already has a greeting named ${existing.fileName}. [o]verwrite, [r]ename, [s]kip, [c]ancel? `;
      const answer = await Promise.race([rl.question(question, { signal }), closed]);
      if (answer === null) return 'cancel';
      const key = answer.trim().toLowerCase();
      const decision = ({ o: 'overwrite', overwrite: 'overwrite', r: 'rename', rename: 'rename', s: 'skip', skip: 'skip', c: 'cancel', cancel: 'cancel' } as const)[key as 'o'];
      if (decision) return decision;
    }
    return 'cancel';
  } catch {
    return 'cancel'; // Ctrl-C at the prompt (the abort signal)
  } finally {
    rl.close();
  }
}

// The interactive "this name already exists" question for --if-exists ask (terminal only).
import { createInterface } from 'node:readline/promises';
import type { CliIo } from './io.js';

export type ExistsDecision = 'overwrite' | 'rename' | 'skip' | 'cancel';

export function canPrompt(io: CliIo): boolean {
  return io.stdin.isTTY === true && io.stderr.isTTY === true;
}

export async function askExists(io: CliIo, existing: { ext: string; fileName: string }, signal: AbortSignal): Promise<ExistsDecision> {
  const rl = createInterface({ input: io.stdin, output: io.stderr as unknown as NodeJS.WritableStream, terminal: true });
  try {
    for (let i = 0; i < 5; i++) {
      const answer = (
        await rl.question(`Extension ${existing.ext} already has a greeting named ${existing.fileName}. [o]verwrite, [r]ename, [s]kip, [c]ancel? `, { signal })
      )
        .trim()
        .toLowerCase();
      const decision = ({ o: 'overwrite', overwrite: 'overwrite', r: 'rename', rename: 'rename', s: 'skip', skip: 'skip', c: 'cancel', cancel: 'cancel' } as const)[answer as 'o'];
      if (decision) return decision;
    }
    return 'cancel';
  } catch {
    return 'cancel'; // Ctrl-C / Ctrl-D at the prompt
  } finally {
    rl.close();
  }
}

// Command groups that build on the drafts/queue library (main/core/library): drafts, queue, history, rollback.
import { registerBatch } from './commands/batch.js';
import { registerDrafts } from './commands/drafts.js';
import { registerHistory } from './commands/history.js';
import { registerQueue } from './commands/queue.js';
import type { Registrar } from './program.js';

export const extraCommands: readonly Registrar[] = [registerDrafts, registerQueue, registerBatch, registerHistory];

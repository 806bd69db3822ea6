// Command groups that build on the drafts/queue library (issue 5) register here.
import type { Registrar } from './program.js';

export const extraCommands: readonly Registrar[] = [];

// Which module registers each top-level command, loaded only when needed: `vmgreet prepare …` loads the prepare
// command (and what it imports), not the PBX client, the simulator or the queue; `--version` loads no command at
// all. Help, an unknown command (for the "did you mean" suggestion) and no command load them all.
import type { Registrar } from './program.js';

type Loader = () => Promise<Registrar>;

/** The commands registered by buildProgram itself. */
export const BUILT_IN_COMMANDS: Readonly<Record<string, Loader>> = {
  extensions: async () => (await import('./commands/extensions.js')).registerExtensions,
  greetings: async () => (await import('./commands/greetings.js')).registerGreetings,
  prepare: async () => (await import('./commands/prepare.js')).registerPrepare,
  upload: async () => (await import('./commands/upload.js')).registerUpload,
  sim: async () => (await import('./commands/sim.js')).registerSim,
  tts: async () => (await import('./commands/tts.js')).registerTts,
  templates: async () => (await import('./commands/templates.js')).registerTemplates,
};

/** The command groups built on the drafts/queue library (the binary's `extra` registrars; see extra-commands.ts). */
export const LIBRARY_COMMANDS: Readonly<Record<string, Loader>> = {
  drafts: async () => (await import('./commands/drafts.js')).registerDrafts,
  queue: async () => (await import('./commands/queue.js')).registerQueue,
  batch: async () => (await import('./commands/batch.js')).registerBatch,
  history: async () => (await import('./commands/history.js')).registerHistory,
  rollback: async () => (await import('./commands/history.js')).registerHistory,
};

const VERSION_FLAGS = new Set(['-V', '--version']);

/**
 * The registrars of `table` that the command line needs: the named command's only, none for a bare --version,
 * every one (once each) otherwise.
 */
export async function registrarsFor(argv: readonly string[], table: Readonly<Record<string, Loader>>): Promise<Registrar[]> {
  const name = argv.find((a) => !a.startsWith('-'));
  if (name === undefined && argv.length > 0 && argv.every((a) => VERSION_FLAGS.has(a))) return [];
  if (name !== undefined && !argv.slice(0, argv.indexOf(name)).some((a) => a === '-h' || a === '--help')) {
    const load = Object.hasOwn(table, name) ? table[name] : undefined;
    if (load) return [await load()];
    // A command of the other table (or an unknown one, which needs every name for its suggestion).
    if (Object.hasOwn(BUILT_IN_COMMANDS, name) || Object.hasOwn(LIBRARY_COMMANDS, name)) return [];
  }
  return [...new Set(await Promise.all(Object.values(table).map((load) => load())))];
}

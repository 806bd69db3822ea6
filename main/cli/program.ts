// The `vmgreet` command tree (commander 14) and the run loop shared by the binary and in-process callers.
import { Command, CommanderError } from 'commander';
import { BUILT_IN_COMMANDS, registrarsFor } from './command-table.js';
import type { RunState } from './context.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { UsageError } from './errors.js';

import { VERSION } from './version.js';

export { VERSION };

/** Extra command groups (drafts, queue, batch, rollback) register through this hook. */
export type Registrar = (program: Command, state: RunState) => void;

/** The command tree with the given commands (see command-table.ts for which a command line needs). */
export function buildProgram(state: RunState, registrars: readonly Registrar[]): Command {
  const program = new Command('vmgreet')
    .description('Prepare voicemail greetings and upload them to a Yeastar P-Series PBX.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      [
        '',
        'Connection (every PBX command): --pbx URL, --client-id, --client-secret, --ca FILE, --pin SHA256, --insecure,',
        'or the environment variables VMGREET_PBX_URL, VMGREET_CLIENT_ID, VMGREET_CLIENT_SECRET, VMGREET_CA_FILE,',
        'VMGREET_PIN_SHA256. Add --json to any command for one JSON document on stdout.',
        '',
        'Exit codes: 0 ok, 1 usage, 2 bad input/audio, 3 PBX refused (errcode shown), 4 network/TLS,',
        '5 name exists (--if-exists fail), 6 busy (another process is uploading from the same data folder).',
        '',
        'Try it without a PBX: vmgreet sim',
      ].join('\n'),
    );
  for (const register of registrars) register(program, state);

  // Every command (and group) reports parse errors through our handler, never process.exit().
  const configure = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.configureOutput({
      writeOut: (s) => void state.io.stdout.write(s),
      writeErr: (s) => void state.io.stderr.write(s),
    });
    for (const sub of cmd.commands) configure(sub);
  };
  configure(program);
  return program;
}

/** Parses argv (without node and script), runs the command, returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, signal: AbortSignal, extra: readonly Registrar[] = []): Promise<number> {
  const state: RunState = { io, signal, exitCode: EXIT.ok };
  const program = buildProgram(state, [...(await registrarsFor(argv, BUILT_IN_COMMANDS)), ...extra]);
  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; a group without a subcommand shows its help (usage error).
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return EXIT.ok;
      const message = err.message.replace(/^error:\s*/, '').replace(/\n[\s\S]*$/, '');
      // Commander already printed its message to stderr; with --json the script still gets its one JSON document.
      if (json) {
        const { Output } = await import('./output.js');
        const out = new Output({ ...io, stderr: { write: () => true } }, { json: true });
        out.error(new UsageError(message.charAt(0).toUpperCase() + message.slice(1), 'CLI_USAGE', { commander: err.code }));
      }
      return EXIT.usage;
    }
    const { Output } = await import('./output.js');
    return new Output(io, { json }).error(err);
  }
}

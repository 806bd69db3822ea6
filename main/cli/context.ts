// What every command action receives: the output layer for this run, the process streams, and a signal that
// fires on Ctrl-C so long operations (render, upload) stop cleanly and remove their temp files.
import type { Command } from 'commander';
import { loadZod } from './args.js';
import type { CliIo } from './io.js';
import { Output } from './output.js';

export interface CommandContext {
  out: Output;
  io: CliIo;
  signal: AbortSignal;
}

/** Shared state between the command tree and the entry point. */
export interface RunState {
  io: CliIo;
  signal: AbortSignal;
  exitCode: number;
}

export function addJsonOption(cmd: Command): Command {
  return cmd.option('--json', 'print one JSON document on stdout instead of text');
}

/**
 * Wraps a command handler: builds the Output from --json, runs the handler with validated inputs, and turns
 * any thrown error into the documented exit code and (with --json) a JSON error document.
 */
export function action<A extends unknown[]>(
  state: RunState,
  handler: (ctx: CommandContext, ...args: A) => Promise<void | number>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    // Commander passes (...positional, options, command); options carry --json.
    const command = args[args.length - 1] as Command;
    const json = command.opts<{ json?: boolean }>().json === true;
    const out = new Output(state.io, { json });
    try {
      await loadZod(); // the validator of every argument; loaded here rather than at start

      // A handler may return a non-zero code for a run that completed but not fully (e.g. a batch with failed items).
      const code = await handler({ out, io: state.io, signal: state.signal }, ...(args.slice(0, -1) as A));
      state.exitCode = code ?? 0;
    } catch (err) {
      state.exitCode = out.error(err);
    }
  };
}

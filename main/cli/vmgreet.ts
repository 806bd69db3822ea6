// Entry point of the `vmgreet` binary (bin/vmgreet.js imports the compiled form of this file).
import { runCli } from './program.js';
import { processIo } from './io.js';
import { extraCommands } from './extra-commands.js';

const controller = new AbortController();
let interrupts = 0;
const onSignal = (): void => {
  interrupts += 1;
  // First Ctrl-C: stop the current operation cleanly (temp files removed, token revoked, simulator closed).
  // Second Ctrl-C: the user really wants out.
  if (interrupts > 1) process.exit(130);
  controller.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), processIo(), controller.signal, extraCommands);
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
process.exitCode = code;

// Entry point of the `vmgreet` binary (bin/vmgreet.js imports the compiled form of this file).
import { LIBRARY_COMMANDS, registrarsFor } from './command-table.js';
import { runCli } from './program.js';
import { processIo } from './io.js';

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

const argv = process.argv.slice(2);
const code = await runCli(argv, processIo(), controller.signal, await registrarsFor(argv, LIBRARY_COMMANDS));
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
process.exitCode = code;

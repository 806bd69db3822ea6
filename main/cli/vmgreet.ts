// Entry point of the `vmgreet` binary (bin/vmgreet.js imports the compiled form of this file).
import { processIo } from './io.js';
import { VERSION } from './version.js';

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
// The reader went away (`vmgreet … | head`): stop quietly, as other command-line tools do, not with a stack trace.
const onStdoutError = (err: NodeJS.ErrnoException): void => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
};
process.stdout.on('error', onStdoutError);

const argv = process.argv.slice(2);
let code = 0;
// `--version` needs nothing else; every other command line loads the command tree and what it runs.
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${VERSION}\n`);
} else {
  const [{ runCli }, { LIBRARY_COMMANDS, registrarsFor }] = await Promise.all([import('./program.js'), import('./command-table.js')]);
  code = await runCli(argv, processIo(), controller.signal, await registrarsFor(argv, LIBRARY_COMMANDS));
}
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
process.exitCode = code;

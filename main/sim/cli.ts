// `vmgreet sim`: start the simulator, print how to connect, run until SIGINT/SIGTERM (or the abort signal) closes it.
import { startSimulator } from './index.js';
import type { Simulator } from './types.js';

export interface SimCliOptions { port?: number; https?: boolean; extensions?: number }

export interface SimCliIo {
  /** Where lines go (default: stdout). */
  log?: (line: string) => void;
  /** Stops the simulator like Ctrl-C (used by tests and embedding callers). */
  signal?: AbortSignal;
  /** Called once the simulator is listening. */
  onReady?: (sim: Simulator) => void;
}

export async function runSimulatorFromCli(opts: SimCliOptions, io: SimCliIo = {}): Promise<void> {
  const log = io.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const count = opts.extensions ?? 20;
  const sim = await startSimulator({ https: opts.https ?? false, port: opts.port ?? 0, extensions: count });
  log('Yeastar P-Series simulator running.');
  log(`  Base URL:      ${sim.url}`);
  log(`  Client ID:     ${sim.clientId}`);
  log(`  Client secret: ${sim.clientSecret}`);
  if (sim.fingerprint256) log(`  Certificate SHA-256 (pin this): ${sim.fingerprint256}`);
  if (count > 0) log(`  Extensions:    ${count} (3200–${3200 + count - 1})`);
  log('');
  log('Point the CLI at it:');
  log(`  export VMGREET_PBX_URL=${sim.url}`);
  log(`  export VMGREET_CLIENT_ID=${sim.clientId}`);
  log(`  export VMGREET_CLIENT_SECRET=${sim.clientSecret}`);
  if (sim.fingerprint256) log(`  export VMGREET_PIN_SHA256=${sim.fingerprint256}`);
  log('Press Ctrl-C to stop.');
  io.onReady?.(sim);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      void sim.close().then(() => {
        log('Simulator stopped.');
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
}

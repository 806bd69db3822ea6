// `npm run demo`: the app and the CLI against the built-in Yeastar P-Series simulator, no PBX needed.
// Starts the simulator over HTTP and HTTPS (same credentials) with sample extensions and a couple of seeded
// greetings, prints how to point the CLI and the app at it, then opens the Electron app preselecting the simulator
// (env VMGS_DEMO_PBX_URL / _ID / _SECRET / _SHA256). Without the Electron binary it says so and keeps the simulator running
// until Ctrl-C.  Flags: --no-app (never start Electron), --extensions N (default 50).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '../main/sim/index.js';
import { pcm16MonoWav } from '../main/core/wav.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A short two-tone 8 kHz 16-bit mono WAV, built in memory (no binary fixture in the repository). */
export function toneWav(seconds: number, freqs: readonly number[]): Buffer {
  const rate = 8000;
  const n = Math.round(seconds * rate);
  const seg = Math.ceil(n / freqs.length);
  return pcm16MonoWav(
    Array.from({ length: n }, (_, i) => {
      const f = freqs[Math.min(freqs.length - 1, Math.floor(i / seg))] ?? 440;
      const fade = Math.min(1, i / 200, (n - i) / 200);
      return Math.sin((2 * Math.PI * f * i) / rate) * 8000 * fade;
    }),
    rate,
  );
}

/** The Electron binary path, without triggering the `electron` package's download-on-require. */
export function findElectronBinary(root = projectRoot): string | undefined {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return undefined;
  const rel = readFileSync(pathFile, 'utf8').trim();
  const full = process.env.ELECTRON_OVERRIDE_DIST_PATH ? path.join(process.env.ELECTRON_OVERRIDE_DIST_PATH, rel) : path.join(pkg, 'dist', rel);
  return existsSync(full) ? full : undefined;
}

function parseArgs(argv: readonly string[]): { app: boolean; extensions: number } {
  let app = true;
  let extensions = 50;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--no-app') app = false;
    else if (a === '--extensions') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new Error('--extensions takes a whole number from 1 to 10000');
      extensions = n;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write('Usage: npm run demo [-- --no-app] [-- --extensions N]\n');
      process.exit(0);
    } else throw new Error(`unknown option ${a} (try --help)`);
  }
  return { app, extensions };
}

async function main(): Promise<void> {
  const { app, extensions } = parseArgs(process.argv.slice(2));
  // One simulator answering HTTPS and plain HTTP on two ports with shared state, so the app and the CLI see the
  // same greetings whichever address they use.
  const sim = await startSimulator({ https: true, httpAlso: true, extensions });
  sim.seedGreeting('3200', 'vm_away.wav', toneWav(2, [440, 660]));
  sim.seedGreeting('3200', 'closed_msg.wav', toneWav(1.5, [523]), { type: 'tts' });
  sim.seedGreeting('3201', 'lunch_break.wav', toneWav(1, [392, 494]));
  const httpUrl = sim.httpUrl ?? '';
  const fingerprint = sim.fingerprint256 ?? '';
  const last = 3200 + extensions - 1;
  const lines = [
    'VM Greeting Studio demo: Yeastar P-Series simulator running on this computer',
    `  HTTPS  ${sim.url}   (self-signed; SHA-256 ${fingerprint})`,
    `  HTTP   ${httpUrl}   (same PBX, unencrypted)`,
    `  ${extensions} extensions (3200-${last}); greetings seeded on 3200 and 3201`,
    `  Client ID      ${sim.clientId}`,
    `  Client secret  ${sim.clientSecret}   (the simulator's own, generated now)`,
    '',
    'CLI (paste into another terminal in this folder):',
    `  export VMGREET_PBX_URL=${sim.url}`,
    `  export VMGREET_CLIENT_ID=${sim.clientId}`,
    `  export VMGREET_CLIENT_SECRET=${sim.clientSecret}`,
    `  export VMGREET_PIN_SHA256=${fingerprint}`,
    '  npx vmgreet extensions --search 32',
    '  npx vmgreet greetings list --ext 3200',
    '',
    'App: "Try the demo PBX" connects to this simulator; or add a profile with the HTTPS address (pin the SHA-256),\n' +
      '     the client ID and the secret above.',
  ];
  process.stdout.write(lines.join('\n') + '\n\n');

  let child: ChildProcess | undefined;
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (child && child.exitCode === null) child.kill('SIGTERM');
    await sim.close();
    process.stdout.write('Simulator stopped.\n');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const electron = app ? findElectronBinary() : undefined;
  if (!app) {
    process.stdout.write('--no-app: not starting the desktop app. Press Ctrl-C to stop the simulator.\n');
  } else if (!electron) {
    process.stdout.write(
      'The Electron binary is not installed here (offline install or ELECTRON_SKIP_BINARY_DOWNLOAD), so the desktop app\n' +
        'cannot open. The simulator keeps running for the CLI. Press Ctrl-C to stop it.\n',
    );
  } else {
    process.stdout.write('Opening the desktop app; "Try the demo PBX" connects to this simulator. Close it or press Ctrl-C to stop.\n');
    child = spawn(electron, [projectRoot], {
      stdio: 'inherit',
      env: {
        ...process.env,
        VMGS_DEMO_PBX_URL: sim.url,
        VMGS_DEMO_PBX_ID: sim.clientId,
        VMGS_DEMO_PBX_SECRET: sim.clientSecret,
        VMGS_DEMO_PBX_SHA256: fingerprint,
      },
    });
    child.on('exit', (code) => void stop(code ?? 0));
    child.on('error', (err) => {
      process.stderr.write(`Could not start Electron (${err.message}); the simulator keeps running. Press Ctrl-C to stop it.\n`);
    });
  }
}

// Only run when executed (not when a test imports the helpers).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}


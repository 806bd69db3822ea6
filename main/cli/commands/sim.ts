// vmgreet sim [--port N] [--https] [--extensions N] — a local Yeastar P-Series simulator for trying the CLI and
// the app without a PBX. Prints the base URL and credentials (the one place the CLI shows a secret: it is the
// simulator's own, generated now) and runs until Ctrl-C.
import type { Command } from 'commander';
import { parseChoice, parseIntArg } from '../args.js';
import { CONNECTION_ENV } from '../connection.js';
import { action, addJsonOption, type RunState } from '../context.js';

interface Flags {
  port?: string;
  https?: boolean;
  extensions?: string;
  firstNumber?: string;
  clientId?: string;
  clientSecret?: string;
  askDuplicate?: string;
  sizeLimit?: string;
  tts?: boolean;
  ttsDelay?: string;
  selectionFields?: string;
  selectionValue?: string;
  lunchSpelling?: string;
  deleteInUse?: string;
  rename?: string;
  renameCarries?: boolean;
  recordDelay?: string;
}

export function registerSim(program: Command, state: RunState): void {
  const cmd = program
    .command('sim')
    .description('run a local Yeastar P-Series PBX simulator on 127.0.0.1 until Ctrl-C')
    .option('--port <n>', 'TCP port (0 = any free port)', '0')
    .option('--https', 'serve HTTPS with a self-signed certificate (prints its SHA-256 fingerprint for --pin)')
    .option('--extensions <n>', 'number of generated extensions, 1-10000', '20')
    .option('--first-number <n>', 'first generated extension number', '3200')
    .option('--client-id <id>', 'use this client ID instead of a generated one')
    .option('--client-secret <secret>', 'use this client secret instead of a generated one')
    .option('--ask-duplicate <mode>', 'how is_check=ask reports an existing name: exist_type or 40003 (unconfirmed PBX behaviour)', 'exist_type')
    .option('--size-limit <bytes>', 'upload limit: 8388608 or 8000000 (unconfirmed PBX behaviour)', '8388608')
    .option('--no-tts', 'act as a PBX without text-to-speech (extension_vm_greeting/create answers 10001)')
    .option('--tts-delay <ms>', 'how long a PBX text-to-speech greeting stays pending', '300')
    .option('--selection-fields <mode>', 'which greeting-selection fields extension/get carries: all, default-only or none (unconfirmed)', 'all')
    .option('--selection-value <form>', 'what selects a greeting in vm_greeting: file or real_filename (unconfirmed)', 'file')
    .option('--lunch-spelling <word>', 'how presence_list spells lunch: lunch or launch (unconfirmed)', 'lunch')
    .option('--delete-in-use <mode>', 'deleting a greeting that plays for a status: 70091 (refused) or follow_system (falls back) (unconfirmed)', '70091')
    .option('--rename <mode>', 'extension_vm_greeting/update (rename): present or 10001 (unconfirmed)', 'present')
    .option('--rename-carries', 'a rename carries the selection over to the new name (default: it stays on the old name; unconfirmed)')
    .option('--record-delay <ms>', 'record by phone: the recorded file appears after this many ms; "never" = nobody answers', '3000');
  addJsonOption(cmd);
  cmd.addHelpText('after', '\nExample:\n  vmgreet sim --https --extensions 50\n  # then, in another terminal, paste the printed export lines and run: vmgreet extensions');
  cmd.action(
    action<[Flags]>(state, async ({ out, signal }, flags) => {
      const port = parseIntArg(flags.port ?? '0', 'Port', 0, 65535);
      const extensions = parseIntArg(flags.extensions ?? '20', 'Extension count', 1, 10_000);
      const firstNumber = parseIntArg(flags.firstNumber ?? '3200', 'First extension number', 1, 999_999_999 - extensions);
      const askDuplicateMode = parseChoice(flags.askDuplicate ?? 'exist_type', ['exist_type', '40003'] as const, '--ask-duplicate');
      const sizeLimitBytes = parseIntArg(flags.sizeLimit ?? '8388608', 'Size limit', 1000, 1_000_000_000);
      const ttsCompleteAfterMs = parseIntArg(flags.ttsDelay ?? '300', 'TTS delay', 0, 600_000);
      const selectionFields = parseChoice(flags.selectionFields ?? 'all', ['all', 'default-only', 'none'] as const, '--selection-fields');
      const selectionValue = parseChoice(flags.selectionValue ?? 'file', ['file', 'real_filename'] as const, '--selection-value');
      const lunchSpelling = parseChoice(flags.lunchSpelling ?? 'lunch', ['lunch', 'launch'] as const, '--lunch-spelling');
      const deleteInUse = parseChoice(flags.deleteInUse ?? '70091', ['70091', 'follow_system'] as const, '--delete-in-use');
      const greetingUpdate = parseChoice(flags.rename ?? 'present', ['present', '10001'] as const, '--rename') === 'present';
      const recordDelayMs = flags.recordDelay === 'never' ? undefined : parseIntArg(flags.recordDelay ?? '3000', 'Record delay', 0, 3_600_000);
      // Loaded on demand: the simulator (certificate generation) is the heaviest module and only this command needs it.
      const { startSimulator } = await import('../../sim/index.js');
      const sim = await startSimulator({
        https: flags.https === true,
        port,
        extensions,
        firstNumber,
        askDuplicateMode,
        sizeLimitBytes,
        ttsSupported: flags.tts !== false,
        ttsCompleteAfterMs,
        selectionFields,
        selectionValue,
        lunchSpelling,
        deleteInUse,
        greetingUpdate,
        renameCarriesSelection: flags.renameCarries === true,
        ...(recordDelayMs !== undefined ? { recordDelayMs } : {}),
        ...(flags.clientId ? { clientId: flags.clientId } : {}),
        ...(flags.clientSecret ? { clientSecret: flags.clientSecret } : {}),
      });
      const variants = { askDuplicateMode, sizeLimitBytes, selectionFields, selectionValue, lunchSpelling, deleteInUse, greetingUpdate, renameCarriesSelection: flags.renameCarries === true, recordDelayMs: recordDelayMs ?? null };
      try {
        const last = firstNumber + extensions - 1;
        out.result(
          {
            url: sim.url,
            clientId: sim.clientId,
            clientSecret: sim.clientSecret,
            https: flags.https === true,
            extensions: { count: extensions, first: String(firstNumber), last: String(last) },
            ...(sim.fingerprint256 ? { fingerprint256: sim.fingerprint256 } : {}),
            env: simEnv(sim),
            variants,
          },
          () =>
            [
              `Yeastar P-Series simulator running (${flags.https ? 'HTTPS, self-signed certificate' : 'HTTP'}; extensions ${firstNumber}-${last})`,
              `  URL            ${sim.url}`,
              `  Client ID      ${sim.clientId}`,
              `  Client secret  ${sim.clientSecret}`,
              ...(sim.fingerprint256 ? [`  SHA-256        ${sim.fingerprint256}`] : []),
              `  Greetings      ask duplicate: ${askDuplicateMode}; size limit ${sizeLimitBytes} B`,
              `  Selection      fields: ${selectionFields}; selected by: ${selectionValue}; lunch spelled "${lunchSpelling}"; delete in use: ${deleteInUse}`,
              `                 rename: ${greetingUpdate ? 'present' : '10001'}${flags.renameCarries ? ' (carries the selection)' : ''}; record by phone: ${recordDelayMs === undefined ? 'nobody answers' : `file after ${recordDelayMs} ms`}`,
              '',
              'Point vmgreet at it (paste into another terminal):',
              ...Object.entries(simEnv(sim)).map(([k, v]) => `  export ${k}=${v}`),
              '',
              'Press Ctrl-C to stop.',
            ].join('\n'),
        );
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener('abort', () => resolve(), { once: true });
        });
      } finally {
        await sim.close();
      }
      out.info('Simulator stopped.');
    }),
  );
}

// Printed only for the simulator's own throwaway credentials, never for a real PBX.
function simEnv(sim: { url: string; clientId: string; clientSecret: string; fingerprint256?: string | undefined }): Record<string, string> {
  return {
    [CONNECTION_ENV.pbx]: sim.url,
    [CONNECTION_ENV.clientId]: sim.clientId,
    [CONNECTION_ENV.clientSecret]: sim.clientSecret,
    ...(sim.fingerprint256 ? { [CONNECTION_ENV.pin]: sim.fingerprint256 } : {}),
  };
}

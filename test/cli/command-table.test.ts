// Each command line loads only what it runs: the command table picks the registrars, and the binary still
// shows help, suggestions and every command the same way.
import { describe, expect, it, beforeAll } from 'vitest';
import { BUILT_IN_COMMANDS, LIBRARY_COMMANDS, registrarsFor } from '../../main/cli/command-table.js';
import { registerPrepare } from '../../main/cli/commands/prepare.js';
import { registerHistory } from '../../main/cli/commands/history.js';
import { ensureBuilt, runVmgreet } from './helpers.js';

describe('registrarsFor', () => {
  it('a named command loads only its own module, from the table it is in', async () => {
    expect(await registrarsFor(['prepare', 'in.wav', '-o', 'out.wav'], BUILT_IN_COMMANDS)).toEqual([registerPrepare]);
    expect(await registrarsFor(['prepare', 'in.wav', '-o', 'out.wav'], LIBRARY_COMMANDS)).toEqual([]);
    expect(await registrarsFor(['rollback', 'h-1'], LIBRARY_COMMANDS)).toEqual([registerHistory]);
    expect(await registrarsFor(['prepare', '--help'], BUILT_IN_COMMANDS)).toEqual([registerPrepare]);
  });

  it('--version loads no command; help, no command and an unknown one load all (once each)', async () => {
    expect(await registrarsFor(['--version'], BUILT_IN_COMMANDS)).toEqual([]);
    expect(await registrarsFor(['-V'], LIBRARY_COMMANDS)).toEqual([]);
    for (const argv of [[], ['--help'], ['help', 'prepare'], ['prepr'], ['--help', 'prepare']]) {
      expect((await registrarsFor(argv, BUILT_IN_COMMANDS)).length).toBe(Object.keys(BUILT_IN_COMMANDS).length);
      expect((await registrarsFor(argv, LIBRARY_COMMANDS)).length).toBe(Object.keys(LIBRARY_COMMANDS).length - 1); // history+rollback: one module
    }
  });
});

describe('the binary with lazily loaded commands', () => {
  beforeAll(async () => { await ensureBuilt(); }, 240_000);

  it('prints the version, the full help, a suggestion, and a command of each table', async () => {
    expect((await runVmgreet(['--version'])).stdout.trim()).toBe('0.1.0');
    const help = await runVmgreet(['--help']);
    for (const name of [...Object.keys(BUILT_IN_COMMANDS), ...Object.keys(LIBRARY_COMMANDS)]) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    const typo = await runVmgreet(['prepr']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('Did you mean prepare?');
    expect((await runVmgreet(['help', 'batch'])).stdout).toContain('Usage: vmgreet batch');
    expect((await runVmgreet(['rollback', '--help'])).stdout).toContain('Usage: vmgreet rollback');
  });
});

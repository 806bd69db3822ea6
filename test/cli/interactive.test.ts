// The terminal-only paths, in process with fake TTY streams: the "name exists" question of --if-exists ask (the
// default on a terminal) and the progress bar, which must never reach stdout.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../main/cli/program.js';
import { extraCommands } from '../../main/cli/extra-commands.js';
import type { CliIo } from '../../main/cli/io.js';
import { askExists } from '../../main/cli/prompt.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak, makeTempDir } from '../helpers/audio-fixtures.js';

vi.setConfig({ testTimeout: 120_000 });

function ttyIo(env: Record<string, string>, answers: string[]): { io: CliIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    // Answer each question as it is asked.
    if (d.includes('[o]verwrite, [r]ename, [s]kip, [c]ancel?')) stdin.write(`${answers.shift() ?? 'c'}\n`);
  });
  const io: CliIo = { stdout: { write: (s: string) => ((out += s), true), isTTY: true }, stderr, stdin, env };
  return { io, out: () => out, err: () => err };
}

let sim: Simulator;
let tmp: { dir: string; cleanup: () => Promise<void> };
let speech: string;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ extensions: 3 });
  tmp = await makeTempDir('vmgreet-tty-');
  speech = await espeak(path.join(tmp.dir, 'hi.wav'), 'Hi there, leave a message.');
  // Uploads go through the queue: a private data folder, never the user's own.
  env = { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret, VMGREET_DATA_DIR: path.join(tmp.dir, 'data') };
  sim.seedGreeting('3200', 'hi.wav', Buffer.from('RIFF-old'));
}, 120_000);

afterAll(async () => {
  await sim?.close();
  await tmp?.cleanup();
});

describe('on a terminal', () => {
  it('asks when the name exists; an invalid answer is asked again; "r" renames', async () => {
    const t = ttyIo(env, ['maybe', 'r']);
    const code = await runCli(['upload', speech, '--ext', '3200'], t.io, new AbortController().signal, extraCommands);
    expect(code).toBe(0);
    expect(t.err().match(/already has a greeting named hi\.wav/g)).toHaveLength(2);
    expect(t.out()).toMatch(/hi\.wav already existed on extension 3200; uploaded as hi-2\.wav/);
    expect(sim.greetings('3200').map((g) => g.real_filename).sort()).toEqual(['hi-2.wav', 'hi.wav']);
    expect(sim.greetings('3200').find((g) => g.real_filename === 'hi.wav')!.bytes.toString()).toBe('RIFF-old');
    // Progress bars go to stderr only.
    expect(t.out()).not.toMatch(/Uploading \[/);
  });

  it('"c" cancels: nothing uploaded, non-zero exit', async () => {
    const t = ttyIo(env, ['c']);
    const code = await runCli(['upload', speech, '--ext', '3200'], t.io, new AbortController().signal, extraCommands);
    expect(code).toBe(1);
    expect(t.err()).toMatch(/cancelled/i);
    expect(sim.greetings('3200')).toHaveLength(2);
  });

  it('asks the PBX first: the same bytes already there need no question (unchanged), and the upload is queued and recorded', async () => {
    const first = ttyIo(env, []);
    expect(await runCli(['upload', speech, '--ext', '3201'], first.io, new AbortController().signal, extraCommands)).toBe(0);
    const again = ttyIo(env, []);
    expect(await runCli(['upload', speech, '--ext', '3201'], again.io, new AbortController().signal, extraCommands)).toBe(0);
    expect(again.err()).not.toMatch(/\[o\]verwrite/);
    expect(again.out()).toMatch(/Unchanged: extension 3201 already has hi\.wav with exactly these bytes/);
    const { HistoryStore } = await import('../../main/core/library/index.js');
    const results = (await new HistoryStore({ dataDir: env['VMGREET_DATA_DIR']! }).list({ ext: '3201' })).map((e) => e.result);
    expect(results).toEqual(['unchanged', 'created']);
  });

  it('askExists maps answers and treats end of input as cancel', async () => {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    const io: CliIo = { stdout: { write: () => true }, stderr, stdin, env: {} };
    const p = askExists(io, { ext: '3200', fileName: 'a.wav' }, new AbortController().signal);
    stdin.write('overwrite\n');
    expect(await p).toBe('overwrite');
    const q = askExists(io, { ext: '3200', fileName: 'a.wav' }, new AbortController().signal);
    stdin.end();
    expect(await q).toBe('cancel');
  });
});

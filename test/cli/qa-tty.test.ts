// Progress on a terminal, in process with fake TTY streams: a one-item upload draws one bar (its bytes), not a
// second items bar over it; a batch's per-item lines use the same result words as its table, and its bar survives.
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { extraCommands } from '../../main/cli/extra-commands.js';
import type { CliIo } from '../../main/cli/io.js';
import { runCli } from '../../main/cli/program.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak, makeTempDir } from '../helpers/audio-fixtures.js';

vi.setConfig({ testTimeout: 120_000 });

function ttyIo(env: Record<string, string>): { io: CliIo; all: () => string; out: () => string } {
  let all = '';
  let out = '';
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  stderr.setEncoding('utf8').on('data', (d: string) => (all += d));
  const io: CliIo = { stdout: { write: (s: string) => ((out += s), (all += s), true), isTTY: true }, stderr, stdin: Object.assign(new PassThrough(), { isTTY: true }), env };
  return { io, all: () => all, out: () => out };
}

let sim: Simulator;
let tmp: { dir: string; cleanup: () => Promise<void> };
let speech: string;
let env: Record<string, string>;

beforeAll(async () => {
  sim = await startSimulator({ extensions: 6 });
  tmp = await makeTempDir('vmgreet-qa-tty-');
  speech = await espeak(path.join(tmp.dir, 'hi.wav'), 'Hi there, please leave a message.');
  env = { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret, VMGREET_DATA_DIR: path.join(tmp.dir, 'data') };
}, 120_000);
afterAll(async () => {
  await sim?.close();
  await tmp?.cleanup();
});

describe('progress on a terminal', () => {
  it('upload: one bytes bar, no items bar ("0/1") and no per-item line besides the result', async () => {
    const t = ttyIo(env);
    expect(await runCli(['upload', speech, '--ext', '3200', '--name', 'one'], t.io, new AbortController().signal, extraCommands)).toBe(0);
    expect(t.all()).toMatch(/Uploading \[[^\]]*\] \d+% \| \d+\/\d+ kB/);
    expect(t.all()).not.toMatch(/Uploading \[[^\]]*\] \d+\/1\b/);
    expect(t.out()).not.toMatch(/^\s+3200\s+one\.wav\s+uploaded/m);
    expect(t.out()).toMatch(/Uploaded one\.wav to extension 3200 \(new greeting/);
  });

  it('batch: per-item lines say "created"/"unchanged" like the table, not the raw state "uploaded"', async () => {
    const first = ttyIo(env);
    expect(await runCli(['batch', '--ext', '3201-3203', speech, '--name', 'many'], first.io, new AbortController().signal, extraCommands)).toBe(0);
    expect(first.out()).toMatch(/^\s+3201\s+many\.wav\s+created$/m);
    expect(first.out()).not.toMatch(/^\s+320\d\s+many\.wav\s+uploaded$/m);
    const again = ttyIo(env);
    expect(await runCli(['batch', '--ext', '3201-3203', speech, '--name', 'many'], again.io, new AbortController().signal, extraCommands)).toBe(0);
    expect(again.out()).toMatch(/^\s+3202\s+many\.wav\s+unchanged$/m);
  });

  it('batch --dry-run: a bar while the PBX is asked about each row', async () => {
    const t = ttyIo(env);
    expect(await runCli(['batch', '--ext', '3200-3205', speech, '--name', 'dry', '--dry-run'], t.io, new AbortController().signal, extraCommands)).toBe(0);
    expect(t.all()).toMatch(/Asking the PBX \[[^\]]*\] 6\/6/);
  });
});

// Bad input through the real binary: each case ends with the documented exit code, a clear one-line message on
// stderr (and a JSON error document on stdout with --json), the secret nowhere, and nothing stored on the PBX.
import http from 'node:http';
import net from 'node:net';
import { open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak, makeTempDir } from '../helpers/audio-fixtures.js';
import { ensureBuilt, oneJson, runVmgreet } from './helpers.js';
import { pcmWavHeader } from '../../main/core/wav.js';

// Each case spawns the real binary (and often ffmpeg); on a loaded 2-core CI box that takes seconds per run.
vi.setConfig({ testTimeout: 240_000 });

let sim: Simulator;
let simTls: Simulator;
let htmlServer: http.Server;
let htmlPort: number;
let closedPort: number;
let tmp: { dir: string; cleanup: () => Promise<void> };
let speech: string;
let empty: string;
let big: string;
let notAudio: string;
let badCsv: string;

async function freePortThenClose(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

beforeAll(async () => {
  await ensureBuilt();
  sim = await startSimulator({ extensions: 5 });
  simTls = await startSimulator({ https: true, extensions: 5 });
  // Something else listening where the PBX was expected: a web page, not the PBX API.
  htmlServer = http.createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<html><body><h1>404 Not Found</h1></body></html>');
  });
  await new Promise<void>((r) => htmlServer.listen(0, '127.0.0.1', () => r()));
  htmlPort = (htmlServer.address() as net.AddressInfo).port;
  closedPort = await freePortThenClose();
  tmp = await makeTempDir('vmgreet-bad-');
  speech = await espeak(path.join(tmp.dir, 'speech.wav'), 'Please leave a message.');
  empty = path.join(tmp.dir, 'empty.wav');
  await writeFile(empty, '');
  badCsv = path.join(tmp.dir, 'bad.csv');
  await writeFile(badCsv, `extension,file\n3200,${'x'.repeat(5000)}"y\n`);
  notAudio = path.join(tmp.dir, 'notes.wav');
  await writeFile(notAudio, 'this is a text file pretending to be audio\n'.repeat(50));
  // 9 MB "wav": a valid header followed by silence, larger than the 8 MB limit.
  big = path.join(tmp.dir, 'nine-mb.wav');
  const dataBytes = 9_000_000;
  const header = pcmWavHeader({ dataBytes });
  const fh = await open(big, 'w');
  await fh.write(header);
  await fh.write(Buffer.alloc(dataBytes));
  await fh.close();
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await simTls?.close();
  await new Promise<void>((r) => (htmlServer ? htmlServer.close(() => r()) : r()));
  await tmp?.cleanup();
});

beforeEach(() => {
  sim.clearRequestLog();
  simTls.clearRequestLog();
});

type Target = 'http' | 'https' | 'html' | 'closed' | 'none';

interface Case {
  name: string;
  args: () => string[];
  target?: Target;
  env?: () => Record<string, string>;
  exit: number;
  message: RegExp;
  /** The CLI must refuse before sending any request. */
  noRequest?: boolean;
}

function envFor(target: Target): Record<string, string> {
  switch (target) {
    case 'http':
      return { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret };
    case 'https':
      return { VMGREET_PBX_URL: simTls.url, VMGREET_CLIENT_ID: simTls.clientId, VMGREET_CLIENT_SECRET: simTls.clientSecret, VMGREET_PIN_SHA256: simTls.fingerprint256! };
    case 'html':
      return { VMGREET_PBX_URL: `http://127.0.0.1:${htmlPort}`, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret };
    case 'closed':
      return { VMGREET_PBX_URL: `http://127.0.0.1:${closedPort}`, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret };
    case 'none':
      return {};
  }
}

const up = (...extra: string[]) => () => ['upload', speech, '--ext', '3200', ...extra];

const CASES: Case[] = [
  { name: 'unreachable host (closed port on 127.0.0.1)', target: 'closed', args: up(), exit: 4, message: /refused|not reachable|could not connect|connect/i },
  { name: 'wrong port (a web server, not the PBX API)', target: 'html', args: up(), exit: 4, message: /HTML|not the PBX|web page|API/i },
  { name: 'HTTP against the HTTPS simulator', target: 'none', env: () => ({ ...envFor('https'), VMGREET_PBX_URL: simTls.url.replace('https:', 'http:') }), args: up(), exit: 4, message: /HTTPS|https:\/\//i },
  { name: 'TLS fingerprint mismatch', target: 'none', env: () => ({ ...envFor('https'), VMGREET_PIN_SHA256: 'AB'.repeat(32) }), args: up(), exit: 4, message: /fingerprint|pin/i },
  { name: 'self-signed certificate without --pin/--ca', target: 'none', env: () => ({ ...envFor('https'), VMGREET_PIN_SHA256: '' }), args: up(), exit: 4, message: /certificate/i },
  { name: 'extension that does not exist', target: 'http', args: () => ['upload', speech, '--ext', '9999'], exit: 3, message: /9999|not found|does not exist|60001/i },
  { name: 'extension with &', target: 'http', args: () => ['upload', speech, '--ext', '3200&owner=3201'], exit: 1, message: /Extension "3200&owner=3201" is not valid: use the extension number, digits only/, noRequest: true },
  { name: 'extension with /', target: 'http', args: () => ['upload', speech, '--ext', '3200/../3201'], exit: 1, message: /Extension .* is not valid/, noRequest: true },
  { name: 'extension with spaces', target: 'http', args: () => ['upload', speech, '--ext', '32 00'], exit: 1, message: /Extension "32 00" is not valid/, noRequest: true },
  { name: 'extension of 200 characters', target: 'http', args: () => ['upload', speech, '--ext', '3'.repeat(200)], exit: 1, message: /\(200 characters\) is not valid: an extension number has at most 15 digits/, noRequest: true },
  { name: 'name with quotes', target: 'http', args: up('--name', 'say "hello"'), exit: 1, message: /Name "say \\"hello\\"" is not valid: use only letters, digits, "-" and "_"/, noRequest: true },
  { name: 'name with CR', target: 'http', args: up('--name', 'away\rnow'), exit: 1, message: /Name "away\\rnow" is not valid/, noRequest: true },
  { name: 'name with LF', target: 'http', args: up('--name', 'away\nX-Injected: 1'), exit: 1, message: /Name "away\\nX-Injected: 1" is not valid/, noRequest: true },
  { name: 'name with unicode', target: 'http', args: up('--name', 'Grüße_Büro'), exit: 1, message: /Name "Grüße_Büro" is not valid: use only letters, digits, "-" and "_" \(no spaces or accents\)/, noRequest: true },
  { name: '0-byte file', target: 'http', args: () => ['upload', empty, '--ext', '3200'], exit: 2, message: /empty \(0 bytes\)/, noRequest: true },
  { name: '0-byte file with --as-is', target: 'http', args: () => ['upload', empty, '--ext', '3200', '--as-is'], exit: 2, message: /empty \(0 bytes\)/, noRequest: true },
  { name: '9 MB file with --as-is', target: 'http', args: () => ['upload', big, '--ext', '3200', '--as-is'], exit: 2, message: /9\.00 MB, over the PBX limit of 8 MB: drop --as-is/, noRequest: true },
  { name: 'a text file named .wav', target: 'http', args: () => ['upload', notAudio, '--ext', '3200'], exit: 2, message: /audio|decod|read/i, noRequest: true },
  { name: 'input file that does not exist', target: 'http', args: () => ['upload', path.join(tmp.dir, 'nope.wav'), '--ext', '3200'], exit: 2, message: /does not exist: check the path/, noRequest: true },
  { name: 'missing credentials', target: 'none', args: up(), exit: 1, message: /Missing PBX connection settings: --pbx \(or VMGREET_PBX_URL\), --client-id \(or VMGREET_CLIENT_ID\), --client-secret/, noRequest: true },
  { name: 'bad --format', target: 'http', args: up('--format', 'ogg'), exit: 1, message: /Format "ogg" is not valid: choose one of wav, wav-ulaw, wav-alaw, mp3, gsm, auto/, noRequest: true },
  { name: '--start after --end', target: 'http', args: up('--start', '5', '--end', '2'), exit: 1, message: /--start \(5 s\) must be before --end \(2 s\)/, noRequest: true },
  { name: 'bad --if-exists', target: 'http', args: up('--if-exists', 'clobber'), exit: 1, message: /--if-exists "clobber" is not valid: choose one of ask, overwrite, rename, skip, fail/, noRequest: true },
  { name: '--if-exists ask without a terminal', target: 'http', args: up('--if-exists', 'ask'), exit: 1, message: /needs an interactive terminal/, noRequest: true },
  { name: 'bad PBX address', target: 'none', env: () => ({ ...envFor('http'), VMGREET_PBX_URL: 'ftp://pbx.example' }), args: up(), exit: 1, message: /PBX address "ftp:\/\/pbx.example" is not valid/, noRequest: true },
  { name: 'malformed --pin', target: 'http', args: up('--pin', 'not-a-fingerprint'), exit: 1, message: /not a SHA-256 fingerprint/, noRequest: true },
  { name: 'PBX address with user:pass@ (a usage error)', target: 'none', env: () => ({ ...envFor('http'), VMGREET_PBX_URL: sim.url.replace('http://', 'http://admin:hunter2@') }), args: up(), exit: 1, message: /PBX address .* is not valid\. The PBX address must not contain a user name or password/, noRequest: true },
  { name: 'client secret of only spaces', target: 'none', env: () => ({ ...envFor('http'), VMGREET_CLIENT_SECRET: '    ' }), args: up(), exit: 1, message: /Missing PBX connection settings: --client-secret \(or VMGREET_CLIENT_SECRET\)/, noRequest: true },
  { name: 'prepare into a folder that does not exist', target: 'http', args: () => ['prepare', speech, '-o', path.join(tmp.dir, 'missing', 'dir', 'x.wav')], exit: 2, message: /The output folder ".*missing\/dir" does not exist: create it first/, noRequest: true },
  { name: '--data-dir that is a file', target: 'http', args: () => ['queue', 'list', '--data-dir', notAudio], exit: 2, message: /--data-dir ".*notes\.wav" is a file, not a folder/, noRequest: true },
  { name: '--data-dir inside a file', target: 'http', args: () => ['history', '--data-dir', path.join(notAudio, 'sub')], exit: 2, message: /--data-dir ".*" lies inside a file, not a folder/, noRequest: true },
  { name: 'a CSV that cannot be parsed (a 5,000-character cell)', target: 'http', args: () => ['batch', '--csv', badCsv], exit: 2, message: /^vmgreet: The CSV file cannot be parsed: Invalid Opening Quote: .*line 2, value is "x{40}…" \(5000 characters\)\. Check the quotes on that line\.$/, noRequest: true },
  { name: 'wrong client secret', target: 'none', env: () => ({ ...envFor('http'), VMGREET_CLIENT_SECRET: 'wrong-secret-value' }), args: up(), exit: 3, message: /client id|secret|credential/i },
];

describe('bad input through the real binary', () => {
  it('has at least 15 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(15);
  });

  it.each(CASES)('$name → exit $exit', async (c) => {
    const env = c.env ? c.env() : envFor(c.target ?? 'http');
    const r = await runVmgreet([...c.args(), '--json'], { env });
    expect(r.code, r.stderr).toBe(c.exit);
    // One JSON error document on stdout, carrying the same exit code.
    const doc = oneJson(r.stdout) as { error: { message: string; exitCode: number; code: string } };
    expect(doc.error.exitCode).toBe(c.exit);
    // A clear message on stderr: one line (plus an optional hint), no stack trace.
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^vmgreet: /);
    expect(lines[0]).toMatch(c.message);
    expect(lines.slice(1).every((l) => l.startsWith('hint: ') || l.startsWith('warning: '))).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // The secret never appears.
    for (const s of [sim.clientSecret, simTls.clientSecret]) expect(r.stdout + r.stderr).not.toContain(s);
    // Nothing stored anywhere.
    for (const s of [sim, simTls]) for (const ext of ['3200', '3201', '3202', '3203', '3204']) expect(s.greetings(ext)).toEqual([]);
    if (c.noRequest) {
      expect(sim.requestLog()).toEqual([]);
      expect(simTls.requestLog()).toEqual([]);
    }
    // No upload with is_check=force ever reached a simulator.
    expect([...sim.requestLog(), ...simTls.requestLog()].filter((e) => e.path.endsWith('/upload'))).toHaveLength(
      c.name === 'extension that does not exist' ? 1 : 0,
    );
  });

  it('human mode prints the same message without a JSON document', async () => {
    const r = await runVmgreet(['upload', speech, '--ext', '32 00'], { env: envFor('http') });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('vmgreet: Extension "32 00" is not valid: use the extension number, digits only (for example 3200).\n');
  });

  it('a TLS rejection offers the fingerprint to pin', async () => {
    const env = { ...envFor('https'), VMGREET_PIN_SHA256: '' };
    const r = await runVmgreet(['extensions'], { env });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`--pin ${simTls.fingerprint256}`);
  });
});

// The real `vmgreet` binary as a child process against an in-process simulator: help, exit codes, --json shapes,
// and a generated speech file uploaded end to end.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak, makeTempDir } from '../helpers/audio-fixtures.js';
import { ensureBuilt, oneJson, runVmgreet } from './helpers.js';

// Each case spawns the real binary (and often ffmpeg); on a loaded 2-core CI box that takes seconds per run.
vi.setConfig({ testTimeout: 240_000 });

let sim: Simulator;
let tmp: { dir: string; cleanup: () => Promise<void> };
let speech: string;
let env: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  sim = await startSimulator({ extensions: 50 });
  tmp = await makeTempDir('vmgreet-cli-');
  speech = await espeak(path.join(tmp.dir, 'front desk away.wav'), 'Hello, you have reached the front desk. Please leave a message after the tone.');
  env = { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret, VMGREET_DATA_DIR: path.join(tmp.dir, 'data') };
}, 180_000);

afterAll(async () => {
  await sim?.close();
  await tmp?.cleanup();
});

/** Every run: the client secret never appears on stdout or stderr. */
async function vm(args: string[], extraEnv: Record<string, string> = {}) {
  const r = await runVmgreet(args, { env: { ...env, ...extraEnv } });
  expect(r.stdout + r.stderr).not.toContain(sim.clientSecret);
  return r;
}

describe('help and usage', () => {
  it.each([
    [[]], [['extensions']], [['greetings']], [['greetings', 'list']], [['greetings', 'download']], [['greetings', 'delete']],
    [['prepare']], [['upload']], [['sim']], [['drafts', 'list']], [['drafts', 'show']], [['drafts', 'delete']], [['queue', 'list']],
    [['queue', 'run']], [['queue', 'retry']], [['queue', 'cancel']], [['batch']], [['history']], [['rollback']],
  ])('vmgreet %j --help exits 0 with usage text', async (cmd) => {
    const r = await runVmgreet([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: vmgreet/);
  });

  it('an unknown command or option is a usage error (1), with one JSON error document under --json', async () => {
    const a = await runVmgreet(['upload', 'x.wav', '--ext', '3200', '--frobnicate']);
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/unknown option '--frobnicate'/);
    const b = await runVmgreet(['frobnicate', '--json']);
    expect(b.code).toBe(1);
    expect(oneJson(b.stdout)).toMatchObject({ error: { kind: 'usage', exitCode: 1 } });
    const c = await runVmgreet(['greetings', 'list']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/required option '--ext <number>' not specified/);
  });
});

describe('extensions', () => {
  it('prints an aligned table with a paging footer', async () => {
    const r = await vm(['extensions', '--page-size', '5']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NUMBER\s+NAME\s+PRESENCE\s+ONLINE\s+E-MAIL$/);
    expect(lines[2]).toMatch(/^\s+3200\s/);
    // Columns line up: every data row has the NAME column at the same offset as the header.
    const nameCol = lines[0]!.indexOf('NAME');
    for (const row of lines.slice(2, 7)) expect(row.slice(nameCol - 2, nameCol)).toBe('  ');
    expect(r.stdout).toMatch(/Extensions 1-5 of 50 \(page 1 of 10\)\. Next page: --page 2\./);
  });

  it('--json: {total, page, pageSize, items[]} with the picker fields', async () => {
    const r = await vm(['extensions', '--page', '2', '--page-size', '20', '--json']);
    expect(r.code).toBe(0);
    const doc = oneJson(r.stdout);
    expect(doc).toMatchObject({ total: 50, page: 2, pageSize: 20 });
    const items = doc['items'] as Array<Record<string, unknown>>;
    expect(items).toHaveLength(20);
    expect(items[0]).toEqual({
      id: expect.any(Number), number: '3220', callerIdName: expect.any(String), email: expect.any(String), presence: expect.any(String), online: expect.any(Boolean),
    });
  });

  it('--search filters', async () => {
    const r = await vm(['extensions', '--search', '3249', '--json']);
    expect(r.code).toBe(0);
    const doc = oneJson(r.stdout);
    expect(doc['total']).toBe(1);
    expect((doc['items'] as Array<{ number: string }>)[0]?.number).toBe('3249');
    const none = await vm(['extensions', '--search', 'no-such-person']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/No extension matches "no-such-person"\./);
  });
});

describe('upload, list, download, delete', () => {
  it('uploads a generated speech file end to end; greetings list shows it', async () => {
    const r = await vm(['upload', speech, '--ext', '3210', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = oneJson(r.stdout);
    // Name derived from the input file name, made safe for the PBX.
    expect(doc).toMatchObject({ ext: '3210', name: 'front_desk_away.wav', format: 'wav', existed: false, action: 'created', source: 'rendered' });
    expect(doc['bytes']).toBeGreaterThan(20_000);
    const stored = sim.greetings('3210');
    expect(stored.map((g) => g.real_filename)).toEqual(['front_desk_away.wav']);
    expect(stored[0]?.bytes.length).toBe(doc['bytes']);
    // What was stored is telephone audio: RIFF/WAVE, PCM, mono, 8 kHz.
    const wav = stored[0]!.bytes;
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt16LE(20)).toBe(1);
    expect(wav.readUInt16LE(22)).toBe(1);
    expect(wav.readUInt32LE(24)).toBe(8000);

    const list = await vm(['greetings', 'list', '--ext', '3210']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+FILE\s+TYPE\n/);
    expect(list.stdout).toMatch(/front_desk_away\.wav\s+record/);
    expect(list.stdout).toMatch(/1 greeting on extension 3210\./);
    const listJson = oneJson((await vm(['greetings', 'list', '--ext', '3210', '--json'])).stdout);
    expect(listJson).toMatchObject({ ext: '3210', total: 1, items: [{ realFilename: 'front_desk_away.wav', suffix: '.wav' }] });
  });

  it('human upload output names the format, why, and the result', async () => {
    const r = await vm(['upload', speech, '--ext', '3211', '--name', 'lunch']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/format\s+wav \(WAV, PCM 16-bit 8 kHz mono\)/);
    expect(r.stdout).toMatch(/why\s+wav is the default/);
    expect(r.stdout).toMatch(/Uploaded lunch\.wav to extension 3211 \(new greeting, [\d.]+ kB\)\./);
    expect(r.stderr).toBe('');
  });

  it('existing name: the same bytes are unchanged; other bytes fail by default off a terminal (5), then skip / overwrite / rename as asked', async () => {
    const before = sim.greetings('3211')[0]!.bytes;
    // A rerun with exactly the bytes already there: "unchanged" under the default policy (fail), nothing written.
    const same = await vm(['upload', speech, '--ext', '3211', '--name', 'lunch', '--json']);
    expect(same.code, same.stderr).toBe(0);
    expect(oneJson(same.stdout)).toMatchObject({ name: 'lunch.wav', action: 'unchanged', existed: true, bytes: 0 });
    const sameText = await vm(['upload', speech, '--ext', '3211', '--name', 'lunch']);
    expect(sameText.stdout).toMatch(/Unchanged: extension 3211 already has lunch\.wav with exactly these bytes/);
    expect(sim.greetings('3211')[0]!.bytes.equals(before)).toBe(true);

    // Other bytes (another loudness) under that name.
    const fail = await vm(['upload', speech, '--ext', '3211', '--name', 'lunch', '--target-lufs', '-26', '--json']);
    expect(fail.code).toBe(5);
    expect(oneJson(fail.stdout)).toMatchObject({ error: { code: 'GREETING_EXISTS', kind: 'exists', exitCode: 5 } });
    expect(fail.stderr).toMatch(/hint: add --if-exists overwrite, rename or skip/);

    const skip = oneJson((await vm(['upload', speech, '--ext', '3211', '--name', 'lunch', '--target-lufs', '-26', '--if-exists', 'skip', '--json'])).stdout);
    expect(skip).toMatchObject({ name: 'lunch.wav', action: 'skipped', existed: true });

    const over = await vm(['upload', speech, '--ext', '3211', '--name', 'lunch', '--if-exists', 'overwrite', '--format', 'wav-ulaw', '--json']);
    expect(over.code).toBe(0);
    expect(oneJson(over.stdout)).toMatchObject({ name: 'lunch.wav', action: 'overwritten', existed: true, format: 'wav-ulaw' });
    const after = sim.greetings('3211');
    expect(after).toHaveLength(1);
    expect(after[0]!.bytes.equals(before)).toBe(false);

    const ren = oneJson((await vm(['upload', speech, '--ext', '3211', '--name', 'lunch', '--if-exists', 'rename', '--json'])).stdout);
    expect(ren).toMatchObject({ name: 'lunch-2.wav', action: 'renamed', existed: true });
    expect(sim.greetings('3211').map((g) => g.real_filename).sort()).toEqual(['lunch-2.wav', 'lunch.wav']);
  });

  it('--as-is sends an acceptable file byte for byte', async () => {
    const prepared = path.join(tmp.dir, 'ready.wav');
    const p = await vm(['prepare', speech, '-o', prepared, '--json']);
    expect(p.code).toBe(0);
    const r = await vm(['upload', prepared, '--ext', '3212', '--as-is', '--json']);
    expect(r.code).toBe(0);
    expect(oneJson(r.stdout)).toMatchObject({ name: 'ready.wav', format: 'wav', source: 'as-is', action: 'created' });
    expect(sim.greetings('3212')[0]!.bytes.equals(await readFile(prepared))).toBe(true);
  });

  it('download and delete', async () => {
    const dest = path.join(tmp.dir, 'back.wav');
    const d = await vm(['greetings', 'download', '--ext', '3210', '--file', 'front_desk_away.wav', '-o', dest, '--json']);
    expect(d.code).toBe(0);
    expect(oneJson(d.stdout)).toMatchObject({ ext: '3210', file: 'front_desk_away.wav', path: dest });
    expect((await readFile(dest)).equals(sim.greetings('3210')[0]!.bytes)).toBe(true);
    // Refuses to clobber an existing local file without --force.
    const again = await vm(['greetings', 'download', '--ext', '3210', '--file', 'front_desk_away.wav', '-o', dest]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists: choose another path or add --force/);

    const del = await vm(['greetings', 'delete', '--ext', '3210', '--file', 'front_desk_away.wav']);
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/Deleted front_desk_away\.wav from extension 3210\./);
    expect(sim.greetings('3210')).toHaveLength(0);
    const missing = await vm(['greetings', 'delete', '--ext', '3210', '--file', 'front_desk_away.wav', '--json']);
    expect(missing.code).toBe(3);
    expect(oneJson(missing.stdout)).toMatchObject({ error: { kind: 'pbx', errcode: 60001, exitCode: 3 } });
  });
});

describe('prepare', () => {
  it('writes a greeting and explains the format; auto picks a suffix that matches', async () => {
    const out = path.join(tmp.dir, 'auto-out.wav');
    const r = await vm(['prepare', speech, '-o', out, '--format', 'auto', '--json']);
    expect(r.code).toBe(0);
    const doc = oneJson(r.stdout);
    expect(doc).toMatchObject({ output: out, format: 'wav' });
    expect(String(doc['formatReason'])).toMatch(/fits/);
    expect((await readFile(out)).toString('ascii', 0, 4)).toBe('RIFF');

    const gsm = await vm(['prepare', speech, '-o', path.join(tmp.dir, 'small'), '--format', 'gsm']);
    expect(gsm.code).toBe(0);
    expect(gsm.stdout).toContain(`Prepared ${path.join(tmp.dir, 'small.gsm')}`);
    expect(gsm.stdout).toMatch(/format\s+gsm \(GSM 06\.10, 8 kHz mono\)/);
  });

  it('refuses a suffix that contradicts --format, and an existing output without --force', async () => {
    const mismatch = await vm(['prepare', speech, '-o', path.join(tmp.dir, 'x.wav'), '--format', 'mp3']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/does not match --format mp3/);
    const existing = path.join(tmp.dir, 'exists.wav');
    await writeFile(existing, 'keep me');
    const r = await vm(['prepare', speech, '-o', existing]);
    expect(r.code).toBe(2);
    expect(await readFile(existing, 'utf8')).toBe('keep me');
  });
});

describe('HTTPS', () => {
  let https: Simulator;
  beforeAll(async () => {
    https = await startSimulator({ https: true, extensions: 5 });
  });
  afterAll(async () => {
    await https?.close();
  });

  it('works with the certificate pinned (flag or env) or trusted as a CA file', async () => {
    const base = { VMGREET_PBX_URL: https.url, VMGREET_CLIENT_ID: https.clientId, VMGREET_CLIENT_SECRET: https.clientSecret };
    const pinned = await runVmgreet(['extensions', '--json', '--pin', https.fingerprint256!.replace(/:/g, '').toLowerCase()], { env: base });
    expect(pinned.code).toBe(0);
    expect(oneJson(pinned.stdout)['total']).toBe(5);
    const viaEnv = await runVmgreet(['greetings', 'list', '--ext', '3200'], { env: { ...base, VMGREET_PIN_SHA256: https.fingerprint256! } });
    expect(viaEnv.code).toBe(0);
    const ca = path.join(tmp.dir, 'sim-ca.pem');
    await writeFile(ca, https.certPem!);
    const trusted = await runVmgreet(['extensions', '--ca', ca, '--json'], { env: base });
    expect(trusted.stderr).toBe('');
    expect(trusted.code).toBe(0);
  });

  it('--insecure works but warns loudly on stderr, keeping stdout a clean JSON document', async () => {
    const base = { VMGREET_PBX_URL: https.url, VMGREET_CLIENT_ID: https.clientId, VMGREET_CLIENT_SECRET: https.clientSecret };
    const r = await runVmgreet(['extensions', '--insecure', '--json'], { env: base });
    expect(r.code).toBe(0);
    expect(oneJson(r.stdout)['total']).toBe(5);
    expect(r.stderr).toMatch(/warning: --insecure: the PBX certificate is NOT verified/);
  });
});

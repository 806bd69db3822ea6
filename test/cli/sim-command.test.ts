// `vmgreet sim` (the real binary): prints a URL and credentials that work, and Ctrl-C (SIGINT) stops it cleanly.
// Also `npm run demo`'s script with --no-app.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeTempDir } from '../helpers/audio-fixtures.js';
import { BIN, ROOT, childEnv, ensureBuilt, oneJson, runVmgreet } from './helpers.js';

// Each case spawns the real binary (and often ffmpeg); on a loaded 2-core CI box that takes seconds per run.
vi.setConfig({ testTimeout: 240_000 });

const children: ChildProcessWithoutNullStreams[] = [];

function start(cmd: string, args: string[], env: Record<string, string> = {}): { child: ChildProcessWithoutNullStreams; output: () => string; waitFor: (re: RegExp) => Promise<string> } {
  const child = spawn(process.execPath, [cmd, ...args], { cwd: ROOT, env: childEnv(env) });
  children.push(child);
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
  const waitFor = async (re: RegExp): Promise<string> => {
    const deadline = Date.now() + 30_000;
    while (!re.test(out)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`did not see ${re} in:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return out;
  };
  return { child, output: () => out, waitFor };
}

function exited(child: ChildProcessWithoutNullStreams, timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve({ code: child.exitCode, signal: child.signalCode });
    const t = setTimeout(() => reject(new Error('process did not exit')), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal });
    });
  });
}

beforeAll(async () => {
  await ensureBuilt();
}, 180_000);

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

describe('vmgreet sim', () => {
  it('prints a URL and credentials that work, and stops on SIGINT', async () => {
    const sim = start(BIN, ['sim', '--extensions', '7', '--first-number', '4100']);
    const text = await sim.waitFor(/Press Ctrl-C to stop\./);
    const url = /URL\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    const id = /Client ID\s+(\S+)/.exec(text)?.[1];
    const secret = /Client secret\s+(\S+)/.exec(text)?.[1];
    expect(url && id && secret).toBeTruthy();
    expect(text).toContain(`export VMGREET_PBX_URL=${url}`);
    expect(text).toContain(`export VMGREET_CLIENT_SECRET=${secret}`);

    const r = await runVmgreet(['extensions', '--json'], { env: { VMGREET_PBX_URL: url!, VMGREET_CLIENT_ID: id!, VMGREET_CLIENT_SECRET: secret! } });
    expect(r.code).toBe(0);
    const doc = oneJson(r.stdout);
    expect(doc['total']).toBe(7);
    expect((doc['items'] as Array<{ number: string }>).map((e) => e.number)).toEqual(['4100', '4101', '4102', '4103', '4104', '4105', '4106']);

    sim.child.kill('SIGINT');
    const end = await exited(sim.child);
    expect(end.code).toBe(0);
    expect(sim.output()).toMatch(/Simulator stopped\.\n$/);
    // The port is closed now.
    const after = await runVmgreet(['extensions'], { env: { VMGREET_PBX_URL: url!, VMGREET_CLIENT_ID: id!, VMGREET_CLIENT_SECRET: secret! } });
    expect(after.code).toBe(4);
  });

  it('--https --json: one JSON document with the fingerprint to pin', async () => {
    const sim = start(BIN, ['sim', '--https', '--extensions', '3', '--json', '--ask-duplicate', '40003']);
    const text = await sim.waitFor(/\n}\n/);
    const doc = oneJson(text) as { url: string; clientId: string; clientSecret: string; fingerprint256: string; env: Record<string, string> };
    expect(doc.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(doc.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const r = await runVmgreet(['greetings', 'list', '--ext', '3202', '--json'], { env: doc.env });
    expect(r.code).toBe(0);
    expect(oneJson(r.stdout)).toEqual({ ext: '3202', total: 0, items: [] });
    // The duplicate variant switch reaches the simulator: a second upload of the same name with other bytes still
    // ends as "exists" (5); with the same bytes it is "unchanged", which also needs the name to be seen as taken.
    const { writeFile } = await import('node:fs/promises');
    const { toneWav } = await import('../../scripts/demo.js');
    const tmp = await makeTempDir('vmgreet-simcmd-');
    const wav = path.join(tmp.dir, 'dup.wav');
    await writeFile(wav, toneWav(0.5, [440]));
    try {
      const first = await runVmgreet(['upload', wav, '--ext', '3202', '--as-is'], { env: doc.env });
      expect(first.code).toBe(0);
      const same = await runVmgreet(['upload', wav, '--ext', '3202', '--as-is', '--json'], { env: doc.env });
      expect(same.code).toBe(0);
      expect(oneJson(same.stdout)).toMatchObject({ action: 'unchanged', existed: true });
      await writeFile(wav, toneWav(0.5, [660]));
      const second = await runVmgreet(['upload', wav, '--ext', '3202', '--as-is', '--json'], { env: doc.env });
      expect(second.code).toBe(5);
    } finally {
      await tmp.cleanup();
    }
    sim.child.kill('SIGTERM');
    expect((await exited(sim.child)).code).toBe(0);
    // Still exactly one JSON document after stopping.
    oneJson(sim.output());
  });

  it('refuses a bad port', async () => {
    const r = await runVmgreet(['sim', '--port', '70000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Port "70000" is not valid: use a number from 0 to 65535/);
  });
});

describe('demo script', () => {
  it('without the Electron binary: starts HTTP and HTTPS simulators with seeded greetings, prints env lines, and stops on SIGINT', async () => {
    // Point the Electron lookup at an empty place so the test behaves the same with or without the binary.
    const demo = start(path.join(ROOT, 'build', 'scripts', 'demo.js'), ['--extensions', '12'], { ELECTRON_OVERRIDE_DIST_PATH: path.join(ROOT, 'no-such-electron') });
    const text = await demo.waitFor(/Press Ctrl-C to stop it\./);
    expect(text).toMatch(/The Electron binary is not installed here/);
    const url = /export VMGREET_PBX_URL=(\S+)/.exec(text)?.[1];
    const id = /export VMGREET_CLIENT_ID=(\S+)/.exec(text)?.[1];
    const secret = /export VMGREET_CLIENT_SECRET=(\S+)/.exec(text)?.[1];
    const pin = /export VMGREET_PIN_SHA256=(\S+)/.exec(text)?.[1];
    expect(url).toMatch(/^https:/);
    const env = { VMGREET_PBX_URL: url!, VMGREET_CLIENT_ID: id!, VMGREET_CLIENT_SECRET: secret!, VMGREET_PIN_SHA256: pin! };
    const list = await runVmgreet(['greetings', 'list', '--ext', '3200', '--json'], { env });
    expect(list.code).toBe(0);
    expect((oneJson(list.stdout)['items'] as Array<{ realFilename: string }>).map((g) => g.realFilename).sort()).toEqual(['closed_msg.wav', 'vm_away.wav']);
    const httpUrl = /HTTP\s+(http:\/\/\S+)/.exec(text)?.[1];
    const ext = await runVmgreet(['extensions', '--json'], { env: { ...env, VMGREET_PBX_URL: httpUrl! } });
    expect(oneJson(ext.stdout)['total']).toBe(12);
    demo.child.kill('SIGINT');
    expect((await exited(demo.child)).code).toBe(0);
    expect(demo.output()).toMatch(/Simulator stopped\.\n$/);
  });

  it('--no-app never looks for Electron', async () => {
    const demo = start(path.join(ROOT, 'build', 'scripts', 'demo.js'), ['--no-app', '--extensions', '1']);
    await demo.waitFor(/--no-app: not starting the desktop app/);
    demo.child.kill('SIGTERM');
    expect((await exited(demo.child)).code).toBe(0);
  });
});

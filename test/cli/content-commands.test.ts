// vmgreet templates … and vmgreet tts … through the real binary, against in-process simulators, with a per-test
// data folder. Audio is measured independently (ffprobe/ebur128).
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { makeTempDir, measure } from '../helpers/audio-fixtures.js';
import { ensureBuilt, oneJson, runVmgreet } from './helpers.js';

vi.setConfig({ testTimeout: 240_000 });

let sim: Simulator;
let noTts: Simulator;
let tmp: { dir: string; cleanup: () => Promise<void> };
let conn: Record<string, string>;

beforeAll(async () => {
  await ensureBuilt();
  sim = await startSimulator({ extensions: 25, ttsCompleteAfterMs: 200 });
  noTts = await startSimulator({ extensions: 3, ttsSupported: false });
  tmp = await makeTempDir('vmgreet-content-');
  conn = { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret };
}, 180_000);
afterAll(async () => {
  await sim?.close();
  await noTts?.close();
  await tmp?.cleanup();
});

async function vm(args: string[], env: Record<string, string> = {}) {
  const r = await runVmgreet(args, { env, timeoutMs: 180_000, cwd: tmp.dir });
  expect(r.stdout + r.stderr).not.toContain(sim.clientSecret);
  return r;
}

describe('vmgreet templates', () => {
  it('lists, adds, shows, refuses duplicates and bad scripts, exports, imports, removes', async () => {
    const dd = ['--data-dir', path.join(tmp.dir, 'tpl')];
    const list = oneJson((await vm(['templates', 'list', '--json', ...dd])).stdout) as { total: number; items: { name: string; kind: string }[] };
    expect(list.total).toBe(6);
    expect(list.items.map((t) => t.name)).toEqual(['away', 'busy', 'after-hours', 'holiday', 'vacation', 'department']);

    const add = await vm(['templates', 'add', 'lunch', '--title', 'Out for lunch', '--text', 'Hi, this is {name}. I am at lunch until two.', ...dd]);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('Saved template "lunch" (custom; placeholders {name}).');
    const dup = await vm(['templates', 'add', 'lunch', '--text', 'Again.', ...dd]);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toContain('exists already. Add --replace');
    const bad = await vm(['templates', 'add', 'oops', '--text', 'Hello {Name} and {company', '--json', ...dd]);
    expect(bad.code).toBe(2);
    expect((oneJson(bad.stdout) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'TEMPLATE_INVALID', message: expect.stringContaining('{Name} is not a placeholder (did you mean {name}?)') });

    const script = path.join(tmp.dir, 'script.txt');
    await writeFile(script, '\uFEFFHello, {name} here. Back on {back_date}.\n');
    expect((await vm(['templates', 'add', 'vacation', '--file', script, '--replace', ...dd])).code).toBe(0);
    const show = oneJson((await vm(['templates', 'show', 'vacation', '--json', ...dd])).stdout);
    expect(show).toMatchObject({ name: 'vacation', kind: 'edited', title: 'On vacation, with a return date', text: 'Hello, {name} here. Back on {back_date}.', placeholders: ['name', 'back_date'] });

    const file = path.join(tmp.dir, 'exported.json');
    const exp = await vm(['templates', 'export', file, ...dd]);
    expect(exp.stdout).toContain(`Exported 7 templates to ${file}.`);
    expect((await vm(['templates', 'export', file, ...dd])).code).toBe(2);

    const other = ['--data-dir', path.join(tmp.dir, 'tpl2')];
    const conflict = await vm(['templates', 'import', file, ...other]);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('would change templates that exist here (vacation). Nothing was imported');
    const imp = await vm(['templates', 'import', file, '--replace', '--json', ...other]);
    expect(oneJson(imp.stdout)).toMatchObject({ added: ['lunch'], replaced: ['vacation'] });

    const broken = path.join(tmp.dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ format: 'vm-greeting-studio/templates', version: 1, templates: [{ name: 'x', title: 'X', text: 'Hi {nme}' }] }));
    const stored = await readFile(path.join(tmp.dir, 'tpl2', 'templates', 'templates.json'), 'utf8');
    const refused = await vm(['templates', 'import', broken, '--replace', ...other]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('templates[0].text: {nme} is not a placeholder');
    expect(await readFile(path.join(tmp.dir, 'tpl2', 'templates', 'templates.json'), 'utf8')).toBe(stored);

    expect((await vm(['templates', 'remove', 'lunch', ...dd])).stdout).toContain('Removed template "lunch".');
    expect((await vm(['templates', 'remove', 'vacation', ...dd])).stdout).toContain('Restored the built-in template "vacation"');
    expect((await vm(['templates', 'remove', 'away', ...dd])).code).toBe(2);
  });
});

describe('vmgreet tts', () => {
  it('--engines lists espeak-ng and flite with licences; the PBX only when connection settings are given', async () => {
    const plain = oneJson((await vm(['tts', '--engines', '--json'])).stdout) as { engines: { id: string; available: boolean; licence: string; supplied: string; shipsWithApp: boolean; reason: string | null }[] };
    const byId = new Map(plain.engines.map((e) => [e.id, e]));
    expect(byId.get('espeak-ng')).toMatchObject({ available: true, licence: 'GPL-3.0-or-later', supplied: 'system', shipsWithApp: false });
    expect(byId.get('flite')).toMatchObject({ available: true, supplied: 'system', shipsWithApp: false });
    expect(byId.get('pbx')).toMatchObject({ available: false, reason: expect.stringContaining('Not asked') });
    const withPbx = oneJson((await vm(['tts', '--engines', '--json'], conn)).stdout) as typeof plain;
    expect(withPbx.engines.find((e) => e.id === 'pbx')).toMatchObject({ available: true, supplied: 'pbx' });
    const text = await vm(['tts', '--engines', '--pbx', noTts.url, '--client-id', noTts.clientId, '--client-secret', noTts.clientSecret]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/pbx\s+no\s+.*does not support text-to-speech greetings/);
    expect(text.stdout).toContain('Default (--engine auto): espeak-ng.');
  });

  it('speaks free text into a PBX-ready file with the same render as prepare', async () => {
    const out = path.join(tmp.dir, 'free.wav');
    const r = await vm(['tts', 'Hello, you have reached the sales team. Please leave a message after the tone.', '-o', out, '--json']);
    expect(r.code).toBe(0);
    const doc = oneJson(r.stdout);
    expect(doc).toMatchObject({ output: out, engine: 'espeak-ng', format: 'wav', template: null });
    const m = await measure(out);
    expect(m).toMatchObject({ sampleRate: 8000, channels: 1, codec: 'pcm_s16le' });
    expect(Math.abs(m.integratedLufs - -20)).toBeLessThanOrEqual(1);
    const again = await vm(['tts', 'Again.', '-o', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');

    const flite = path.join(tmp.dir, 'flite.gsm');
    const f = await vm(['tts', 'Please leave a message.', '-o', flite, '--engine', 'flite', '--format', 'gsm', '--target-lufs', '-22']);
    expect(f.code).toBe(0);
    expect(f.stdout).toContain('Spoke');
    const fm = await measure(flite);
    expect(fm).toMatchObject({ codec: 'gsm', sampleRate: 8000 });
    expect(Math.abs(fm.integratedLufs - -22)).toBeLessThanOrEqual(1);
  });

  it('speaks a template with --fill, and refuses it while a placeholder is unfilled', async () => {
    const out = path.join(tmp.dir, 'vac.wav');
    const unfilled = await vm(['tts', '--template', 'vacation', '--fill', 'name=Ana Lima', '-o', out, '--json']);
    expect(unfilled.code).toBe(2);
    expect((oneJson(unfilled.stdout) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'TTS_UNFILLED', message: expect.stringContaining('{back_date} has no value') });
    const ok = await vm(['tts', '--template', 'vacation', '--fill', 'name=Ana Lima', '--fill', 'back_date=2025-01-06', '-o', out, '--json']);
    expect(ok.code).toBe(0);
    expect(oneJson(ok.stdout)).toMatchObject({ template: 'vacation', text: 'Hello, you have reached Ana Lima. I am on vacation and will be back on Monday, January 6, 2025. Please leave a message after the tone, and I will reply when I return.' });
  });

  it('speaks through the PBX engine against the simulator; a PBX without it is refused in words', async () => {
    const out = path.join(tmp.dir, 'pbx.wav');
    const r = await vm(['tts', 'Thank you for calling.', '-o', out, '--engine', 'pbx', '--json'], conn);
    expect(r.code).toBe(0);
    expect(oneJson(r.stdout)).toMatchObject({ engine: 'pbx', voice: 'aws:Joanna' });
    expect((await measure(out)).sampleRate).toBe(8000);
    expect(sim.ttsRequests().at(-1)).toMatchObject({ text: 'Thank you for calling.', status: 'complete' });
    expect(sim.greetings(sim.ttsRequests().at(-1)!.number)).toEqual([]);
    const no = await vm(['tts', 'Hello.', '-o', path.join(tmp.dir, 'no.wav'), '--engine', 'pbx', '--pbx', noTts.url, '--client-id', noTts.clientId, '--client-secret', noTts.clientSecret]);
    expect(no.code).toBe(2);
    expect(no.stderr).toContain('does not support text-to-speech greetings (extension_vm_greeting/create answered 10001');
  });

  it('personalised batch: dry run shows each script and stores nothing; the real run makes 20 drafts and uploads them', async () => {
    const dd = path.join(tmp.dir, 'batch');
    const env = { ...conn, VMGREET_DATA_DIR: dd };
    const base = ['tts', '--template', 'after-hours', '--ext', '3200-3219', '--fill', 'company=Example Ltd'];
    const dry = await vm([...base, '--dry-run', '--json'], env);
    expect(dry.code).toBe(0);
    const d = oneJson(dry.stdout) as { dryRun: boolean; counts: Record<string, number>; rows: { ext: string; name: string; script: string; fileName: string }[]; directory: { source: string } };
    expect(d).toMatchObject({ dryRun: true, directory: { source: 'live' } });
    expect(d.counts['would-create']).toBe(20);
    for (const row of d.rows) {
      expect(row.fileName).toBe('after-hours.wav');
      expect(row.script).toContain(`the voicemail of ${row.name}, extension ${row.ext}.`);
    }
    expect(sim.greetings('3200')).toEqual([]);
    await expect(readdir(path.join(dd, 'library', 'drafts')).catch(() => [])).resolves.toEqual([]);

    const human = await vm([...base.slice(0, 4), '3218-3226', ...base.slice(5), '--dry-run'], env);
    expect(human.code).toBe(2);
    expect(human.stdout).toMatch(/^Template "after-hours" → after-hours\.wav with espeak-ng \(live directory, 25 extensions\)/);
    expect(human.stdout).toMatch(/3218 .* would create .*Thank you for calling Example Ltd\./);
    expect(human.stdout).toContain('Dry run (nothing spoken, saved or uploaded): 7 to create, 0 to overwrite, 0 to skip, 0 to rename, 2 rejected.');
    expect(human.stderr).toContain('rejected: extension 3225: Extension 3225 does not exist on this PBX.');

    const run = await vm([...base, '--json'], env);
    expect(run.code).toBe(0);
    const r = oneJson(run.stdout) as { created: number; drafts: { ext: string; draftId: string; script: string }[] };
    expect(r.created).toBe(20);
    expect(r.drafts).toHaveLength(20);
    for (let e = 3200; e <= 3219; e++) expect(sim.greetings(String(e)).map((g) => g.real_filename)).toEqual(['after-hours.wav']);
    const listed = oneJson((await vm(['drafts', 'list', '--json'], env)).stdout) as { items: { name: string; origin: string; script: string; targetExtensions: string[] }[] };
    expect(listed.items).toHaveLength(20);
    expect(listed.items.every((i) => i.origin === 'tts' && i.name === 'after-hours' && i.script.includes(`extension ${i.targetExtensions[0]}`))).toBe(true);

    // The same script again speaks the same bytes: unchanged, nothing written. Another script under the same name is a
    // conflict the policy decides.
    const again = oneJson((await vm(['tts', '--template', 'after-hours', '--ext', '3200-3201', '--fill', 'company=Example Ltd', '--json'], env)).stdout) as { unchanged: number };
    expect(again.unchanged).toBe(2);
    const other = ['tts', '--template', 'after-hours', '--ext', '3200-3201', '--fill', 'company=Other Ltd'];
    expect((await vm(other, env)).code).toBe(5);
    const skip = oneJson((await vm([...other, '--if-exists', 'skip', '--json'], env)).stdout) as { skipped: number };
    expect(skip.skipped).toBe(2);
    const dryOver = oneJson((await vm([...other, '--if-exists', 'overwrite', '--dry-run', '--json'], env)).stdout) as { counts: Record<string, number> };
    expect(dryOver.counts['would-overwrite']).toBe(2);
  });

  it('refuses wrong combinations with usage errors', async () => {
    expect((await vm(['tts', '--ext', '3200'])).code).toBe(1);
    expect((await vm(['tts', 'Hello'])).code).toBe(1);
    expect((await vm(['tts', 'Hello', '-o', 'x.wav', '--fill', 'company=A'])).code).toBe(1);
    const personal = await vm(['tts', '--template', 'away', '--ext', '3200', '--fill', 'name=Someone'], conn);
    expect(personal.code).toBe(1);
    expect(personal.stderr).toContain('{name} comes from the PBX directory');
    expect((await vm(['tts', 'Hello', '-o', 'x.wav', '--rate', '400'])).code).toBe(1);
    expect((await vm(['tts', 'Hello', '-o', 'x.wav', '--engine', 'festival'])).code).toBe(1);
  });
});

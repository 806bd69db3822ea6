// `vmgreet drafts add` through the real binary: a file kept as a draft lands in the library the app reads.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DraftLibrary } from '../../main/core/library/index.js';
import { makeTempDir, tone } from '../helpers/audio-fixtures.js';
import { ensureBuilt, oneJson, runVmgreet } from './helpers.js';

vi.setConfig({ testTimeout: 120_000 });

let tmp: { dir: string; cleanup: () => Promise<void> };
let beep: string;
let dataDir: string;

beforeAll(async () => {
  await ensureBuilt();
  tmp = await makeTempDir('vmgreet-drafts-add-');
  beep = await tone(path.join(tmp.dir, 'after hours.wav'), { durationSec: 1.5, freq: 660 });
  dataDir = path.join(tmp.dir, 'data');
}, 120_000);

afterAll(async () => {
  await tmp?.cleanup();
});

describe('vmgreet drafts add', () => {
  it('keeps the file as a draft named after it, with targets and script, that another reader of the folder sees', async () => {
    const r = await runVmgreet(['drafts', 'add', beep, '--ext', '3200-3202', '--script', 'We are closed.', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    const doc = oneJson(r.stdout) as { id: string; name: string; targetExtensions: string[]; script: string; origin: string; durationSec: number };
    expect(doc.name).toBe('after hours');
    expect(doc.targetExtensions).toEqual(['3200', '3201', '3202']);
    expect(doc.script).toBe('We are closed.');
    expect(doc.origin).toBe('import');
    expect(doc.durationSec).toBeGreaterThan(1.4);

    const lib = new DraftLibrary({ dataDir });
    await lib.open();
    const ids = (await lib.list()).map((e) => e.id);
    expect(ids).toContain(doc.id);
    const listed = await runVmgreet(['drafts', 'list', '--json', '--data-dir', dataDir]);
    expect((oneJson(listed.stdout) as { items: Array<{ id: string }> }).items.map((d) => d.id)).toContain(doc.id);
  });

  it('refuses a file that is not audio (exit 2) and keeps no draft for it', async () => {
    const fake = path.join(tmp.dir, 'notes.wav');
    await writeFile(fake, 'these are meeting notes, not audio\n');
    const empty = path.join(tmp.dir, 'refusal-data');
    const r = await runVmgreet(['drafts', 'add', fake, '--data-dir', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not an audio file/);
    expect(await readdir(empty).catch(() => [])).toEqual([]);
  });

  it('refuses an empty name and a bad range as usage errors (exit 1)', async () => {
    expect((await runVmgreet(['drafts', 'add', beep, '--name', '  ', '--data-dir', dataDir])).code).toBe(1);
    const bad = await runVmgreet(['drafts', 'add', beep, '--ext', '32x0', '--data-dir', dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Extension range "32x0" is not valid/);
  });
});

import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DraftLibrary, defaultDataDir, writeFileAtomic, type RenderFn } from '../../../main/core/library/index.js';
import { fakeAudio, makeTmp } from './helpers/tmp.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await makeTmp();
});
afterEach(async () => {
  await tmp.cleanup();
});

/** Renderer stand-in: writes a marker file derived from the input and the settings it was given. */
const fakeRenderer: RenderFn = async (opts) => {
  const src = await fs.readFile(opts.inputPath);
  const out = Buffer.concat([Buffer.from(`rendered:${opts.format}:${opts.startSec ?? '-'}:${opts.targetLufs}:`), src]);
  await fs.writeFile(opts.outputPath, out);
  return { outputPath: opts.outputPath, format: opts.format === 'mp3' ? 'mp3' : 'wav', formatReason: 'test', bytes: out.length, durationSec: 1.5, analysis: { integratedLufs: -20 } };
};

let clock = Date.UTC(2026, 0, 1);
const now = (): number => (clock += 1000);

describe('atomic writes', () => {
  it('keeps the old file when the process dies between the temp write and the rename', async () => {
    const file = path.join(tmp.dir, 'x.json');
    await writeFileAtomic(file, 'old');
    await expect(
      writeFileAtomic(file, 'new', {
        beforeRename: async (temp) => {
          // The new content is fully on disk under the temp name at this point.
          expect(await fs.readFile(temp, 'utf8')).toBe('new');
          throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect(await fs.readFile(file, 'utf8')).toBe('old');
    expect(await fs.readdir(tmp.dir)).toEqual(['x.json']);
  });
});

describe('DraftLibrary', () => {
  it('creates, renames, renders, duplicates, trashes, restores and lists newest first', async () => {
    const lib = new DraftLibrary({ dataDir: tmp.dir, renderer: fakeRenderer, now });
    expect(await lib.open()).toMatchObject({ recovered: false, drafts: 0 });
    const src = await fakeAudio(tmp.dir, 'take1.webm', 'a');
    const a = await lib.create({ sourcePath: src, name: 'Office hours', targetExtensions: ['3200', '3201', '3200'] });
    expect(a.targetExtensions).toEqual(['3200', '3201']);
    expect(await fs.readFile(lib.sourcePath(a))).toEqual(await fs.readFile(src));
    const b = await lib.create({ sourcePath: src, name: 'Holiday', settings: { format: 'mp3', trimStartSec: 0.5 } });
    expect((await lib.list()).map((d) => d.name)).toEqual(['Holiday', 'Office hours']);

    await lib.rename(a.id, 'Office hours v2');
    const rendered = await lib.render(b.id);
    expect(rendered.rendered).toMatchObject({ file: 'rendered.mp3', format: 'mp3', durationSec: 1.5 });
    const renderedPath = lib.renderedPath(rendered);
    expect(renderedPath).not.toBeNull();
    expect((await fs.readFile(renderedPath ?? '')).toString()).toMatch(/^rendered:mp3:0.5:-20:/);
    expect(JSON.parse(await fs.readFile(lib.analysisPath(rendered) ?? '', 'utf8'))).toEqual({ integratedLufs: -20 });
    // Re-render after a settings change replaces the old render (no stale rendered.mp3 next to rendered.wav).
    await lib.updateSettings(b.id, { format: 'wav' });
    const again = await lib.render(b.id);
    expect((await fs.readdir(lib.folderOf(b.id))).sort()).toEqual(['analysis.json', 'draft.json', 'rendered.wav', 'source.webm']);
    expect(again.rendered?.format).toBe('wav');

    const copy = await lib.duplicate(b.id);
    expect(copy.name).toBe('Holiday (copy)');
    expect(copy.id).not.toBe(b.id);
    expect(await fs.readFile(lib.renderedPath(copy) ?? '')).toEqual(await fs.readFile(lib.renderedPath(again) ?? ''));

    await lib.delete(a.id);
    expect((await lib.list()).map((d) => d.id)).toEqual([copy.id, b.id]);
    expect((await lib.listTrash()).map((d) => d.id)).toEqual([a.id]);
    await expect(lib.get(a.id)).rejects.toMatchObject({ code: 'LIBRARY_DRAFT_NOT_FOUND' });
    const restored = await lib.restore(a.id);
    expect(restored).toMatchObject({ name: 'Office hours v2', trashedAt: null });
    await lib.delete(copy.id);
    expect(await lib.emptyTrash()).toBe(1);
    expect(await lib.listTrash()).toEqual([]);
    expect((await lib.list()).map((d) => d.id)).toEqual([b.id, a.id]);

    // A second process opening the same folder sees the same, without any recovery.
    const other = new DraftLibrary({ dataDir: tmp.dir });
    expect(await other.open()).toMatchObject({ recovered: false, drafts: 2, trashed: 0 });
  });

  it('rejects bad input with clear errors', async () => {
    const lib = new DraftLibrary({ dataDir: tmp.dir, now });
    await expect(lib.create({ sourcePath: path.join(tmp.dir, 'nope.wav'), name: 'x' })).rejects.toMatchObject({ code: 'LIBRARY_SOURCE_NOT_FOUND' });
    const src = await fakeAudio(tmp.dir, 'a.wav', 'a');
    await expect(lib.create({ sourcePath: src, name: '   ' })).rejects.toMatchObject({ code: 'LIBRARY_BAD_NAME' });
    await expect(lib.create({ sourcePath: src, name: 'ok', targetExtensions: ['32a0'] })).rejects.toMatchObject({ code: 'LIBRARY_BAD_EXTENSION' });
    const d = await lib.create({ sourcePath: src, name: 'ok' });
    await expect(lib.render(d.id)).rejects.toMatchObject({ code: 'LIBRARY_NO_RENDERER' });
    await expect(lib.get('../../etc')).rejects.toMatchObject({ code: 'LIBRARY_DRAFT_NOT_FOUND' });
  });

  it('recovers a corrupt index from the draft folders and says so', async () => {
    const lib = new DraftLibrary({ dataDir: tmp.dir, now });
    const src = await fakeAudio(tmp.dir, 'a.wav', 'a');
    const one = await lib.create({ sourcePath: src, name: 'One' });
    const two = await lib.create({ sourcePath: src, name: 'Two' });
    const indexPath = path.join(tmp.dir, 'library', 'index.json');
    await fs.writeFile(indexPath, '{"schemaVersion":1,"drafts":[{"id":"d-tru');

    const reopened = new DraftLibrary({ dataDir: tmp.dir });
    expect(await reopened.open()).toEqual({ recovered: true, drafts: 2, trashed: 0, reason: 'index-corrupt', unreadable: [] });
    expect((await reopened.list()).map((d) => d.id)).toEqual([two.id, one.id]);
    // The rebuilt index is valid again: the next open is clean.
    expect(await new DraftLibrary({ dataDir: tmp.dir }).open()).toMatchObject({ recovered: false, drafts: 2 });

    // Valid JSON of the wrong shape is corrupt too (zod), and a missing index is rebuilt.
    await fs.writeFile(indexPath, JSON.stringify({ schemaVersion: 1, drafts: [{ id: 42 }] }));
    expect(await new DraftLibrary({ dataDir: tmp.dir }).open()).toMatchObject({ recovered: true, reason: 'index-corrupt', drafts: 2 });
    await fs.rm(indexPath);
    expect(await new DraftLibrary({ dataDir: tmp.dir }).open()).toMatchObject({ recovered: true, reason: 'index-missing', drafts: 2 });
  });

  it('survives a crash in the middle of an update: old draft intact, index rebuilt when stale, leftovers removed', async () => {
    const src = await fakeAudio(tmp.dir, 'a.wav', 'a');
    const setup = new DraftLibrary({ dataDir: tmp.dir, now });
    const d = await setup.create({ sourcePath: src, name: 'Before' });

    // Crash while replacing draft.json: the temp file is complete but never renamed.
    const crashing = new DraftLibrary({
      dataDir: tmp.dir,
      now,
      hooks: {
        beforeRename: async (temp) => {
          // What a killed process leaves behind: a complete temp file that nobody renamed or removed.
          await fs.copyFile(temp, `${temp}-killed`);
          throw new Error('power cut');
        },
      },
    });
    await expect(crashing.rename(d.id, 'After')).rejects.toThrow('power cut');
    expect((await fs.readdir(setup.folderOf(d.id))).some((n) => n.includes('.vmgs-tmp-'))).toBe(true);

    const fresh = new DraftLibrary({ dataDir: tmp.dir });
    expect(await fresh.open()).toMatchObject({ recovered: false, drafts: 1 });
    expect((await fresh.get(d.id)).name).toBe('Before');
    expect((await fs.readdir(fresh.folderOf(d.id))).some((n) => n.includes('.vmgs-tmp-'))).toBe(false);

    // A draft folder the index does not know (crash after the folder rename, before the index write).
    const partialCrash = new DraftLibrary({
      dataDir: tmp.dir,
      now,
      hooks: {
        beforeRename: (_t, final) => {
          if (final.endsWith('index.json')) throw new Error('crash before index');
        },
      },
    });
    await expect(partialCrash.create({ sourcePath: src, name: 'Orphan' })).rejects.toThrow('crash before index');
    const healed = new DraftLibrary({ dataDir: tmp.dir });
    expect(await healed.open()).toMatchObject({ recovered: true, reason: 'index-out-of-date', drafts: 2 });
    expect((await healed.list()).map((x) => x.name)).toEqual(['Orphan', 'Before']);

    // A half-built draft folder (crash while copying the source) is removed, not listed.
    await fs.mkdir(path.join(tmp.dir, 'library', 'drafts', '.partial-d-zzz-00000000'));
    expect(await new DraftLibrary({ dataDir: tmp.dir }).open()).toMatchObject({ recovered: false, drafts: 2 });
    expect(await fs.readdir(path.join(tmp.dir, 'library', 'drafts'))).toHaveLength(2);
  });

  it('reports a draft folder with a damaged draft.json without deleting it', async () => {
    const lib = new DraftLibrary({ dataDir: tmp.dir, now });
    const d = await lib.create({ sourcePath: await fakeAudio(tmp.dir, 'a.wav', 'a'), name: 'A' });
    await fs.writeFile(path.join(lib.folderOf(d.id), 'draft.json'), 'garbage');
    await fs.rm(path.join(tmp.dir, 'library', 'index.json'));
    const report = await new DraftLibrary({ dataDir: tmp.dir }).open();
    expect(report).toMatchObject({ drafts: 0, unreadable: [lib.folderOf(d.id)] });
    expect(await fs.readdir(lib.folderOf(d.id))).toContain('source.wav');
  });
});

describe('defaultDataDir', () => {
  it('follows each platform convention', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'C:\\Users\\a')).toBe('C:\\Users\\a\\AppData\\Roaming\\VM Greeting Studio');
    expect(defaultDataDir('darwin', {}, '/Users/a')).toBe('/Users/a/Library/Application Support/VM Greeting Studio');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: '/x/cfg' }, '/home/a')).toBe('/x/cfg/vm-greeting-studio');
    expect(defaultDataDir('linux', { XDG_CONFIG_HOME: 'relative' }, '/home/a')).toBe('/home/a/.config/vm-greeting-studio');
    expect(defaultDataDir('linux', {}, '/home/a')).toBe('/home/a/.config/vm-greeting-studio');
  });
});

describe('two processes on one library', () => {
  it('list() sees drafts another library instance (the CLI next to the app) added or removed after it opened', async () => {
    const src = await fakeAudio(tmp.dir, 'a.wav', 'a');
    const app = new DraftLibrary({ dataDir: tmp.dir });
    expect(await app.list()).toEqual([]);
    const cli = new DraftLibrary({ dataDir: tmp.dir });
    const made = await cli.create({ sourcePath: src, name: 'cli_away', origin: 'tts' });
    expect((await app.list()).map((d) => d.name)).toEqual(['cli_away']);
    expect((await app.get(made.id)).origin).toBe('tts');
    await cli.delete(made.id);
    expect(await app.list()).toEqual([]);
  });
});

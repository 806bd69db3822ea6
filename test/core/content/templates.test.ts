// Templates: CRUD over the data folder, export/import, and bad import files refused with nothing changed.
import { readFile, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_TEMPLATES, ContentError, TemplateStore } from '../../../main/core/content/index.js';
import { makeTempDir } from '../../helpers/audio-fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let store: TemplateStore;

beforeEach(async () => {
  tmp = await makeTempDir('vmgs-templates-');
  store = new TemplateStore({ dataDir: path.join(tmp.dir, 'data'), now: () => Date.UTC(2025, 0, 2) });
});
afterEach(async () => tmp.cleanup());

async function code(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ContentError);
  return (err as ContentError).code;
}

describe('TemplateStore', () => {
  it('starts with the six built-ins and their placeholders', async () => {
    const all = await store.list();
    expect(all.map((t) => t.name)).toEqual(['away', 'busy', 'after-hours', 'holiday', 'vacation', 'department']);
    expect(all.every((t) => t.kind === 'built-in')).toBe(true);
    expect(all.find((t) => t.name === 'vacation')?.placeholders).toEqual(['name', 'back_date']);
    expect(all.find((t) => t.name === 'after-hours')?.placeholders).toEqual(['company', 'name', 'extension']);
  });

  it('adds, replaces, edits a built-in, removes and restores', async () => {
    const added = await store.put({ name: 'lunch', title: 'Lunch', text: 'Hi, this is {name}. I am at lunch.' });
    expect(added).toMatchObject({ kind: 'custom', placeholders: ['name'], updatedAt: '2025-01-02T00:00:00.000Z' });
    expect(await code(store.put({ name: 'lunch', title: 'Lunch', text: 'Other.' }))).toBe('TEMPLATE_EXISTS');
    await store.put({ name: 'lunch', title: 'Lunch break', text: 'Back at two, {name}.' }, { replace: true });
    expect((await store.get('lunch')).text).toBe('Back at two, {name}.');

    await store.put({ name: 'away', title: 'Away', text: 'Away: {name}.' }, { replace: true });
    expect((await store.get('away')).kind).toBe('edited');
    expect(await store.remove('away')).toEqual({ name: 'away', result: 'restored' });
    expect((await store.get('away')).text).toBe(BUILTIN_TEMPLATES[0]?.text);
    expect(await code(store.remove('away'))).toBe('TEMPLATE_BUILTIN');

    expect(await store.remove('lunch')).toEqual({ name: 'lunch', result: 'removed' });
    expect(await code(store.get('lunch'))).toBe('TEMPLATE_NOT_FOUND');
    // Survives a new store over the same folder (it is on disk), and the file is complete JSON.
    await store.put({ name: 'x-1', title: 'X', text: 'Hello {company}.' });
    const again = new TemplateStore({ dataDir: path.join(tmp.dir, 'data') });
    expect((await again.get('x-1')).text).toBe('Hello {company}.');
    expect(JSON.parse(await readFile(again.file, 'utf8'))).toMatchObject({ schemaVersion: 1, templates: [{ name: 'x-1' }] });
  });

  it('refuses bad templates with every problem named', async () => {
    const err = await store.put({ name: 'Bad Name', title: '', text: 'Hi {Name} {' }).catch((e: unknown) => e as ContentError);
    expect(err).toBeInstanceOf(ContentError);
    expect((err as ContentError).code).toBe('TEMPLATE_INVALID');
    expect((err as ContentError).message).toMatch(/name.*letters, digits/);
    expect((err as ContentError).message).toContain('title is empty');
    expect((err as ContentError).message).toContain('{Name} is not a placeholder');
    expect((err as ContentError).message).toContain('A lone "{"');
    expect(await code(store.put({ name: 'long', title: 'L', text: 'a'.repeat(1001) }))).toBe('TEMPLATE_INVALID');
    expect(await code(store.put({ name: 'UPPER', title: 'U', text: 'ok' }))).toBe('TEMPLATE_INVALID');
  });

  it('exports all templates and imports them into another data folder', async () => {
    await store.put({ name: 'lunch', title: 'Lunch', text: 'At lunch, {name}.' });
    await store.put({ name: 'busy', title: 'Busy', text: 'Busy, {name}.' }, { replace: true });
    const file = path.join(tmp.dir, 'out.json');
    expect(await store.exportTo(file)).toEqual({ file, count: 7 });
    expect(await code(store.exportTo(file))).toBe('TEMPLATE_EXPORT_EXISTS');

    const other = new TemplateStore({ dataDir: path.join(tmp.dir, 'other') });
    // "busy" differs from the built-in there: a conflict, refused (nothing changed) without replace.
    expect(await code(other.importFrom(file))).toBe('TEMPLATE_IMPORT_CONFLICT');
    expect((await other.list()).map((t) => t.name)).not.toContain('lunch');
    const r = await other.importFrom(file, { replace: true });
    expect(r.added).toEqual(['lunch']);
    expect(r.replaced).toEqual(['busy']);
    expect(r.unchanged).toEqual(['away', 'after-hours', 'holiday', 'vacation', 'department']);
    expect((await other.get('busy'))).toMatchObject({ kind: 'edited', text: 'Busy, {name}.' });
    expect(await other.exportDocument().then((d) => d.templates)).toEqual((await store.exportDocument()).templates);
  });

  it('treats a changed template as a conflict: refused (nothing changed) unless replace', async () => {
    const file = path.join(tmp.dir, 'edit.json');
    await writeFile(file, JSON.stringify({ format: 'vm-greeting-studio/templates', version: 1, templates: [
      { name: 'away', title: 'Away', text: 'Gone, {name}.' }, { name: 'new-one', title: 'New', text: 'New {company}.' },
    ] }));
    expect(await code(store.importFrom(file))).toBe('TEMPLATE_IMPORT_CONFLICT');
    expect((await store.list()).map((t) => t.name)).not.toContain('new-one');
    const r = await store.importFrom(file, { replace: true });
    expect(r).toMatchObject({ added: ['new-one'], replaced: ['away'], unchanged: [] });
    expect((await store.get('away')).kind).toBe('edited');
  });

  it.each([
    ['not JSON', 'this is not json', /not JSON/],
    ['wrong format', JSON.stringify({ format: 'other', version: 1, templates: [] }), /format/],
    ['no templates', JSON.stringify({ format: 'vm-greeting-studio/templates', version: 1, templates: [] }), /holds no templates/],
    ['bad placeholder', JSON.stringify({ format: 'vm-greeting-studio/templates', version: 1, templates: [{ name: 'a', title: 'A', text: 'Hi {nme}' }] }), /templates\[0\]\.text: \{nme\} is not a placeholder/],
    ['unknown field', JSON.stringify({ format: 'vm-greeting-studio/templates', version: 1, templates: [{ name: 'a', title: 'A', text: 'Hi', voice: 'x' }] }), /templates\[0\]/],
    ['duplicate name', JSON.stringify({ format: 'vm-greeting-studio/templates', version: 1, templates: [{ name: 'a', title: 'A', text: 'Hi' }, { name: 'a', title: 'B', text: 'Ho' }] }), /more than once \(a\)/],
  ])('refuses a bad import file (%s) and changes nothing', async (_label, content, message) => {
    await store.put({ name: 'mine', title: 'Mine', text: 'Mine, {name}.' });
    const before = await readFile(store.file, 'utf8');
    const file = path.join(tmp.dir, 'bad.json');
    await writeFile(file, content);
    const err = await store.importFrom(file, { replace: true }).catch((e: unknown) => e as ContentError);
    expect(err).toBeInstanceOf(ContentError);
    expect((err as ContentError).code).toBe('TEMPLATE_IMPORT_INVALID');
    expect((err as ContentError).message).toMatch(message);
    expect((err as ContentError).message).toContain('Nothing was imported');
    expect(await readFile(store.file, 'utf8')).toBe(before);
    expect((await readdir(path.dirname(store.file))).filter((n) => n !== 'templates.json')).toEqual([]);
  });

  it('never overwrites a damaged templates file', async () => {
    await store.put({ name: 'mine', title: 'Mine', text: 'Mine.' });
    await writeFile(store.file, '{ "schemaVersion": 1, "templates": [ { "name": 5 } ] }');
    expect(await code(store.list())).toBe('TEMPLATE_STORE_CORRUPT');
    expect(await code(store.put({ name: 'more', title: 'M', text: 'M.' }))).toBe('TEMPLATE_STORE_CORRUPT');
    expect(await readFile(store.file, 'utf8')).toContain('"name": 5');
  });
});

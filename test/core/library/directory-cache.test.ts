import { afterEach, describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cachedDirectory } from '../../../main/core/content/directory.js';
import { DirectoryCache, directoryCacheKey } from '../../../main/core/library/directory-cache.js';
import { makeTmp } from './helpers/tmp.js';

const pbx = { origin: 'https://pbx.example:8088', clientId: 'abc' };
const ext = (n: string, name = `Person ${n}`) => ({ id: Number(n), number: n, callerIdName: name, email: '', presence: 'available', online: true });
let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
});

describe('DirectoryCache', () => {
  it('one zod-checked file per PBX (sha16 of origin + client ID) with fetchedAt; merge on page reads, replace on full reads', async () => {
    const tmp = await makeTmp();
    cleanup = tmp.cleanup;
    let now = Date.parse('2026-01-02T10:00:00Z');
    const cache = new DirectoryCache({ dataDir: tmp.dir, now: () => now });
    expect(await cache.read(pbx)).toBeNull();
    await cache.write(pbx, [ext('3201'), ext('3200')], { complete: true });
    expect(cache.fileOf(pbx)).toBe(path.join(tmp.dir, 'directory', `${directoryCacheKey(pbx)}.json`));
    expect(directoryCacheKey(pbx)).toMatch(/^[0-9a-f]{16}$/);
    expect(directoryCacheKey({ ...pbx, clientId: 'other' })).not.toBe(directoryCacheKey(pbx));
    now += 60_000;
    await cache.write(pbx, [ext('3202', 'Ana Lima')]);
    const d = await cache.read(pbx);
    expect(d?.extensions.map((e) => e.number)).toEqual(['3200', '3201', '3202']);
    expect(d?.fetchedAt).toBe('2026-01-02T10:01:00.000Z');
    expect(await cache.search(pbx, 'ana', 1, 10)).toMatchObject({ total: 1, items: [{ number: '3202' }] });
    expect((await cache.search(pbx, '', 2, 2))?.items.map((e) => e.number)).toEqual(['3202']);
    await cache.write(pbx, [ext('3300')], { complete: true });
    expect((await cache.read(pbx))?.extensions.map((e) => e.number)).toEqual(['3300']);
    expect(await cache.read({ ...pbx, origin: 'https://other:8088' })).toBeNull();
  });

  it('a damaged or foreign file is no directory', async () => {
    const tmp = await makeTmp();
    cleanup = tmp.cleanup;
    const cache = new DirectoryCache({ dataDir: tmp.dir });
    await cache.write(pbx, [ext('3200')]);
    const file = cache.fileOf(pbx);
    const good = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...good, extensions: [{ number: 5 }] }));
    expect(await cache.read(pbx)).toBeNull();
    await writeFile(file, JSON.stringify({ ...good, pbx: { origin: 'https://evil:1', clientId: 'abc' } }));
    expect(await cache.read(pbx)).toBeNull();
    await writeFile(file, '{ not json');
    expect(await cache.read(pbx)).toBeNull();
  });

  it('serves the personalised batch offline through the content port (cachedDirectory)', async () => {
    const tmp = await makeTmp();
    cleanup = tmp.cleanup;
    const cache = new DirectoryCache({ dataDir: tmp.dir });
    await expect(cachedDirectory(cache, pbx).snapshot()).rejects.toMatchObject({ code: 'PERSONAL_NO_DIRECTORY' });
    await cache.write(pbx, [ext('3200', 'Ana Lima')], { complete: true });
    const snap = await cachedDirectory(cache, pbx).snapshot();
    expect(snap.source).toBe('cache');
    expect(snap.entries.get('3200')?.callerIdName).toBe('Ana Lima');
  });
});

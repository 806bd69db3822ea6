import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay, batchExitCode, dryRunBatch, itemsForExtensions, knownExtensionNumbers, parseCsvMapping, parseExtensionList, readCsvMapping } from '../../../main/core/library/index.js';
import { PbxApiError, PbxBadResponseError, PbxNetworkError } from '../../../main/core/pbx/errors.js';
import { FakeTransport } from './helpers/fake-transport.js';
import { fakeAudio, makeTmp } from './helpers/tmp.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  tmp = await makeTmp();
});
afterEach(async () => {
  await tmp.cleanup();
});

describe('parseExtensionList', () => {
  it('expands numbers and ranges in order without duplicates', () => {
    expect(parseExtensionList('3200-3299')).toHaveLength(100);
    expect(parseExtensionList('3200-3299')[99]).toBe('3299');
    expect(parseExtensionList('3200,3205,3300-3302, 3205')).toEqual(['3200', '3205', '3300', '3301', '3302']);
    expect(parseExtensionList('007-009')).toEqual(['007', '008', '009']);
  });

  it.each([
    ['3299-3200', /runs backwards; write 3200-3299/],
    ['a-b', /"a-b" is not a valid extension list: use extension numbers/],
    ['', /empty/],
    ['3200,,3201', /empty item/],
    ['1-20000', /more than 10000/],
    ['3200-', /not a valid/],
  ])('rejects %j with a clear message', (spec, msg) => {
    expect(() => parseExtensionList(spec)).toThrow(msg);
    try {
      parseExtensionList(spec);
    } catch (err) {
      expect(err).toMatchObject({ code: 'BATCH_BAD_RANGE', kind: 'input' });
    }
  });
});

describe('CSV mapping', () => {
  it('handles BOM, CRLF, blank lines and an optional name column; per-row errors with line numbers', async () => {
    const a = await fakeAudio(tmp.dir, 'a.wav', 'a');
    await fakeAudio(tmp.dir, 'b.mp3', 'b');
    await fs.writeFile(path.join(tmp.dir, 'notes.txt'), 'hello');
    await fs.writeFile(path.join(tmp.dir, 'empty.wav'), '');
    const csv =
      '\uFEFFExtension,File,Name\r\n' +
      '3200,a.wav,Welcome\r\n' + // 2 ok
      '3201,b.mp3\r\n' + // 3 ok (no name)
      '\r\n' + // 4 blank
      '3200,a.wav,Welcome\r\n' + // 5 duplicate
      '3201,a.wav\r\n' + // 6 conflicting
      '9999,a.wav\r\n' + // 7 unknown extension
      '3202,notes.txt\r\n' + // 8 not audio
      '3203,missing.wav\r\n' + // 9 no file
      '3204,\r\n' + // 10 missing value
      '32x5,a.wav\r\n' + // 11 bad number
      '3206,empty.wav\r\n' + // 12 empty file
      `3207,${a}\r\n`; // 13 absolute path ok
    const known = new Set(['3200', '3201', '3202', '3203', '3204', '3206', '3207']);
    await fs.writeFile(path.join(tmp.dir, 'map.csv'), csv);
    const m = await readCsvMapping(path.join(tmp.dir, 'map.csv'), { knownExtensions: known });
    expect(m.rows.map((r) => [r.line, r.extension, path.basename(r.file), r.name])).toEqual([
      [2, '3200', 'a.wav', 'Welcome'],
      [3, '3201', 'b.mp3', undefined],
      [13, '3207', 'a.wav', undefined],
    ]);
    expect(m.errors.map((e) => [e.line, e.code])).toEqual([
      [5, 'CSV_DUPLICATE_ROW'],
      [6, 'CSV_CONFLICTING_ROW'],
      [7, 'CSV_UNKNOWN_EXTENSION'],
      [8, 'CSV_NOT_AUDIO'],
      [9, 'CSV_FILE_NOT_FOUND'],
      [10, 'CSV_MISSING_VALUE'],
      [11, 'CSV_BAD_EXTENSION'],
      [12, 'CSV_NOT_AUDIO'],
    ]);
    expect(m.errors[0]?.message).toBe('line 5: duplicate of line 2 (extension 3200, same file); ignored.');
    const strict = await readCsvMapping(path.join(tmp.dir, 'map.csv'), { knownExtensions: known, allOrNothing: true });
    expect(strict.rows).toEqual([]);
    expect(strict.errors).toHaveLength(8);
  });

  it('refuses a name cell that breaks the one name rule, with its line, instead of rewriting it', async () => {
    await fakeAudio(tmp.dir, 'a.wav', 'a');
    // As a spreadsheet exports the cell: quoted, inner quotes doubled.
    const csv = 'extension,file,name\n3200,a.wav,"=HYPERLINK(""http://evil.example/"",""x"")"\n3201,a.wav,good_name\n3202,a.wav,Grüße\n3203,a.wav,' + 'n'.repeat(65) + '\n';
    const m = await parseCsvMapping(csv, { baseDir: tmp.dir });
    expect(m.rows.map((r) => [r.line, r.name])).toEqual([[3, 'good_name']]);
    expect(m.errors.map((e) => [e.line, e.code])).toEqual([
      [2, 'CSV_BAD_NAME'],
      [4, 'CSV_BAD_NAME'],
      [5, 'CSV_BAD_NAME'],
    ]);
    expect(m.errors[0]?.message).toBe('line 2: the name "=HYPERLINK(\\"http://evil.example/\\",\\"x\\")" is not allowed. Use only letters, digits, "-" and "_" (no spaces or accents): the PBX rejects other characters.');
    expect(m.errors[2]?.message).toMatch(/^line 5: the name "n{40}…" \(65 characters\) is not allowed\. Use at most 64 characters\.$/);
  });

  it('cuts the value a parse error quotes, as every other message does', async () => {
    const err = (await parseCsvMapping(`extension,file\n3200,${'x'.repeat(5000)}"y\n`).catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'BATCH_CSV_INVALID' });
    expect(err.message.length).toBeLessThan(250);
    expect(err.message).toMatch(/line 2, value is "x{40}…" \(5000 characters\)/);
  });

  it('uses an injected probe to reject a .wav that is not audio', async () => {
    await fakeAudio(tmp.dir, 'real.wav', 'r');
    await fakeAudio(tmp.dir, 'fake.wav', 'f');
    const probe = async (file: string) => {
      if (file.endsWith('fake.wav')) throw new Error('Invalid data found when processing input');
      return { durationSec: 2, codec: 'pcm_s16le', channels: 1 };
    };
    const m = await parseCsvMapping('extension,file\n3200,real.wav\n3201,fake.wav\n', { baseDir: tmp.dir, probe });
    expect(m.rows.map((r) => r.extension)).toEqual(['3200']);
    expect(m.errors).toEqual([{ line: 3, code: 'CSV_NOT_AUDIO', message: 'line 3: "fake.wav" is not an audio file.', extension: '3201' }]);
  });

  it('rejects a header without the required columns, naming them', async () => {
    await expect(parseCsvMapping('ext,path\n3200,a.wav\n')).rejects.toMatchObject({ code: 'BATCH_CSV_HEADER', message: expect.stringMatching(/lacks the extension and file column/) });
    await expect(parseCsvMapping('extension,name\n3200,a\n')).rejects.toMatchObject({ code: 'BATCH_CSV_HEADER', message: expect.stringMatching(/lacks the file column/) });
    await expect(parseCsvMapping('')).rejects.toMatchObject({ code: 'BATCH_CSV_EMPTY' });
    await expect(parseCsvMapping('extension,file\n"3200,a.wav\n')).rejects.toMatchObject({ code: 'BATCH_CSV_INVALID' });
  });
});

describe('dry run', () => {
  it('only asks, and reports would-create / overwrite / skip / rename', async () => {
    const t = new FakeTransport();
    t.greetings('3201').set('Welcome.wav', Buffer.from('x'));
    t.greetings('3201').set('Welcome-2.wav', Buffer.from('x'));
    const items = itemsForExtensions(['3200', '3201'], await fakeAudio(tmp.dir, 'welcome.wav', 'w'), 'Welcome');
    const rename = await dryRunBatch(t, items, 'rename');
    expect(rename.rows).toEqual([
      { ext: '3200', fileName: 'Welcome.wav', verdict: 'would-create' },
      { ext: '3201', fileName: 'Welcome.wav', verdict: 'would-rename', target: 'Welcome-3.wav' },
    ]);
    expect((await dryRunBatch(t, items, 'overwrite')).counts).toMatchObject({ 'would-create': 1, 'would-overwrite': 1 });
    const progress: number[] = [];
    expect((await dryRunBatch(t, items, 'skip', { onProgress: (p) => progress.push(p.done) })).counts).toMatchObject({ 'would-create': 1, 'would-skip': 1 });
    expect(progress).toEqual([1, 2]);
    expect((await dryRunBatch(t, items, 'fail')).counts['would-fail']).toBe(1);
    expect(t.count('force')).toBe(0);
    t.fault = () => ({ error: Object.assign(new Error('boom'), { code: 'ECONNRESET' }) });
    expect((await dryRunBatch(t, items, 'skip')).counts.error).toBe(2);
  });

  it('says "unchanged" where the name (or a keep-both copy) already holds these bytes, for every policy', async () => {
    const file = await fakeAudio(tmp.dir, 'welcome.wav', 'ours');
    const ours = await fs.readFile(file);
    const t = new FakeTransport();
    t.greetings('3200').set('Welcome.wav', ours);
    t.greetings('3201').set('Welcome.wav', Buffer.from('theirs'));
    t.greetings('3201').set('Welcome-2.wav', ours);
    t.greetings('3202').set('Welcome.wav', Buffer.from('theirs'));
    const items = itemsForExtensions(['3200', '3201', '3202'], file, 'Welcome');
    for (const policy of ['fail', 'skip', 'overwrite'] as const) {
      const r = await dryRunBatch(t, items, policy);
      expect(r.rows[0], policy).toMatchObject({ verdict: 'unchanged', target: 'Welcome.wav' });
      expect(r.rows[1]?.verdict, policy).toBe(`would-${policy}`);
    }
    const rename = await dryRunBatch(t, items, 'rename');
    expect(rename.rows.map((r) => [r.verdict, r.target])).toEqual([
      ['unchanged', 'Welcome.wav'],
      ['unchanged', 'Welcome-2.wav'],
      ['would-rename', 'Welcome-2.wav'],
    ]);
    // Downloads only for names that exist; nothing is ever written.
    expect(t.calls.filter((c) => c.op === 'download').every((c) => t.greetings(c.ext).has(c.fileName))).toBe(true);
    expect(t.count('force')).toBe(0);
  });

  it('the extension directory read retries what can heal, with the queue backoff, and stops at once on what cannot', async () => {
    let calls = 0;
    const sleeps: number[] = [];
    const flaky = {
      listExtensions: async () => {
        calls += 1;
        if (calls === 1) throw new PbxBadResponseError('PBX_HTTP_STATUS', 'HTTP 503', { status: 503 });
        return { total: 2, items: [{ number: '3200' }, { number: '3201' }] };
      },
    };
    const retry = { random: () => 0.5, sleep: async (ms: number) => void sleeps.push(ms) };
    expect([...(await knownExtensionNumbers(flaky, 100, retry))]).toEqual(['3200', '3201']);
    expect(calls).toBe(2);
    expect(sleeps).toEqual([backoffDelay(1, DEFAULT_BACKOFF, () => 0.5)]);
    const denied = { listExtensions: async () => Promise.reject(new PbxApiError(10005, 'extension/list', 'no permission')) };
    await expect(knownExtensionNumbers(denied, 100, retry)).rejects.toMatchObject({ code: 'PBX_10005' });
    expect(sleeps).toHaveLength(1);
    // An unreachable PBX is given up on after 3 tries in a row, like the worker's offline rule.
    let refused = 0;
    const down = { listExtensions: async () => Promise.reject(new PbxNetworkError('PBX_CONNECTION_REFUSED', `refused ${(refused += 1)}`)) };
    await expect(knownExtensionNumbers(down, 100, retry)).rejects.toMatchObject({ code: 'PBX_CONNECTION_REFUSED' });
    expect(refused).toBe(3);
  });

  it('turns failures into a non-zero exit code', () => {
    expect(batchExitCode({ failed: 0, unfinished: 0 })).toBe(0);
    expect(batchExitCode({ failed: 1, unfinished: 0 })).toBe(1);
    expect(batchExitCode({ failed: 0, unfinished: 2 })).toBe(1);
  });
});

// Every client endpoint against the real simulator, over HTTP and HTTPS, under both ask-duplicate variants.
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { appVersion } from '../../../main/core/pbx/version.js';
import { CancelledError } from '../../../main/core/errors.js';
import { caughtErr, expectClean, simHarness, wavBytes, type Scheme } from './sim-helpers.js';

const h = simHarness();

describe.each<Scheme>(['http', 'https'])('client <-> simulator over %s', (scheme) => {
  it('tests the connection, lists, pages, sorts and searches extensions with a User-Agent on every request', async () => {
    const sim = await h.sim(scheme, { extensions: 30 });
    const c = h.client(sim);
    expect(await c.testConnection()).toEqual({ reachable: true, tokenOk: true, extensionCount: 30 });

    const p2 = await c.listExtensions({ page: 2, pageSize: 10, sortBy: 'number', orderBy: 'asc' });
    expect(p2.total).toBe(30);
    expect(p2.items.map((e) => e.number)).toEqual(Array.from({ length: 10 }, (_, i) => String(3210 + i)));
    const desc = await c.listExtensions({ pageSize: 3, sortBy: 'number', orderBy: 'desc' });
    expect(desc.items.map((e) => e.number)).toEqual(['3229', '3228', '3227']);
    for (const e of p2.items) {
      expect(typeof e.id).toBe('number');
      expect(e.callerIdName).not.toBe('');
      expect(['available', 'away', 'business_trip', 'do_not_disturb', 'lunch', 'off_work']).toContain(e.presence);
      expect(typeof e.online).toBe('boolean');
    }

    const found = await c.searchExtensions('322', { pageSize: 100 });
    expect(found.total).toBeGreaterThanOrEqual(10);
    for (const e of found.items) expect(`${e.number} ${e.callerIdName} ${e.email}`.toLowerCase()).toContain('322');
    const none = await c.searchExtensions('no-such-person-zzz');
    expect(none).toEqual({ total: 0, items: [] });

    const log = sim.requestLog();
    expect(log.length).toBeGreaterThan(4);
    for (const entry of log) expect(entry.userAgent).toBe(`VMGreetingStudio/${appVersion()}`);
    expect(log.filter((e) => e.path.endsWith('/get_token'))).toHaveLength(1);
    expect(log.find((e) => e.path.endsWith('/get_token'))!.query).toEqual({});
    expect(log.filter((e) => e.path.endsWith('/extension/list')).every((e) => e.query.access_token === '***' && e.query.page_size !== undefined)).toBe(true);
  });

  it('maps presence, email and online status from seeded extensions', async () => {
    const sim = await h.sim(scheme, {
      extensions: [
        { number: '100', caller_id_name: 'Alice', email_addr: 'alice@example.com', presence_status: 'lunch', online: true },
        { number: '101', caller_id_name: 'Bob', presence_status: 'off_work', online: false },
      ],
    });
    const { items } = await h.client(sim).listExtensions({ sortBy: 'number' });
    expect(items[0]).toMatchObject({ number: '100', callerIdName: 'Alice', email: 'alice@example.com', presence: 'lunch', online: true });
    expect(items[1]).toMatchObject({ number: '101', callerIdName: 'Bob', presence: 'off_work' });
  });

  it('uploads (streamed, with progress), lists, checks, downloads and deletes a greeting', async () => {
    const sim = await h.sim(scheme);
    const c = h.client(sim);
    const bytes = wavBytes(40_000);
    const file = h.file('render.wav', bytes);
    const progress: number[] = [];
    const up = await c.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'vm_away.wav', mode: 'force', onProgress: (sent) => progress.push(sent) });
    expect(up.bytes).toBe(bytes.length);
    expect(progress.at(-1)).toBeGreaterThan(bytes.length);
    const stored = sim.greetings('3200');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.real_filename).toBe('vm_away.wav');
    expect(stored[0]!.bytes.equals(bytes)).toBe(true);
    expect(sim.greetings('3201')).toEqual([]);

    const list = await c.listGreetings('3200');
    expect(list).toEqual([{ id: stored[0]!.id, file: stored[0]!.file, realFilename: 'vm_away.wav', suffix: '.wav', type: 'record' }]);
    expect(await c.listGreetings('3201')).toEqual([]);

    expect((await c.greetingExists('3200', 'vm_away.wav')).exists).toBe(true);
    expect(await c.greetingExists('3200', 'other.wav')).toEqual({ exists: false });
    expect(await c.greetingExists('3201', 'vm_away.wav')).toEqual({ exists: false });
    expect(sim.greetings('3200')).toHaveLength(1); // ask stores nothing

    const dir = h.dir();
    const dest = path.join(dir, 'copy.wav');
    expect(await c.downloadGreeting('3200', 'vm_away.wav', dest)).toEqual({ bytes: bytes.length });
    expect(readFileSync(dest).equals(bytes)).toBe(true);
    expect(readdirSync(dir)).toEqual(['copy.wav']);

    await c.deleteGreeting('3200', 'vm_away.wav');
    expect(sim.greetings('3200')).toEqual([]);
    const again = await caughtErr(() => c.deleteGreeting('3200', 'vm_away.wav'));
    expect(again.code).toBe('PBX_60001');
    expect(again.message).toMatch(/does not exist/);
    const missing = await caughtErr(() => c.downloadGreeting('3200', 'vm_away.wav', path.join(dir, 'x.wav')));
    expect(missing.code).toBe('PBX_60001');
    expect(readdirSync(dir)).toEqual(['copy.wav']);
    expectClean(again, sim);
  });

  it('stores a path-like name (the vendor example /D:/greeting/vm_away.wav) under its basename', async () => {
    const sim = await h.sim(scheme);
    const c = h.client(sim);
    await c.uploadGreetingFile({ ext: '3202', filePath: h.file('x.wav', wavBytes(100)), fileName: '/D:/greeting/vm_away.wav', mode: 'force' });
    expect(sim.greetings('3202').map((g) => g.real_filename)).toEqual(['vm_away.wav']);
    expect((await c.greetingExists('3202', 'C:\\greeting\\vm_away.wav')).exists).toBe(true);
  });

  it('rejects unsafe names and extension numbers before sending anything', async () => {
    const sim = await h.sim(scheme);
    const c = h.client(sim);
    const f = h.file('x.wav', wavBytes(100));
    for (const fileName of ['a"b.wav', 'cr\r\nlf.wav', 'ünï.wav', 'x.ogg', '']) {
      expect((await caughtErr(() => c.uploadGreetingFile({ ext: '3200', filePath: f, fileName, mode: 'force' }))).code).toBe('PBX_BAD_FILE_NAME');
    }
    for (const ext of ['32&00', '3200/x', '32 00', 'x'.repeat(200)]) {
      expect((await caughtErr(() => c.uploadGreetingFile({ ext, filePath: f, fileName: 'a.wav', mode: 'force' }))).code).toBe('PBX_BAD_EXTENSION');
    }
    expect((await caughtErr(() => c.uploadGreetingFile({ ext: '3200', filePath: `${f}.missing`, fileName: 'a.wav', mode: 'force' }))).code).toBe('PBX_FILE_UNREADABLE');
    expect(sim.requestLog().filter((e) => e.path.endsWith('/extension_vm_greeting/upload'))).toEqual([]);
  });

  it('sends mp3 and gsm with their content types and names', async () => {
    const sim = await h.sim(scheme);
    const c = h.client(sim);
    await c.uploadGreetingFile({ ext: '3201', filePath: h.file('x.mp3', Buffer.alloc(5000, 1)), fileName: 'night.mp3', mode: 'force' });
    await c.uploadGreetingFile({ ext: '3201', filePath: h.file('x.gsm', Buffer.alloc(3300, 2)), fileName: 'lunch.gsm', mode: 'force' });
    expect(sim.greetings('3201').map((g) => [g.real_filename, g.suffix]).sort()).toEqual([['lunch.gsm', '.gsm'], ['night.mp3', '.mp3']]);
  });

  it('reports upload refusals: unknown extension, oversize (both 8 MB variants), missing permission, greeting cap', async () => {
    const sim = await h.sim(scheme, { maxGreetingsPerExtension: 1 });
    const c = h.client(sim);
    const small = h.file('s.wav', wavBytes(100));
    const e60001 = await caughtErr(() => c.uploadGreetingFile({ ext: '9999', filePath: small, fileName: 'a.wav', mode: 'force' }));
    expect(e60001.code).toBe('PBX_60001');
    expect(e60001.message).toMatch(/no extension with that number/);

    const big = h.file('big.wav', Buffer.alloc(8_100_000, 3));
    await c.uploadGreetingFile({ ext: '3200', filePath: big, fileName: 'big.wav', mode: 'force' }); // 8,388,608 limit: fits
    expect(sim.greetings('3200')).toHaveLength(1);
    sim.setOptions({ sizeLimitBytes: 8_000_000 });
    const e40004 = await caughtErr(() => c.uploadGreetingFile({ ext: '3201', filePath: big, fileName: 'big.wav', mode: 'force' }));
    expect(e40004.code).toBe('PBX_40004');
    expect(e40004.message).toMatch(/too large/);
    expect(sim.greetings('3201')).toEqual([]);

    const e60002 = await caughtErr(() => c.uploadGreetingFile({ ext: '3200', filePath: small, fileName: 'second.wav', mode: 'force' }));
    expect(e60002.code).toBe('PBX_60002');
    expect(e60002.message).toMatch(/limit for voicemail greetings/);

    sim.setOptions({ deniedEndpoints: ['extension_vm_greeting/upload'] });
    const e10005 = await caughtErr(() => c.uploadGreetingFile({ ext: '3202', filePath: small, fileName: 'a.wav', mode: 'force' }));
    expect(e10005.code).toBe('PBX_10005');
    expect(e10005.message).toMatch(/lacks permission/);
    expect(sim.greetings('3202')).toEqual([]);
    for (const e of [e60001, e40004, e60002, e10005]) expectClean(e, sim);
  });

  it('aborts an upload with CancelledError and stores nothing', async () => {
    const sim = await h.sim(scheme);
    const c = h.client(sim);
    await c.listExtensions();
    sim.injectFault({ kind: 'latency', ms: 600, path: 'extension_vm_greeting/upload' });
    const ac = new AbortController();
    const p = c.uploadGreetingFile({ ext: '3200', filePath: h.file('a.wav', wavBytes(1000)), fileName: 'a.wav', mode: 'force', signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    expect(await caughtErr(() => p)).toBeInstanceOf(CancelledError);
    await new Promise((r) => setTimeout(r, 900));
    expect(sim.greetings('3200')).toEqual([]);
  });
});

describe.each(['exist_type', '40003'] as const)('greetingExists against the simulator (ask duplicate as %s)', (askDuplicateMode) => {
  // Uploads with a policy go through the queue worker (main/core/library); its ask step is this call.
  it('greetingExists detects the duplicate, case-sensitively', async () => {
    const sim = await h.sim('http', { askDuplicateMode });
    sim.seedGreeting('3200', 'vm_away.wav', Buffer.from('old greeting bytes'));
    const c = h.client(sim);
    expect((await c.greetingExists('3200', 'vm_away.wav')).exists).toBe(true);
    expect((await c.greetingExists('3200', 'VM_AWAY.wav')).exists).toBe(false);
  });
});

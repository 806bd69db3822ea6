import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, startSimulator, type Simulator, type SimulatorOptions } from '../../main/sim/index.js';
import { api, getToken, greetingParts, rawRequest, upload, parseJson, type ApiJson } from './helpers.js';

let sim: Simulator | undefined;
let token = '';
async function start(o: SimulatorOptions = {}): Promise<Simulator> {
  sim = await startSimulator({ extensions: 5, ...o });
  token = (await getToken(sim)).access;
  return sim;
}
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const audio = (n: number, fill = 7): Buffer => Buffer.alloc(n, fill);

interface G { id: number; module: string; number: string; file: string; suffix: string; type: string; real_filename: string }

async function list(s: Simulator, ext: string, query: Record<string, string | number> = {}): Promise<ApiJson> {
  return api(s, 'extension_vm_greeting/list', { token, query: { extension: ext, ...query } });
}

describe('greeting list', () => {
  it('lists newest first with the documented fields; greetings of different extensions never collide', async () => {
    const s = await start();
    expect(await list(s, '3200')).toEqual({ errcode: 0, errmsg: 'SUCCESS', total_number: 0, greeting_list: [] });
    await upload(s, token, greetingParts('3200', 'first.wav', audio(10), 'force'));
    await upload(s, token, greetingParts('3200', 'second.wav', audio(10), 'force'));
    await upload(s, token, greetingParts('3201', 'first.wav', audio(20), 'force'));
    const r = await list(s, '3200');
    expect(r.total_number).toBe(2);
    const items = r.greeting_list as G[];
    expect(items.map((g) => g.real_filename)).toEqual(['second.wav', 'first.wav']);
    expect(items[0]).toEqual({ id: items[0]?.id, module: 'extension', number: '3200', file: 'second.wav', suffix: '.wav', type: 'record', real_filename: 'second.wav' });
    expect((items[0]?.id ?? 0) > (items[1]?.id ?? 0)).toBe(true);
    expect(((await list(s, '3201')).greeting_list as G[]).map((g) => g.number)).toEqual(['3201']);
    const paged = await list(s, '3200', { page: '2', page_size: '1' });
    expect(paged.total_number).toBe(2);
    expect((paged.greeting_list as G[]).map((g) => g.real_filename)).toEqual(['first.wav']);
  });

  it('validates the extension parameter', async () => {
    const s = await start();
    expect((await api(s, 'extension_vm_greeting/list', { token })).errcode).toBe(40002);
    expect((await list(s, '9999')).errcode).toBe(60001);
  });
});

describe('greeting upload', () => {
  it('stores the basename of a path-like filename (seed example, Windows backslashes)', async () => {
    const s = await start();
    expect(await upload(s, token, greetingParts('3200', '/D:/greeting/vm_away.wav', audio(100), 'force'))).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
    expect(await upload(s, token, greetingParts('3200', 'C:\\Users\\me\\closed.WAV', audio(100), 'force'))).toMatchObject({ errcode: 0 });
    const names = s.greetings('3200').map((g) => [g.real_filename, g.suffix]);
    expect(names).toEqual([['closed.WAV', '.WAV'], ['vm_away.wav', '.wav']]);
  });

  it('ask reports existence with exist_type (default) and stores nothing', async () => {
    const s = await start();
    const first = await upload(s, token, greetingParts('3200', 'vm_away.wav', audio(100), 'ask'));
    expect(first).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
    expect(s.greetings('3200')).toEqual([]);
    await upload(s, token, greetingParts('3200', 'vm_away.wav', audio(100), 'force'));
    const dup = await upload(s, token, greetingParts('3200', '/D:/greeting/vm_away.wav', audio(5, 9), 'ask'));
    expect(dup).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200', exist_type: 'record' });
    expect(s.greetings('3200')[0]?.bytes.equals(audio(100))).toBe(true);
    // Case-sensitive comparison of full basenames; other extensions are separate.
    expect((await upload(s, token, greetingParts('3200', 'VM_AWAY.wav', audio(5), 'ask'))).exist_type).toBeUndefined();
    expect((await upload(s, token, greetingParts('3201', 'vm_away.wav', audio(5), 'ask'))).exist_type).toBeUndefined();
    s.seedGreeting('3202', 'closed.wav', audio(3), { type: 'tts' });
    expect((await upload(s, token, greetingParts('3202', 'closed.wav', audio(5), 'ask'))).exist_type).toBe('tts');
  });

  it('ask reports existence as 40003 in that mode (option and setOptions)', async () => {
    const s = await start({ askDuplicateMode: '40003' });
    s.seedGreeting('3200', 'vm_away.wav', audio(10));
    const dup = await upload(s, token, greetingParts('3200', 'vm_away.wav', audio(5), 'ask'));
    expect(dup).toEqual({ errcode: 40003, errmsg: 'DUPLICATE KEY VALUE', owner: '3200' });
    expect(await upload(s, token, greetingParts('3200', 'other.wav', audio(5), 'ask'))).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
    s.setOptions({ askDuplicateMode: 'exist_type' });
    expect((await upload(s, token, greetingParts('3200', 'vm_away.wav', audio(5), 'ask'))).exist_type).toBe('record');
    s.setOptions({ askDuplicateMode: '40003' });
    expect((await upload(s, token, greetingParts('3200', 'vm_away.wav', audio(5), 'ask'))).errcode).toBe(40003);
    expect(s.greetings('3200')).toHaveLength(1);
  });

  it('force creates, then replaces in place keeping the id', async () => {
    const s = await start();
    await upload(s, token, greetingParts('3200', 'a.wav', audio(10, 1), 'force'));
    await upload(s, token, greetingParts('3200', 'b.wav', audio(10, 2), 'force'));
    const before = s.greetings('3200');
    const idA = before.find((g) => g.real_filename === 'a.wav')?.id;
    const r = await upload(s, token, greetingParts('3200', 'a.wav', audio(30, 3), 'force'));
    expect(r).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
    const after = s.greetings('3200');
    expect(after).toHaveLength(2);
    const a = after.find((g) => g.real_filename === 'a.wav');
    expect(a?.id).toBe(idA);
    expect(a?.bytes.equals(audio(30, 3))).toBe(true);
    expect(after.map((g) => g.real_filename)).toEqual(['b.wav', 'a.wav']);
  });

  it('accepts wav/mp3/gsm in any case and rejects other suffixes with 40002', async () => {
    const s = await start();
    for (const name of ['x.wav', 'y.MP3', 'z.Gsm', 'w.WAV']) {
      expect((await upload(s, token, greetingParts('3200', name, audio(10), 'force'))).errcode, name).toBe(0);
    }
    for (const name of ['x.ogg', 'noext', 'x.wav.txt', '.wav', '/D:/greeting/', 'bad\"name.wav', 'tab\there.wav', 'a<b>.wav']) {
      const r = await upload(s, token, greetingParts('3200', name, audio(10), 'force'));
      expect(r.errcode, name).toBe(40002);
      expect(r.owner).toBe('3200');
      expect(r.invalid_param_list).toEqual([{ field: 'file', value: expect.any(String) }]);
    }
    expect(s.greetings('3200').map((g) => g.real_filename).sort()).toEqual(['w.WAV', 'x.wav', 'y.MP3', 'z.Gsm']);
  });

  it('reports missing parts with 40002 required and a non-multipart body too', async () => {
    const s = await start();
    const onlyFile = await upload(s, token, [{ name: 'file', filename: 'a.wav', data: audio(5) }]);
    expect(onlyFile).toMatchObject({ errcode: 40002, invalid_param_list: [{ field: 'owner', validation_type: 'required' }, { field: 'is_check', validation_type: 'required' }] });
    const noFile = await upload(s, token, [{ name: 'owner', value: '3200' }, { name: 'is_check', value: 'force' }, { name: 'file', value: 'not a file part' }]);
    expect(noFile).toMatchObject({ errcode: 40002, invalid_param_list: [{ field: 'file', validation_type: 'required' }] });
    const json = await api(s, 'extension_vm_greeting/upload', { token, json: { owner: '3200', is_check: 'force' } });
    expect(json.errcode).toBe(40002);
    expect(s.greetings('3200')).toEqual([]);
  });

  it('follows the validation order token > parts > is_check > extension > suffix > size > duplicate', async () => {
    const s = await start({ sizeLimitBytes: 100, askDuplicateMode: '40003' });
    s.seedGreeting('3200', 'dup.wav', audio(5));
    const big = audio(101);
    // bad token wins over everything
    expect((await upload(s, 'B'.repeat(32), [{ name: 'is_check', value: 'maybe' }])).errcode).toBe(10004);
    // missing parts win over a bad is_check
    expect((await upload(s, token, [{ name: 'is_check', value: 'maybe' }, { name: 'owner', value: '9999' }])).errcode).toBe(40002);
    // bad is_check wins over an unknown extension
    const badCheck = await upload(s, token, greetingParts('9999', 'x.ogg', big, 'maybe'));
    expect(badCheck).toMatchObject({ errcode: 40002, invalid_param_list: [{ field: 'is_check', value: 'maybe' }] });
    // unknown extension wins over a bad suffix
    expect((await upload(s, token, greetingParts('9999', 'x.ogg', big, 'force'))).errcode).toBe(60001);
    // bad suffix wins over the size
    expect((await upload(s, token, greetingParts('3200', 'x.ogg', big, 'force'))).errcode).toBe(40002);
    // size wins over the duplicate check
    expect(await upload(s, token, greetingParts('3200', 'dup.wav', big, 'ask'))).toEqual({ errcode: 40004, errmsg: 'FILE SIZE EXCEEDED', owner: '3200' });
    expect((await upload(s, token, greetingParts('3200', 'dup.wav', audio(100), 'ask'))).errcode).toBe(40003);
  });

  it('limits size to 8,388,608 bytes by default and 8,000,000 when switched', async () => {
    const s = await start();
    expect((await upload(s, token, greetingParts('3200', 'max.wav', audio(8_388_608), 'force'))).errcode).toBe(0);
    expect((await upload(s, token, greetingParts('3200', 'over.wav', audio(8_388_609), 'force'))).errcode).toBe(40004);
    expect((await upload(s, token, greetingParts('3200', 'over.wav', audio(8_388_609), 'ask'))).errcode).toBe(40004);
    s.setOptions({ sizeLimitBytes: 8_000_000 });
    expect((await upload(s, token, greetingParts('3200', 'eight.wav', audio(8_000_000), 'force'))).errcode).toBe(0);
    expect((await upload(s, token, greetingParts('3200', 'eight1.wav', audio(8_000_001), 'force'))).errcode).toBe(40004);
    expect((await upload(s, token, greetingParts('3200', 'mib.wav', audio(8_388_608), 'force'))).errcode).toBe(40004);
    expect(s.greetings('3200').map((g) => [g.real_filename, g.bytes.length])).toEqual([['eight.wav', 8_000_000], ['max.wav', 8_388_608]]);
  });

  it('rejects an empty file on force (ask still answers)', async () => {
    const s = await start();
    expect((await upload(s, token, greetingParts('3200', 'empty.wav', Buffer.alloc(0), 'ask'))).errcode).toBe(0);
    expect((await upload(s, token, greetingParts('3200', 'empty.wav', Buffer.alloc(0), 'force'))).errcode).toBe(40002);
    expect(s.greetings('3200')).toEqual([]);
  });

  it('can rewrite mp3/gsm names to .wav (rewriteSuffixToWav)', async () => {
    const s = await start({ rewriteSuffixToWav: true });
    await upload(s, token, greetingParts('3200', 'song.mp3', audio(10), 'force'));
    await upload(s, token, greetingParts('3200', 'old.GSM', audio(10), 'force'));
    expect(s.greetings('3200').map((g) => [g.real_filename, g.suffix])).toEqual([['old.wav', '.wav'], ['song.wav', '.wav']]);
    expect((await upload(s, token, greetingParts('3200', 'song.mp3', audio(10), 'ask'))).exist_type).toBe('record');
  });

  it('applies a per-extension cap (60002) when configured', async () => {
    const s = await start({ maxGreetingsPerExtension: 2 });
    await upload(s, token, greetingParts('3200', 'a.wav', audio(10), 'force'));
    await upload(s, token, greetingParts('3200', 'b.wav', audio(10), 'force'));
    expect((await upload(s, token, greetingParts('3200', 'c.wav', audio(10), 'force'))).errcode).toBe(60002);
    expect((await upload(s, token, greetingParts('3200', 'a.wav', audio(11), 'force'))).errcode).toBe(0);
  });

  it('answers 10005 for a denied endpoint', async () => {
    const s = await start({ deniedEndpoints: ['extension_vm_greeting/upload'] });
    expect((await upload(s, token, greetingParts('3200', 'a.wav', audio(10), 'force'))).errcode).toBe(10005);
    expect(s.greetings('3200')).toEqual([]);
  });
});

describe('download, play, delete, record', () => {
  it('download returns a 30-minute resource URL that needs the access token', async () => {
    const clock = new ManualClock();
    const s = await start({ now: clock.now });
    s.seedGreeting('3200', 'vm_away.wav', audio(1234, 3));
    const r = await api(s, 'extension_vm_greeting/download', { token, query: { extension: '3200', file: 'vm_away.wav' } });
    expect(r.errcode).toBe(0);
    expect(r.file).toBe('vm_away.wav');
    const path = r.download_resource_url as string;
    expect(path).toMatch(/^\/api\/download\/PBX-VoicemailGreeting-[\d.]+-download-\d{14}-[A-Za-z0-9]{16}\.wav$/);
    const noToken = await rawRequest(`${s.url}${path}`);
    expect(parseJson(noToken).errcode).toBe(10004);
    const got = await rawRequest(`${s.url}${path}?access_token=${token}`);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('audio/wav');
    expect(got.body.equals(audio(1234, 3))).toBe(true);
    clock.advance(30 * 60 * 1000 - 1000);
    const token2 = (await getToken(s)).access; // the first token has 1 s left; use a fresh one
    expect((await rawRequest(`${s.url}${path}?access_token=${token2}`)).body.length).toBe(1234);
    clock.advance(1000);
    expect(parseJson(await rawRequest(`${s.url}${path}?access_token=${token2}`)).errcode).toBe(60001);
    const missing = await api(s, 'extension_vm_greeting/download', { token: token2, query: { extension: '3200', file: 'nope.wav' } });
    expect(missing.errcode).toBe(60001);
    expect((await api(s, 'extension_vm_greeting/download', { token: token2, query: { extension: '3200' } })).errcode).toBe(40002);
  });

  it('play returns a resource URL that works without a token', async () => {
    const s = await start();
    s.seedGreeting('3200', 'tune.mp3', audio(50, 4));
    const r = await api(s, 'extension_vm_greeting/play', { token, query: { extension: '3200', file: 'tune.mp3' } });
    expect(r.errcode).toBe(0);
    const path = r.play_resource_url as string;
    expect(path).toMatch(/^\/api\/download\/PBX-VoicemailGreeting-.*\.mp3$/);
    const got = await rawRequest(`${s.url}${path}`);
    expect(got.headers['content-type']).toBe('audio/mpeg');
    expect(got.body.equals(audio(50, 4))).toBe(true);
  });

  it('delete removes by extension + real_filename; a missing one is 60001', async () => {
    const s = await start();
    s.seedGreeting('3200', 'a.wav', audio(5));
    s.seedGreeting('3201', 'a.wav', audio(5));
    expect(await api(s, 'extension_vm_greeting/delete', { token, query: { extension: '3200', file: 'a.wav' } })).toEqual({ errcode: 0, errmsg: 'SUCCESS' });
    expect(s.greetings('3200')).toEqual([]);
    expect(s.greetings('3201')).toHaveLength(1);
    expect((await api(s, 'extension_vm_greeting/delete', { token, query: { extension: '3200', file: 'a.wav' } })).errcode).toBe(60001);
    expect((await api(s, 'extension_vm_greeting/delete', { token, query: { extension: '9999', file: 'a.wav' } })).errcode).toBe(60001);
    expect((await api(s, 'extension_vm_greeting/delete', { token, query: { file: 'a.wav' } })).errcode).toBe(40002);
  });

  it('record validates the name and can materialise <file>.wav', async () => {
    const s = await start({ recordDelayMs: 0 });
    const bad = await api(s, 'extension_vm_greeting/record', { token, query: { owner: '3200', recorder: '3201', file: 'bad name' } });
    expect(bad.errcode).toBe(40002);
    expect((await api(s, 'extension_vm_greeting/record', { token, query: { owner: '3200', recorder: '3201', file: 'a.wav' } })).errcode).toBe(40002);
    expect((await api(s, 'extension_vm_greeting/record', { token, query: { owner: '3200', file: 'x' } })).errcode).toBe(40002);
    expect((await api(s, 'extension_vm_greeting/record', { token, query: { owner: '9999', recorder: '3201', file: 'x' } })).errcode).toBe(60001);
    const good = await api(s, 'extension_vm_greeting/record', { token, query: { owner: '3200', recorder: '3201', file: 'Lunch_break-2' } });
    expect(good).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
    for (let i = 0; i < 50 && s.greetings('3200').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const g = s.greetings('3200')[0];
    expect(g?.real_filename).toBe('Lunch_break-2.wav');
    expect(g?.bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
  });
});

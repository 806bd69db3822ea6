// The simulator's voicemail selection over raw HTTP: what extension/get shows under each switch, how
// extension/update and extension_vm_greeting/update validate, and that the request bodies are logged as sent.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../main/sim/index.js';
import { api, getToken } from './helpers.js';

const sims: Simulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function start(o: SimulatorOptions = {}): Promise<{ s: Simulator; token: string }> {
  const s = await startSimulator({ extensions: 5, ...o });
  sims.push(s);
  return { s, token: (await getToken(s)).access };
}

const wav = Buffer.from('RIFF0000WAVEfmt ');
type Item = Record<string, unknown> & { status: string; vm_greeting?: string };
const detail = async (s: Simulator, token: string, id = 1) => (await api(s, 'extension/get', { token, query: { id } })).data as Record<string, unknown> & { presence_list: Item[] };

describe('extension/get voicemail fields', () => {
  it('all (default): vm_greeting and six presence items with other settings, lunch spelled lunch', async () => {
    const { s, token } = await start();
    const d = await detail(s, token);
    expect(d.vm_greeting).toBe('follow_system');
    expect(d.presence_list.map((i) => i.status)).toEqual(['available', 'away', 'do_not_disturb', 'lunch', 'business_trip', 'off_work']);
    expect(d.presence_list[1]).toMatchObject({ vm_greeting: '', in_no_answer_forward_dest: 'ext_vm', ring_timeout: 25 });
  });

  it('default-only and none drop the fields; launch spells lunch the web API way', async () => {
    const a = await start({ selectionFields: 'default-only' });
    const da = await detail(a.s, a.token);
    expect(da.vm_greeting).toBe('follow_system');
    expect(da.presence_list.every((i) => !('vm_greeting' in i))).toBe(true);
    const b = await start({ selectionFields: 'none', lunchSpelling: 'launch' });
    const db = await detail(b.s, b.token);
    expect('vm_greeting' in db).toBe(false);
    expect(db.presence_list[3]!.status).toBe('launch');
  });

  it('shows a selected greeting by the form the switch says', async () => {
    for (const selectionValue of ['file', 'real_filename'] as const) {
      const { s, token } = await start({ selectionValue });
      s.seedGreeting('3200', 'rec.wav', wav, { listedFile: 'rec' });
      s.seedSelection('3200', { vm_greeting: 'rec.wav', presence: { away: 'rec.wav' } });
      const d = await detail(s, token);
      const shown = selectionValue === 'file' ? 'rec' : 'rec.wav';
      expect(d.vm_greeting).toBe(shown);
      expect(d.presence_list[1]!.vm_greeting).toBe(shown);
    }
  });
});

describe('extension/update', () => {
  it('validates id, greeting and status before changing anything, and logs the body as sent', async () => {
    const { s, token } = await start();
    s.seedGreeting('3200', 'a.wav', wav);
    expect((await api(s, 'extension/update', { token, json: {} })).errcode).toBe(40002);
    expect((await api(s, 'extension/update', { token, json: { id: 99 } })).errcode).toBe(60001);
    const bad = await api(s, 'extension/update', { token, json: { id: 1, vm_greeting: 'a.wav', presence_list: [{ status: 'away', vm_greeting: 'nope.wav' }] } });
    expect(bad).toMatchObject({ errcode: 40002, invalid_param_list: [{ field: 'presence_list.vm_greeting', value: 'nope.wav' }] });
    expect(s.selection('3200').vm_greeting).toBe('follow_system');
    expect((await api(s, 'extension/update', { token, json: { id: 1, presence_list: [{ status: 'launch', vm_greeting: '' }] } })).errcode).toBe(40002);
    expect((await api(s, 'extension/update', { token, json: { id: 1, vm_greeting: 'zzz' } })).errcode).toBe(40002);
    const good = { id: 1, vm_greeting: 'a.wav', presence_list: [{ status: 'away', vm_greeting: 'a.wav', ring_timeout: 40 }] };
    expect((await api(s, 'extension/update', { token, json: good })).errcode).toBe(0);
    expect(s.selection('3200')).toMatchObject({ vm_greeting: 'a.wav', presence: { away: 'a.wav', lunch: '' } });
    const logged = s.requestLog().filter((e) => e.path.endsWith('/extension/update'));
    expect(logged.at(-1)!.body).toEqual(good);
    // The item was stored as sent: its other settings were replaced by what the body carried.
    const away = (await detail(s, token)).presence_list[1]!;
    expect(away).toEqual({ status: 'away', ring_timeout: 40, vm_greeting: 'a.wav' });
  });

  it('the other value form is an unknown greeting', async () => {
    const { s, token } = await start({ selectionValue: 'real_filename' });
    s.seedGreeting('3200', 'rec.wav', wav, { listedFile: 'rec' });
    expect((await api(s, 'extension/update', { token, json: { id: 1, vm_greeting: 'rec' } })).errcode).toBe(40002);
    expect((await api(s, 'extension/update', { token, json: { id: 1, vm_greeting: 'rec.wav' } })).errcode).toBe(0);
  });
});

describe('extension_vm_greeting/update (rename)', () => {
  it('renames in place keeping id and suffix; refuses bad names, duplicates and unknown ids', async () => {
    const { s, token } = await start();
    s.seedGreeting('3200', 'a.wav', wav);
    s.seedGreeting('3200', 'b.wav', wav);
    const id = s.greetings('3200').find((g) => g.real_filename === 'a.wav')!.id;
    expect((await api(s, 'extension_vm_greeting/update', { token, json: { id, number: '3200' } })).errcode).toBe(40002);
    expect((await api(s, 'extension_vm_greeting/update', { token, json: { id, number: '3200', file: 'x.wav' } })).errcode).toBe(40002);
    expect((await api(s, 'extension_vm_greeting/update', { token, json: { id, number: '3200', file: 'b' } })).errcode).toBe(40003);
    expect((await api(s, 'extension_vm_greeting/update', { token, json: { id: 999, number: '3200', file: 'c' } })).errcode).toBe(60001);
    expect((await api(s, 'extension_vm_greeting/update', { token, json: { id, number: '3200', file: 'c' } })).errcode).toBe(0);
    expect(s.greetings('3200').find((g) => g.id === id)).toMatchObject({ file: 'c.wav', real_filename: 'c.wav' });
  });

  it('keeps the selection on the old name by default, carries it with the switch', async () => {
    for (const renameCarriesSelection of [false, true]) {
      const { s, token } = await start({ renameCarriesSelection });
      s.seedGreeting('3200', 'a.wav', wav);
      s.seedSelection('3200', { presence: { away: 'a.wav' } });
      const id = s.greetings('3200')[0]!.id;
      await api(s, 'extension_vm_greeting/update', { token, json: { id, number: '3200', file: 'z' } });
      expect(s.selection('3200').presence.away).toBe(renameCarriesSelection ? 'z.wav' : 'a.wav');
    }
  });

  it('answers 10001 when switched off, like an unknown interface', async () => {
    const { s, token } = await start({ greetingUpdate: false });
    expect((await api(s, 'extension_vm_greeting/update', { token, json: { id: 1, number: '3200', file: 'x' } })).errcode).toBe(10001);
  });
});

describe('record by phone listing', () => {
  it('a recorded greeting is listed with file without suffix', async () => {
    const { s, token } = await start({ recordDelayMs: 0 });
    await api(s, 'extension_vm_greeting/record', { token, query: { owner: '3200', recorder: '3201', file: 'hi' } });
    for (let i = 0; i < 50 && s.greetings('3200').length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const list = await api(s, 'extension_vm_greeting/list', { token, query: { extension: '3200' } });
    expect(list.greeting_list).toEqual([expect.objectContaining({ file: 'hi', real_filename: 'hi.wav', suffix: '.wav' })]);
  });
});

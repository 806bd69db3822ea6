// extension_vm_greeting/create in the simulator, by raw HTTP: validation, pending → complete, the "not supported" switch.
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { api, getToken } from './helpers.js';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const body = { file: 'closed_msg', type: 'tts', number: '3200', text: 'We are closed. Please leave a message.', language: 'en-US', asr_manufacturer: 'aws', voice_id: 'Joanna', speed: 50 };

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('simulator: extension_vm_greeting/create', () => {
  it('answers pending, then lists a tts greeting with speech-like audio and marks the request complete', async () => {
    sim = await startSimulator({ extensions: 3, ttsCompleteAfterMs: 150 });
    const { access } = await getToken(sim);
    const r = await api(sim, 'extension_vm_greeting/create', { token: access, json: body });
    expect(r).toMatchObject({ errcode: 0, status: 'pending', id: expect.any(Number), request_id: expect.stringMatching(/^[A-Za-z0-9]{24}$/) });
    expect(sim.greetings('3200')).toEqual([]);
    expect(sim.ttsRequests()).toMatchObject([{ number: '3200', file: 'closed_msg', text: body.text, status: 'pending', voice_id: 'Joanna', speed: 50 }]);
    // A second request for a name still pending is a duplicate.
    expect((await api(sim, 'extension_vm_greeting/create', { token: access, json: body })).errcode).toBe(40003);
    const s = sim;
    await until(() => s.greetings('3200').length === 1);
    const g = sim.greetings('3200')[0]!;
    expect(g).toMatchObject({ real_filename: 'closed_msg.wav', type: 'tts', suffix: '.wav' });
    expect(g.bytes.subarray(0, 4).toString('ascii')).toBe('RIFF');
    expect(g.bytes.readUInt32LE(24)).toBe(8000);
    expect(g.bytes.length).toBeGreaterThan(8000 * 2);
    expect(sim.ttsRequests()[0]?.status).toBe('complete');
    const list = await api(sim, 'extension_vm_greeting/list', { token: access, query: { extension: '3200' } });
    expect(list.greeting_list).toMatchObject([{ file: 'closed_msg.wav', type: 'tts' }]);
    // Once stored, the name is taken.
    expect((await api(sim, 'extension_vm_greeting/create', { token: access, json: body })).errcode).toBe(40003);
  });

  it.each([
    [{}, 40002, 'required'],
    [{ ...body, type: 'record' }, 40002, 'type'],
    [{ ...body, file: 'has space' }, 40002, 'file'],
    [{ ...body, file: 'dot.wav' }, 40002, 'file'],
    [{ ...body, text: 'x'.repeat(1001) }, 40002, 'text'],
    [{ ...body, asr_manufacturer: 'google' }, 40002, 'asr_manufacturer'],
    [{ ...body, speed: 0 }, 40002, 'speed'],
    [{ ...body, pitch: 101 }, 40002, 'pitch'],
    [{ ...body, number: '9999' }, 60001, null],
  ])('refuses %j with %i', async (json, errcode, field) => {
    sim = await startSimulator({ extensions: 3 });
    const { access } = await getToken(sim);
    const r = await api(sim, 'extension_vm_greeting/create', { token: access, json });
    expect(r.errcode).toBe(errcode);
    if (field === 'required') expect(r.invalid_param_list).toEqual(['file', 'type', 'number', 'text'].map((f) => ({ field: f, validation_type: 'required' })));
    else if (field) expect(r.invalid_param_list).toMatchObject([{ field }]);
    expect(sim.ttsRequests()).toEqual([]);
  });

  it('needs a token, and answers 10001 when switched to "not supported" (also at run time)', async () => {
    sim = await startSimulator({ extensions: 3, ttsSupported: false });
    const { access } = await getToken(sim);
    expect((await api(sim, 'extension_vm_greeting/create', { json: body })).errcode).toBe(10001);
    expect((await api(sim, 'extension_vm_greeting/create', { token: access, json: body })).errcode).toBe(10001);
    sim.setOptions({ ttsSupported: true });
    expect((await api(sim, 'extension_vm_greeting/create', { json: body })).errcode).toBe(10004);
    expect((await api(sim, 'extension_vm_greeting/create', { token: access, json: body })).errcode).toBe(0);
    expect((await api(sim, 'extension_vm_greeting/create', { token: access, method: 'GET' })).errcode).toBe(10001);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { api, getToken, greetingParts, upload } from './helpers.js';

describe('simulator smoke', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('issues a token, lists extensions and takes an ask/force upload', async () => {
    const { access } = await getToken(sim);
    const list = await api(sim, 'extension/list', { token: access });
    expect(list.errcode).toBe(0);
    expect(list.total_number).toBe(20);
    const wav = Buffer.alloc(1000, 1);
    const ask = await upload(sim, access, greetingParts('3200', '/D:/greeting/vm_away.wav', wav, 'ask'));
    expect(ask).toEqual({ errcode: 0, errmsg: 'SUCCESS', owner: '3200' });
    expect(sim.greetings('3200')).toHaveLength(0);
    const force = await upload(sim, access, greetingParts('3200', '/D:/greeting/vm_away.wav', wav, 'force'));
    expect(force.errcode).toBe(0);
    expect(sim.greetings('3200').map((g) => g.real_filename)).toEqual(['vm_away.wav']);
    const again = await upload(sim, access, greetingParts('3200', 'vm_away.wav', wav, 'ask'));
    expect(again.exist_type).toBe('record');
  });
});

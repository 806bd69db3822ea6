// Transport faults injected by the simulator: every one surfaces as its own typed error, with no secret in it.
import { describe, expect, it } from 'vitest';
import { PbxBadResponseError, PbxNetworkError, PbxTimeoutError, PbxApiError } from '../../../main/core/pbx/index.js';
import { caughtErr, expectClean, simHarness, wavBytes, type Scheme } from './sim-helpers.js';

const h = simHarness();

describe.each<Scheme>(['http', 'https'])('faults over %s', (scheme) => {
  async function ready(extra: Parameters<typeof h.client>[1] = {}) {
    const sim = await h.sim(scheme);
    const c = h.client(sim, extra);
    await c.listExtensions(); // token in hand, so the fault hits the call under test
    return { sim, c };
  }

  it('HTML error page (gateway) -> PbxBadResponseError naming the status and page', async () => {
    const { sim, c } = await ready();
    sim.injectFault({ kind: 'html-error', path: 'extension/list' });
    const e = await caughtErr(() => c.listExtensions());
    expect(e).toBeInstanceOf(PbxBadResponseError);
    expect(e.code).toBe('PBX_HTTP_STATUS');
    expect(e.message).toMatch(/HTTP 502/);
    expectClean(e, sim);
    expect((await c.listExtensions()).total).toBe(20); // next call is fine
  });

  it.each([500, 502, 503] as const)('HTTP %i -> typed error, nothing stored on upload', async (status) => {
    const { sim, c } = await ready();
    sim.injectFault({ kind: 'status', status, path: 'extension_vm_greeting/upload' });
    const e = await caughtErr(() => c.uploadGreetingFile({ ext: '3200', filePath: h.file('a.wav', wavBytes(500)), fileName: 'a.wav', mode: 'force' }));
    // The simulator's gateway answers JSON errcode -2 with the 5xx status; errcode decides, as the spec says.
    expect(e).toBeInstanceOf(PbxApiError);
    expect(e.code).toBe('PBX_-2');
    expect(e.message).toMatch(/internal error/);
    expect(sim.greetings('3200')).toEqual([]);
    expectClean(e, sim);
  });

  it('connection reset mid-body -> PbxNetworkError PBX_CONNECTION_RESET', async () => {
    const { sim, c } = await ready();
    sim.injectFault({ kind: 'reset-mid-body', path: 'extension/search' });
    const e = await caughtErr(() => c.searchExtensions('32'));
    expect(e).toBeInstanceOf(PbxNetworkError);
    expect(e.code).toBe('PBX_CONNECTION_RESET');
    expectClean(e, sim);
  });

  it('reset mid-body after an upload was processed: reported, and the greeting is there (force is safe to repeat)', async () => {
    const { sim, c } = await ready();
    sim.injectFault({ kind: 'reset-mid-body', path: 'extension_vm_greeting/upload' });
    const file = h.file('a.wav', wavBytes(500));
    const e = await caughtErr(() => c.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'a.wav', mode: 'force' }));
    expect(e.code).toBe('PBX_CONNECTION_RESET');
    expect(sim.greetings('3200')).toHaveLength(1);
    await c.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'a.wav', mode: 'force' });
    expect(sim.greetings('3200')).toHaveLength(1);
  });

  it('garbled JSON -> PbxBadResponseError PBX_INVALID_JSON', async () => {
    const { sim, c } = await ready();
    sim.injectFault({ kind: 'garbled-json', path: 'extension_vm_greeting/list' });
    const e = await caughtErr(() => c.listGreetings('3200'));
    expect(e).toBeInstanceOf(PbxBadResponseError);
    expect(e.code).toBe('PBX_INVALID_JSON');
    expectClean(e, sim);
  });

  it('garbled get_token answer -> typed error, and the secret is not in it', async () => {
    const sim = await h.sim(scheme);
    sim.injectFault({ kind: 'garbled-json', path: 'get_token' });
    const c = h.client(sim);
    const e = await caughtErr(() => c.listExtensions());
    expect(e.code).toBe('PBX_INVALID_JSON');
    expectClean(e, sim);
    expect((await c.listExtensions()).total).toBe(20);
  });

  it('latency beyond the timeout -> PbxTimeoutError; within it -> success', async () => {
    const { sim, c } = await ready({ timeoutMs: 400 });
    sim.injectFault({ kind: 'latency', ms: 3000, path: 'extension/list' });
    const t0 = Date.now();
    const e = await caughtErr(() => c.listExtensions());
    expect(e).toBeInstanceOf(PbxTimeoutError);
    expect(e.code).toBe('PBX_TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(2500); // gave up long before the 3 s answer
    sim.injectFault({ kind: 'latency', ms: 100, path: 'extension/list' });
    expect((await c.listExtensions()).total).toBe(20);
  });

  it('a 5 % random fault rate still lets a retrying caller finish, and every failure is typed', async () => {
    const { sim, c } = await ready();
    sim.injectFault({ kind: 'reset-mid-body', rate: 0.05 });
    sim.injectFault({ kind: 'garbled-json', rate: 0.05 });
    let ok = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await c.listExtensions({ page: (i % 3) + 1, pageSize: 5 });
        ok++;
      } catch (error) {
        expect(['PBX_CONNECTION_RESET', 'PBX_INVALID_JSON']).toContain((error as { code: string }).code);
        expectClean(error, sim);
      }
    }
    expect(ok).toBeGreaterThan(20);
    sim.clearFaults();
  });
});

import { describe, expect, it } from 'vitest';
import { runSimulatorFromCli } from '../../main/sim/cli.js';
import type { Simulator } from '../../main/sim/index.js';
import { api, getToken } from './helpers.js';

describe('runSimulatorFromCli', () => {
  it('prints how to connect (HTTPS fingerprint included) and stops on abort', async () => {
    const lines: string[] = [];
    const ctl = new AbortController();
    let sim: Simulator | undefined;
    const done = runSimulatorFromCli({ https: true, extensions: 7 }, { log: (l) => lines.push(l), signal: ctl.signal, onReady: (s) => { sim = s; } });
    for (let i = 0; i < 200 && !sim; i++) await new Promise((r) => setTimeout(r, 20));
    if (!sim) throw new Error('simulator did not start');
    const text = lines.join('\n');
    expect(text).toContain(sim.url);
    expect(text).toContain(sim.clientId);
    expect(text).toContain(sim.clientSecret);
    expect(text).toContain(sim.fingerprint256 as string);
    const { access } = await getToken(sim);
    expect((await api(sim, 'extension/list', { token: access })).total_number).toBe(7);
    ctl.abort();
    await done;
    expect(lines[lines.length - 1]).toBe('Simulator stopped.');
    await expect(api(sim, 'extension/list')).rejects.toThrow();
  });

  it('stops on SIGINT and SIGTERM (plain HTTP, given port)', async () => {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const lines: string[] = [];
      let sim: Simulator | undefined;
      const before = process.listenerCount(sig);
      const baseline = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
      const done = runSimulatorFromCli({ extensions: 3 }, { log: (l) => lines.push(l), onReady: (s) => { sim = s; } });
      for (let i = 0; i < 200 && !sim; i++) await new Promise((r) => setTimeout(r, 20));
      expect(sim?.url).toMatch(/^http:\/\//);
      expect(lines.join('\n')).not.toContain('SHA-256');
      expect(process.listenerCount(sig)).toBe(before + 1);
      process.emit(sig, sig);
      await done;
      expect(process.listenerCount('SIGINT')).toBe(baseline.SIGINT);
      expect(process.listenerCount('SIGTERM')).toBe(baseline.SIGTERM);
      expect(lines[lines.length - 1]).toBe('Simulator stopped.');
    }
  });
});

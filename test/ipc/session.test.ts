// The connection monitor with an injected clock: the periodic light check marks the PBX unreachable and back, a
// failed call does so at once, and the header is never 'online' while calls fail.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmgsError } from '../../main/core/errors.js';
import type { ConnectionState } from '../../main/ipc/channels.js';
import { createHandlers, type AppHandlers, type HandlerContext } from '../../main/ipc/handlers/index.js';
import type { ClockPort } from '../../main/ipc/services.js';
import { fakePbxState, fakeServices, type FakePbxState } from './fakes.js';

class FakeClock implements ClockPort {
  t = Date.parse('2026-01-01T10:00:00Z');
  private readonly intervals = new Map<number, { fn: () => void; ms: number; next: number }>();
  private n = 0;
  now = () => this.t;
  setInterval = (fn: () => void, ms: number) => {
    this.n += 1;
    this.intervals.set(this.n, { fn, ms, next: this.t + ms });
    return this.n;
  };
  clearInterval = (h: unknown) => void this.intervals.delete(h as number);
  setTimeout = (fn: () => void, ms: number) => setTimeout(fn, ms);
  clearTimeout = (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>);
  /** Moves time on, firing the intervals that fall due. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.intervals.values()].filter((i) => i.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.t = due.next;
      due.next += due.ms;
      due.fn();
      await new Promise((r) => setTimeout(r, 5));
    }
    this.t = end;
  }
}

let dir: string;
let state: FakePbxState & { down?: boolean };
let clock: FakeClock;
let app: AppHandlers;
const seen: ConnectionState[] = [];
const ctx: HandlerContext = { emit: () => undefined };

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-session-clock-'));
  state = fakePbxState(5);
  clock = new FakeClock();
  seen.length = 0;
  const base = fakeServices(dir, state);
  app = createHandlers({
    ...base,
    clock,
    broadcast: { emit: (e, p) => void (e === 'connection' && seen.push(p as ConnectionState)) },
    createPbxClient: (c) => {
      const real = base.createPbxClient(c);
      const down = () => {
        if (state.down) throw new VmgsError('network', 'PBX_CONNECTION_REFUSED', 'The PBX refused the connection.', { unreachable: true });
      };
      return {
        ...real,
        listExtensions: async (o) => (down(), real.listExtensions(o)),
        listGreetings: async (e) => (down(), real.listGreetings(e)),
        testConnection: async () => (down(), real.testConnection()),
      };
    },
  });
});
afterEach(async () => {
  await app.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('connection monitor (injected clock)', () => {
  it('checks every 5 s: unreachable within one period, online again when it answers; events for each change', async () => {
    const p = await app.handlers.saveProfile({ name: 'Office', baseUrl: 'https://pbx:8088', clientId: 'id', clientSecret: 'right-secret', tls: { mode: 'system' } }, ctx);
    await app.handlers.connect({ id: p.id }, ctx);
    expect(seen.map((s) => s.status)).toEqual(['connecting', 'online']);
    state.down = true;
    await clock.advance(4999);
    expect((await app.handlers.connectionState({}, ctx)).status).toBe('online');
    await clock.advance(1);
    const s = await app.handlers.connectionState({}, ctx);
    expect(s).toMatchObject({ status: 'unreachable', profileId: p.id, profileName: 'Office', since: '2026-01-01T10:00:05.000Z' });
    expect(s.message).toContain('cannot be reached');
    state.down = false;
    await clock.advance(5000);
    expect((await app.handlers.connectionState({}, ctx)).status).toBe('online');
    expect(seen.map((x) => x.status)).toEqual(['connecting', 'online', 'unreachable', 'online']);
  });

  it('a failed call flips the state at once; never online while calls fail', async () => {
    const p = await app.handlers.saveProfile({ name: 'Office', baseUrl: 'https://pbx:8088', clientId: 'id', clientSecret: 'right-secret', tls: { mode: 'system' } }, ctx);
    await app.handlers.connect({ id: p.id }, ctx);
    // Connecting reads the whole directory into the cache, in the background.
    for (let i = 0; i < 100 && !(await app.context.directory.read({ origin: 'https://pbx:8088', clientId: 'id' })); i++) await new Promise((r) => setTimeout(r, 10));
    state.down = true;
    await expect(app.handlers.listGreetings({ ext: '3200' }, ctx)).rejects.toMatchObject({ code: 'PBX_CONNECTION_REFUSED' });
    expect((await app.handlers.connectionState({}, ctx)).status).toBe('unreachable');
    await expect(app.handlers.listGreetings({ ext: '3200' }, ctx)).rejects.toBeTruthy();
    expect((await app.handlers.connectionState({}, ctx)).status).toBe('unreachable');
    // Offline search is answered from the cache (connect read the directory into it).
    const page = await app.handlers.searchExtensions({ query: '320', page: 1, pageSize: 10 }, ctx);
    expect(page).toMatchObject({ source: 'cache', total: 5 });
    state.down = false;
    await expect(app.handlers.listGreetings({ ext: '3200' }, ctx)).resolves.toEqual([]);
    expect((await app.handlers.connectionState({}, ctx)).status).toBe('online');
    expect((await app.handlers.reconnect({}, ctx)).status).toBe('online');
  });
});

import { describe, expect, it } from 'vitest';
import { TokenManager, type TokenEndpoints } from '../../../main/core/pbx/tokens.js';
import { PbxApiError, PbxNetworkError } from '../../../main/core/pbx/errors.js';
import type { TokenAnswer } from '../../../main/core/pbx/schemas.js';

class FakePbx implements TokenEndpoints {
  calls: string[] = [];
  live = new Set<string>();
  refreshable = new Map<string, string>(); // refresh -> access
  n = 0;
  getTokenError: Error | null = null;
  refreshError: Error | null = null;
  delay = 0;
  private issue(): TokenAnswer {
    this.n += 1;
    const access = `A${this.n}`;
    const refresh = `R${this.n}`;
    this.live.add(access);
    this.refreshable.set(refresh, access);
    return { access_token: access, refresh_token: refresh, access_token_expire_time: 1800, refresh_token_expire_time: 86400 };
  }
  private async wait(): Promise<void> {
    if (this.delay > 0) await new Promise((r) => setTimeout(r, this.delay));
  }
  async getToken(): Promise<TokenAnswer> {
    this.calls.push('get_token');
    await this.wait();
    if (this.getTokenError) throw this.getTokenError;
    return this.issue();
  }
  async refreshToken(refresh: string): Promise<TokenAnswer> {
    this.calls.push('refresh_token');
    await this.wait();
    if (this.refreshError) throw this.refreshError;
    if (!this.refreshable.has(refresh)) throw new PbxApiError(10004, 'refresh_token', 'dead');
    this.refreshable.delete(refresh);
    return this.issue(); // old access token deliberately left live (the "does not invalidate" variant)
  }
  async delToken(access: string): Promise<void> {
    this.calls.push(`del_token:${access}`);
    if (!this.live.delete(access)) throw new PbxApiError(10004, 'del_token', 'dead');
  }
}

function setup() {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const pbx = new FakePbx();
  return { pbx, clock, tm: new TokenManager(pbx, clock.now) };
}

describe('TokenManager', () => {
  it('gets one token and reuses it', async () => {
    const { pbx, tm } = setup();
    expect(await tm.token()).toBe('A1');
    expect(await tm.token()).toBe('A1');
    expect(pbx.calls).toEqual(['get_token']);
  });

  it('shares one request between concurrent callers', async () => {
    const { pbx, tm } = setup();
    pbx.delay = 20;
    const tokens = await Promise.all(Array.from({ length: 10 }, () => tm.token()));
    expect(new Set(tokens)).toEqual(new Set(['A1']));
    expect(pbx.calls).toEqual(['get_token']);
  });

  it('refreshes proactively shortly before expiry and revokes the old token, keeping one live token', async () => {
    const { pbx, tm, clock } = setup();
    await tm.token();
    clock.advance(1700_000); // 100 s before expiry: still fine
    expect(await tm.token()).toBe('A1');
    clock.advance(50_000); // 50 s before expiry: inside the 60 s margin
    expect(await tm.token()).toBe('A2');
    expect(pbx.calls).toEqual(['get_token', 'refresh_token', 'del_token:A1']);
    expect([...pbx.live]).toEqual(['A2']);
  });

  it('falls back to get_token when the refresh token is dead, revoking the old access token first', async () => {
    const { pbx, tm, clock } = setup();
    await tm.token();
    pbx.refreshable.clear();
    clock.advance(1750_000);
    expect(await tm.token()).toBe('A2');
    expect(pbx.calls).toEqual(['get_token', 'refresh_token', 'del_token:A1', 'get_token']);
    expect([...pbx.live]).toEqual(['A2']);
  });

  it('goes straight to get_token when the refresh token has expired by the clock', async () => {
    const { pbx, tm, clock } = setup();
    await tm.token();
    clock.advance(90_000_000);
    expect(await tm.token()).toBe('A2');
    expect(pbx.calls).toEqual(['get_token', 'get_token']);
  });

  it('renews after invalidate(token), once for many callers', async () => {
    const { pbx, tm } = setup();
    const t1 = await tm.token();
    tm.invalidate(t1);
    tm.invalidate(t1);
    const again = await Promise.all([tm.token(), tm.token(), tm.token()]);
    expect(again).toEqual(['A2', 'A2', 'A2']);
    tm.invalidate(t1); // stale: must not throw away A2
    expect(await tm.token()).toBe('A2');
    expect(pbx.calls.filter((c) => c === 'refresh_token')).toHaveLength(1);
  });

  it('never sends rejected credentials twice', async () => {
    const { pbx, tm } = setup();
    pbx.getTokenError = new PbxApiError(-1, 'get_token', 'bad credentials');
    await expect(tm.token()).rejects.toMatchObject({ errcode: -1 });
    await expect(tm.token()).rejects.toMatchObject({ errcode: -1 });
    expect(pbx.calls).toEqual(['get_token']);
  });

  it('does not fall back to get_token on a network error during refresh, and recovers later', async () => {
    const { pbx, tm, clock } = setup();
    await tm.token();
    clock.advance(1750_000);
    pbx.refreshError = new PbxNetworkError('PBX_CONNECTION_RESET', 'reset');
    await expect(tm.token()).rejects.toBeInstanceOf(PbxNetworkError);
    pbx.refreshError = null;
    expect(await tm.token()).toBe('A2');
    expect(pbx.calls).toEqual(['get_token', 'refresh_token', 'refresh_token', 'del_token:A1']);
  });

  it('signOut revokes the live token once and forgets it', async () => {
    const { pbx, tm } = setup();
    await tm.token();
    await tm.signOut();
    await tm.signOut();
    expect(pbx.calls).toEqual(['get_token', 'del_token:A1']);
    expect(tm.hasToken()).toBe(false);
    expect(pbx.live.size).toBe(0);
  });
});

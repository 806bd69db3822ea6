// Token lifecycle for one PBX client: at most one live access token, one token request in flight at a time,
// proactive refresh shortly before expiry, fallback to get_token when the refresh token is dead, no retry of
// rejected credentials (5 failed logins block the IP).
import { PbxApiError } from './errors.js';
import type { TokenAnswer } from './schemas.js';

export interface TokenEndpoints {
  getToken(): Promise<TokenAnswer>;
  refreshToken(refreshToken: string): Promise<TokenAnswer>;
  delToken(accessToken: string): Promise<void>;
}

interface TokenState {
  access: string;
  refresh: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  /** Refresh this long before expiry so a request never starts with a token about to die. */
  marginMs: number;
}

/** Refresh margin: 60 s, or 10 % of the lifetime for short-lived tokens. */
function marginFor(ttlMs: number): number {
  return Math.min(60_000, ttlMs * 0.1);
}

export class TokenManager {
  private state: TokenState | null = null;
  private inflight: Promise<string> | null = null;
  /** get_token answered -1 (bad credentials): the same credentials are never sent again by this instance. */
  private rejected: PbxApiError | null = null;

  constructor(
    private readonly endpoints: TokenEndpoints,
    private readonly now: () => number,
  ) {}

  /** A valid access token; concurrent callers share one renewal. */
  token(): Promise<string> {
    if (this.rejected) return Promise.reject(this.rejected);
    const s = this.state;
    if (s && this.now() < s.accessExpiresAt - s.marginMs) return Promise.resolve(s.access);
    if (!this.inflight) {
      this.inflight = this.renew().finally(() => {
        this.inflight = null;
      });
    }
    return this.inflight;
  }

  /** The PBX said `token` is dead (10004): the next token() renews, unless someone already did. */
  invalidate(token: string): void {
    if (this.state?.access === token) this.state.accessExpiresAt = Number.NEGATIVE_INFINITY;
  }

  /** True while this instance holds an access token it believes live (for tests and status displays). */
  hasToken(): boolean {
    return this.state !== null && this.now() < this.state.accessExpiresAt;
  }

  /** Revokes the live token (del_token) and forgets everything. */
  async signOut(): Promise<void> {
    if (this.inflight) await this.inflight.catch(() => undefined);
    const s = this.state;
    this.state = null;
    if (s && this.now() < s.accessExpiresAt) await this.endpoints.delToken(s.access);
  }

  private async renew(): Promise<string> {
    const old = this.state;
    const t0 = this.now();
    if (old && t0 < old.refreshExpiresAt - 5_000) {
      try {
        const answer = await this.endpoints.refreshToken(old.refresh);
        this.state = this.fromAnswer(answer, t0);
        // Whether refresh kills the old access token is unconfirmed: revoke it so we never hold two.
        if (old.access !== this.state.access && this.now() < old.accessExpiresAt) await this.revokeQuietly(old.access);
        return this.state.access;
      } catch (error) {
        // A network failure keeps the old state (maybe still valid); only a PBX refusal means the refresh token is dead.
        if (!(error instanceof PbxApiError)) throw error;
        if (error.errcode === 70004 || error.errcode === 70087) throw error;
      }
    }
    if (old && this.now() < old.accessExpiresAt) await this.revokeQuietly(old.access);
    this.state = null;
    const t1 = this.now();
    try {
      const answer = await this.endpoints.getToken();
      this.state = this.fromAnswer(answer, t1);
      return this.state.access;
    } catch (error) {
      if (error instanceof PbxApiError && error.errcode === -1) this.rejected = error;
      throw error;
    }
  }

  private async revokeQuietly(access: string): Promise<void> {
    try {
      await this.endpoints.delToken(access);
    } catch {
      // Already dead (10004) or unreachable: it expires on its own; nothing else to do.
    }
  }

  private fromAnswer(a: TokenAnswer, issuedAt: number): TokenState {
    const ttlMs = a.access_token_expire_time * 1000;
    return {
      access: a.access_token,
      refresh: a.refresh_token,
      accessExpiresAt: issuedAt + ttlMs,
      refreshExpiresAt: issuedAt + a.refresh_token_expire_time * 1000,
      marginMs: marginFor(ttlMs),
    };
  }
}

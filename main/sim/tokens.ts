// Token lifecycle: issue/refresh/revoke with TTLs on an injectable clock, the per-client cap and the IP block rule.
import { randomBytes } from 'node:crypto';

interface AccessEntry { clientId: string; expiresAt: number; refresh: string }
interface RefreshEntry { clientId: string; expiresAt: number; access: string }

export interface TokenPolicy {
  now: () => number;
  accessTtlSec: number;
  refreshTtlSec: number;
  maxTokens: number;
  refreshInvalidatesOld: boolean;
  blockAfterFailures: number;
  blockDurationSec: number;
}

export interface IssuedTokens {
  access_token_expire_time: number;
  access_token: string;
  refresh_token_expire_time: number;
  refresh_token: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

export type IssueResult = { ok: true; tokens: IssuedTokens } | { ok: false; errcode: 60002 };

export class TokenStore {
  private readonly access = new Map<string, AccessEntry>();
  private readonly refresh = new Map<string, RefreshEntry>();
  private readonly failures = new Map<string, number>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly policy: () => TokenPolicy) {}

  private prune(): void {
    const now = this.policy().now();
    for (const [t, e] of this.access) if (e.expiresAt <= now) this.access.delete(t);
    for (const [t, e] of this.refresh) if (e.expiresAt <= now) this.refresh.delete(t);
  }

  liveCount(clientId?: string): number {
    this.prune();
    let n = 0;
    for (const e of this.access.values()) if (clientId === undefined || e.clientId === clientId) n++;
    return n;
  }

  issue(clientId: string): IssueResult {
    const p = this.policy();
    if (this.liveCount(clientId) >= p.maxTokens) return { ok: false, errcode: 60002 };
    const now = p.now();
    const access = randomAlnum(32);
    const refresh = randomAlnum(32);
    this.access.set(access, { clientId, expiresAt: now + p.accessTtlSec * 1000, refresh });
    this.refresh.set(refresh, { clientId, expiresAt: now + p.refreshTtlSec * 1000, access });
    return {
      ok: true,
      tokens: { access_token_expire_time: p.accessTtlSec, access_token: access, refresh_token_expire_time: p.refreshTtlSec, refresh_token: refresh },
    };
  }

  /** Exchange a live refresh token; `undefined` when it is unknown or expired (caller answers 10004). */
  refreshWith(refreshToken: string): IssueResult | undefined {
    this.prune();
    const entry = this.refresh.get(refreshToken);
    if (!entry) return undefined;
    if (this.policy().refreshInvalidatesOld) {
      this.refresh.delete(refreshToken);
      this.access.delete(entry.access);
    }
    return this.issue(entry.clientId);
  }

  /** The client id owning a live access token, or undefined. */
  validate(accessToken: string | undefined): string | undefined {
    if (!accessToken) return undefined;
    const entry = this.access.get(accessToken);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.policy().now()) {
      this.access.delete(accessToken);
      return undefined;
    }
    return entry.clientId;
  }

  /** Revoke an access token and its paired refresh token. */
  revoke(accessToken: string): void {
    const entry = this.access.get(accessToken);
    if (!entry) return;
    this.access.delete(accessToken);
    this.refresh.delete(entry.refresh);
  }

  /** Make an access token expired now (fault injection); its refresh token stays usable. */
  expire(accessToken: string): void {
    this.access.delete(accessToken);
  }

  /** Unix seconds until which `ip` is blocked, or undefined. */
  blockedUntilSec(ip: string): number | undefined {
    const until = this.blockedUntil.get(ip);
    if (until === undefined) return undefined;
    if (until <= this.policy().now()) {
      this.blockedUntil.delete(ip);
      this.failures.delete(ip);
      return undefined;
    }
    return Math.floor(until / 1000);
  }

  recordFailure(ip: string): void {
    const p = this.policy();
    const n = (this.failures.get(ip) ?? 0) + 1;
    this.failures.set(ip, n);
    if (n >= p.blockAfterFailures) this.blockedUntil.set(ip, p.now() + p.blockDurationSec * 1000);
  }

  recordSuccess(ip: string): void {
    this.failures.delete(ip);
  }

  unblockAll(): void {
    this.blockedUntil.clear();
    this.failures.clear();
  }
}

// What the Connect screen remembers across restarts, in one small JSON file of the data folder: the profile used
// last (preselected next time) and, per profile, the failed logins in a row. The PBX blocks the caller's IP after
// LOGIN_ATTEMPT_LIMIT consecutive failed logins (pbx-openapi §2.1; the simulator's blockAfterFailures), so the
// screen can say how many tries are left before that happens, and until when a block lasts.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { VmgsError } from '../core/errors.js';
import { PbxApiError } from '../core/pbx/errors.js';
import type { LoginAttempts } from './channels/connect.js';

/** Consecutive failed logins from one IP after which the PBX blocks it. */
export const LOGIN_ATTEMPT_LIMIT = 5;
export const CONNECT_MEMORY_FILE = 'connect-state.json';

const Entry = z.object({ failures: z.number().int().min(0), blockedUntil: z.string().nullable().default(null) });
const FileShape = z.object({
  version: z.literal(1),
  lastProfileId: z.string().nullable().default(null),
  logins: z.record(z.string(), Entry).default({}),
});
type FileShape = z.infer<typeof FileShape>;

/** The local time of day "14:32" (24-hour clock, this computer's time zone), with the date when it is not today. */
export function localClock(at: Date, now: Date = new Date()): string {
  const time = at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  if (at.toDateString() === now.toDateString()) return time;
  return `${at.toLocaleDateString(undefined, { day: 'numeric', month: 'short' })}, ${time}`;
}

/** block_expire_time as the PBX sends it (Unix seconds, as number or digits; or a date text) -> Date. */
export function blockEnd(value: unknown): Date | null {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return new Date(value < 1e12 ? value * 1000 : value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return blockEnd(Number(value.trim()));
  if (typeof value === 'string') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** get_token refused the Client ID / Secret (errcode -1): one failed login. */
export function isLoginRefused(err: unknown): err is PbxApiError {
  return err instanceof PbxApiError && err.errcode === -1 && err.endpoint === 'get_token';
}
export function isIpBlocked(err: unknown): err is PbxApiError {
  return err instanceof PbxApiError && err.errcode === 70004;
}

/** Wrong Client ID or Secret, with how many tries remain before the PBX blocks this computer. */
export class LoginRefusedError extends VmgsError {
  constructor(attempts: LoginAttempts, cause: unknown) {
    const left = attempts.attemptsLeft;
    const tail =
      left === 0
        ? `That was the ${LOGIN_ATTEMPT_LIMIT}th failed login in a row: the PBX now blocks this computer's IP address. Do not try again until an administrator unblocks it (Security > Security Rules > Blocked IPs).`
        : `${left} ${left === 1 ? 'attempt' : 'attempts'} left before the PBX blocks this computer's IP address.`;
    const advice = 'The PBX rejected the Client ID or Client Secret. Copy both again from Integrations > API on the PBX web portal (no spaces).';
    super('pbx', 'PBX_-1', `${advice} ${tail}`, {
      // advice: the message without the count, for a screen that shows the count on its own line.
      detail: { errcode: -1, endpoint: 'get_token', advice, ...attempts },
      cause,
    });
  }
}

/** The PBX blocks this computer's IP; the end of the block in local time. */
export class IpBlockedError extends VmgsError {
  constructor(attempts: LoginAttempts, cause: unknown) {
    const until = attempts.blockedUntil ? new Date(attempts.blockedUntil) : null;
    const when = until ? `until ${localClock(until)}` : '(the PBX did not say for how long)';
    super('pbx', 'PBX_70004', `The PBX blocks this computer's IP address after too many failed logins, ${when}. An administrator can lift the block earlier under Security > Security Rules > Blocked IPs; check the Client ID and Secret under Integrations > API before trying again.`, {
      detail: { errcode: 70004, endpoint: 'get_token', ...attempts },
      cause,
    });
  }
}

export class ConnectMemory {
  private data: FileShape | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly file: string;

  constructor(dataDir: string, private readonly now: () => number = Date.now) {
    this.file = path.join(dataDir, CONNECT_MEMORY_FILE);
  }

  private async load(): Promise<FileShape> {
    if (this.data) return this.data;
    let parsed: FileShape | null = null;
    try {
      const r = FileShape.safeParse(JSON.parse(await readFile(this.file, 'utf8')));
      if (r.success) parsed = r.data;
    } catch {
      // Missing or unreadable: start empty (nothing here is worth more than a fresh start).
    }
    this.data = parsed ?? { version: 1, lastProfileId: null, logins: {} };
    return this.data;
  }

  private async save(): Promise<void> {
    const body = JSON.stringify(this.data, null, 2);
    const run = async (): Promise<void> => {
      await mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await writeFile(tmp, body, { mode: 0o600 });
      await rename(tmp, this.file);
    };
    this.writing = this.writing.then(run, run);
    await this.writing;
  }

  async lastProfileId(): Promise<string | null> {
    return (await this.load()).lastProfileId;
  }

  async setLastProfile(id: string | null): Promise<void> {
    const d = await this.load();
    if (d.lastProfileId === id) return;
    d.lastProfileId = id;
    await this.save();
  }

  /** The count for one key (a profile id, or "address:<origin>" for values not saved yet). */
  async attempts(key: string): Promise<LoginAttempts> {
    const e = (await this.load()).logins[key];
    return this.view(e ?? { failures: 0, blockedUntil: null });
  }

  async all(): Promise<Record<string, LoginAttempts>> {
    const d = await this.load();
    return Object.fromEntries(Object.entries(d.logins).map(([k, e]) => [k, this.view(e)]));
  }

  async recordFailure(key: string): Promise<LoginAttempts> {
    const d = await this.load();
    const e = d.logins[key] ?? { failures: 0, blockedUntil: null };
    d.logins[key] = { failures: Math.min(LOGIN_ATTEMPT_LIMIT, e.failures + 1), blockedUntil: e.blockedUntil };
    await this.save();
    return this.view(d.logins[key]!);
  }

  async recordBlocked(key: string, until: Date | null): Promise<LoginAttempts> {
    const d = await this.load();
    d.logins[key] = { failures: LOGIN_ATTEMPT_LIMIT, blockedUntil: until ? until.toISOString() : null };
    await this.save();
    return this.view(d.logins[key]!);
  }

  async recordSuccess(key: string): Promise<void> {
    const d = await this.load();
    if (!(key in d.logins)) return;
    delete d.logins[key];
    await this.save();
  }

  async forget(key: string): Promise<void> {
    await this.recordSuccess(key);
    const d = await this.load();
    if (d.lastProfileId === key) await this.setLastProfile(null);
  }

  /** A block that has ended counts as a fresh start (the PBX forgets the failures with it). */
  private view(e: z.infer<typeof Entry>): LoginAttempts {
    const until = e.blockedUntil ? Date.parse(e.blockedUntil) : NaN;
    const blockActive = Number.isFinite(until) && until > this.now();
    const ended = e.blockedUntil !== null && !blockActive;
    const failures = ended ? 0 : e.failures;
    return { failures, attemptsLeft: Math.max(0, LOGIN_ATTEMPT_LIMIT - failures), limit: LOGIN_ATTEMPT_LIMIT, blockedUntil: blockActive ? e.blockedUntil : null };
  }
}

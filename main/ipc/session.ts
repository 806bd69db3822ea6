// The app's PBX session: which profile is connected, the honest connection state (a failed call or the light
// periodic check marks the PBX unreachable within seconds; a success brings it back), one client per profile (one
// live token each, shared by the browsing handlers and the Outbox), and the demo simulator's profile.
// A stored secret is only ever sent to the origin it was entered for.
import { VmgsError } from '../core/errors.js';
import { originOf } from '../core/pbx/url.js';
import type { PbxTarget } from '../core/library/index.js';
import type { ConnectionResult, ConnectionState, ConnectionStatus, ProfileSummary } from './channels.js';
import { AppStateError, notConnected } from './errors.js';
import { ConnectMemory, IpBlockedError, LoginRefusedError, blockEnd, isIpBlocked, isLoginRefused } from './connect-memory.js';
import type { AppServices, ClockPort, DemoPbx, PbxClientLike, PbxConnectionConfig } from './services.js';

export const DEMO_PROFILE_ID = 'demo';
export const DEFAULT_CHECK_MS = 5000;

/** Values typed on the Connect screen, tested as they are (nothing saved). */
export interface EnteredProfile {
  /** The saved profile being edited: its stored secret is used when none is typed, only for the origin it was saved for. */
  id?: string | undefined;
  baseUrl: string;
  clientId: string;
  clientSecret?: string | undefined;
  tls: PbxConnectionConfig['tls'];
}

class SecretNeededError extends VmgsError {
  constructor(message: string) {
    super('usage', 'PROFILE_NO_SECRET', message, { detail: { field: 'clientSecret' } });
  }
}

interface DemoState {
  pbx: DemoPbx;
  profile: ProfileSummary;
  secret: string;
}

/** True for a failure that means "the PBX cannot be reached now" (as opposed to "it answered no"). */
export function isUnreachableError(err: unknown): boolean {
  return err instanceof VmgsError && (err.unreachable || (err.kind === 'network' && err.retryable));
}

function safeOrigin(url: string): string | null {
  try {
    return originOf(url);
  } catch {
    return null;
  }
}

export class Session<C extends PbxClientLike> {
  private connected: { profileId: string; profileName: string; client: C } | null = null;
  private lastProfileId: string | null = null;
  private state: ConnectionState;
  private readonly clients = new Map<string, { client: C; origin: string }>();
  private demo: DemoState | null = null;
  private demoStarting: Promise<DemoState> | null = null;
  private timer: unknown = null;
  private checking = false;
  private readonly listeners = new Set<(s: ConnectionState) => void>();
  private readonly onlineListeners = new Set<(profileId: string) => void>();
  private readonly clock: ClockPort;
  private readonly checkMs: number;
  /** Last profile used and failed logins per profile, kept in the data folder. */
  readonly memory: ConnectMemory;

  constructor(private readonly services: AppServices<C>, clock: ClockPort) {
    this.clock = clock;
    this.memory = new ConnectMemory(services.dataDir, () => clock.now());
    this.checkMs = services.connectionCheckMs ?? DEFAULT_CHECK_MS;
    this.state = { status: 'offline', profileId: null, profileName: null, since: new Date(clock.now()).toISOString(), message: null };
  }

  onChange(fn: (s: ConnectionState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  /** Called when a profile becomes reachable (connect, the check or a call succeeded after a failure). */
  onOnline(fn: (profileId: string) => void): () => void {
    this.onlineListeners.add(fn);
    return () => this.onlineListeners.delete(fn);
  }

  connectionState(): ConnectionState {
    return { ...this.state };
  }

  connectedProfileId(): string | null {
    return this.connected?.profileId ?? null;
  }
  /** The connected profile, else the one used last in this session. */
  currentOrLastProfileId(): string | null {
    return this.connected?.profileId ?? this.lastProfileId;
  }
  isOnline(): boolean {
    return this.connected !== null && this.state.status === 'online';
  }
  /** False only when this profile is the one known to be unreachable right now. */
  mayReach(profileId: string): boolean {
    return !(this.state.status === 'unreachable' && this.state.profileId === profileId);
  }

  private setState(status: ConnectionStatus, profile: { id: string; name: string } | null, message: string | null): void {
    const prev = this.state;
    const same = prev.status === status && prev.profileId === (profile?.id ?? null) && prev.message === message;
    if (same) return;
    this.state = {
      status,
      profileId: profile?.id ?? null,
      profileName: profile?.name ?? null,
      since: prev.status === status && prev.profileId === (profile?.id ?? null) ? prev.since : new Date(this.clock.now()).toISOString(),
      message,
    };
    for (const l of this.listeners) l(this.connectionState());
    if (status === 'online' && profile && prev.status !== 'online') for (const l of this.onlineListeners) l(profile.id);
  }

  // ---------- profiles ----------

  async profiles(): Promise<ProfileSummary[]> {
    const stored = await this.services.profiles.list();
    return this.demo ? [...stored, this.demo.profile] : stored;
  }

  async profile(id: string): Promise<ProfileSummary | undefined> {
    return (await this.profiles()).find((p) => p.id === id);
  }

  /**
   * The app's profile for a queue item or history entry: its own profile id (while that profile still has the
   * item's origin), else a saved profile for the same origin and client ID (an item queued by the CLI). Undefined
   * when this app knows no such PBX.
   */
  async profileFor(target: PbxTarget): Promise<ProfileSummary | undefined> {
    const all = await this.profiles();
    const byId = all.find((p) => p.id === target.pbxProfileId);
    // An item keeps going to the PBX it was queued for: a profile whose address changed since is not that PBX.
    if (byId && (target.pbx.origin === '' || safeOrigin(byId.baseUrl) === target.pbx.origin)) return byId;
    if (target.pbx.origin === '') return undefined;
    return all.find((p) => safeOrigin(p.baseUrl) === target.pbx.origin && p.clientId === target.pbx.clientId);
  }

  /** Connection settings with the secret, only when the secret was entered for this profile's current origin. */
  async resolve(id: string): Promise<{ summary: ProfileSummary; config: PbxConnectionConfig }> {
    if (id === DEMO_PROFILE_ID) {
      const demo = this.demo;
      if (!demo) throw new AppStateError('DEMO_NOT_RUNNING', 'The demo PBX is not running. Press "Try the demo PBX" to start it.');
      return { summary: demo.profile, config: { baseUrl: demo.profile.baseUrl, clientId: demo.profile.clientId, clientSecret: demo.secret, tls: demo.profile.tls } };
    }
    const summary = (await this.services.profiles.list()).find((p) => p.id === id);
    if (!summary) throw new AppStateError('PROFILE_NOT_FOUND', 'That PBX profile no longer exists. Choose another one or add it again.');
    const bound = await this.services.profiles.getSecret(id);
    const origin = safeOrigin(summary.baseUrl);
    if (!bound || origin === null || bound.origin !== origin) {
      throw new AppStateError('PROFILE_NO_SECRET', `No client secret is stored for "${summary.name}" at this address. Edit the profile and enter the Client Secret.`);
    }
    return { summary, config: { baseUrl: summary.baseUrl, clientId: summary.clientId, clientSecret: bound.secret, tls: summary.tls } };
  }

  /** True when this app could send to the profile now (it has a secret for the profile's origin). */
  async hasCredentials(id: string): Promise<boolean> {
    return this.resolve(id).then(() => true, () => false);
  }

  /** The shared client of a profile (created with its credentials on first use). */
  async clientFor(profileId: string): Promise<C> {
    if (this.connected?.profileId === profileId) return this.connected.client;
    const { config } = await this.resolve(profileId);
    const origin = originOf(config.baseUrl);
    const pooled = this.clients.get(profileId);
    if (pooled && pooled.origin === origin) return pooled.client;
    if (pooled) void pooled.client.signOut().catch(() => undefined);
    const client = this.services.createPbxClient(config);
    this.clients.set(profileId, { client, origin });
    return client;
  }

  /** The Outbox's and rollback's TransportFor: a failure to reach the connected PBX updates the state. */
  async transportFor(target: PbxTarget): Promise<C> {
    const profile = await this.profileFor(target);
    if (!profile) throw new AppStateError('OUTBOX_NO_PROFILE', `This app has no PBX profile for ${target.pbx.origin || target.pbxProfileId}. Add one to send.`);
    return this.watch(profile.id, await this.clientFor(profile.id));
  }

  /** Wraps a client so every call's failure or success tells the connection state. */
  private watch(profileId: string, client: C): C {
    if (this.connected?.profileId !== profileId) return client;
    return new Proxy(client, {
      get: (target, prop, receiver) => {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function' || prop === 'signOut') return v;
        return (...args: unknown[]) => this.track(profileId, () => (v as (...a: unknown[]) => Promise<unknown>).apply(target, args));
      },
    });
  }

  /** Runs a call on behalf of `profileId` and updates the state from its result. */
  async track<T>(profileId: string, call: () => Promise<T>): Promise<T> {
    try {
      const out = await call();
      if (this.connected?.profileId === profileId && this.state.status === 'unreachable') this.markOnline();
      return out;
    } catch (err) {
      if (isUnreachableError(err)) this.markUnreachable(profileId, err);
      throw err;
    }
  }

  /** The connected client for the browsing handlers; calls through it update the state. */
  requireClient(): C {
    const c = this.connected;
    if (!c) throw notConnected();
    return this.watch(c.profileId, c.client);
  }

  markUnreachable(profileId: string, err?: unknown): void {
    const c = this.connected;
    if (!c || c.profileId !== profileId) return;
    const why = err instanceof Error ? err.message : 'The PBX does not answer.';
    this.setState('unreachable', { id: c.profileId, name: c.profileName }, `${c.profileName} cannot be reached: ${why} Work continues offline; uploads wait in the Outbox. Reconnect when the PBX is back.`);
  }

  private markOnline(): void {
    const c = this.connected;
    if (c) this.setState('online', { id: c.profileId, name: c.profileName }, null);
  }

  // ---------- connect / disconnect ----------

  async testConnection(id: string): Promise<ConnectionResult> {
    const { summary, config } = await this.resolve(id);
    const client = this.services.createPbxClient(config);
    try {
      const r = await client.testConnection();
      return { profileId: summary.id, profileName: summary.name, reachable: true, tokenOk: true, extensionCount: r.extensionCount };
    } finally {
      // Release the token: the PBX allows only 8 live tokens per application.
      await client.signOut().catch(() => undefined);
    }
  }

  /**
   * Tests the entered values without saving them. The secret is the one typed, else the stored one of profile `id`
   * when it was saved for this very origin (a stored secret is never sent anywhere else). Failed logins are counted
   * for the profile (or, for values not saved yet, for the address).
   */
  async testEntered(input: EnteredProfile, signal?: AbortSignal): Promise<{ extensionCount: number; warnings: string[] }> {
    const origin = safeOrigin(input.baseUrl);
    if (origin === null) throw new AppStateError('PROFILE_BAD_ADDRESS', 'Enter the PBX address as https://host:port.', 'usage');
    let secret = input.clientSecret;
    if (secret === undefined && input.id !== undefined) {
      if (input.id === DEMO_PROFILE_ID) {
        if (this.demo && safeOrigin(this.demo.profile.baseUrl) === origin) secret = this.demo.secret;
      } else {
        const bound = await this.services.profiles.getSecret(input.id);
        if (bound && bound.origin === origin) secret = bound.secret;
      }
    }
    if (secret === undefined) {
      throw new SecretNeededError(input.id !== undefined
        ? 'The saved Client Secret belongs to the address the profile was saved with. Enter the Client Secret for this address to test it.'
        : 'Enter the Client Secret to test the connection.');
    }
    const key = input.id ?? `address:${origin}`;
    const warnings: string[] = [];
    const client = this.services.createPbxClient({ baseUrl: input.baseUrl, clientId: input.clientId, clientSecret: secret, tls: input.tls, onWarning: (m) => warnings.push(m) });
    try {
      const r = await client.testConnection(signal ? { signal } : {});
      await this.memory.recordSuccess(key);
      return { extensionCount: r.extensionCount, warnings };
    } catch (err) {
      throw await this.loginError(key, err);
    } finally {
      // Release the token (the PBX allows 8 per application). After a cancel, do not wait for the stalled request.
      const out = client.signOut().catch(() => undefined);
      if (!signal?.aborted) await out;
    }
  }

  /** The PBX client's security warnings for an address (constructing a client does not touch the network). */
  addressWarnings(baseUrl: string): string[] {
    const warnings: string[] = [];
    try {
      this.services.createPbxClient({ baseUrl, clientId: 'check', clientSecret: 'check', tls: { mode: 'system' }, onWarning: (m) => warnings.push(m) });
    } catch {
      // An address the client refuses has no warnings of its own; saving or testing it says what is wrong.
    }
    return warnings;
  }

  /** A refused login becomes the count of attempts left; a block says until when. Others pass unchanged. */
  private async loginError(key: string, err: unknown): Promise<unknown> {
    if (isLoginRefused(err)) return new LoginRefusedError(await this.memory.recordFailure(key), err);
    if (isIpBlocked(err)) return new IpBlockedError(await this.memory.recordBlocked(key, blockEnd(err.detail?.['blockExpireTime'])), err);
    return err;
  }

  async connect(id: string): Promise<ConnectionResult> {
    try {
      const r = await this.connectOnce(id);
      await this.memory.recordSuccess(id);
      if (id !== DEMO_PROFILE_ID) await this.memory.setLastProfile(id);
      return r;
    } catch (err) {
      throw await this.loginError(id, err);
    }
  }

  private async connectOnce(id: string): Promise<ConnectionResult> {
    const { summary, config } = await this.resolve(id);
    this.lastProfileId = summary.id;
    const profile = { id: summary.id, name: summary.name };
    this.setState('connecting', profile, null);
    const origin = originOf(config.baseUrl);
    const pooled = this.clients.get(summary.id);
    const client = pooled && pooled.origin === origin ? pooled.client : this.services.createPbxClient(config);
    this.clients.delete(summary.id);
    let result;
    try {
      result = await client.testConnection();
    } catch (err) {
      void client.signOut().catch(() => undefined);
      if (this.connected?.profileId === summary.id) this.connected = null;
      if (isUnreachableError(err)) this.setState('unreachable', profile, `${summary.name} cannot be reached: ${err instanceof Error ? err.message : ''} Work continues offline.`);
      else this.setState(this.connected ? this.state.status : 'offline', this.connected ? { id: this.connected.profileId, name: this.connected.profileName } : null, null);
      throw err;
    }
    const previous = this.connected;
    this.connected = { profileId: summary.id, profileName: summary.name, client };
    if (previous && previous.client !== client) void previous.client.signOut().catch(() => undefined);
    this.startChecks();
    this.setState('online', profile, null);
    return { profileId: summary.id, profileName: summary.name, reachable: true, tokenOk: true, extensionCount: result.extensionCount };
  }

  /** Tries the connected (or last used) profile again now. */
  async reconnect(): Promise<ConnectionState> {
    const id = this.currentOrLastProfileId();
    if (!id) return this.connectionState();
    try {
      if (this.connected?.profileId === id) {
        await this.track(id, () => this.connected!.client.testConnection());
        this.markOnline();
      } else {
        await this.connect(id);
      }
    } catch {
      // The state says why.
    }
    return this.connectionState();
  }

  async disconnect(): Promise<boolean> {
    const c = this.connected;
    this.connected = null;
    this.stopChecks();
    if (c) await c.client.signOut().catch(() => undefined);
    this.setState('offline', null, null);
    return c !== null;
  }

  /** A profile was deleted or its address changed: forget its clients (and the connection to it). */
  async forget(id: string): Promise<void> {
    const pooled = this.clients.get(id);
    this.clients.delete(id);
    if (pooled) await pooled.client.signOut().catch(() => undefined);
    if (this.connected?.profileId === id) await this.disconnect();
  }

  private startChecks(): void {
    if (this.timer !== null) return;
    this.timer = this.clock.setInterval(() => void this.check(), this.checkMs);
  }
  private stopChecks(): void {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
  }

  /** The light periodic check: one small extension page. */
  async check(): Promise<void> {
    const c = this.connected;
    if (!c || this.checking) return;
    this.checking = true;
    try {
      await this.track(c.profileId, () => c.client.listExtensions({ page: 1, pageSize: 1 }));
      if (this.connected === c) this.markOnline();
    } catch (err) {
      // Unreachable errors were recorded by track(); a PBX that answers with an error is not online either.
      if (this.connected === c && !isUnreachableError(err)) {
        this.setState('unreachable', { id: c.profileId, name: c.profileName }, `${c.profileName} answers with an error: ${err instanceof Error ? err.message : ''}`);
      }
    } finally {
      this.checking = false;
    }
  }

  // ---------- demo ----------

  async startDemo(): Promise<ProfileSummary> {
    if (!this.demo) {
      this.demoStarting ??= (async () => {
        const pbx = await this.services.startDemoPbx();
        const profile: ProfileSummary = {
          id: DEMO_PROFILE_ID,
          name: 'Demo PBX (simulator)',
          baseUrl: pbx.url,
          clientId: pbx.clientId,
          tls: pbx.fingerprint256 ? { mode: 'pin', pinSha256: pbx.fingerprint256 } : { mode: 'system' },
          hasSecret: true,
          secretSessionOnly: true,
          demo: true,
        };
        return { pbx, profile, secret: pbx.clientSecret };
      })();
      try {
        this.demo = await this.demoStarting;
      } finally {
        this.demoStarting = null;
      }
    }
    return this.demo.profile;
  }

  async dispose(): Promise<void> {
    this.stopChecks();
    const c = this.connected;
    this.connected = null;
    if (c) await c.client.signOut().catch(() => undefined);
    for (const p of this.clients.values()) await p.client.signOut().catch(() => undefined);
    this.clients.clear();
    if (this.demo) await this.demo.pbx.close().catch(() => undefined);
    this.demo = null;
  }
}

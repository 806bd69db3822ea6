// The app-wide state the header, the navigation and every view read: the PBX connection as main reports it
// (`connection` events; never "online" while calls fail), the Outbox counts (`outbox` events) and the current view.
// One instance per mounted App; tests build their own.
import type { ConnectionState, OutboxState } from '../../../main/ipc/channels.js';
import { call, on } from './api.js';

export const VIEWS = ['workspace', 'drafts', 'scripts', 'outbox', 'history', 'connect'] as const;
export type View = (typeof VIEWS)[number];
export const VIEW_LABELS: Record<View, string> = {
  workspace: 'Workspace',
  scripts: 'Scripts',
  drafts: 'Drafts',
  outbox: 'Outbox',
  history: 'History',
  connect: 'Connect',
};

const NO_COUNTS: Record<OutboxState, number> = { pending: 0, running: 0, uploaded: 0, skipped: 0, renamed: 0, failed: 0, cancelled: 0 };

export class Session {
  view = $state<View>('workspace');
  connection = $state<ConnectionState>({ status: 'offline', profileId: null, profileName: null, since: new Date(0).toISOString(), message: null });
  /** Known from the last connect of this session (the state event does not carry it). */
  extensionCount = $state<number | null>(null);
  counts = $state<Record<OutboxState, number>>({ ...NO_COUNTS });
  draining = $state(false);
  reconnecting = $state(false);
  /** True once main has told the connection state (the app's start is complete). */
  ready = $state(false);
  /** A short message for the app-wide polite live region. */
  announcement = $state('');

  readonly online = $derived(this.connection.status === 'online');
  /** Items the person still waits for (the badge). */
  readonly waiting = $derived(this.counts.pending + this.counts.running);
  readonly failed = $derived(this.counts.failed);

  private offs: (() => void)[] = [];

  /** Subscribes to main's events and reads the initial state. Returns the unsubscribe. */
  start(): () => void {
    try {
      this.offs.push(
        on('connection', (c) => this.setConnection(c)),
        on('outbox', (o) => {
          this.counts = { ...NO_COUNTS, ...o.counts };
          this.draining = o.draining;
        }),
      );
    } catch {
      // no bridge (a component test without one): stay offline
    }
    void call('connectionState', {})
      .then((c) => this.setConnection(c), () => undefined)
      .finally(() => (this.ready = true));
    void call('listOutbox', { page: 1, pageSize: 1 }).then(
      (p) => {
        this.counts = { ...NO_COUNTS, ...p.counts };
        this.draining = p.draining;
      },
      () => undefined,
    );
    return () => {
      for (const off of this.offs) off();
      this.offs = [];
    };
  }

  /** The header's status is itself a polite live region: no separate announcement here. */
  setConnection(c: ConnectionState): void {
    this.connection = c;
    if (c.status === 'offline') this.extensionCount = null;
  }

  announce(text: string): void {
    // Re-announce the same text too: clear first, set on the next frame.
    this.announcement = '';
    queueMicrotask(() => (this.announcement = text));
  }

  async reconnect(): Promise<void> {
    this.reconnecting = true;
    try {
      this.setConnection(await call('reconnect', {}));
    } catch (e) {
      this.announce(e instanceof Error ? e.message : String(e));
    } finally {
      this.reconnecting = false;
    }
  }
}

/** The header's words for a connection state. */
export function connectionText(c: ConnectionState, extensionCount: number | null = null): string {
  const who = c.profileName ?? 'the PBX';
  switch (c.status) {
    case 'online':
      return `Online: ${who}${extensionCount !== null ? ` · ${extensionCount} extensions` : ''}`;
    case 'connecting':
      return `Connecting to ${who}…`;
    case 'unreachable':
      return `Unreachable: ${who}`;
    case 'offline':
      return c.profileName ? `Offline (last used: ${c.profileName})` : 'Offline: no PBX connected';
  }
}

// Which greeting plays, in the app and the greeting list's details (measured duration, size, format): the extension's
// matrix read and written through core/pbx/presence.ts (read-modify-write, verified), rename with a probe, a delete
// that never leaves a status on a missing file, record by phone with progress and cancel, and duration/size/format
// measured from the download resource and cached in the data folder.
import { PRESENCE_STATUSES, SELECTION_SLOT_LABELS, type Greeting, type SelectionSlot } from '../../core/domain.js';
import { VmgsError } from '../../core/errors.js';
import { canSelect } from '../../core/library/activation.js';
import { originOf } from '../../core/pbx/url.js';
import {
  chooseGreeting,
  deleteGreetingSafely,
  findGreeting,
  probeRename,
  readSelection,
  recordByPhone,
  renameGreeting,
  type PresenceApi,
} from '../../core/pbx/presence.js';
import { EXTENSION_DEFAULT, matrixOf, slotsUsing, type SelectionRead, type SlotChoice } from '../../core/pbx/selection.js';
import { SelectionUnsupportedError } from '../../core/pbx/selection-errors.js';
import type { GreetChoice, GreetDetails, GreetOverview, GreetRow, GreetSelection } from '../channels/greet.js';
import type { PbxClientLike } from '../services.js';
import type { AppContext, HandlersFor } from './context.js';
import { GreetingInfoCache, greetingInfoKey, measureGreeting } from './greet-info.js';

export type GreetChannels = 'greetOverview' | 'greetDetails' | 'greetChoose' | 'greetRename' | 'greetDelete' | 'greetRecordByPhone';

/** How often record by phone looks at the greeting list. */
export const RECORD_POLL_MS = 1500;

function toChoice(c: SlotChoice): GreetChoice {
  switch (c.kind) {
    case 'greeting':
      return { kind: 'greeting', file: c.greeting.realFilename };
    case 'missing':
      return { kind: 'missing', name: c.name };
    default:
      return { kind: c.kind };
  }
}

function noSelectionApi(): VmgsError {
  return new VmgsError('pbx', 'PBX_SELECTION_UNSUPPORTED', 'This connection cannot read or choose which greeting plays.', {
    detail: { reason: 'This connection cannot read or choose which greeting plays.' },
  });
}

export function greetHandlers<C extends PbxClientLike>(app: AppContext<C>): HandlersFor<GreetChannels> {
  const { session } = app;
  const cache = new GreetingInfoCache(app.dataDir);
  /** Rename support per client (a new connection probes again). */
  const renameProbe = new WeakMap<object, Promise<GreetOverview['rename']>>();

  function api(): C & PresenceApi {
    const client = session.requireClient();
    if (!canSelect(client)) throw noSelectionApi();
    return client as C & PresenceApi;
  }

  function renameSupport(client: C & PresenceApi): Promise<GreetOverview['rename']> {
    let p = renameProbe.get(client);
    if (!p) {
      p = probeRename(client).then((r) => (r.supported ? { supported: true as const } : { supported: false as const, reason: r.reason }));
      p.catch(() => renameProbe.delete(client));
      renameProbe.set(client, p);
    }
    return p;
  }

  function selectionOf(read: SelectionRead | null, reason: string | null, greetings: readonly Greeting[]): GreetSelection {
    if (!read || read.supported.length === 0) {
      const own = read && read.support.level !== 'full' ? read.support.reason : null;
      return { supported: false, reason: reason ?? own ?? 'This PBX does not report which greeting plays.' };
    }
    const m = matrixOf(read, greetings);
    return {
      supported: true,
      partial: read.support.level === 'full' ? null : read.support.reason,
      slots: m.slots.map((s) => ({ slot: s.slot, label: s.label, choice: toChoice(s.choice), effective: toChoice(s.effective) })),
    };
  }

  async function overview(ext: string): Promise<GreetOverview> {
    const client = api();
    const [greetings, rename] = await Promise.all([client.listGreetings(ext), renameSupport(client)]);
    let read: SelectionRead | null = null;
    let reason: string | null = null;
    try {
      read = await readSelection(client, ext);
    } catch (err) {
      if (!(err instanceof SelectionUnsupportedError)) throw err;
      reason = err.reason;
    }
    const rows: GreetRow[] = greetings.map((g) => {
      const playsFor = read && read.supported.length > 0 ? slotsUsing(read, g) : [];
      // Statuses left on "extension default" play whatever the default plays.
      const viaDefault = playsFor.includes('default') && read
        ? PRESENCE_STATUSES.filter((s) => read.supported.includes(s) && read.values[s] === EXTENSION_DEFAULT)
        : [];
      return { ...g, playsFor, viaDefault };
    });
    return { ext, greetings: rows, selection: selectionOf(read, reason, greetings), rename };
  }

  async function originNow(): Promise<string> {
    const id = session.connectedProfileId();
    const profile = id ? await session.profile(id) : undefined;
    if (!profile) throw noSelectionApi();
    return originOf(profile.baseUrl);
  }

  /** The newest history entry that wrote this name on this PBX (an overwrite keeps the PBX's id). */
  async function historyStamp(origin: string, ext: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const e of await app.history.list({ ext })) {
      if (e.pbx.origin !== origin || out.has(e.fileName)) continue;
      out.set(e.fileName, e.id);
    }
    return out;
  }

  return {
    async greetOverview(req) {
      return overview(req.ext);
    },

    async greetDetails(req) {
      const client = session.requireClient();
      const origin = await originNow();
      const greetings = await client.listGreetings(req.ext);
      const wanted = req.files ? greetings.filter((g) => req.files!.includes(g.realFilename)) : greetings;
      const stamps = await historyStamp(origin, req.ext);
      const details: GreetDetails[] = [];
      const failed: { realFilename: string; message: string }[] = [];
      const fresh: { key: string; details: Omit<GreetDetails, 'fromCache'> }[] = [];
      for (const g of wanted) {
        const key = greetingInfoKey(req.ext, g.realFilename, g.id, stamps.get(g.realFilename) ?? '-');
        const hit = await cache.get(origin, key);
        if (hit) {
          details.push({ ...hit, fromCache: true });
          continue;
        }
        try {
          const d = await measureGreeting((dest) => client.downloadGreeting(req.ext, g.realFilename, dest), (f) => app.services.audio.probe(f, {}), g.realFilename);
          details.push({ ...d, fromCache: false });
          fresh.push({ key, details: d });
        } catch (err) {
          failed.push({ realFilename: g.realFilename, message: err instanceof VmgsError ? err.message : 'The greeting could not be measured.' });
        }
      }
      if (fresh.length > 0) await cache.put(origin, fresh, new Date(app.clock.now())).catch(() => undefined);
      return { details, failed };
    },

    async greetChoose(req) {
      const client = api();
      const greetings = await client.listGreetings(req.ext);
      const choice = req.choice.kind === 'reset' ? ({ kind: 'reset' } as const) : ({ kind: 'greeting', greeting: findGreeting(greetings, req.ext, req.choice.file) } as const);
      await chooseGreeting(client, req.ext, req.slots, choice, { greetings });
      return overview(req.ext);
    },

    async greetRename(req) {
      const client = api();
      const r = await renameGreeting(client, req.ext, req.file, req.to);
      return { from: r.from.realFilename, to: r.to.realFilename, carried: r.carried, overview: await overview(req.ext) };
    },

    async greetDelete(req) {
      const client = api();
      const r = await deleteGreetingSafely(client, req.ext, req.file, req.inUse);
      return { deleted: r.deleted.realFilename, reset: r.reset, overview: await overview(req.ext) };
    },

    async greetRecordByPhone(req, ctx) {
      const client = api();
      const timeoutMs = req.timeoutSec * 1000;
      const greeting = await app.operations.run(req.operationId, (signal) =>
        recordByPhone(client, {
          ext: req.ext,
          phone: req.phone,
          name: req.name,
          timeoutMs,
          pollMs: RECORD_POLL_MS,
          signal,
          onCalling: () => ctx.emit('progress', { operationId: req.operationId, percent: 0, stage: 'calling' }),
          onWaiting: (seconds) =>
            ctx.emit('progress', { operationId: req.operationId, percent: Math.min(99, Math.round((seconds * 1000 * 100) / timeoutMs)), stage: `waiting:${seconds}` }),
        }),
      );
      return { greeting, overview: await overview(req.ext) };
    },
  };
}

/** Labels for a list of slots ("Away, Do not disturb"). */
export function slotLabels(slots: readonly SelectionSlot[]): string {
  return slots.map((s) => SELECTION_SLOT_LABELS[s]).join(', ');
}

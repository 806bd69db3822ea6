// Channels of "which greeting plays" and the greeting list's details (measured duration, size, format): the extension's
// matrix (default + six presence statuses), rename, a delete that never leaves a status on a missing file, record by
// phone, and duration/size/format per greeting. Spread into `channels` in ../channels.ts. Imports nothing but zod
// and domain types (the renderer bundles it).
import { z } from 'zod';
import { greetingNameProblem } from '../names.js';
import { SELECTION_SLOTS, type Greeting, type SelectionSlot } from '../../core/domain.js';

function res<T>(): T {
  return undefined as unknown as T;
}
const Id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Invalid id');
const ExtNumber = z.string().regex(/^[0-9A-Za-z*#+_-]{1,32}$/, 'Invalid extension number');
const GreetingFile = z.string().regex(/^[^/\\\0]{1,255}$/, 'Invalid file name').refine((s) => s !== '.' && s !== '..');
const Slot = z.enum(SELECTION_SLOTS);
const NewName = z.string().superRefine((s, ctx) => {
  const problem = greetingNameProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** What a slot is set to, as a person reads it. */
export type GreetChoice =
  | { kind: 'extension-default' }
  | { kind: 'system' }
  | { kind: 'greeting'; file: string }
  | { kind: 'missing'; name: string };

export interface GreetSlotView {
  slot: SelectionSlot;
  label: string;
  choice: GreetChoice;
  /** For a status on "extension default": what the default plays. */
  effective: GreetChoice;
}

/** The extension's matrix, or why it is hidden (the typed "not supported by this PBX's API" reason). */
export type GreetSelection =
  | { supported: true; partial: string | null; slots: GreetSlotView[] }
  | { supported: false; reason: string };

export interface GreetRow extends Greeting {
  /** Slots whose value selects this greeting ('default' included). */
  playsFor: SelectionSlot[];
  /** When it is the default: the statuses left on "extension default", which therefore play it too. */
  viaDefault: SelectionSlot[];
}

export interface GreetOverview {
  ext: string;
  greetings: GreetRow[];
  selection: GreetSelection;
  /** Rename through the API (extension_vm_greeting/update); probed once per connection. */
  rename: { supported: true } | { supported: false; reason: string };
}

/** Measured from the PBX's download resource (the list does not carry them); cached in the data folder. */
export interface GreetDetails {
  realFilename: string;
  durationSec: number | null;
  sizeBytes: number;
  /** e.g. "WAV · PCM 16-bit · 8 kHz mono" */
  format: string;
  codec: string;
  sampleRate: number;
  channels: number;
  fromCache: boolean;
}

export const greetChannels = {
  greetOverview: { request: z.strictObject({ ext: ExtNumber }), response: res<GreetOverview>() },
  greetDetails: {
    request: z.strictObject({ ext: ExtNumber, files: z.array(GreetingFile).max(500).optional() }),
    response: res<{ details: GreetDetails[]; failed: { realFilename: string; message: string }[] }>(),
  },
  /** Makes `slots` play a greeting, or puts them back on the default (statuses) / system greeting (default). */
  greetChoose: {
    request: z.strictObject({
      ext: ExtNumber,
      slots: z.array(Slot).min(1).max(7),
      choice: z.discriminatedUnion('kind', [z.strictObject({ kind: z.literal('greeting'), file: GreetingFile }), z.strictObject({ kind: z.literal('reset') })]),
    }),
    response: res<GreetOverview>(),
  },
  greetRename: {
    request: z.strictObject({ ext: ExtNumber, file: GreetingFile, to: NewName }),
    response: res<{ from: string; to: string; carried: SelectionSlot[]; overview: GreetOverview }>(),
  },
  /** `refuse`: fails with GREETING_IN_USE (detail.slots) when it plays somewhere; `reset`: those slots go to the default first. */
  greetDelete: {
    request: z.strictObject({ ext: ExtNumber, file: GreetingFile, inUse: z.enum(['refuse', 'reset']) }),
    response: res<{ deleted: string; reset: SelectionSlot[]; overview: GreetOverview }>(),
  },
  /** The PBX rings `phone`; progress events (operationId) while polling the list; cancel with `cancel`. */
  greetRecordByPhone: {
    request: z.strictObject({ ext: ExtNumber, phone: ExtNumber, name: NewName, operationId: Id, timeoutSec: z.number().int().min(5).max(600).default(180) }),
    response: res<{ greeting: Greeting; overview: GreetOverview }>(),
  },
} as const;

// Real app for handler tests: composeApp (real ffmpeg, real PbxClient) over a temp data folder, with the events
// it broadcasts captured, short backoffs and checks, and in-memory profiles (secrets bound to their origin).
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EventMap, EventName } from '../../../main/ipc/channels.js';
import type { AppHandlers, HandlerContext } from '../../../main/ipc/handlers/index.js';
import type { DialogsPort, ProfileStorePort } from '../../../main/ipc/services.js';
import { composeApp, type ComposeOptions } from '../../../main/shell/compose.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../../main/sim/index.js';
import { MemoryProfiles } from '../../e2e/bridge/profiles.js';
import { espeak, tone } from '../../helpers/audio-fixtures.js';

export interface TestApp {
  app: AppHandlers;
  h: AppHandlers['handlers'];
  ctx: HandlerContext;
  events: { name: EventName; payload: unknown }[];
  profiles: ProfileStorePort;
  dispose(): Promise<void>;
}

export function startApp(dataDir: string, opts: Partial<ComposeOptions> & { profiles?: ProfileStorePort; dialogs?: DialogsPort } = {}): TestApp {
  const events: { name: EventName; payload: unknown }[] = [];
  const profiles: ProfileStorePort = opts.profiles ?? new MemoryProfiles();
  const app = composeApp({
    dataDir,
    env: {},
    profiles,
    dialogs: opts.dialogs ?? { openAudioFile: async () => null, saveFile: async () => null },
    openExternal: async () => undefined,
    broadcast: { emit: (name, payload) => void events.push({ name, payload }) },
    startDemoPbx: async () => {
      throw new Error('no demo in this test');
    },
    connectionCheckMs: 500,
    outbox: { backoff: { baseMs: 20, maxMs: 200, maxAttempts: 6 }, offlineRetryMs: 300, throttleMs: 30 },
    ...opts,
  });
  const ctx: HandlerContext = {
    emit<E extends EventName>(name: E, payload: EventMap[E]) {
      events.push({ name, payload });
    },
  };
  let disposed = false;
  return {
    app,
    h: app.handlers,
    ctx,
    events,
    profiles,
    async dispose() {
      if (disposed) return;
      disposed = true;
      await app.dispose();
    },
  };
}

export async function tempDir(prefix = 'vmgs-h-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function speechBytes(dir: string, text = 'Hello, you have reached the sales team. Please leave a message.'): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await readFile(await espeak(path.join(dir, `speech-${Math.random().toString(36).slice(2)}.wav`), text)));
}
export async function toneBytes(dir: string, durationSec = 1.5, freq = 440): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await readFile(await tone(path.join(dir, `tone-${freq}-${durationSec}.wav`), { durationSec, freq, sampleRate: 16000 })));
}

export function sha256(b: Uint8Array | Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export async function waitFor(pred: () => boolean | Promise<boolean>, ms: number, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function sim(opts: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({ extensions: 12, ...opts });
}

/** A free port with the simulator's credentials, for a simulator started later ("the PBX is not up yet"). */
export async function laterSim(opts: SimulatorOptions = {}): Promise<{ port: number; clientId: string; clientSecret: string; start(): Promise<Simulator> }> {
  const s = await sim(opts);
  const { port, clientId, clientSecret } = s;
  await s.close();
  return { port, clientId, clientSecret, start: () => sim({ ...opts, port, clientId, clientSecret }) };
}

export async function saveSimProfile(t: TestApp, s: { port: number; clientId: string; clientSecret: string }, name = 'Office'): Promise<string> {
  const p = await t.h.saveProfile({ name, baseUrl: `http://127.0.0.1:${s.port}`, clientId: s.clientId, clientSecret: s.clientSecret, tls: { mode: 'system' } }, t.ctx);
  return p.id;
}

// Fake core services for handler tests: deterministic, in memory, no ffmpeg or network.
import { writeFile, readFile, stat } from 'node:fs/promises';
import type { AppServices, BoundSecret, PbxClientLike, ProfileInput, ProfileStorePort } from '../../main/ipc/services.js';
import { originOf } from '../../main/core/pbx/url.js';
import type { Extension, Greeting, ProfileSummary } from '../../main/ipc/channels.js';
import { VmgsError, CancelledError } from '../../main/core/errors.js';

export class FakeProfiles implements ProfileStorePort {
  readonly items = new Map<string, { summary: ProfileSummary; secret?: BoundSecret }>();
  private n = 0;
  async list() {
    return [...this.items.values()].map((v) => v.summary);
  }
  async save(input: ProfileInput) {
    const id = input.id ?? `p${++this.n}`;
    const prev = this.items.get(id);
    const origin = originOf(input.baseUrl);
    const secret = input.clientSecret !== undefined ? { secret: input.clientSecret, origin } : prev?.secret?.origin === origin ? prev.secret : undefined;
    const summary: ProfileSummary = { id, name: input.name, baseUrl: input.baseUrl, clientId: input.clientId, tls: input.tls, hasSecret: secret !== undefined, secretSessionOnly: false, demo: false };
    this.items.set(id, { summary, ...(secret !== undefined ? { secret } : {}) });
    return summary;
  }
  async delete(id: string) {
    return this.items.delete(id);
  }
  async getSecret(id: string) {
    return this.items.get(id)?.secret;
  }
  secretStatus() {
    return { available: true, backend: 'memory' };
  }
}

export interface FakePbxState {
  extensions: Extension[];
  greetings: Map<string, Map<string, Buffer>>;
  signOuts: number;
  secret: string;
  uploads: number;
}

export function fakePbxState(count = 30): FakePbxState {
  return {
    extensions: Array.from({ length: count }, (_, i) => ({ id: i + 1, number: String(3200 + i), callerIdName: `Person ${i}`, email: '', presence: 'available', online: i % 2 === 0 })),
    greetings: new Map(),
    signOuts: 0,
    secret: 'right-secret',
    uploads: 0,
  };
}

export function fakeClient(state: FakePbxState, secret: string): PbxClientLike {
  const check = () => {
    if (secret !== state.secret) throw new VmgsError('pbx', 'PBX_-1', 'The PBX refused the Client ID or Client Secret.');
  };
  return {
    async testConnection() {
      check();
      return { reachable: true, tokenOk: true, extensionCount: state.extensions.length };
    },
    async listExtensions({ page = 1, pageSize = 10 }) {
      check();
      return { total: state.extensions.length, items: state.extensions.slice((page - 1) * pageSize, page * pageSize) };
    },
    async searchExtensions(text, { page = 1, pageSize = 10 }) {
      check();
      const hits = state.extensions.filter((e) => e.number.includes(text) || e.callerIdName.toLowerCase().includes(text.toLowerCase()));
      return { total: hits.length, items: hits.slice((page - 1) * pageSize, page * pageSize) };
    },
    async listGreetings(ext) {
      return [...(state.greetings.get(ext)?.keys() ?? [])].map((file, i): Greeting => ({ id: i, file, realFilename: file, suffix: file.split('.').pop() ?? '', type: 'upload' }));
    },
    async downloadGreeting(ext, fileName, dest) {
      const b = state.greetings.get(ext)?.get(fileName);
      if (!b) throw new VmgsError('pbx', 'PBX_60001', 'No such greeting.');
      await writeFile(dest, b);
      return { bytes: b.length };
    },
    async deleteGreeting(ext, fileName) {
      state.greetings.get(ext)?.delete(fileName);
    },
    async greetingExists(ext, fileName) {
      check();
      return { exists: state.greetings.get(ext)?.has(fileName) === true };
    },
    async uploadGreetingFile(o) {
      check();
      if (!state.extensions.some((e) => e.number === o.ext)) throw new VmgsError('pbx', 'PBX_40002', `No extension ${o.ext}.`);
      const bytes = await readFile(o.filePath);
      if (o.mode === 'ask' && state.greetings.get(o.ext)?.has(o.fileName)) throw new VmgsError('exists', 'GREETING_EXISTS', 'exists');
      const store = state.greetings.get(o.ext) ?? new Map<string, Buffer>();
      state.greetings.set(o.ext, store);
      o.onProgress?.(bytes.length, bytes.length);
      store.set(o.fileName, bytes);
      state.uploads += 1;
      return { ok: true };
    },
    async signOut() {
      state.signOuts += 1;
    },
  };
}

export function fakeServices(dataDir: string, state = fakePbxState(), overrides: Partial<AppServices> = {}): AppServices & { opened: string[]; demoClosed: number } {
  const opened: string[] = [];
  const svc = {
    opened,
    demoClosed: 0,
    profiles: new FakeProfiles(),
    createPbxClient: (c: { clientSecret: string }) => fakeClient(state, c.clientSecret),
    audio: {
      async probe(p: string) {
        const s = await stat(p);
        const text = (await readFile(p)).subarray(0, 4).toString('latin1');
        if (text === 'BAD!') throw new VmgsError('audio', 'AUDIO_NO_AUDIO_STREAM', 'No audio stream.');
        return { durationSec: s.size / 1000, codec: 'pcm_s16le', sampleRate: 48000, channels: 1, sizeBytes: s.size, container: 'wav', hasVideo: false };
      },
      async analyse(p: string, o: { signal?: AbortSignal; onProgress?: (x: { percent: number; stage: string }) => void }) {
        o.onProgress?.({ percent: 50, stage: 'analyse' });
        if (o.signal?.aborted) throw new CancelledError();
        const s = await stat(p);
        const d = s.size / 1000;
        return { integratedLufs: -30, truePeakDbfs: -6, leadingSilenceSec: 0.5, trailingSilenceSec: 0.5, speechStartSec: 0.5, speechEndSec: d - 0.5, clippingRatio: 0, noiseFloorDbfs: -70, durationSec: d, warnings: [{ code: 'TOO_QUIET', message: 'Too quiet.' }] };
      },
      async render(o: { inputPath: string; outputPath: string; format?: string; startSec?: number; endSec?: number }) {
        const input = await readFile(o.inputPath);
        const out = Buffer.concat([Buffer.from(`RENDER:${o.format}:`), input.subarray(0, 16)]);
        await writeFile(o.outputPath, out);
        const fmt = (o.format === 'auto' || !o.format ? 'wav' : o.format) as 'wav';
        return { outputPath: o.outputPath, format: fmt, formatReason: 'chosen', bytes: out.length, durationSec: (o.endSec ?? 1) - (o.startSec ?? 0), plan: { format: fmt, reason: 'r', predictedBytes: 100, maxDurationSec: 500, budgetText: '8 MB ≈ 8 min 20 s of wav' } };
      },
      async planFormat(durationSec: number, choice: string) {
        const format = (choice === 'auto' ? 'wav' : choice) as 'wav';
        return { format, reason: 'r', predictedBytes: Math.round(durationSec * 16000), maxDurationSec: 500, budgetText: '8 MB ≈ 8 min 20 s of wav' };
      },
      async capabilities() {
        return { formats: ['wav', 'wav-ulaw', 'wav-alaw', 'mp3', 'gsm'] as ('wav' | 'mp3')[] };
      },
      greetingFileName(name: string, format: string) {
        return `${name}${format === 'mp3' ? '.mp3' : format === 'gsm' ? '.gsm' : '.wav'}`;
      },
    },
    async startDemoPbx() {
      return {
        url: 'http://127.0.0.1:9',
        clientId: 'demo-id',
        clientSecret: state.secret,
        close: async () => {
          svc.demoClosed += 1;
        },
      };
    },
    dialogs: { openAudioFile: async () => null, saveFile: async () => null },
    openExternal: async (url: string) => {
      opened.push(url);
    },
    dataDir,
    ...overrides,
  };
  return svc as AppServices & { opened: string[]; demoClosed: number };
}

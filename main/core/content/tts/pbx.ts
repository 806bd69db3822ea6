// The PBX's own text-to-speech (extension_vm_greeting/create, documented for the Cloud Edition; other editions may
// answer 10001 "not supported", which the probe reports in words). The PBX speaks into a new greeting of an
// extension, reports `pending`, and the greeting appears in that extension's list once complete. This engine polls
// the list (the PBX also reports completion as an event, which needs a websocket the app does not hold), downloads
// the audio for the normal render and deletes the temporary greeting, so the PBX is left as it was.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isVmgsError } from '../../errors.js';
import { sleep } from '../../library/util.js';
import { ContentError } from '../errors.js';
import { checkRate, prepareText, unavailable, type SynthesizeRequest, type SynthesizeResult, type TtsEngine, type TtsEngineInfo, type TtsProbe } from './engine.js';

/** The subset of PbxClient this engine needs. */
export interface PbxTtsTransport {
  readonly baseUrl: string;
  probeTtsGreeting(signal?: AbortSignal): Promise<{ supported: boolean; errcode: number }>;
  createTtsGreeting(opts: {
    ext: string; file: string; text: string; language: string; provider: string; voiceId: string; speed?: number; signal?: AbortSignal;
  }): Promise<{ id: number | null; status: string; requestId: string | null }>;
  listGreetings(ext: string): Promise<{ file: string; realFilename: string; type: string }[]>;
  downloadGreeting(ext: string, fileName: string, destPath: string, signal?: AbortSignal): Promise<{ bytes: number }>;
  deleteGreeting(ext: string, fileName: string): Promise<void>;
}

export const PBX_TTS_INFO: TtsEngineInfo = {
  id: 'pbx',
  label: "The PBX's text-to-speech",
  licence: "The PBX's terms (Yeastar; voices from the provider configured on the PBX)",
  licenceNote: 'Runs on the PBX; the app only calls its API, so nothing is shipped or linked.',
  supplied: 'pbx',
  platforms: ['linux', 'win32', 'darwin', 'freebsd'],
  maxChars: 1000,
};

export const PBX_PROVIDERS = ['aws', 'azure', 'xunfei'] as const;

export interface PbxEngineOptions {
  /** Default en-US. */
  language?: string;
  /** `provider:voice` or just a voice id (provider aws). Default `aws:Joanna`: which voices a PBX offers is not documented. */
  defaultVoice?: string;
  pollMs?: number;
  /** How long to wait for `complete` (default 120 s). */
  timeoutMs?: number;
  now?: () => number;
}

export function parsePbxVoice(voice: string): { provider: string; voiceId: string } {
  const m = /^(?:([a-z]+):)?([A-Za-z0-9][A-Za-z0-9_.-]{0,79})$/.exec(voice);
  const provider = m?.[1] ?? 'aws';
  if (!m?.[2] || !(PBX_PROVIDERS as readonly string[]).includes(provider)) {
    throw new ContentError('usage', 'TTS_BAD_VOICE', `"${voice.slice(0, 40)}" is not a PBX voice: write provider:voice (providers ${PBX_PROVIDERS.join(', ')}), for example aws:Joanna.`);
  }
  return { provider, voiceId: m[2] };
}

/** The PBX takes speed 1–100; 100 % of normal is the middle. */
export function pbxSpeed(ratePercent: number): number {
  return Math.max(1, Math.min(100, Math.round(ratePercent / 2)));
}

export function createPbxEngine(t: PbxTtsTransport, o: PbxEngineOptions = {}): TtsEngine {
  const info = PBX_TTS_INFO;
  const pollMs = o.pollMs ?? 500;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const now = o.now ?? Date.now;
  return {
    info,
    async probe(signal): Promise<TtsProbe> {
      let answer: { supported: boolean; errcode: number };
      try {
        answer = await t.probeTtsGreeting(signal);
      } catch (err) {
        return unavailable(info, `The PBX could not be asked: ${isVmgsError(err) ? err.message : String(err)}`, t.baseUrl);
      }
      if (answer.errcode === 10001) return unavailable(info, 'This PBX does not support text-to-speech greetings (extension_vm_greeting/create answered 10001 INTERFACE NOT EXISTED).', t.baseUrl);
      if (!answer.supported) return unavailable(info, `The PBX refused the text-to-speech API (errcode ${answer.errcode}): on the PBX, allow this API application to manage voicemail greetings under Integrations > API.`, t.baseUrl);
      return { id: info.id, available: true, program: t.baseUrl, version: null, reason: null, voices: [] };
    },
    async synthesize(req: SynthesizeRequest): Promise<SynthesizeResult> {
      const text = prepareText(req.text, info);
      const speed = pbxSpeed(checkRate(req.ratePercent));
      const { provider, voiceId } = parsePbxVoice(req.voice ?? o.defaultVoice ?? 'aws:Joanna');
      if (!req.ext) throw new ContentError('usage', 'TTS_PBX_NEEDS_EXTENSION', "The PBX speaks into an extension's greeting list: give the extension it is for.");
      const ext = req.ext;
      const file = `vmgs_tts_${randomBytes(5).toString('hex')}`;
      const created = await t.createTtsGreeting({ ext, file, text, language: o.language ?? 'en-US', provider, voiceId, speed, ...(req.signal ? { signal: req.signal } : {}) });
      const deadline = now() + timeoutMs;
      const leftBehind = (what: string): string => `${what}: the PBX may still add the greeting "${file}" to extension ${ext}; delete it there if it appears.`;
      let real: string | undefined;
      for (;;) {
        if (req.signal?.aborted) throw new ContentError('cancelled', 'CANCELLED', leftBehind('Text-to-speech was cancelled'));
        const found = (await t.listGreetings(ext)).find((g) => g.file === file || g.realFilename.startsWith(`${file}.`));
        if (found) {
          real = found.realFilename;
          break;
        }
        if (now() >= deadline) {
          throw new ContentError('pbx', 'TTS_PBX_TIMEOUT', leftBehind(`The PBX did not finish speaking within ${(timeoutMs / 1000).toFixed(timeoutMs < 10_000 ? 1 : 0)} s (request ${created.requestId ?? created.id ?? '?'} is ${created.status})`));
        }
        await sleep(pollMs, req.signal).catch(() => undefined);
      }
      const out = path.join(req.dir, `speech${path.extname(real).toLowerCase() || '.wav'}`);
      const warnings: string[] = [];
      try {
        await t.downloadGreeting(ext, real, out, req.signal);
      } finally {
        await t.deleteGreeting(ext, real).catch((err: unknown) => {
          warnings.push(`The temporary greeting ${real} on extension ${ext} could not be deleted (${isVmgsError(err) ? err.message : String(err)}); delete it on the PBX.`);
        });
      }
      return { file: out, engine: info.id, voice: `${provider}:${voiceId}`, warnings };
    },
  };
}

// extension_vm_greeting/create: the PBX-side text-to-speech greeting (documented for the Cloud Edition). A valid
// request is answered `{id, status: "pending", request_id}`; after `ttsCompleteAfterMs` the greeting appears in the
// extension's list as type "tts" (`<file>.wav`) and the request turns `complete`. With `ttsSupported: false` the
// route does not exist (10001), as on a PBX without the feature. The audio is a speech-like signal (voiced syllables
// with pauses, one per letter group), so the client's analysis finds speech in it and its render can level it.
import { z } from 'zod';
import { pcm16MonoWav } from '../core/wav.js';
import { fail, ok, required, type Json } from './envelope.js';

export const TTS_PROVIDERS = ['aws', 'azure', 'xunfei'] as const;
export const TTS_MAX_TEXT = 1000;
/** The rename rule of extension_vm_greeting/update, applied to new names too: no spaces or these characters. */
const BAD_NAME = /[\s'"!:@#$%^*.&(){}[\];/,`\\]/;

const level = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number).pipe(z.number().int().min(1).max(100));

export const TtsCreateBody = z.object({
  file: z.string().optional(),
  type: z.string().optional(),
  number: z.union([z.string(), z.number()]).transform(String).optional(),
  text: z.string().optional(),
  language: z.string().optional(),
  asr_manufacturer: z.string().optional(),
  voice_id: z.string().optional(),
  speed: z.unknown().optional(),
  volume: z.unknown().optional(),
  pitch: z.unknown().optional(),
});

export interface TtsRequestRecord {
  id: number;
  request_id: string;
  number: string;
  file: string;
  text: string;
  language: string | null;
  asr_manufacturer: string | null;
  voice_id: string | null;
  speed: number | null;
  status: 'pending' | 'complete';
}

/** Validates a create request; returns the error envelope, or the checked fields. */
export function checkTtsCreate(raw: unknown, exists: { extension: (n: string) => boolean; greeting: (n: string, file: string) => boolean }):
  { ok: false; error: Json } | { ok: true; value: Omit<TtsRequestRecord, 'id' | 'request_id' | 'status'> } {
  const parsed = TtsCreateBody.safeParse(raw);
  if (!parsed.success) return { ok: false, error: fail(40001) };
  const b = parsed.data;
  const missing = (['file', 'type', 'number', 'text'] as const).filter((k) => b[k] === undefined || b[k] === '');
  if (missing.length > 0) return { ok: false, error: required(...missing) };
  const file = b.file ?? '';
  const number = b.number ?? '';
  const text = b.text ?? '';
  const bad = (field: string, value: string): { ok: false; error: Json } => ({ ok: false, error: fail(40002, { invalid_param_list: [{ field, value }] }) });
  if (b.type !== 'tts') return bad('type', b.type ?? '');
  if (file.length > 250 || BAD_NAME.test(file)) return bad('file', file);
  if (text.length > TTS_MAX_TEXT) return bad('text', `${text.length} characters`);
  if (b.asr_manufacturer !== undefined && !(TTS_PROVIDERS as readonly string[]).includes(b.asr_manufacturer)) return bad('asr_manufacturer', b.asr_manufacturer);
  const levels: Record<string, number | null> = {};
  for (const k of ['speed', 'volume', 'pitch'] as const) {
    if (b[k] === undefined) {
      levels[k] = null;
      continue;
    }
    const l = level.safeParse(b[k]);
    if (!l.success) return bad(k, String(b[k]));
    levels[k] = l.data;
  }
  if (!exists.extension(number)) return { ok: false, error: fail(60001) };
  if (exists.greeting(number, `${file}.wav`)) return { ok: false, error: fail(40003, { duplicate_field_list: [{ field: 'file', value: file }] }) };
  return {
    ok: true,
    value: { number, file, text, language: b.language ?? null, asr_manufacturer: b.asr_manufacturer ?? null, voice_id: b.voice_id ?? null, speed: levels['speed'] ?? null },
  };
}

export function createdAnswer(r: TtsRequestRecord): Json {
  return ok({ id: r.id, status: r.status, request_id: r.request_id });
}

/**
 * An 8 kHz speech-like WAV for `text`: 0.3 s of silence, then a voiced syllable (a 110–180 Hz buzz with a few
 * harmonics and a smooth envelope) per three letters, short gaps between words, longer ones at punctuation.
 */
export function speechLikeWav(text: string, speed = 50): Buffer {
  const rate = 8000;
  const stretch = 50 / Math.max(1, Math.min(100, speed));
  const samples: number[] = new Array<number>(Math.round(0.3 * rate)).fill(0);
  const silence = (sec: number): void => {
    for (let i = 0; i < Math.round(sec * rate * stretch); i++) samples.push(0);
  };
  let syllable = 0;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const letters = word.replace(/[^\p{L}\p{N}]/gu, '').length;
    const count = Math.max(1, Math.round(letters / 3));
    for (let s = 0; s < count; s++) {
      const f0 = 110 + ((syllable * 37) % 70);
      syllable += 1;
      const n = Math.round(0.16 * rate * stretch);
      for (let i = 0; i < n; i++) {
        const t = i / rate;
        const env = Math.sin((Math.PI * i) / n) ** 2;
        const v = Math.sin(2 * Math.PI * f0 * t) + 0.5 * Math.sin(4 * Math.PI * f0 * t) + 0.25 * Math.sin(6 * Math.PI * f0 * t) + 0.12 * Math.sin(10 * Math.PI * f0 * t);
        samples.push(v * env * 6000);
      }
      silence(0.03);
    }
    silence(/[.,;:!?]$/.test(word) ? 0.35 : 0.09);
  }
  silence(0.3);
  return pcm16MonoWav(samples, rate);
}

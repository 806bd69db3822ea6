// Duration, size and format of a PBX greeting, measured from its download resource (extension_vm_greeting/list
// carries none of them) and cached in the data folder: <dataDir>/greeting-info/<sha256(origin)[:16]>.json, one file
// per PBX, entries keyed by extension + real file name + the greeting's id + the newest history entry that wrote
// that name (an overwrite keeps the PBX id, so the id alone would not notice it; a rename or a re-recording gets a
// new name or id). Every read is zod-validated; a damaged file is ignored and rewritten.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomic } from '../../core/library/atomic.js';
import type { GreetDetails } from '../channels/greet.js';
import type { AudioProbeLike } from '../services.js';

const MAX_ENTRIES = 5000;

const DetailsSchema = z.object({
  realFilename: z.string().min(1).max(255),
  durationSec: z.number().nonnegative().nullable(),
  sizeBytes: z.number().int().nonnegative(),
  format: z.string().max(200),
  codec: z.string().max(100),
  sampleRate: z.number().int().nonnegative(),
  channels: z.number().int().nonnegative(),
});
type StoredDetails = z.infer<typeof DetailsSchema>;

const FileSchema = z.object({
  schemaVersion: z.literal(1),
  origin: z.string(),
  entries: z.record(z.string(), DetailsSchema.extend({ measuredAt: z.string() })),
});
type CacheFile = z.infer<typeof FileSchema>;

const CODECS: Record<string, string> = {
  pcm_s16le: 'PCM 16-bit',
  pcm_s16be: 'PCM 16-bit',
  pcm_u8: 'PCM 8-bit',
  pcm_s24le: 'PCM 24-bit',
  pcm_s32le: 'PCM 32-bit',
  pcm_f32le: 'PCM float',
  pcm_mulaw: 'µ-law',
  pcm_alaw: 'A-law',
  gsm: 'GSM',
  gsm_ms: 'GSM',
  mp3: 'MP3',
  mp3float: 'MP3',
};

/** "WAV · PCM 16-bit · 8 kHz mono" */
export function describeFormat(p: Pick<AudioProbeLike, 'container' | 'codec' | 'sampleRate' | 'channels'>, fileName: string): string {
  const container = (p.container.split(',')[0] || path.extname(fileName).slice(1)).toUpperCase();
  const codec = CODECS[p.codec] ?? p.codec.toUpperCase();
  const rate = p.sampleRate > 0 ? `${(p.sampleRate / 1000).toLocaleString('en', { maximumFractionDigits: 2 })} kHz` : '';
  const ch = p.channels === 1 ? 'mono' : p.channels === 2 ? 'stereo' : p.channels > 0 ? `${p.channels} ch` : '';
  const tail = [rate, ch].filter(Boolean).join(' ');
  return [container === codec ? container : `${container} · ${codec}`, tail].filter(Boolean).join(' · ');
}

export function greetingInfoKey(ext: string, realFilename: string, id: number, stamp: string): string {
  return `${ext}\n${realFilename}\n${id}\n${stamp}`;
}

export class GreetingInfoCache {
  readonly dir: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'greeting-info');
  }

  fileOf(origin: string): string {
    return path.join(this.dir, `${createHash('sha256').update(origin).digest('hex').slice(0, 16)}.json`);
  }

  private async load(origin: string): Promise<CacheFile> {
    const raw = await readJsonFile(this.fileOf(origin));
    const parsed = 'value' in raw ? FileSchema.safeParse(raw.value) : null;
    return parsed?.success && parsed.data.origin === origin ? parsed.data : { schemaVersion: 1, origin, entries: {} };
  }

  async get(origin: string, key: string): Promise<StoredDetails | undefined> {
    const f = await this.load(origin);
    const hit = f.entries[key];
    if (!hit) return undefined;
    const { measuredAt: _m, ...rest } = hit;
    return rest;
  }

  /** Stores measurements; entries of the same extension + file under an older key are dropped. Serialised. */
  put(origin: string, items: { key: string; details: StoredDetails }[], now: Date): Promise<void> {
    const run = this.chain.then(async () => {
      const f = await this.load(origin);
      for (const { key, details } of items) {
        const prefix = key.split('\n').slice(0, 2).join('\n') + '\n';
        for (const k of Object.keys(f.entries)) if (k.startsWith(prefix) && k !== key) delete f.entries[k];
        f.entries[key] = { ...details, measuredAt: now.toISOString() };
      }
      const keys = Object.keys(f.entries);
      if (keys.length > MAX_ENTRIES) {
        keys.sort((a, b) => (f.entries[a]!.measuredAt < f.entries[b]!.measuredAt ? -1 : 1));
        for (const k of keys.slice(0, keys.length - MAX_ENTRIES)) delete f.entries[k];
      }
      await mkdir(this.dir, { recursive: true });
      await writeJsonAtomic(this.fileOf(origin), f);
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}

/** Downloads one greeting into a private temp folder, probes it, and removes the folder whatever happens. */
export async function measureGreeting(
  download: (dest: string) => Promise<{ bytes: number }>,
  probe: (file: string) => Promise<AudioProbeLike>,
  realFilename: string,
): Promise<Omit<GreetDetails, 'fromCache'>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-measure-'));
  try {
    const dest = path.join(dir, 'greeting' + (path.extname(realFilename).toLowerCase() || '.wav'));
    const { bytes } = await download(dest);
    const p = await probe(dest);
    return {
      realFilename,
      durationSec: p.durationSec,
      sizeBytes: bytes,
      format: describeFormat(p, realFilename),
      codec: p.codec,
      sampleRate: p.sampleRate,
      channels: p.channels,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

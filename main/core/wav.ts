// The canonical 44-byte PCM WAV header, written in one place (placeholder uploads, the simulator's record-by-phone
// greetings, the demo's sample greetings and generated test audio all need small in-memory WAVs).

export interface WavHeaderFields {
  /** Bytes of sample data that follow the header. */
  dataBytes: number;
  channels?: number;
  sampleRate?: number;
  bitsPerSample?: number;
  /** What the header claims, when it should lie about the data that follows (test fixtures). Default: `dataBytes`. */
  claimedDataBytes?: number;
}

export function pcmWavHeader(o: WavHeaderFields): Buffer {
  const channels = o.channels ?? 1;
  const rate = o.sampleRate ?? 8000;
  const bits = o.bitsPerSample ?? 16;
  const blockAlign = (channels * bits) / 8;
  const claimed = Math.min(0xffffffff - 36, o.claimedDataBytes ?? o.dataBytes);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + claimed, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bits, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(claimed, 40);
  return h;
}

/** A complete mono 16-bit PCM WAV: `samples` is either the sample values or a count of silent samples. */
export function pcm16MonoWav(samples: ArrayLike<number> | number, sampleRate = 8000): Buffer {
  const n = typeof samples === 'number' ? samples : samples.length;
  const b = Buffer.alloc(44 + n * 2);
  pcmWavHeader({ dataBytes: n * 2, sampleRate }).copy(b, 0);
  if (typeof samples !== 'number') {
    for (let i = 0; i < n; i++) b.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i] ?? 0))), 44 + i * 2);
  }
  return b;
}

/**
 * The 58-byte header of a G.711 WAV (format 7 µ-law or 6 A-law, 8 bits a sample): a fmt chunk with its extra-size
 * field and the fact chunk (sample count) that non-PCM WAV files carry, as ffmpeg's WAV muxer writes them.
 */
export function g711WavHeader(o: { law: 'ulaw' | 'alaw'; samples: number; sampleRate?: number; channels?: number }): Buffer {
  const channels = o.channels ?? 1;
  const rate = o.sampleRate ?? 8000;
  const dataBytes = o.samples * channels;
  const h = Buffer.alloc(58);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(50 + dataBytes, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(18, 16);
  h.writeUInt16LE(o.law === 'ulaw' ? 7 : 6, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * channels, 28);
  h.writeUInt16LE(channels, 32);
  h.writeUInt16LE(8, 34);
  h.writeUInt16LE(0, 36); // no extra format bytes
  h.write('fact', 38, 'ascii');
  h.writeUInt32LE(4, 42);
  h.writeUInt32LE(o.samples, 46);
  h.write('data', 50, 'ascii');
  h.writeUInt32LE(dataBytes, 54);
  return h;
}

// How long a file says it is, against how much of it is there: a WAV cut short (an interrupted copy or download)
// still carries the header written for the whole recording. ffmpeg quietly clamps such a data chunk to the bytes
// present (and reports the shorter duration), so the header itself is read here: the RIFF chunks up to `data`, and
// the byte rate of `fmt `. Other containers are judged by the caller from ffmpeg's duration against the decode.
import { open } from 'node:fs/promises';

export interface DeclaredLength {
  /** What the header promises (seconds). */
  declaredSec: number;
  /** What the bytes present hold (seconds). */
  presentSec: number;
}

/** A header whose data is shorter than declared by less than this is not called cut off (rounding, a last block). */
export const TRUNCATION_MIN_SEC = 0.1;

/** Chunks walked before giving up (a WAV has a handful: fmt, fact, LIST, bext, JUNK, data). */
const MAX_CHUNKS = 64;

/**
 * The declared and present length of a RIFF/WAVE file, from its header, or undefined when it is not a WAV with a
 * data chunk and a byte rate (RF64, a streamed WAV whose sizes are placeholders, another container).
 */
export async function wavDeclaredLength(filePath: string, fileSize: number): Promise<DeclaredLength | undefined> {
  const fh = await open(filePath, 'r').catch(() => undefined);
  if (!fh) return undefined;
  try {
    const read = async (pos: number, len: number): Promise<Buffer | undefined> => {
      const b = Buffer.alloc(len);
      const { bytesRead } = await fh.read(b, 0, len, pos);
      return bytesRead === len ? b : undefined;
    };
    const riff = await read(0, 12);
    if (!riff || riff.toString('ascii', 0, 4) !== 'RIFF' || riff.toString('ascii', 8, 12) !== 'WAVE') return undefined;
    let pos = 12;
    let byteRate = 0;
    for (let i = 0; i < MAX_CHUNKS && pos + 8 <= fileSize; i++) {
      const h = await read(pos, 8);
      if (!h) return undefined;
      const id = h.toString('ascii', 0, 4);
      const size = h.readUInt32LE(4);
      if (id === 'fmt ') {
        const fmt = await read(pos + 8, 16);
        if (!fmt) return undefined;
        byteRate = fmt.readUInt32LE(8);
      } else if (id === 'data') {
        // 0 and 0xFFFFFFFF are what writers to a pipe leave (they cannot seek back to fill the size in).
        if (byteRate <= 0 || size === 0 || size >= 0xfffffff0) return undefined;
        const present = Math.max(0, Math.min(size, fileSize - (pos + 8)));
        return { declaredSec: size / byteRate, presentSec: present / byteRate };
      }
      pos += 8 + size + (size % 2); // chunks are padded to an even length
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/** The truncation a declared length shows, if any. */
export function truncationOf(d: DeclaredLength | undefined, minSec = TRUNCATION_MIN_SEC): DeclaredLength | undefined {
  return d && d.declaredSec - d.presentSec >= minSec ? d : undefined;
}

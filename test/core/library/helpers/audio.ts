import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A short 8 kHz mono PCM WAV generated with ffmpeg (distinct frequency → distinct bytes). */
export async function makeWav(dir: string, name: string, freq: number, seconds = 0.5): Promise<string> {
  const file = path.join(dir, name);
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${freq}:duration=${seconds}`, '-ar', '8000', '-ac', '1', '-c:a', 'pcm_s16le', file]);
  return file;
}

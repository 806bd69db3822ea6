// Audio for the clean-up tests and benchmark, made at run time, and an independent measurement of a result:
// speech with pink and brown noise at 20, 10 and 5 dB SNR (loudness of the speech over that of the noise), and a
// take whose phrases alternate 14 dB apart over faint room noise.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { espeak, ffmpeg } from '../../helpers/audio-fixtures.js';

const execFileP = promisify(execFile);

export interface Figures { lufs: number; truePeakDb: number; lraLu: number; noiseFloorDb: number }

/**
 * ffmpeg ebur128's integrated loudness, true peak and loudness range of `file`, and its noise floor: the 10th
 * percentile of the 50 ms frame levels of the decoded file (digital silence left out).
 */
export async function figures(file: string, workDir: string): Promise<Figures> {
  const { stderr } = await execFileP('ffmpeg', ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true', '-f', 'null', '-'], { maxBuffer: 32 * 1024 * 1024 });
  const s = stderr.slice(stderr.lastIndexOf('Summary:'));
  const raw = path.join(workDir, `${path.basename(file)}.f32`);
  await ffmpeg(['-i', file, '-f', 'f32le', '-ac', '1', '-ar', '8000', raw]);
  const b = await readFile(raw);
  const x = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  const levels: number[] = [];
  for (let i = 0; i + 400 <= x.length; i += 400) {
    let sum = 0;
    for (let j = i; j < i + 400; j++) sum += x[j]! * x[j]!;
    if (sum > 0) levels.push(10 * Math.log10(sum / 400));
  }
  levels.sort((p, q) => p - q);
  return {
    lufs: Number(/I:\s+(-?[\d.]+) LUFS/.exec(s)?.[1]),
    truePeakDb: Number(/True peak:\s+Peak:\s+(-?[\d.]+) dBFS/.exec(s)?.[1]),
    lraLu: Number(/LRA:\s+(-?[\d.]+) LU/.exec(s)?.[1]),
    noiseFloorDb: levels[Math.floor(0.1 * (levels.length - 1))]!,
  };
}

export const NOISY_CASES = ['pink-20', 'pink-10', 'pink-5', 'brown-20', 'brown-10', 'brown-5'] as const;

/** The clean take, and speech over each noise at each SNR (keys as in NOISY_CASES). */
export async function buildNoisy(dir: string): Promise<{ take: string; noisy: Record<string, string> }> {
  const take = await espeak(path.join(dir, 'take.wav'), undefined, { speed: 150 });
  // Speech with 1.5 s of (noisy) room before and after, at 44.1 kHz.
  const speech = path.join(dir, 'speech.wav');
  await ffmpeg(['-i', take, '-af', 'adelay=1500:all=1,apad=pad_dur=1.5,volume=-8dB', '-ar', '44100', speech]);
  const speechLufs = (await figures(speech, dir)).lufs;
  const noisy: Record<string, string> = {};
  for (const color of ['pink', 'brown'] as const) {
    const noise = path.join(dir, `noise-${color}.wav`);
    await ffmpeg(['-f', 'lavfi', '-i', `anoisesrc=color=${color}:amplitude=0.5:r=44100:seed=3`, '-t', '20', noise]);
    const noiseLufs = (await figures(noise, dir)).lufs;
    for (const snr of [20, 10, 5]) {
      const out = path.join(dir, `noisy-${color}-${snr}.wav`);
      await ffmpeg(['-i', speech, '-i', noise, '-filter_complex', `[1:a]volume=${(speechLufs - snr - noiseLufs).toFixed(2)}dB[n];[0:a][n]amix=inputs=2:duration=first:normalize=0[o]`, '-map', '[o]', out]);
      noisy[`${color}-${snr}`] = out;
    }
  }
  return { take, noisy };
}

/** Four phrases, the second and fourth 14 dB quieter (as if read away from the microphone), over faint room noise. */
export async function buildAlternating(dir: string): Promise<string> {
  const phrases = [];
  for (let i = 1; i <= 4; i++) phrases.push(await espeak(path.join(dir, `phrase${i}.wav`), `This is sentence number ${i} of a greeting that is read unevenly, sometimes close and sometimes far away.`, { speed: 160 }));
  const out = path.join(dir, 'alternating.wav');
  await ffmpeg([...phrases.flatMap((p) => ['-i', p]), '-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.0005:r=22050:seed=2', '-filter_complex',
    `${phrases.map((_, i) => `[${i}:a]volume=${i % 2 ? -14 : 0}dB,apad=pad_dur=0.6[p${i}]`).join(';')};${phrases.map((_, i) => `[p${i}]`).join('')}concat=n=4:v=0:a=1,adelay=800:all=1,apad=pad_dur=1[s];[s][4:a]amix=inputs=2:duration=first:normalize=0[o]`,
    '-map', '[o]', out]);
  return out;
}

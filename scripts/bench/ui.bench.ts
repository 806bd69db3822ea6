// Desktop UI benchmarks (run: npm run build && node build/scripts/bench/index.js ui):
//  1. renderer production bundle: every JS file of build/renderer gzipped with zlib (target <= 150 kB; there is no
//     audio worker to exclude), split into the entry chunk and the lazily loaded waveform chunks;
//  2. in headless Debian Chromium over the e2e test bridge (same IPC handlers, real core), with 500 drafts in the
//     library and no profile: time from navigation to the interactive workspace (Record enabled, the connection state
//     told by main), median of 7 (target <= 1 s); baseline in the same run: a blank page from the same server that
//     fetches the same JS files without running them. Then the click on "Drafts" -> the first page of the 500 listed;
//  4. import of a 5-minute MP3 through the file input -> editor with waveform, analysis and caller preview, median
//     of 3 (target <= 1.0 s), with the handlers' own time as seen by the bridge;
//  3. from the click on "Stop recording" of a 30 s take (fake microphone: espeak-ng speech) to "Caller preview ready",
//     median of 5 (target <= 250 ms); baseline in the same run: the bare core (probe, analyse, render with the same
//     trim) on the same recorded file, plus the handlers' own time as seen by the bridge.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { analyseAudio, probeAudio, renderGreeting } from '../../main/core/audio/index.js';
import { DraftLibrary } from '../../main/core/library/drafts.js';
import type { AnalysisResult, IpcResult, SourceInfo } from '../../main/ipc/channels.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { ensureRendererBuild, launchChromium, makeMicWav, newAppContext } from '../../test/e2e/bridge/browser.js';
import { startBridge, type Bridge } from '../../test/e2e/bridge/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const STARTUP_RUNS = 7;
const PREVIEW_RUNS = 5;
const TAKE_SEC = 30;
const BUNDLE_TARGET_BYTES = 150 * 1024;
const PREVIEW_TARGET_MS = 250;
const START_TARGET_MS = 1000;
const LIBRARY_DRAFTS = 500;
const IMPORT_RUNS = 3;
const IMPORT_TARGET_MS = 1000;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const kB = (n: number): string => (n / 1024).toFixed(1);
const ms = (n: number): string => `${n.toFixed(0)} ms`;
const verdict = (okay: boolean, good = 'OK', bad = 'ABOVE TARGET'): string => (okay ? good : bad);

async function bundleSize(rendererDir: string): Promise<{ files: { name: string; raw: number; gz: number }[]; entry: string }> {
  const assets = path.join(rendererDir, 'assets');
  const html = await readFile(path.join(rendererDir, 'index.html'), 'utf8');
  const entry = /src="\.\/assets\/([^"]+\.js)"/.exec(html)?.[1] ?? '';
  const files = [];
  for (const name of (await readdir(assets)).filter((f) => f.endsWith('.js')).sort()) {
    const raw = await readFile(path.join(assets, name));
    files.push({ name, raw: raw.byteLength, gz: gzipSync(raw).byteLength });
  }
  return { files, entry };
}

/** ms after navigation start at which the workspace is usable: Record enabled and main has told the connection state. */
async function timeToInteractive(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  return page.waitForFunction(() => {
    const d = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null; disabled?: boolean } | null } }).document;
    const record = d.querySelector('[data-testid="record-button"]');
    const ready = d.querySelector('.app[data-ready="true"]') !== null && record !== null && record.disabled === false;
    return ready ? performance.now() : false;
  }, undefined, { polling: 'raf', timeout: 30_000 }).then((h) => h.jsonValue() as Promise<number>);
}

/** ms from the click on "Drafts" to the first page of the library in the table. */
async function timeDraftsView(page: Page): Promise<number> {
  const t0 = await page.evaluate(() => performance.now());
  await page.getByTestId('nav-drafts').click();
  await page.getByTestId('draft-row').first().waitFor({ timeout: 30_000 });
  return (await page.evaluate(() => performance.now())) - t0;
}

/** A library of `n` drafts (2 s tone each; the folders and the index as the app writes them). */
async function fillLibrary(dataDir: string, tmp: string, n: number): Promise<number> {
  const tone = path.join(tmp, 'tone.wav');
  await promisify(execFile)(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2',
    '-ar', '8000', '-ac', '1', '-c:a', 'pcm_s16le', tone]);
  const lib = new DraftLibrary({ dataDir });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await lib.create({ sourcePath: tone, name: `Bench draft ${i}`, origin: 'import' });
  return performance.now() - t0;
}

/** Baseline page: same server, fetches the same JS files (not executed) and reports when they are in. */
async function writeBaselinePage(rendererDir: string, jsFiles: string[]): Promise<string> {
  await writeFile(path.join(rendererDir, 'bench-baseline.js'),
    `Promise.all(${JSON.stringify(jsFiles.map((f) => `./assets/${f}`))}.map((u) => fetch(u).then((r) => r.arrayBuffer())))` +
    '.then(() => { globalThis.__baselineDone = performance.now(); });\n');
  await writeFile(path.join(rendererDir, 'bench-baseline.html'),
    '<!doctype html><html><head><meta charset="utf-8"><title>baseline</title></head><body><script src="./bench-baseline.js"></script></body></html>\n');
  return 'bench-baseline.html';
}

async function timeBaseline(page: Page, url: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  return page.waitForFunction(() => (globalThis as unknown as { __baselineDone?: number }).__baselineDone ?? false, undefined, { polling: 'raf', timeout: 30_000 })
    .then((h) => h.jsonValue() as Promise<number>);
}

interface PreviewRun {
  uiMs: number;
  handlerMs: { finishTake: number; analyse: number; renderPreview: number };
  sourcePath: string;
  trim: { startSec: number; endSec: number };
}

function value<T>(r: IpcResult<unknown>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

async function previewRun(browser: Browser, bridge: Bridge, dataDir: string): Promise<PreviewRun> {
  const context = await newAppContext(browser);
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(bridge.url);
    await page.locator('.app[data-ready="true"]').waitFor();
    await page.getByLabel('Countdown').selectOption('0');
    const since = bridge.calls.length;
    await page.getByTestId('record-button').click();
    await page.getByTestId('record-status').filter({ hasText: /Recording \d/ }).waitFor({ timeout: 20_000 });
    await page.waitForTimeout(TAKE_SEC * 1000);
    // In-page clock: from the trusted click on "Stop recording" to the status text saying the preview is ready.
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        document: {
          querySelector(s: string): { addEventListener(t: string, f: (e: { isTrusted: boolean }) => void, c: boolean): void; textContent: string | null } | null;
          body: unknown;
        };
        MutationObserver: new (f: () => void) => { observe(n: unknown, o: object): void; disconnect(): void };
        __benchStop?: Promise<number>;
      };
      g.__benchStop = new Promise<number>((resolve) => {
        let t0 = -1;
        g.document.querySelector('[data-testid="record-button"]')?.addEventListener('click', (e) => {
          if (e.isTrusted && t0 < 0) t0 = performance.now();
        }, true);
        const obs = new g.MutationObserver(() => {
          const status = g.document.querySelector('[data-testid="preview-status"]')?.textContent ?? '';
          if (t0 >= 0 && status.includes('Caller preview ready')) {
            obs.disconnect();
            resolve(performance.now() - t0);
          }
        });
        obs.observe(g.document.body, { subtree: true, childList: true, characterData: true });
      });
    });
    await page.getByTestId('record-button').click();
    const uiMs = await page.evaluate(() => (globalThis as unknown as { __benchStop: Promise<number> }).__benchStop);
    const calls = bridge.calls.slice(since);
    const find = (ch: string) => {
      const c = calls.find((x) => x.channel === ch && x.result.ok);
      if (!c) throw new Error(`no successful ${ch} call`);
      return c;
    };
    const source = value<SourceInfo>(find('finishTake').result);
    const analysis = value<AnalysisResult>(find('analyse').result);
    const lib = new DraftLibrary({ dataDir });
    const sourcePath = lib.sourcePath(await lib.get(source.draftId));
    return {
      uiMs,
      handlerMs: { finishTake: find('finishTake').ms, analyse: find('analyse').ms, renderPreview: find('renderPreview').ms },
      sourcePath,
      trim: analysis.suggestedTrim,
    };
  } finally {
    await context.close();
  }
}

/** A 5-minute MP3 of speech (espeak-ng, looped), 128 kbit/s mono. */
async function makeLongMp3(out: string, tmp: string): Promise<void> {
  const speech = path.join(tmp, 'speech.wav');
  await promisify(execFile)('espeak-ng', ['-v', 'en', '-s', '150', '-w', speech,
    'Thank you for calling. Our office is closed today. Please leave your name, your number and a short message after the tone, and we will call you back.']);
  await promisify(execFile)(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', speech,
    '-t', '300', '-ar', '44100', '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '128k', out]);
}

/** ms from the file input's change event to the editor showing the waveform, the analysis and the caller preview. */
async function importRun(browser: Browser, bridge: Bridge, mp3: string): Promise<{ uiMs: number; handlers: Record<string, number> }> {
  const context = await newAppContext(browser);
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(bridge.url);
    await page.locator('.app[data-ready="true"]').waitFor();
    await page.evaluate(() => {
      type El = { addEventListener(t: string, f: () => void, c: boolean): void; textContent: string | null };
      const g = globalThis as unknown as {
        document: { querySelector(s: string): El | null; body: unknown };
        MutationObserver: new (f: () => void) => { observe(n: unknown, o: object): void; disconnect(): void };
        __benchImport?: Promise<number>;
      };
      g.__benchImport = new Promise<number>((resolve) => {
        let t0 = -1;
        g.document.querySelector('[data-testid="file-input"]')?.addEventListener('change', () => {
          if (t0 < 0) t0 = performance.now();
        }, true);
        const done = () =>
          t0 >= 0 &&
          g.document.querySelector('[data-testid="waveform"][data-ready="true"]') !== null &&
          (g.document.querySelector('[data-testid="preview-status"]')?.textContent ?? '').includes('Caller preview ready') &&
          g.document.querySelector('[data-testid="budget"]') !== null;
        const obs = new g.MutationObserver(() => {
          if (!done()) return;
          obs.disconnect();
          resolve(performance.now() - t0);
        });
        obs.observe(g.document.body, { subtree: true, childList: true, characterData: true, attributes: true });
      });
    });
    const since = bridge.calls.length;
    await page.getByTestId('file-input').setInputFiles(mp3);
    const uiMs = await page.evaluate(() => (globalThis as unknown as { __benchImport: Promise<number> }).__benchImport);
    const handlers: Record<string, number> = {};
    for (const c of bridge.calls.slice(since)) if (c.result.ok && ['importBytes', 'analyse', 'readSource', 'renderPreview'].includes(c.channel)) handlers[c.channel] ??= c.ms;
    return { uiMs, handlers };
  } finally {
    await context.close();
  }
}

/** The same work without UI, IPC or recording: probe, analyse and render the recorded file with the same trim. */
async function bareCore(run: PreviewRun, outDir: string): Promise<number> {
  const t0 = performance.now();
  await probeAudio(run.sourcePath, {});
  await analyseAudio(run.sourcePath, {});
  await renderGreeting({ inputPath: run.sourcePath, outputPath: path.join(outDir, 'bare.wav'), format: 'wav', startSec: run.trim.startSec, endSec: run.trim.endSec, trimSilence: false });
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-ui-bench-'));
  let sim: Simulator | undefined;
  let bridge: Bridge | undefined;
  let browser: Browser | undefined;
  try {
    const renderer = await ensureRendererBuild(ROOT, path.join(tmp, 'renderer'));
    const { files, entry } = await bundleSize(renderer.dir);
    const totalGz = files.reduce((a, f) => a + f.gz, 0);
    const entryGz = files.find((f) => f.name === entry)?.gz ?? 0;
    console.log(`renderer bundle (build/renderer JS, zlib gzip): ${kB(totalGz)} kB total = entry ${kB(entryGz)} kB + lazily loaded ${kB(totalGz - entryGz)} kB` +
      ` (${files.map((f) => `${f.name} ${kB(f.raw)}→${kB(f.gz)} kB`).join(', ')})`);
    console.log(`  ratio to target: ${(totalGz / BUNDLE_TARGET_BYTES).toFixed(2)}x of 150 kB ${verdict(totalGz <= BUNDLE_TARGET_BYTES)}`);

    const baselinePage = await writeBaselinePage(renderer.dir, files.map((f) => f.name));
    const mic = await makeMicWav(path.join(tmp, 'mic.wav'),
      'Hello, you have reached the sales team. We cannot take your call right now. Please leave your name and number after the tone.');
    sim = await startSimulator({ https: true, extensions: 250 });
    const s = sim;
    const dataDir = path.join(tmp, 'data');
    const fillMs = await fillLibrary(dataDir, tmp, LIBRARY_DRAFTS);
    console.log(`library: ${LIBRARY_DRAFTS} drafts written in ${ms(fillMs)} (setup, not measured below)`);
    bridge = await startBridge({
      rendererDir: renderer.dir,
      dataDir,
      maxRecordingSec: 120,
      startDemoPbx: async () => ({ url: s.url, clientId: s.clientId, clientSecret: s.clientSecret, ...(s.fingerprint256 ? { fingerprint256: s.fingerprint256 } : {}), close: async () => undefined }),
    });
    browser = await launchChromium(mic);

    // 2. navigation -> interactive workspace (500 drafts in the library), interleaved with the baseline.
    const app: number[] = [];
    const base: number[] = [];
    const draftsView: number[] = [];
    for (let i = 0; i < STARTUP_RUNS + 1; i++) {
      const context = await newAppContext(browser);
      try {
        const page = await context.newPage();
        const a = await timeToInteractive(page, bridge.url);
        const d = await timeDraftsView(page);
        const b = await timeBaseline(page, `${bridge.origin}/${baselinePage}`);
        if (i > 0) {
          app.push(a); // the first round warms Chromium's process and disk caches
          base.push(b);
          draftsView.push(d);
        }
      } finally {
        await context.close();
      }
    }
    const appMed = median(app);
    const baseMed = median(base);
    console.log(`app start -> interactive workspace with ${LIBRARY_DRAFTS} drafts in the library, median of ${app.length}: ${ms(appMed)} ` +
      `(min ${ms(Math.min(...app))}, max ${ms(Math.max(...app))}) (target <= 1 s) ${verdict(appMed <= START_TARGET_MS)}`);
    console.log(`  ratio to target: ${(appMed / START_TARGET_MS).toFixed(2)}x; baseline (blank page fetching the same JS, not run): ${ms(baseMed)}; ratio app/baseline ${(appMed / baseMed).toFixed(2)}x`);
    console.log(`  click "Drafts" -> first page of ${LIBRARY_DRAFTS} drafts listed, median: ${ms(median(draftsView))} (max ${ms(Math.max(...draftsView))})`);

    // 3. stop recording (30 s take) -> caller preview ready.
    const runs: PreviewRun[] = [];
    const bare: number[] = [];
    for (let i = 0; i < PREVIEW_RUNS; i++) {
      const r = await previewRun(browser, bridge, dataDir);
      runs.push(r);
      bare.push(await bareCore(r, tmp));
    }
    const uiMed = median(runs.map((r) => r.uiMs));
    const bareMed = median(bare);
    const h = (k: keyof PreviewRun['handlerMs']) => median(runs.map((r) => r.handlerMs[k]));
    const handlersMed = median(runs.map((r) => r.handlerMs.finishTake + r.handlerMs.analyse + r.handlerMs.renderPreview));
    console.log(`"Stop recording" of a ${TAKE_SEC} s take -> "Caller preview ready", median of ${runs.length}: ${ms(uiMed)} ` +
      `(runs ${runs.map((r) => r.uiMs.toFixed(0)).join(', ')} ms) (target <= ${PREVIEW_TARGET_MS} ms) ${verdict(uiMed <= PREVIEW_TARGET_MS)}`);
    console.log(`  ratio to target: ${(uiMed / PREVIEW_TARGET_MS).toFixed(2)}x`);
    console.log(`  handlers as seen by the bridge (medians): finishTake ${ms(h('finishTake'))} + analyse ${ms(h('analyse'))} + renderPreview ${ms(h('renderPreview'))} = ${ms(handlersMed)}`);
    console.log(`  baseline: bare core (probe, analyse, render of the same recorded file and trim): ${ms(bareMed)}; ratio UI/bare core ${(uiMed / bareMed).toFixed(2)}x`);

    // 4. import of a 5-minute MP3 -> editor ready.
    const mp3 = path.join(tmp, 'five-minutes.mp3');
    await makeLongMp3(mp3, tmp);
    const imports: { uiMs: number; handlers: Record<string, number> }[] = [];
    for (let i = 0; i < IMPORT_RUNS; i++) imports.push(await importRun(browser, bridge, mp3));
    const impMed = median(imports.map((r) => r.uiMs));
    const hm = (k: string) => median(imports.map((r) => r.handlers[k] ?? 0));
    console.log(`import of a 5-minute MP3 (${kB((await readFile(mp3)).byteLength)} kB) -> waveform, analysis and caller preview, median of ${imports.length}: ${ms(impMed)} ` +
      `(runs ${imports.map((r) => r.uiMs.toFixed(0)).join(', ')} ms) (target <= 1.0 s) ${verdict(impMed <= IMPORT_TARGET_MS)}`);
    console.log(`  ratio to target: ${(impMed / IMPORT_TARGET_MS).toFixed(2)}x; handlers (medians): importBytes ${ms(hm('importBytes'))}, analyse ${ms(hm('analyse'))}, readSource ${ms(hm('readSource'))}, renderPreview ${ms(hm('renderPreview'))}`);
    console.log(`  ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(1)}`);
  } finally {
    await browser?.close().catch(() => undefined);
    await bridge?.close().catch(() => undefined);
    await sim?.close().catch(() => undefined);
    await rm(tmp, { recursive: true, force: true });
  }
}

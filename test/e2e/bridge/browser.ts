// Shared setup of the e2e test and the UI benchmark: the built renderer (rebuilt only when stale, then copied so a
// concurrent build cannot pull files from under the page), the fake-microphone speech file, and Debian Chromium
// driven by playwright-core with the bridge's window.vmgs shim.
import { execFile } from 'node:child_process';
import { cp, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { installTestProbes, installVmgsShim, shimConfig, type ProbeState } from './shim.js';

const execFileP = promisify(execFile);

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Newest modification time (ms) of any file under `dir` (recursive). */
async function newestMtime(p: string): Promise<number> {
  const st = await stat(p).catch(() => null);
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const e of await readdir(p)) newest = Math.max(newest, await newestMtime(path.join(p, e)));
  return newest;
}

/**
 * Makes sure build/renderer is present and newer than its sources (renderer/ and the shared channel map it bundles);
 * runs `npm run build:renderer` otherwise. Returns a private copy of it under `copyTo`.
 */
export async function ensureRendererBuild(root: string, copyTo: string): Promise<{ dir: string; rebuilt: boolean }> {
  const built = path.join(root, 'build', 'renderer');
  const builtAt = (await stat(path.join(built, 'index.html')).catch(() => null))?.mtimeMs ?? 0;
  const sources = Math.max(
    await newestMtime(path.join(root, 'renderer')),
    await newestMtime(path.join(root, 'main', 'ipc', 'channels.ts')),
    await newestMtime(path.join(root, 'main', 'ipc', 'names.ts')),
  );
  let rebuilt = false;
  if (builtAt === 0 || sources > builtAt) {
    await execFileP('npm', ['run', 'build:renderer'], { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 170_000 });
    rebuilt = true;
  }
  await cp(built, copyTo, { recursive: true });
  return { dir: copyTo, rebuilt };
}

/**
 * Speech for the fake microphone: espeak-ng, padded with silence, as 48 kHz 16-bit mono WAV (Chromium loops it).
 */
export async function makeMicWav(out: string, text: string): Promise<string> {
  const raw = `${out}.espeak.wav`;
  await execFileP('espeak-ng', ['-v', 'en', '-s', '160', '-w', raw, text]);
  await execFileP(process.env.FFMPEG_PATH ?? 'ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', raw,
    '-af', 'adelay=300:all=1,apad=pad_dur=0.5', '-ar', '48000', '-ac', '1', '-c:a', 'pcm_s16le', out]);
  await rm(raw, { force: true });
  return out;
}

export function chromiumArgs(micWav: string): string[] {
  return [
    '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--use-file-for-fake-audio-capture=${micWav}`, '--mute-audio', '--autoplay-policy=no-user-gesture-required',
  ];
}

export async function launchChromium(micWav: string): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: chromiumArgs(micWav), timeout: 60_000 });
}

/** A context at the minimum layout size whose pages get window.vmgs (the bridge shim) and the probes. */
export async function newAppContext(browser: Browser, viewport = { width: 1024, height: 700 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(installVmgsShim, shimConfig());
  await context.addInitScript(installTestProbes);
  return context;
}

export async function probe(page: Page): Promise<ProbeState> {
  return page.evaluate(() => {
    const p = (globalThis as unknown as { __vmgsProbe: ProbeState }).__vmgsProbe;
    return { clicks: p.clicks, clickTargets: [...p.clickTargets] };
  });
}

export async function resetClicks(page: Page): Promise<void> {
  await page.evaluate(() => {
    const p = (globalThis as unknown as { __vmgsProbe: ProbeState }).__vmgsProbe;
    p.clicks = 0;
    p.clickTargets = [];
  });
}

export interface WavInfo {
  sampleRate: number;
  channels: number;
  formatTag: number;
  bitsPerSample: number;
  /** Length of the data chunk in seconds (0 when there is none). */
  dataSec: number;
}

/** Parses the fmt and data chunks of a RIFF/WAVE file. */
export function wavFormat(bytes: Uint8Array): WavInfo | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 12 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WAVE') return null;
  let off = 12;
  let fmt: Omit<WavInfo, 'dataSec'> | null = null;
  let byteRate = 0;
  let dataBytes = 0;
  while (off + 8 <= b.length) {
    const id = b.toString('latin1', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    if (id === 'fmt ' && off + 24 <= b.length) {
      fmt = { formatTag: b.readUInt16LE(off + 8), channels: b.readUInt16LE(off + 10), sampleRate: b.readUInt32LE(off + 12), bitsPerSample: b.readUInt16LE(off + 22) };
      byteRate = b.readUInt32LE(off + 16);
    } else if (id === 'data') {
      dataBytes = Math.min(size, b.length - off - 8);
    }
    off += 8 + size + (size % 2);
  }
  return fmt ? { ...fmt, dataSec: byteRate > 0 ? dataBytes / byteRate : 0 } : null;
}

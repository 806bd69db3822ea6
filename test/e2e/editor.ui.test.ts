// The editor over the real IPC handlers in Debian Chromium: a 12-minute import (generated here with ffmpeg lavfi)
// uploaded as µ-law and as GSM (the simulator's store is checked: 8 kHz, at most 8,000,000 bytes), a failed import
// that must disable the previous file's editor, trim field validation, and the workspace screens (1280x800 and
// 800x600; light, dark and forced colours) with axe-core. Screenshots go to test-artifacts/e2e/editor/ (gitignored),
// named `${VMGS_SHOT_LABEL ?? 'after'}-…`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak } from '../helpers/audio-fixtures.js';
import { ensureRendererBuild, launchChromium, makeMicWav, newAppContext, wavFormat } from './bridge/browser.js';
import { startBridge, type Bridge } from './bridge/server.js';

const execFileP = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e', 'editor');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const LABEL = process.env.VMGS_SHOT_LABEL ?? 'after';
const FFMPEG = process.env.FFMPEG_PATH ?? 'ffmpeg';
const POLL = { timeout: 15_000, interval: 50 };
const SLOW = { timeout: 40_000, interval: 200 };
const PBX_LIMIT = 8_000_000;

let tmp = '';
let sim: Simulator;
let bridge: Bridge;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let axeSource = '';
let shortFile = '';
let longFile = '';
let ext = '';

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${LABEL}-${name}.png`) });
}

async function axe(): Promise<string[]> {
  await page.route('**/__axe.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: axeSource }));
  await page.addScriptTag({ url: '/__axe.js' });
  const v = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; nodes: { target: unknown[] }[] }[] }> }; document: unknown };
    return (await g.axe.run(g.document, { resultTypes: ['violations'] })).violations;
  });
  return v.map((x) => `${x.id}: ${x.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
}

async function importFile(file: string): Promise<void> {
  const since = bridge.calls.length;
  await page.getByTestId('file-input').setInputFiles(file);
  await bridge.waitForCall('importBytes', { since, timeoutMs: 30_000 });
}

async function previewReady(): Promise<void> {
  await page.getByTestId('preview-status').filter({ hasText: 'Caller preview ready' }).waitFor({ timeout: 60_000 });
}

async function pickExtension(): Promise<void> {
  if ((await page.getByRole('button', { name: `Remove ${ext}` }).count()) > 0) return;
  await page.getByTestId('typed-extension').fill(ext);
  await page.getByTestId('typed-extension').press('Enter');
  await page.getByRole('button', { name: `Remove ${ext}` }).waitFor();
}

async function uploadAs(format: 'wav-ulaw' | 'gsm', name: string): Promise<Buffer> {
  await page.getByTestId('nav-workspace').click();
  await page.getByTestId('format-select').selectOption(format);
  await expect.poll(() => page.getByTestId('preview-status').textContent(), SLOW).toMatch(new RegExp(`Caller preview ready: .* ${format}\\s*$`));
  await previewReady();
  await page.getByTestId('greeting-name').fill(name);
  await pickExtension();
  await page.getByTestId('upload-button').click();
  await page.getByTestId('outbox-view').waitFor();
  await expect.poll(() => sim.greetings(ext).some((g) => g.file.startsWith(`${name}.`)), { timeout: 60_000, interval: 250 }).toBe(true);
  return sim.greetings(ext).find((g) => g.file.startsWith(`${name}.`))!.bytes;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-editor-e2e-'));
  await mkdir(ARTIFACTS, { recursive: true });
  shortFile = path.join(tmp, 'Sales Welcome (final).wav');
  longFile = path.join(tmp, 'long-hold-message.mp3');
  // 12 minutes: a tone with a pause every few seconds, as MP3 (small enough for the bridge, long enough that
  // PCM could not fit 8 MB: only µ-law/A-law/GSM can hold it).
  const gen = execFileP(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
    'sine=frequency=330:sample_rate=16000:duration=720', '-af', "volume='if(lt(mod(t,6),4.5),0.3,0)':eval=frame",
    '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '32k', longFile]);
  const [renderer, mic] = await Promise.all([
    ensureRendererBuild(ROOT, path.join(tmp, 'renderer')),
    makeMicWav(path.join(tmp, 'mic.wav'), 'Hello, you have reached the sales team.'),
    espeak(shortFile, 'Welcome to the sales team. Please leave a message after the tone.'),
    gen,
  ]);
  axeSource = await readFile(AXE, 'utf8');
  sim = await startSimulator({ https: true, extensions: 30 });
  bridge = await startBridge({
    rendererDir: renderer.dir, dataDir: path.join(tmp, 'data'),
    startDemoPbx: async () => ({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, ...(sim.fingerprint256 ? { fingerprint256: sim.fingerprint256 } : {}), close: async () => undefined }),
  });
  browser = await launchChromium(mic);
  context = await newAppContext(browser, { width: 1280, height: 800 });
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(bridge.url);
  await page.locator('.app[data-ready="true"]').waitFor();
  await page.getByTestId('nav-connect').click();
  await page.getByTestId('try-demo').click();
  await page.locator('[data-testid="connection-status"][data-status="online"]').waitFor({ timeout: 20_000 });
  await page.getByTestId('nav-workspace').click();
  await page.getByTestId('extension-option').first().waitFor();
  ext = (await page.getByTestId('extension-option').first().getAttribute('data-number')) ?? '';
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
  await sim?.close().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('editor in Debian Chromium over the IPC bridge', () => {
  it('workspace screens at 1280x800 and 800x600, light, dark and forced colours: axe-core 0 violations', async () => {
    await importFile(shortFile);
    await previewReady();
    await page.locator('[data-testid="waveform"][data-ready="true"]').waitFor({ timeout: 20_000 });
    await pickExtension();
    const problems: string[] = [];
    const modes = [
      { label: 'light', media: { colorScheme: 'light' as const, forcedColors: 'none' as const } },
      { label: 'dark', media: { colorScheme: 'dark' as const, forcedColors: 'none' as const } },
      { label: 'forced', media: { colorScheme: 'light' as const, forcedColors: 'active' as const } },
    ];
    for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
      await page.setViewportSize(size);
      for (const m of modes) {
        await page.emulateMedia(m.media);
        await page.waitForTimeout(150);
        await shot(`workspace-${m.label}-${size.width}x${size.height}`);
        problems.push(...(await axe()).map((v) => `${m.label} ${size.width}x${size.height} ${v}`));
      }
      // The upload action is in view without scrolling (the editor is not in the way).
      const box = await page.getByTestId('upload-button').boundingBox();
      expect(box, 'upload button has a box').not.toBeNull();
      expect(box!.y + box!.height, `upload button in view at ${size.width}x${size.height}`).toBeLessThanOrEqual(size.height);
      expect(box!.y).toBeGreaterThanOrEqual(0);
    }
    await page.emulateMedia({ colorScheme: 'light', forcedColors: 'none' });
    await page.setViewportSize({ width: 1280, height: 800 });
    // The editor's heading and the default name come from the imported file's name (made safe).
    await expect.poll(() => page.getByTestId('greeting-name').inputValue(), POLL).toBe('Sales_Welcome_final');
    expect(await page.locator('#editor-title').textContent()).toContain('Sales Welcome (final)');
    expect(problems).toEqual([]);
  });

  it('trim fields refuse out-of-range values with a message and stay in step with the selection', async () => {
    const end = page.getByTestId('trim-end');
    const start = page.getByTestId('trim-start');
    const was = await end.inputValue();
    await end.fill('9999');
    await end.press('Tab');
    await expect.poll(() => page.getByTestId('trim-error').textContent(), POLL).toMatch(/End .* at most/);
    expect(await end.inputValue()).toBe(was);
    await start.fill(String(Number(was) + 1));
    await start.press('Tab');
    await expect.poll(() => page.getByTestId('trim-error').textContent(), POLL).toMatch(/Start .* before the end/);
    expect(Number(await start.inputValue())).toBeLessThan(Number(was));
    // A valid value is taken and clears the message; the waveform's region follows it.
    const next = Math.round((Number(was) - 0.5) * 100) / 100;
    await end.fill(String(next));
    await end.press('Tab');
    await expect.poll(() => page.getByTestId('trim-error').count(), POLL).toBe(0);
    await expect.poll(() => page.getByTestId('waveform').getAttribute('data-end'), POLL).toBe(String(next));
    // Keyboard on the end handle moves it by 0.1 s.
    await page.getByRole('slider', { name: 'End of the selection' }).focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => end.inputValue(), POLL).toBe(String(Math.round((next - 0.1) * 100) / 100));
    await previewReady();
  });

  it('a failed import removes the previous file\'s editor and disables Upload; the message has no temp path and no "ffmpeg"', async () => {
    await pickExtension();
    expect(await page.getByTestId('upload-button').isEnabled()).toBe(true);
    const broken = path.join(tmp, 'broken-greeting.wav');
    await writeFile(broken, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEjunk', 'latin1'), Buffer.alloc(2000, 7)]));
    const since = bridge.calls.length;
    await page.getByTestId('file-input').setInputFiles(broken);
    await bridge.waitForCall('importBytes', { since, timeoutMs: 20_000 });
    const err = page.getByTestId('source').getByTestId('error-message');
    await err.waitFor();
    const text = (await err.textContent()) ?? '';
    expect(text).toContain('broken-greeting.wav');
    expect(text).not.toMatch(/ffmpeg/i);
    expect(text).not.toContain(os.tmpdir());
    expect(text).not.toMatch(/vmgs-import|\/tmp\//);
    expect(await page.locator('section.editor').count()).toBe(0);
    expect(await page.getByTestId('upload-button').isDisabled()).toBe(true);
    await shot('failed-import-1280x800');
    expect(await axe()).toEqual([]);
  });

  it('a 12-minute import uploads as µ-law and as GSM: the store holds 8 kHz files of at most 8,000,000 bytes', async () => {
    await importFile(longFile);
    await previewReady();
    const ulaw = await uploadAs('wav-ulaw', 'long_ulaw');
    const w = wavFormat(new Uint8Array(ulaw));
    expect(w).toMatchObject({ sampleRate: 8000, channels: 1, formatTag: 7 });
    expect(w!.dataSec).toBeGreaterThan(700);
    expect(ulaw.byteLength).toBeLessThanOrEqual(PBX_LIMIT);

    const gsm = await uploadAs('gsm', 'long_gsm');
    expect(gsm.byteLength).toBeLessThanOrEqual(PBX_LIMIT);
    const gsmFile = path.join(tmp, 'stored.gsm');
    await writeFile(gsmFile, gsm);
    const { stdout } = await execFileP(process.env.FFPROBE_PATH ?? 'ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_rate,codec_name:format=duration', '-of', 'json', gsmFile]);
    const info = JSON.parse(stdout) as { streams: { sample_rate: string; codec_name: string }[]; format: { duration: string } };
    expect(info.streams[0]).toMatchObject({ sample_rate: '8000', codec_name: 'gsm' });
    expect(Number(info.format.duration)).toBeGreaterThan(700);
  }, 150_000);
});

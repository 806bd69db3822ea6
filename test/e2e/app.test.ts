// End-to-end: the BUILT renderer in Debian Chromium (playwright-core), its window.vmgs provided by the test bridge
// that runs the same IPC handlers as the Electron main process over the real core (ffmpeg audio engine, PBX client)
// and a real simulator started here. The fake microphone plays espeak-ng speech generated at test time.
// Screenshots of each screen go to test-artifacts/e2e/ (gitignored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHANNEL_NAMES, type AnalysisResult, type IpcResult, type PreviewResult, type SourceInfo, type UploadResult } from '../../main/ipc/channels.js';
import { PbxClient } from '../../main/core/pbx/index.js';
import { VmgsError } from '../../main/core/errors.js';
import { LEAD_IN_SEC } from '../../main/core/audio/render.js';
import { buildVmgsApi } from '../../main/shell/preload-api.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak } from '../helpers/audio-fixtures.js';
import { ensureRendererBuild, launchChromium, makeMicWav, newAppContext, probe, resetClicks, wavFormat } from './bridge/browser.js';
import { startBridge, type Bridge, type CallRecord } from './bridge/server.js';
import { encodeWire, decodeWire } from './bridge/wire.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
const MAX_CLICKS = 4; // the goal
const FLOW_CLICKS = 3; // what the flow takes now: Record, Stop, Upload (the search box has the focus already)
const POLL = { timeout: 15_000, interval: 50 };

let tmp = '';
let sim: Simulator | undefined;
let bridge: Bridge | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let importFile = '';
/** The extension picked by name, and the part of its name typed into the search. */
let target = { number: '', name: '', query: '' };

function ok<T>(c: CallRecord): T {
  const r = c.result as IpcResult<T>;
  if (!r.ok) throw new Error(`${c.channel} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}
const isOk = (c: CallRecord) => c.result.ok;

/** A render of a trimmed selection lasts the selection, plus at most the engine's silent lead-in before speech. */
function expectSelection(renderedSec: number, selectedSec: number): void {
  expect(renderedSec).toBeGreaterThan(selectedSec - 0.05);
  expect(renderedSec).toBeLessThan(selectedSec + LEAD_IN_SEC + 0.05);
}

/** Whether the element is fully inside the 1024x700 window, as the person sees it (no test-driven scrolling). */
async function inView(locator: ReturnType<Page['getByTestId']>): Promise<boolean> {
  const box = await locator.boundingBox();
  const vp = page.viewportSize();
  return box !== null && vp !== null && box.y >= 0 && box.x >= 0 && box.y + box.height <= vp.height && box.x + box.width <= vp.width;
}

const hasFocus = (locator: ReturnType<Page['getByTestId']>) => locator.evaluate((el) => el === el.ownerDocument.activeElement);

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Waits for the caller preview of a render started after call index `since`, and returns that render. */
async function previewReady(since: number): Promise<PreviewResult> {
  const call = await bridge!.waitForCall('renderPreview', { since, pred: isOk, timeoutMs: 40_000 });
  await page.getByTestId('preview-status').filter({ hasText: 'Caller preview ready' }).waitFor({ timeout: 10_000 });
  return ok<PreviewResult>(call);
}

/** Picks an extension whose name part (first name + start of the last name) matches exactly one extension. */
async function chooseTarget(s: Simulator): Promise<typeof target> {
  const client = new PbxClient({ baseUrl: s.url, clientId: s.clientId, clientSecret: s.clientSecret, tls: { pinSha256: s.fingerprint256! }, onWarning: () => undefined });
  try {
    const page1 = await client.listExtensions({ page: 1, pageSize: 100 });
    for (const ext of page1.items.slice(40)) {
      const [first, last] = ext.callerIdName.split(' ');
      if (!first || !last || !/^[A-Za-z]+$/.test(first + last)) continue;
      const query = `${first.slice(1)} ${last.slice(0, 3)}`.toLowerCase();
      if ((await client.searchExtensions(query, { pageSize: 5 })).total === 1) return { number: ext.number, name: ext.callerIdName, query };
    }
    throw new Error('no extension with a unique name part');
  } finally {
    await client.signOut().catch(() => undefined);
  }
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-e2e-'));
  await mkdir(ARTIFACTS, { recursive: true });
  importFile = path.join(tmp, 'welcome-import.wav');
  const [renderer, mic] = await Promise.all([
    ensureRendererBuild(ROOT, path.join(tmp, 'renderer')),
    makeMicWav(path.join(tmp, 'mic.wav'), 'Hello, you have reached the sales team. Please leave a message after the tone.'),
    espeak(importFile, 'Welcome to the support line. All our agents are busy, please stay on the line.'),
  ]);
  sim = await startSimulator({ https: true, extensions: 250 });
  const s = sim;
  target = await chooseTarget(s);
  bridge = await startBridge({
    rendererDir: renderer.dir,
    dataDir: path.join(tmp, 'data'),
    // "Try the demo PBX" gets this simulator, so the test can look into its greeting store; the test closes it.
    startDemoPbx: async () => ({ url: s.url, clientId: s.clientId, clientSecret: s.clientSecret, ...(s.fingerprint256 ? { fingerprint256: s.fingerprint256 } : {}), close: async () => undefined }),
  });
  browser = await launchChromium(mic);
  context = await newAppContext(browser);
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
  await sim?.close().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('desktop UI in Debian Chromium over the IPC bridge', () => {
  it('serves the built app with a window.vmgs shim shaped like the preload API, behind the sender check', async () => {
    await page.goto(bridge!.url);
    await page.getByTestId('try-demo').waitFor();
    await page.getByText('No saved profiles yet.').waitFor();

    // The shim, the preload and the shared channel map list the same functions.
    const shimKeys = (await page.evaluate(() => Object.keys((globalThis as unknown as { vmgs: object }).vmgs))).sort();
    const preloadKeys = Object.keys(buildVmgsApi({ invoke: async () => undefined, on: () => undefined, removeListener: () => undefined })).sort();
    expect(shimKeys).toEqual(preloadKeys);
    expect(shimKeys).toEqual([...CHANNEL_NAMES, 'on'].sort());
    expect(await page.evaluate(() => Object.isFrozen((globalThis as unknown as { vmgs: object }).vmgs))).toBe(true);

    // Payload validation happens in the real dispatcher, and the envelope comes back intact.
    const bad = await page.evaluate(() => (globalThis as unknown as { vmgs: { searchExtensions(r: unknown): Promise<unknown> } }).vmgs.searchExtensions({ query: 5, page: 1, pageSize: 10 }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'IPC_BAD_PAYLOAD' } });

    // A request from another origin is refused by the handlers' sender check.
    for (const origin of ['http://evil.example', undefined]) {
      const r = await fetch(`${bridge!.origin}/__vmgs/call/listProfiles`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) }, body: '{}',
      });
      expect(decodeWire(await r.text())).toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN_SENDER' } });
    }
    // Bytes survive the wire both ways as plain Uint8Arrays.
    const round = decodeWire(encodeWire({ b: new Uint8Array([0, 1, 255]) })) as { b: Uint8Array };
    expect(round.b).toBeInstanceOf(Uint8Array);
    expect([...round.b]).toEqual([0, 1, 255]);
    await shot('01-connect');
  });

  it(`demo PBX -> record 2 s -> trim -> hear as caller (8 kHz) -> pick by name -> upload, in ${FLOW_CLICKS} clicks (goal <= ${MAX_CLICKS})`, async () => {
    await page.getByTestId('try-demo').click();
    await expect.poll(() => page.getByTestId('connection-status').textContent(), { timeout: 20_000 }).toContain('250 extensions');
    await page.getByTestId('extension-option').first().locator('.num').waitFor();
    await shot('02-connected');
    await resetClicks(page);

    // Pick the extension by typing part of its NAME; Enter selects the highlighted (only) match.
    // The search box is focused after connecting: typing starts right away, no click.
    const search = page.getByTestId('extension-search');
    expect(await hasFocus(search)).toBe(true);
    await search.pressSequentially(target.query, { delay: 15 });
    await expect.poll(() => page.getByTestId('extension-count').textContent(), POLL).toContain('1 extension match');
    await expect.poll(() => page.getByTestId('extension-option').first().getAttribute('data-number'), POLL).toBe(target.number);
    await search.press('Enter');
    await page.getByRole('button', { name: `Remove ${target.number}` }).waitFor();

    // Record 2 s from the fake microphone (after the default 3 s countdown).
    let since = bridge!.calls.length;
    await page.getByTestId('record-button').click();
    // The default countdown (if any) is part of the flow: no click needed, the take starts by itself.
    if (await page.getByTestId('record-status').filter({ hasText: 'Recording starts in' }).waitFor({ timeout: 3000 }).then(() => true, () => false)) {
      await shot('03-countdown');
    }
    await page.getByTestId('record-status').filter({ hasText: /Recording \d/ }).waitFor({ timeout: 10_000 });
    const recStarted = Date.now();
    await page.waitForTimeout(900);
    await shot('04-recording');
    await page.waitForTimeout(Math.max(0, 2000 - (Date.now() - recStarted)));
    await page.getByTestId('record-button').click();

    const source = ok<SourceInfo>(await bridge!.waitForCall('finishTake', { since, timeoutMs: 20_000 }));
    expect(source.origin).toBe('recording');
    const chunks = bridge!.calls.slice(since).filter((c) => c.channel === 'appendChunk' && c.result.ok);
    expect(chunks.length).toBeGreaterThanOrEqual(4); // ~250 ms slices streamed to disk while recording
    const analysis = ok<AnalysisResult>(await bridge!.waitForCall('analyse', { since, timeoutMs: 20_000 }));
    expect(analysis.durationSec).toBeGreaterThan(1.6);
    expect(analysis.durationSec).toBeLessThan(4);
    expect(analysis.integratedLufs).toBeGreaterThan(-60); // the speech reached the recorder, not silence
    const preview = await previewReady(since);

    // Trim handles are pre-set by the automatic silence trim and the render is exactly that selection.
    const start = Number(await page.getByTestId('trim-start').inputValue());
    const end = Number(await page.getByTestId('trim-end').inputValue());
    expect(start).toBeCloseTo(analysis.suggestedTrim.startSec, 1);
    expect(end).toBeCloseTo(analysis.suggestedTrim.endSec, 1);
    expectSelection(preview.durationSec, end - start);
    // "As callers hear it" is the actual 8 kHz telephone render.
    expect(wavFormat(preview.playback)).toMatchObject({ sampleRate: 8000, channels: 1 });
    expect(preview.plan.budgetText).toMatch(/8 MB/);
    await expect.poll(() => page.getByTestId('budget').textContent(), POLL).toContain('of 8:20 max');
    await shot('05-editor');

    // Progress events travel main -> page over the bridge's event stream, as over Electron IPC.
    await page.evaluate(() => {
      const g = globalThis as unknown as { vmgs: { on(e: string, f: (p: unknown) => void): () => void }; __progress: unknown[] };
      g.__progress = [];
      g.vmgs.on('progress', (p) => g.__progress.push(p));
    });
    since = bridge!.calls.length;
    await page.getByTestId('upload-button').click();
    const listed = page.getByTestId('greeting-list').locator('li[data-file="greeting.wav"]');
    await listed.waitFor({ timeout: 20_000 });
    const clicks = await probe(page);
    console.log(`clicks from connected to live greeting: ${clicks.clicks} (${clicks.clickTargets.join(', ')})`);
    expect(clicks.clicks).toBe(FLOW_CLICKS);
    expect(clicks.clickTargets.map((t) => t.split(':')[1])).toEqual(['record-button', 'record-button', 'upload-button']);
    const up = ok<UploadResult>(await bridge!.waitForCall('upload', { since }));
    expect(up.outcomes).toEqual([expect.objectContaining({ ext: target.number, fileName: 'greeting.wav', action: 'created', existed: false })]);
    await expect.poll(() => page.getByTestId('upload-result').textContent(), POLL).toContain(`Uploaded greeting.wav to ${target.number}.`);
    const stored = sim!.greetings(target.number);
    expect(stored.map((g) => g.file)).toEqual(['greeting.wav']);
    expect(stored[0]!.bytes.byteLength).toBe(preview.bytes);
    if (preview.format === 'wav') expect(Buffer.compare(stored[0]!.bytes, Buffer.from(preview.playback))).toBe(0);
    expect(await listed.getAttribute('class')).toMatch(/\bnew\b/);
    const progress = (await page.evaluate(() => (globalThis as unknown as { __progress: { operationId: string; percent: number; stage: string }[] }).__progress));
    expect(progress.filter((p) => p.operationId.startsWith('upload-')).at(-1)).toMatchObject({ percent: 100, stage: 'done' });
    // The app brings the result and the new greeting into view at 1024x700, and keyboard focus moves to the result.
    await expect.poll(() => inView(listed), POLL).toBe(true);
    expect(await inView(page.getByTestId('upload-result'))).toBe(true);
    expect(await hasFocus(page.getByTestId('upload-result'))).toBe(true);
    expect(await page.getByTestId('upload-progress').count()).toBe(0); // the bar is gone once the result is shown
    await shot('06-uploaded');

    // Playing "as callers hear it" gives the page's <audio> element the render as its source.
    const audio = page.getByTestId('preview-audio');
    expect(await audio.getAttribute('src')).toBeNull();
    await page.getByTestId('play-caller').click();
    await expect.poll(() => audio.getAttribute('data-playing'), POLL).toBe('caller');
    type Media = { src: string; duration: number; readyState: number; addEventListener(t: string, f: () => void, o: object): void };
    const played = await audio.evaluate(async (node) => {
      const el = node as unknown as Media;
      if (el.readyState < 1) await new Promise<void>((r) => el.addEventListener('loadedmetadata', () => r(), { once: true }));
      return { src: el.src, duration: el.duration };
    });
    expect(played.src).toMatch(/^blob:/);
    const realSec = wavFormat(preview.playback)!.dataSec;
    expect(played.duration).toBeGreaterThan(realSec - 0.02);
    expect(played.duration).toBeLessThan(realSec + 0.02);
    if (Math.abs(realSec - preview.durationSec) > 0.03) console.log(`note: render reports ${preview.durationSec} s, its data lasts ${realSec.toFixed(3)} s`);
    await page.getByTestId('play-caller').click(); // stop
    await expect.poll(() => audio.getAttribute('src'), POLL).toBeNull();
  });

  it('same name again -> exists dialog -> overwrite: one greeting with the new bytes', async () => {
    const before = Buffer.from(sim!.greetings(target.number)[0]!.bytes);
    // A tighter trim makes a different render.
    const start = Number(await page.getByTestId('trim-start').inputValue());
    const end = Number(await page.getByTestId('trim-end').inputValue());
    const newEnd = Math.round((end - 0.4) * 100) / 100;
    let since = bridge!.calls.length;
    await page.getByTestId('trim-end').fill(String(newEnd));
    await page.getByTestId('trim-end').press('Tab');
    const preview = await previewReady(since);
    expectSelection(preview.durationSec, newEnd - start);

    since = bridge!.calls.length;
    await page.getByTestId('upload-button').click();
    const dialog = page.getByTestId('exists-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent(), POLL).toContain(`Extension ${target.number} already has a greeting called greeting.wav`);
    await shot('07-exists-dialog');
    await dialog.getByRole('button', { name: 'Overwrite' }).click();
    await expect.poll(() => page.getByTestId('upload-result').textContent(), POLL).toContain(`Replaced greeting.wav on ${target.number}.`);
    expect(ok<UploadResult>(await bridge!.waitForCall('upload', { since })).outcomes[0]).toMatchObject({ action: 'overwritten', existed: true });
    const stored = sim!.greetings(target.number);
    expect(stored.map((g) => g.file)).toEqual(['greeting.wav']);
    expect(stored[0]!.bytes.byteLength).toBe(preview.bytes);
    expect(Buffer.compare(stored[0]!.bytes, before)).not.toBe(0);
  });

  it('same name again -> keep both: the PBX gets greeting-2.wav and the list shows both', async () => {
    const since = bridge!.calls.length;
    await page.getByTestId('upload-button').click();
    const dialog = page.getByTestId('exists-dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Keep both (rename)' }).click();
    await expect.poll(() => page.getByTestId('upload-result').textContent(), POLL).toContain(`Kept both: saved as greeting-2.wav on ${target.number}.`);
    expect(ok<UploadResult>(await bridge!.waitForCall('upload', { since })).outcomes[0]).toMatchObject({ action: 'renamed', fileName: 'greeting-2.wav' });
    expect(sim!.greetings(target.number).map((g) => g.file).sort()).toEqual(['greeting-2.wav', 'greeting.wav']);
    await page.getByTestId('greeting-list').locator('li[data-file="greeting-2.wav"]').waitFor();
    await expect.poll(() => page.getByTestId('greeting-list').locator('li').count(), POLL).toBe(2);
    await expect.poll(() => inView(page.getByTestId('greeting-list').locator('li[data-file="greeting-2.wav"]')), POLL).toBe(true);
    await shot('08-kept-both');
  });

  it('imports a file through the file input and uploads it under a new name', async () => {
    const since = bridge!.calls.length;
    await page.getByTestId('file-input').setInputFiles(importFile);
    const src = ok<SourceInfo>(await bridge!.waitForCall('importBytes', { since, timeoutMs: 20_000 }));
    expect(src).toMatchObject({ origin: 'import', name: 'welcome-import.wav' });
    await expect.poll(() => page.locator('#editor-title').textContent(), POLL).toContain('welcome-import.wav');
    const preview = await previewReady(since);
    expect(preview.durationSec).toBeGreaterThan(3);
    await page.getByTestId('greeting-name').fill('support_welcome');
    await expect.poll(() => page.locator('#name-help').textContent(), POLL).toContain('Stored on the PBX as support_welcome');
    await page.getByTestId('upload-button').click();
    await expect.poll(() => page.getByTestId('upload-result').textContent(), POLL).toContain(`Uploaded support_welcome`);
    const stored = sim!.greetings(target.number).find((g) => g.file.startsWith('support_welcome.'));
    expect(stored?.bytes.byteLength).toBe(preview.bytes);
    const row = page.getByTestId('greeting-list').locator(`li[data-file="${stored!.file}"]`);
    await row.waitFor();
    await expect.poll(() => inView(row), POLL).toBe(true);
    await shot('09-imported');
  });

  it('keyboard only: record, stop, rename and upload, with a visible focus at every stop', async () => {
    const since = bridge!.calls.length;
    /** Moves focus with Tab until `testid` has it; every element passed on the way must show a focus ring. */
    async function tabTo(testid: string, onWay?: (id: string) => Promise<void>): Promise<void> {
      for (let i = 0; i < 40; i++) {
        const f = await page.evaluate(() => {
          type El = { getAttribute(n: string): string | null; tagName: string };
          type Style = { outlineStyle: string; outlineWidth: string };
          const g = globalThis as unknown as { document: { activeElement: El | null }; getComputedStyle(e: El): Style };
          const el = g.document.activeElement;
          const st = el ? g.getComputedStyle(el) : null;
          return { id: el?.getAttribute('data-testid') ?? el?.tagName ?? '', ring: st !== null && st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) >= 2 };
        });
        if (f.id === testid) return;
        if (i > 0) expect(f.ring, `focus ring on ${f.id}`).toBe(true);
        if (onWay) await onWay(f.id);
        await page.keyboard.press('Tab');
      }
      throw new Error(`Tab never reached ${testid}`);
    }
    await page.getByTestId('extension-search').focus(); // where the app puts the cursor after connecting
    await tabTo('record-button');
    await page.keyboard.press('Enter');
    await page.getByTestId('record-status').filter({ hasText: /Recording \d/ }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1500);
    await page.keyboard.press('Enter'); // the focus stays on the record button, now "Stop recording"
    await bridge!.waitForCall('finishTake', { since, timeoutMs: 20_000 });
    await previewReady(since);
    let renamed = false;
    await tabTo('upload-button', async (id) => {
      if (id !== 'greeting-name' || renamed) return;
      renamed = true;
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.type('keyboard_take');
    });
    expect(renamed).toBe(true);
    await previewReady(since); // still current after the rename
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('upload-result').textContent(), POLL).toContain(`Uploaded keyboard_take.wav to ${target.number}.`);
    await expect.poll(() => hasFocus(page.getByTestId('upload-result')), POLL).toBe(true);
    expect(sim!.greetings(target.number).map((g) => g.file)).toContain('keyboard_take.wav');
    await shot('09b-keyboard-upload');
  });

  it('wrong secret shows the typed error (after pinning the self-signed certificate it offers)', async () => {
    const wrong = 'not-the-secret';
    const client = new PbxClient({ baseUrl: sim!.url, clientId: sim!.clientId, clientSecret: wrong, tls: { pinSha256: sim!.fingerprint256! }, onWarning: () => undefined });
    const expected = await client.testConnection().then(() => null, (e: unknown) => e);
    expect(expected).toBeInstanceOf(VmgsError);
    const exp = expected as VmgsError;

    await page.getByRole('button', { name: 'Change PBX' }).click();
    await page.getByTestId('pbx-url').fill(sim!.url);
    await page.getByTestId('client-id').fill(sim!.clientId);
    await page.getByTestId('client-secret').fill(wrong);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    const err = page.getByTestId('error-message');
    await expect.poll(() => err.getAttribute('data-code'), POLL).toBe('PBX_TLS_UNTRUSTED');
    await expect.poll(() => page.getByTestId('tls-fingerprint').textContent().then((t) => t?.trim()), POLL).toBe(sim!.fingerprint256!);
    await shot('10-tls-untrusted');

    await page.getByRole('button', { name: 'Pin this certificate' }).click();
    await expect.poll(() => err.getAttribute('data-code'), POLL).toBe(exp.code);
    await expect.poll(() => err.locator('strong').textContent().then((t) => t?.trim()), POLL).toBe('Wrong Client ID or Client Secret');
    await expect.poll(() => err.locator('p').first().textContent().then((t) => t?.trim()), POLL).toBe(exp.message);
    expect(exp.message).not.toContain(wrong);
    await shot('11-wrong-secret');
  });
});

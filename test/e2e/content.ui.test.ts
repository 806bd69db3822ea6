// End-to-end for the content side of the app: the BUILT renderer in Debian Chromium over the test bridge (the real
// IPC handlers, core and a simulator started here). A template filled in becomes the teleprompter while recording
// from the fake microphone (espeak-ng speech) and is kept with the draft; noise reduction toggles the render; a
// text-to-speech draft (espeak-ng) is uploaded and lands on the simulator; a personalised batch of a few extensions
// makes one draft each and queues them to the Outbox. axe-core must report 0 violations on each screen; screenshots
// at 1280x800 and 800x600 go to test-artifacts/e2e/ (gitignored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { IpcResult, PreviewResult, SourceInfo } from '../../main/ipc/channels.js';
import type { PersonalBatchResult } from '../../main/ipc/channels/content.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { ensureRendererBuild, launchChromium, makeMicWav, newAppContext } from './bridge/browser.js';
import { startBridge, type Bridge, type CallRecord } from './bridge/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const POLL = { timeout: 20_000, interval: 100 };

let tmp = '';
let sim: Simulator | undefined;
let bridge: Bridge | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let axeSource = '';
let exported = '';

function ok<T>(c: CallRecord): T {
  const r = c.result as IpcResult<T>;
  if (!r.ok) throw new Error(`${c.channel} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}
const isOk = (c: CallRecord) => c.result.ok;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

async function axe(): Promise<string[]> {
  await page.route('**/__axe.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: axeSource }));
  await page.addScriptTag({ url: '/__axe.js' });
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> }; document: unknown };
    return (await g.axe.run(g.document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3).join(' ')}`);
}

/** Screenshot at both sizes and axe at each; back to 1280x800 afterwards. */
async function screen(name: string): Promise<void> {
  for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(100);
    await shot(`content-${name}-${size.width}x${size.height}`);
    expect(await axe(), `axe on ${name} at ${size.width}x${size.height}`).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function previewReady(since: number): Promise<PreviewResult> {
  const c = await bridge!.waitForCall('renderPreview', { since, pred: isOk, timeoutMs: 40_000 });
  await page.getByTestId('preview-status').filter({ hasText: 'Caller preview ready' }).waitFor({ timeout: 20_000 });
  return ok<PreviewResult>(c);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-content-e2e-'));
  await mkdir(ARTIFACTS, { recursive: true });
  axeSource = await readFile(AXE, 'utf8');
  const [{ dir: rendererDir }, mic, s] = await Promise.all([
    ensureRendererBuild(ROOT, path.join(tmp, 'renderer')),
    makeMicWav(path.join(tmp, 'mic.wav'), 'Hello, you have reached Ana Lima. I am away from my desk right now. Please leave a message.'),
    startSimulator({ extensions: 12 }),
  ]);
  sim = s;
  exported = path.join(tmp, 'exported-templates.json');
  bridge = await startBridge({
    rendererDir, dataDir: path.join(tmp, 'data'),
    startDemoPbx: async () => ({ url: s.url, clientId: s.clientId, clientSecret: s.clientSecret, ...(s.fingerprint256 ? { fingerprint256: s.fingerprint256 } : {}), close: async () => undefined }),
    saveFile: async () => exported,
  });
  browser = await launchChromium(mic);
  context = await newAppContext(browser, { width: 1280, height: 800 });
  page = await context.newPage();
  await page.goto(bridge.url);
  await page.locator('.app[data-ready="true"]').waitFor();
  await page.getByTestId('nav-connect').click();
  await page.getByTestId('try-demo').click();
  await page.locator('[data-testid="connection-status"][data-status="online"]').waitFor({ timeout: 20_000 });
}, 120_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
  await sim?.close().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('content in the app (Chromium over the bridge)', () => {
  it('templates: add one, export them; a template filled in is the teleprompter while recording and stays with the draft', async () => {
    await page.getByTestId('nav-scripts').click();
    await page.getByTestId('template-list').waitFor();
    await page.getByTestId('value-name').fill('Ana Lima');
    await page.getByTestId('value-company').fill('Acme');
    await page.getByTestId('template-add').click();
    await page.getByTestId('template-name').fill('lunch');
    await page.getByTestId('template-title').fill('Out for lunch');
    await page.getByTestId('template-text').fill('Hello, this is {name} at {company}. I am out for lunch and back at two.');
    await page.getByTestId('template-save').click();
    await expect.poll(() => page.getByTestId('template-filled').textContent(), POLL).toBe('Hello, this is Ana Lima at Acme. I am out for lunch and back at two.');
    await page.getByTestId('templates-export').click();
    await expect.poll(() => page.getByTestId('templates-notice').textContent(), POLL).toContain('saved to exported-templates.json');
    expect(JSON.parse(await readFile(exported, 'utf8')).templates.some((t: { name: string }) => t.name === 'lunch')).toBe(true);
    await page.getByTestId('template-away').click();
    await expect.poll(() => page.getByTestId('template-filled').textContent(), POLL).toContain('you have reached Ana Lima at extension {extension}');
    await expect.poll(() => page.getByTestId('template-problems').textContent(), POLL).toContain('{extension} has no value');
    await page.getByTestId('value-extension').fill('3201');
    await expect.poll(() => page.getByTestId('template-problems').count(), POLL).toBe(0);
    await screen('templates');

    await page.getByTestId('template-record').click();
    await page.getByTestId('workspace-view').waitFor();
    const prompter = page.getByTestId('teleprompter');
    await expect.poll(() => prompter.getAttribute('data-live'), POLL).toBe('false');
    const since = bridge!.calls.length;
    await page.getByLabel('Countdown').selectOption('0');
    await page.getByTestId('record-button').click();
    await page.getByTestId('record-status').filter({ hasText: /Recording \d/ }).waitFor({ timeout: 10_000 });
    expect(await prompter.getAttribute('data-live')).toBe('true');
    const script = 'Hello, you have reached Ana Lima at extension 3201. I am away from my desk right now. Please leave your name, your number and a short message after the tone, and I will call you back.';
    expect(await page.getByTestId('teleprompter-text').textContent()).toBe(script);
    const size = await page.getByTestId('teleprompter-text').evaluate((el) => Number.parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el).fontSize));
    expect(size).toBeGreaterThanOrEqual(22);
    await screen('teleprompter-recording');
    await page.waitForTimeout(1500);
    await page.getByTestId('record-button').click();
    const source = ok<SourceInfo>(await bridge!.waitForCall('finishTake', { since, timeoutMs: 20_000 }));
    await bridge!.waitForCall('saveDraft', { since, pred: (c) => isOk(c) && JSON.stringify(c.result).includes('Ana Lima'), timeoutMs: 10_000 });
    expect((await bridge!.app.context.drafts.get(source.draftId)).script).toBe(script);
    await previewReady(since);

    // The Drafts list shows what the greeting says.
    await page.getByTestId('nav-drafts').click();
    await expect.poll(() => page.getByTestId('draft-row').first().textContent(), POLL).toContain('Hello, you have reached Ana Lima');
    await page.getByTestId('nav-workspace').click();
  }, 80_000);

  it('noise reduction: the toggle is kept in the draft and changes the render; A/B renders both', async () => {
    const panel = page.getByTestId('cleanup');
    await panel.waitFor();
    const draftId = (await bridge!.app.context.drafts.list())[0]!.id;
    const before = (await bridge!.app.context.drafts.get(draftId)).rendered?.sha256;
    expect(before).toBeTruthy();
    const since = bridge!.calls.length;
    await page.getByTestId('cleanup-denoise').check();
    await expect.poll(() => panel.getAttribute('data-denoise'), POLL).toBe('on');
    const after = await previewReady(since);
    const draft = await bridge!.app.context.drafts.get(draftId);
    expect(draft.settings.denoise).toBe(true);
    expect(draft.rendered?.sha256).not.toBe(before);
    await page.getByTestId('cleanup-play-with').click();
    const ab = ok<{ with: { playback: Uint8Array }; without: { playback: Uint8Array } }>(await bridge!.waitForCall('compareCleanup', { since, timeoutMs: 30_000 }));
    // B is what the upload sends (the render itself when the browser plays its format, else a PCM copy of it).
    if (after.format === 'wav' || after.format === 'mp3') expect(sha(ab.with.playback)).toBe(sha(after.playback));
    expect(new TextDecoder().decode(ab.without.playback.slice(0, 4))).toBe('RIFF');
    expect(sha(ab.without.playback)).not.toBe(sha(ab.with.playback));
    await expect.poll(() => page.getByTestId('cleanup-audio').getAttribute('data-playing'), POLL).toBe('with');
    await panel.scrollIntoViewIfNeeded();
    await screen('editor-cleanup');
  }, 60_000);

  it('text-to-speech (espeak-ng) → a draft in the editor → upload → on the PBX', async () => {
    await page.getByTestId('nav-scripts').click();
    await page.getByTestId('part-tts').click();
    await expect.poll(() => page.getByTestId('tts-engine').inputValue(), POLL).toBe('espeak-ng');
    await page.getByTestId('tts-text').fill('Thank you for calling Acme. The help desk is closed. Please leave a message.');
    await page.getByTestId('tts-name').fill('helpdesk');
    await screen('tts');
    const since = bridge!.calls.length;
    await page.getByTestId('tts-make').click();
    const made = ok<{ draftId: string }>(await bridge!.waitForCall('createTtsDraft', { since, timeoutMs: 30_000 }));
    await page.getByTestId('workspace-view').waitFor();
    await previewReady(since);
    const d = await bridge!.app.context.drafts.get(made.draftId);
    expect(d.origin).toBe('tts');
    expect(d.script).toContain('help desk is closed');
    await page.getByTestId('greeting-name').fill('helpdesk');
    const search = page.getByTestId('extension-search');
    await search.fill('3205');
    await expect.poll(() => page.getByTestId('extension-option').first().getAttribute('data-number'), POLL).toBe('3205');
    await search.press('Enter');
    await page.getByRole('button', { name: 'Remove 3205' }).waitFor();
    await expect.poll(() => page.getByTestId('upload-button').isEnabled(), POLL).toBe(true);
    await page.getByTestId('upload-button').click();
    await expect.poll(() => sim!.greetings('3205').map((g) => g.real_filename), { timeout: 45_000, interval: 200 }).toContain('helpdesk.wav');
  }, 80_000);

  it('personalised batch of three extensions → preview table → one draft each, queued to the Outbox → on the PBX', async () => {
    await page.getByTestId('nav-scripts').click();
    await page.getByTestId('part-batch').click();
    await page.getByTestId('batch-template').selectOption('after-hours');
    await page.getByTestId('batch-spec').fill('3202-3203');
    await page.getByTestId('batch-pick').and(page.locator('[data-number="3204"]')).check();
    await expect.poll(() => page.getByTestId('batch-picked').textContent(), POLL).toContain('3204');
    await page.getByTestId('batch-preview').click();
    const rows = page.getByTestId('batch-plan').locator('tbody tr');
    await expect.poll(() => rows.count(), POLL).toBe(3);
    const plan = ok<{ rows: { ext: string; name: string | null }[] }>(await bridge!.waitForCall('planPersonalBatch', { timeoutMs: 20_000 }));
    const names = new Map(plan.rows.map((r) => [r.ext, r.name]));
    expect([...names.values()].every((n) => n !== null && n.length > 1)).toBe(true);
    for (const ext of ['3202', '3203', '3204']) {
      const text = (await rows.and(page.locator(`[data-ext="${ext}"]`)).textContent()) ?? '';
      expect(text).toContain(names.get(ext) ?? 'no name');
      expect(text).toContain('Acme');
    }
    await screen('batch-preview');
    const since = bridge!.calls.length;
    await page.getByTestId('batch-run').click();
    const r = ok<PersonalBatchResult>(await bridge!.waitForCall('runPersonalBatch', { since, timeoutMs: 60_000 }));
    expect(r.created.map((c) => c.ext)).toEqual(['3202', '3203', '3204']);
    expect(r.itemIds).toHaveLength(3);
    for (const c of r.created) {
      const d = await bridge!.app.context.drafts.get(c.draftId);
      expect(d.origin).toBe('tts');
      expect(d.targetExtensions).toEqual([c.ext]);
      expect(d.script).toContain(names.get(c.ext) ?? 'no name');
    }
    await page.getByTestId('outbox-view').waitFor();
    await expect.poll(async () => ['3202', '3203', '3204'].every((e) => sim!.greetings(e).some((g) => g.real_filename === 'after-hours.wav')), { timeout: 45_000, interval: 200 }).toBe(true);
  }, 80_000);
});

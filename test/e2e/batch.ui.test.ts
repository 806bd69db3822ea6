// End-to-end batch work in the BUILT renderer (Debian Chromium, playwright-core) over the test bridge, which runs
// the real IPC handlers, library queue and worker against a simulator started here: the picker's select-all, range
// and filters; one conflict choice for a 10-extension batch where 3 already hold the name (no per-extension modal;
// the simulator's store shows the outcome for each); Retry failed after injected PBX faults; a CSV mapping with 2 bad
// rows; upload + "play it when away". axe-core on each screen; screenshots in test-artifacts/e2e/batch/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Extension } from '../../main/ipc/channels.js';
import { PbxClient } from '../../main/core/pbx/index.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak } from '../helpers/audio-fixtures.js';
import { ensureRendererBuild, launchChromium, makeMicWav, newAppContext } from './bridge/browser.js';
import { startBridge, type Bridge } from './bridge/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e', 'batch');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const POLL = { timeout: 15_000, interval: 50 };
const DRAIN = { timeout: 40_000, interval: 150 };

let tmp = '';
let sim: Simulator;
let bridge: Bridge;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let axeSource = '';
let importFile = '';
let csvPath = '';
let exportPath = '';
let dir: Extension[] = [];

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Screenshots at 1280x800 and 800x600, with `reveal` (a test id) scrolled into view at each size. */
async function shot(name: string, reveal?: string): Promise<void> {
  for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(80);
    if (reveal) await page.getByTestId(reveal).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${size.width}x${size.height}.png`) });
  }
  await page.setViewportSize({ width: 1024, height: 700 });
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

async function clearSelection(): Promise<void> {
  const clear = page.getByTestId('clear-selection');
  if (await clear.count()) await clear.click();
  const single = page.getByTestId('selected-chips').getByRole('button', { name: /^Remove / });
  while (await single.count()) await single.first().click();
}

/** Types numbers/ranges into "Add by number". */
async function addTyped(spec: string): Promise<void> {
  await page.getByTestId('typed-extension').fill(spec);
  await page.getByTestId('typed-extension').press('Enter');
}

async function importGreeting(name: string): Promise<void> {
  const since = bridge.calls.length;
  await page.getByTestId('file-input').setInputFiles(importFile);
  await bridge.waitForCall('renderPreview', { since, pred: (c) => c.result.ok, timeoutMs: 40_000 });
  await page.getByTestId('preview-status').filter({ hasText: 'Caller preview ready' }).waitFor({ timeout: 15_000 });
  await page.getByTestId('greeting-name').fill(name);
}

const outcomes = () => page.getByTestId('batch-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-ext')}:${r.getAttribute('data-outcome')}`));

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-batch-e2e-'));
  await mkdir(ARTIFACTS, { recursive: true });
  importFile = path.join(tmp, 'holiday.wav');
  const [renderer, mic] = await Promise.all([
    ensureRendererBuild(ROOT, path.join(tmp, 'renderer')),
    makeMicWav(path.join(tmp, 'mic.wav'), 'Hello.'),
    espeak(importFile, 'Our office is closed for the holidays. Please leave a message.'),
  ]);
  axeSource = await readFile(AXE, 'utf8');
  sim = await startSimulator({ https: true, extensions: 60 });
  const client = new PbxClient({ baseUrl: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, tls: { pinSha256: sim.fingerprint256! }, onWarning: () => undefined });
  dir = (await client.listExtensions({ page: 1, pageSize: 100 })).items;
  await client.signOut().catch(() => undefined);
  exportPath = path.join(tmp, 'result.csv');
  bridge = await startBridge({
    rendererDir: renderer.dir,
    dataDir: path.join(tmp, 'data'),
    startDemoPbx: async () => ({ url: sim.url, clientId: sim.clientId, clientSecret: sim.clientSecret, ...(sim.fingerprint256 ? { fingerprint256: sim.fingerprint256 } : {}), close: async () => undefined }),
    openCsvFile: async () => csvPath,
    saveFile: async () => exportPath,
    // A short backoff with 2 attempts: injected faults make items fail in seconds.
    outbox: { concurrency: 2, backoff: { baseMs: 20, maxMs: 40, maxAttempts: 2 }, throttleMs: 50 },
  });
  browser = await launchChromium(mic);
  context = await newAppContext(browser);
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(bridge.url);
  await page.locator('.app[data-ready="true"]').waitFor();
  await page.getByTestId('nav-connect').click();
  await page.getByTestId('try-demo').click();
  await page.locator('[data-testid="connection-status"][data-status="online"]').waitFor({ timeout: 20_000 });
  await page.getByTestId('nav-workspace').click();
}, 120_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
  await sim?.close().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('batch from the desktop app (Chromium over the bridge)', () => {
  it('picker: presence filter + select all, a typed range, search by name; a large selection collapses to one line', async () => {
    // The status most extensions have (more than the 6 chips shown one by one).
    const counts = new Map<string, number>();
    for (const e of dir) counts.set(e.presence, (counts.get(e.presence) ?? 0) + 1);
    const status = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const away = dir.filter((e) => e.presence === status);
    expect(away.length).toBeGreaterThan(6);
    await page.getByTestId('presence-filter').selectOption(status);
    await expect.poll(() => page.getByTestId('extension-count').textContent(), POLL).toContain(`${away.length} extensions (`);
    await page.getByTestId('select-all').click();
    await expect.poll(() => page.getByTestId('selected-summary').textContent(), POLL).toBe(`${away.length} selected`);
    expect(await page.getByTestId('chip').count()).toBe(0);
    await page.screenshot({ path: path.join(ARTIFACTS, '01-picker-away-all-1024x700.png') });
    // The list keeps its room at 1024x700 (5 rows or more) and the collapsed selection leaves the picker in the window.
    const viewport = await page.locator('.viewport').boundingBox();
    expect(viewport!.height).toBeGreaterThanOrEqual(5 * 44);
    const chipsBox = await page.getByTestId('selected-chips').boundingBox();
    expect(chipsBox!.y + chipsBox!.height).toBeLessThanOrEqual(700);
    await shot('01-picker-away-all');
    expect(await axe()).toEqual([]);
    await page.getByTestId('selected-toggle').click();
    expect(await page.getByTestId('chip').count()).toBe(away.length);
    await shot('02-picker-show-chips');
    await clearSelection();

    await page.getByTestId('presence-filter').selectOption('');
    const first = dir[0]!.number;
    const tenth = dir[9]!.number;
    await addTyped(`${first}-${tenth}`);
    await expect.poll(() => page.getByTestId('selected-summary').textContent(), POLL).toBe('10 selected');
    await clearSelection();

    const who = dir[17]!;
    const part = who.callerIdName.split(' ')[0]!;
    const matches = dir.filter((e) => e.number.includes(part.toLowerCase()) || e.callerIdName.toLowerCase().includes(part.toLowerCase()));
    await page.getByTestId('extension-search').fill(part);
    await expect.poll(() => page.getByTestId('extension-count').textContent(), POLL).toContain(`${matches.length} extension`);
    await page.getByTestId('extension-search').fill('');
    await expect.poll(() => page.getByTestId('extension-count').textContent(), POLL).toBe(`${dir.length} extensions`);
  });

  it('10 extensions, 3 already hold the name: the policy is chosen once (overwrite with backup) in one dialog; the store shows it for each', async () => {
    const targets = dir.slice(0, 10).map((e) => e.number);
    const holders = [targets[1]!, targets[4]!, targets[8]!];
    const old = Buffer.from('RIFF-old-greeting-bytes');
    for (const ext of holders) sim.seedGreeting(ext, 'holiday.wav', old);
    await clearSelection();
    await importGreeting('holiday');
    await addTyped(`${targets[0]}-${targets[9]}`);
    await expect.poll(() => page.getByTestId('selected-summary').textContent(), POLL).toBe('10 selected');
    await page.getByTestId('if-exists').selectOption('overwrite');
    await page.getByTestId('upload-button').click();
    const dialog = page.getByTestId('exists-dialog');
    await dialog.waitFor();
    expect(await page.getByRole('dialog').count()).toBe(1);
    expect(await dialog.getByTestId('existing-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-ext')))).toEqual(holders);
    await expect.poll(() => dialog.textContent(), POLL).toContain('3 of 10 extensions already have a greeting called holiday.wav');
    // Focus on Cancel: Enter never overwrites.
    expect(await page.getByTestId('exists-cancel').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await shot('03-exists-dialog-overwrite');
    expect(await axe(), 'axe on the exists dialog').toEqual([]);
    // "Ask for each" shows a list with one choice per extension (the keep-both names in them), not modals.
    await dialog.getByRole('radio', { name: 'Choose for each extension' }).check();
    expect(await dialog.getByTestId('each-choice').count()).toBe(3);
    expect(await dialog.getByTestId('each-choice').first().locator('option').first().textContent()).toBe('Keep both, as holiday-2.wav');
    await shot('04-exists-dialog-ask-each');
    expect(await axe()).toEqual([]);
    await dialog.getByRole('radio', { name: /^Overwrite/ }).check();
    await dialog.getByTestId('exists-confirm').click();

    await page.getByTestId('batch-status').waitFor();
    await expect.poll(() => page.getByTestId('batch-overall').textContent(), DRAIN).toContain('10 of 10 finished');
    const expected = targets.map((t) => `${t}:${holders.includes(t) ? 'overwritten' : 'created'}`);
    expect(await outcomes()).toEqual(expected);
    const bytes = sim.greetings(targets[0]!).find((g) => g.file === 'holiday.wav')!.bytes;
    for (const t of targets) {
      const g = sim.greetings(t).filter((x) => x.file.startsWith('holiday'));
      expect(g.map((x) => x.file), t).toEqual(['holiday.wav']);
      expect(sha(g[0]!.bytes), t).toBe(sha(bytes));
    }
    await shot('05-batch-status-done', 'batch-status');
    expect(await axe()).toEqual([]);

    // Export the result as CSV (native save dialog in main).
    await page.getByTestId('batch-export').click();
    await expect.poll(async () => (await readFile(exportPath, 'utf8').catch(() => '')).split('\r\n').filter(Boolean).length, POLL).toBe(11);
    const csv = await readFile(exportPath, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('extension,greeting,stored_as,result,detail,attempts,activation,pbx,updated');
    expect(csv).toContain(`${holders[0]},holiday.wav,holiday.wav,overwritten,`);

    // The greeting list switches between the targets.
    const switcher = page.getByTestId('greetings-target');
    await switcher.selectOption(targets[4]!);
    await expect.poll(() => switcher.inputValue(), POLL).toBe(targets[4]);
  });

  it('Retry failed after injected faults: the failed ones go again and end created', async () => {
    await clearSelection();
    const targets = dir.slice(10, 15).map((e) => e.number);
    sim.seedGreeting(targets[0]!, 'retry.wav', Buffer.from('old'));
    await page.getByTestId('greeting-name').fill('retry');
    await addTyped(targets.join(','));
    await page.getByTestId('if-exists').selectOption('rename');
    await page.getByTestId('upload-button').click();
    const dialog = page.getByTestId('exists-dialog');
    await dialog.waitFor();
    // The PBX answers 500 to the next 6 uploads: each item gets 2 attempts, so with 5 items at least one fails.
    sim.injectFault({ kind: 'status', status: 500, path: 'extension_vm_greeting/upload', times: 6 });
    await dialog.getByTestId('exists-confirm').click();
    await page.getByTestId('batch-status').waitFor();
    await expect.poll(() => page.getByTestId('batch-overall').textContent(), DRAIN).toContain('5 of 5 finished');
    const failed = (await outcomes()).filter((o) => o.endsWith(':failed'));
    expect(failed.length).toBeGreaterThan(0);
    await shot('06-batch-failed', 'batch-status');
    await page.getByTestId('batch-retry').click();
    await expect.poll(async () => (await outcomes()).filter((o) => o.endsWith(':failed') || o.endsWith(':queued') || o.endsWith(':uploading')).length, DRAIN).toBe(0);
    expect((await outcomes()).map((o) => o.split(':')[1])).toEqual(['renamed', 'created', 'created', 'created', 'created']);
    expect(sim.greetings(targets[0]!).map((g) => g.file).sort()).toEqual(['retry-2.wav', 'retry.wav']);
    for (const t of targets.slice(1)) expect(sim.greetings(t).map((g) => g.file)).toContain('retry.wav');
  });

  it('CSV mapping with 2 bad rows: preview of the good rows and the bad ones with line and reason; the good ones are uploaded', async () => {
    const rows = dir.slice(20, 24).map((e) => e.number);
    for (const [i, n] of ['a.wav', 'b.wav', 'c.wav', 'd.wav'].entries()) await copyFile(importFile, path.join(tmp, n)).then(() => i);
    csvPath = path.join(tmp, 'rollout.csv');
    await writeFile(csvPath, `\uFEFFextension,file,name\r\n${rows[0]},a.wav,closed_a\r\n${rows[1]},b.wav\r\nabc,c.wav,x\r\n${rows[2]},missing.wav,y\r\n${rows[3]},d.wav,closed_d\r\n`);
    await page.getByTestId('csv-pick').click();
    await page.getByTestId('csv-summary').waitFor();
    expect(await page.getByTestId('csv-summary').textContent()).toContain('3 rows to upload, 2 with problems');
    expect(await page.getByTestId('csv-row').evaluateAll((r) => r.map((x) => x.textContent))).toEqual([`2${rows[0]}a.wavclosed_a`, `3${rows[1]}b.wavb`, `6${rows[3]}d.wavclosed_d`]);
    expect(await page.getByTestId('csv-errors').locator('li').allTextContents()).toEqual([
      'line 4: "abc" is not an extension number (digits only).',
      'line 5: the file "missing.wav" does not exist.',
    ]);
    await shot('07-csv-preview', 'csv-summary');
    expect(await axe()).toEqual([]);
    await page.getByTestId('csv-run').click();
    await page.getByTestId('batch-status').waitFor();
    await expect.poll(() => page.getByTestId('batch-overall').textContent(), DRAIN).toContain('3 of 3 finished');
    expect(sim.greetings(rows[0]!).map((g) => g.file)).toContain('closed_a.wav');
    expect(sim.greetings(rows[1]!).map((g) => g.file)).toContain('b.wav');
    expect(sim.greetings(rows[3]!).map((g) => g.file)).toContain('closed_d.wav');
    expect(sim.greetings(rows[2]!).map((g) => g.file)).toEqual([]);
  });

  it('upload + "Play it when: Away": the simulator has that extension\'s away greeting set, and the result says what callers hear', async () => {
    await clearSelection();
    const ext = dir[30]!.number;
    await page.getByTestId('greeting-name').fill('away_msg');
    await addTyped(ext);
    await page.getByTestId('play-when-summary').click();
    await page.getByTestId('play-when-away').check();
    await expect.poll(() => page.getByTestId('play-when-summary').textContent(), POLL).toBe('Play it when: Away');
    await shot('08-play-when', 'play-when');
    expect(await axe()).toEqual([]);
    await page.getByTestId('upload-button').click();
    await page.getByTestId('batch-status').waitFor();
    await expect.poll(() => page.getByTestId('batch-activation').first().textContent(), DRAIN).toBe('callers now hear away_msg.wav for Away');
    expect(sim.selection(ext).presence.away).toBe('away_msg.wav');
    expect(sim.selection(ext).presence.available).not.toBe('away_msg.wav');
    await shot('09-play-when-result', 'batch-status');
  });
});

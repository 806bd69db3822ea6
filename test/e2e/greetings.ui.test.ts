// Which greeting plays, in the BUILT renderer in Debian Chromium over the test bridge (the real IPC handlers, the real
// PBX client) against a simulator started here: the greeting list shows per greeting the statuses it plays for and
// its duration/size/format; a matrix edit lands in the simulator's store; rename; delete of a greeting in use moves
// its statuses to the default; record by phone (the simulator materialises the file after a short delay) ends in
// the list, playable; a PBX without the selection fields hides the matrix with the reason. axe-core 0 violations on
// each state; screenshots at 1280x800 and 800x600 in test-artifacts/e2e/ (gitignored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { tone } from '../helpers/audio-fixtures.js';
import { ensureRendererBuild, launchChromium, makeMicWav, newAppContext } from './bridge/browser.js';
import { startBridge, type Bridge } from './bridge/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const POLL = { timeout: 15_000, interval: 50 };
const EXT = '3200';

let tmp = '';
let sim: Simulator | undefined;
let bridge: Bridge | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let axeSource = '';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 800, height: 600 },
];

/** A screenshot at both sizes (the greeting list scrolled into view), ending at 1280x800. */
async function shots(name: string, target?: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    if (target) await page.getByTestId(target).scrollIntoViewIfNeeded();
    await page.waitForTimeout(100);
    await page.screenshot({ path: path.join(ARTIFACTS, `greet-${name}-${size.width}x${size.height}.png`) });
  }
  await page.setViewportSize(SIZES[0]!);
}

interface AxeViolation {
  id: string;
  help: string;
  nodes: { target: unknown[] }[];
}
async function axe(): Promise<string[]> {
  await page.route('**/__axe.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: axeSource }));
  await page.addScriptTag({ url: '/__axe.js' });
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> }; document: unknown };
    return (await g.axe.run(g.document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')})`);
}
async function axeAtBothSizes(what: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    expect(await axe(), `axe on ${what} at ${size.width}x${size.height}`).toEqual([]);
  }
  await page.setViewportSize(SIZES[0]!);
}

const row = (file: string) => page.locator(`[data-testid="greeting-row"][data-file="${file}"]`);

async function pickExtension(number: string): Promise<void> {
  await page.getByTestId('nav-workspace').click();
  const search = page.getByTestId('extension-search');
  await search.fill(number);
  await expect.poll(() => page.getByTestId('extension-count').textContent(), POLL).toContain('1 extension match');
  await search.press('Enter');
  await page.getByRole('button', { name: `Remove ${number}` }).waitFor();
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-greet-e2e-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const [renderer, mic, away, welcome] = await Promise.all([
    ensureRendererBuild(ROOT, path.join(tmp, 'renderer')),
    makeMicWav(path.join(tmp, 'mic.wav'), 'Hello.'),
    tone(path.join(tmp, 'away.wav'), { durationSec: 2.5, freq: 440, sampleRate: 8000 }),
    tone(path.join(tmp, 'welcome.wav'), { durationSec: 4, freq: 600, sampleRate: 16000 }),
  ]);
  axeSource = await readFile(AXE, 'utf8');
  sim = await startSimulator({ https: true, extensions: 20, recordDelayMs: 700 });
  sim.seedGreeting(EXT, 'away.wav', await readFile(away));
  sim.seedGreeting(EXT, 'welcome.wav', await readFile(welcome));
  sim.seedSelection(EXT, { vm_greeting: 'welcome.wav', presence: { away: 'away.wav' } });
  const s = sim;
  bridge = await startBridge({
    rendererDir: renderer.dir,
    dataDir: path.join(tmp, 'data'),
    startDemoPbx: async () => ({ url: s.url, clientId: s.clientId, clientSecret: s.clientSecret, ...(s.fingerprint256 ? { fingerprint256: s.fingerprint256 } : {}), close: async () => undefined }),
  });
  browser = await launchChromium(mic);
  context = await newAppContext(browser, SIZES[0]);
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(bridge.url);
  await page.locator('.app[data-ready="true"]').waitFor();
  await page.getByTestId('nav-connect').click();
  await page.getByTestId('try-demo').click();
  await page.locator('[data-testid="connection-status"][data-status="online"]').waitFor({ timeout: 20_000 });
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
  await sim?.close().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('greetings: which plays when, rename, delete in use, record by phone (Chromium over the bridge)', () => {
  it('the list shows per greeting the statuses it plays for and its duration, size and format', async () => {
    await pickExtension(EXT);
    await expect.poll(() => row('away.wav').getByTestId('greeting-meta').textContent(), POLL).toContain('WAV · PCM 16-bit · 8 kHz mono');
    expect(await row('away.wav').getByTestId('greeting-meta').textContent()).toMatch(/^0:02\.5 · 39\.\d kB · /);
    await expect.poll(() => row('welcome.wav').getByTestId('greeting-meta').textContent(), POLL).toMatch(/^0:04\.0 · 125\.\d kB · WAV · PCM 16-bit · 16 kHz mono$/);
    expect(await row('away.wav').getByTestId('plays-for').textContent()).toMatch(/Plays for:\s*Away/);
    expect(await row('welcome.wav').getByTestId('plays-for').textContent()).toMatch(/Default.*Available, Do not disturb, Lunch, Business trip, Off work through the default/s);
    await shots('list', 'greeting-list');
    await shots('matrix', 'greeting-matrix');
    await axeAtBothSizes('greeting list with matrix');
  });

  it('matrix edit: Lunch → away.wav lands in the simulator, read back into the list', async () => {
    await page.getByTestId('matrix-lunch').selectOption('away.wav');
    await expect.poll(() => page.getByTestId('greeting-note').textContent(), POLL).toBe('Lunch now plays away.wav.');
    expect(sim!.selection(EXT).presence.lunch).toBe('away.wav');
    expect(await row('away.wav').getByTestId('plays-for').textContent()).toMatch(/Away\s*Lunch/);
    await page.getByTestId('matrix-default').selectOption({ label: 'System greeting (follow system)' });
    await expect.poll(() => sim!.selection(EXT).vm_greeting, POLL).toBe('follow_system');
    await page.getByTestId('matrix-default').selectOption('welcome.wav');
    await expect.poll(() => sim!.selection(EXT).vm_greeting, POLL).toBe('welcome.wav');
  });

  it('rename: welcome.wav → hello.wav, the default follows it', async () => {
    await page.getByRole('button', { name: 'Rename welcome.wav' }).click();
    const input = page.getByTestId('rename-input');
    await input.fill('hello');
    await shots('rename', 'greeting-list');
    await input.press('Enter');
    await expect.poll(() => page.getByTestId('greeting-note').textContent(), POLL).toBe('Renamed welcome.wav to hello.wav; it still plays for Default.');
    expect(sim!.greetings(EXT).map((g) => g.real_filename).sort()).toEqual(['away.wav', 'hello.wav']);
    expect(sim!.selection(EXT).vm_greeting).toBe('hello.wav');
    await expect.poll(() => row('hello.wav').getByTestId('greeting-meta').textContent(), POLL).toContain('16 kHz');
  });

  it('delete a greeting in use: Keep it changes nothing; "move to default and delete" leaves no status on a missing file', async () => {
    await page.getByRole('button', { name: 'Delete away.wav' }).click();
    const dialog = page.getByTestId('confirm-delete');
    await expect.poll(() => dialog.getByTestId('delete-in-use').textContent(), POLL).toContain('for Away, Lunch');
    await shots('delete-in-use');
    await axeAtBothSizes('delete-in-use dialog');
    await page.keyboard.press('Enter'); // the focus is on "Keep it"
    await dialog.waitFor({ state: 'detached' });
    expect(sim!.greetings(EXT).map((g) => g.real_filename)).toContain('away.wav');
    await page.getByRole('button', { name: 'Delete away.wav' }).click();
    await dialog.getByTestId('delete-reset').click();
    await expect.poll(() => page.getByTestId('greeting-note').textContent(), POLL).toBe('Deleted away.wav; Away, Lunch now play the default.');
    expect(sim!.greetings(EXT).map((g) => g.real_filename)).toEqual(['hello.wav']);
    expect(sim!.selection(EXT).presence).toMatchObject({ away: '', lunch: '' });
  });

  it('record by phone: the PBX rings 3201, progress while it waits, the greeting appears in the list and plays', async () => {
    await page.getByTestId('phone-toggle').click();
    await page.getByTestId('phone-number').fill('3201');
    await page.getByTestId('phone-name').fill('front_desk');
    await page.getByTestId('phone-call').click();
    await page.getByTestId('phone-progress').waitFor();
    await page.getByTestId('phone-cancel').waitFor();
    await shots('record-by-phone-waiting', 'record-by-phone');
    await expect.poll(() => page.getByTestId('phone-status').textContent(), POLL).toContain(`Recorded front_desk.wav for extension ${EXT}`);
    const rec = sim!.requestLog().find((e) => e.path.endsWith('extension_vm_greeting/record'))!;
    expect(rec.query).toMatchObject({ owner: EXT, recorder: '3201', file: 'front_desk' });
    await row('front_desk.wav').waitFor();
    expect(await row('front_desk.wav').getAttribute('class')).toContain('new');
    await expect.poll(() => row('front_desk.wav').getByTestId('greeting-meta').textContent(), POLL).toContain('WAV');
    await row('front_desk.wav').getByRole('button', { name: 'Play front_desk.wav' }).click();
    await expect.poll(() => page.getByTestId('greeting-audio').getAttribute('data-playing'), POLL).toBe('front_desk.wav');
    await shots('record-by-phone-done', 'record-by-phone');
    await shots('record-by-phone-in-list', 'greeting-list');
    await axeAtBothSizes('record by phone, done');
  });

  it('a PBX whose API has no selection fields: the matrix is hidden with the reason, the list still works', async () => {
    sim!.setOptions({ selectionFields: 'none' });
    await page.getByRole('button', { name: `Remove ${EXT}` }).click();
    await pickExtension(EXT);
    await expect.poll(() => page.getByTestId('matrix-hidden').textContent(), POLL).toContain('does not report which greeting plays');
    expect(await page.getByTestId('greeting-matrix').count()).toBe(0);
    await expect.poll(() => page.getByTestId('greeting-row').count(), POLL).toBe(2);
    await shots('matrix-hidden', 'matrix-hidden');
    await axeAtBothSizes('matrix hidden');
  });
});

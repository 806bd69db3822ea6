// The Connect screen in Debian Chromium over the test bridge (the real IPC handlers and PBX client) against real
// simulators: Test saves nothing; a self-signed certificate in words, and pinning after a failed Connect connects;
// the last profile is preselected with the focus in the first field; plain HTTP warns that the secret travels
// unencrypted; wrong secrets count down to the PBX's block, whose end shows as local time; a stalled test is
// cancelled; deleting asks first (focus on Cancel). axe-core finds nothing in each state; screenshots at 1280x800
// and 800x600 go to test-artifacts/e2e/ (gitignored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { IpcResult } from '../../main/ipc/channels.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { CHROMIUM_PATH, ensureRendererBuild, newAppContext } from './bridge/browser.js';
import { MemoryProfiles } from './bridge/profiles.js';
import { startBridge, type Bridge } from './bridge/server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const POLL = { timeout: 15_000, interval: 50 };
const SIZES = [{ width: 1280, height: 800 }, { width: 800, height: 600 }] as const;

let tmp = '';
let sim: Simulator;
let plain: Simulator;
let bridge: Bridge;
let profiles: MemoryProfiles;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let axeSource = '';

interface AxeViolation { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }
async function axe(): Promise<string[]> {
  await page.route('**/__axe.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: axeSource }));
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ url: '/__axe.js' });
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> }; document: unknown };
    return (await g.axe.run(g.document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3).join(' ')}`);
}

/** axe-core at both sizes and a screenshot of each: connect-<state>-<w>x<h>.png. */
async function checkState(state: string, show?: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.waitForTimeout(60);
    // The view scrolls inside the window: bring what this state is about into view, as the screen does itself.
    if (show) await page.getByTestId(show).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, `connect-${state}-${size.width}x${size.height}.png`) });
    expect(await axe(), `axe on connect ${state} at ${size.width}x${size.height}`).toEqual([]);
  }
  await page.setViewportSize(SIZES[0]);
}

const focusedTestId = () => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { getAttribute(n: string): string | null } | null } }).document.activeElement?.getAttribute('data-testid') ?? null);
const errorCode = () => page.getByTestId('error-message').getAttribute('data-code');
const form = () => page.getByRole('form', { name: 'PBX profile' });

async function openConnect(): Promise<void> {
  await page.getByTestId('nav-connect').click();
  await expect.poll(focusedTestId, POLL).toBe('pbx-url');
}
async function fill(values: { url: string; clientId: string; secret: string }): Promise<void> {
  await page.getByTestId('pbx-url').fill(values.url);
  await page.getByTestId('pbx-url').blur();
  await page.getByTestId('client-id').fill(values.clientId);
  await page.getByTestId('client-secret').fill(values.secret);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-connect-e2e-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const [renderer] = await Promise.all([ensureRendererBuild(ROOT, path.join(tmp, 'renderer'))]);
  axeSource = await readFile(AXE, 'utf8');
  sim = await startSimulator({ https: true, extensions: 24 });
  plain = await startSimulator({ https: false, extensions: 6 });
  profiles = new MemoryProfiles();
  bridge = await startBridge({
    rendererDir: renderer.dir, dataDir: path.join(tmp, 'data'), profiles,
    startDemoPbx: async () => { throw new Error('no demo in this test'); },
  });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'], timeout: 60_000 });
  context = await newAppContext(browser, SIZES[0]);
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(bridge.url);
  await page.locator('.app[data-ready="true"]').waitFor();
}, 170_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
  await sim?.close().catch(() => undefined);
  await plain?.close().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('Connect screen in Chromium over the bridge', () => {
  it('Test saves nothing; an address without scheme gets https://; self-signed in words; pin and test', async () => {
    await openConnect();
    await checkState('empty');
    const hostPort = sim.url.replace(/^https:\/\//, '');
    await fill({ url: hostPort, clientId: sim.clientId, secret: sim.clientSecret });
    expect(await page.getByTestId('pbx-url').inputValue()).toBe(sim.url);
    await page.getByTestId('test-connection').click();
    await expect.poll(errorCode, POLL).toBe('PBX_TLS_UNTRUSTED');
    expect(await page.getByTestId('error-title').textContent()).toBe('The PBX uses a self-signed certificate');
    expect(await page.getByTestId('error-technical').textContent()).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(await page.getByTestId('tls-fingerprint').textContent()).toBe(sim.fingerprint256);
    await checkState('tls-self-signed', 'error-message');
    await page.getByRole('button', { name: 'Pin this certificate and test' }).click();
    await expect.poll(() => page.getByTestId('test-ok').textContent(), POLL).toContain('24 extensions');
    expect(await profiles.list()).toEqual([]);
    expect(bridge.calls.filter((c) => c.channel === 'saveProfile')).toEqual([]);
    await checkState('test-ok', 'test-ok');
  });

  it('pinning after a failed Connect connects; the last profile is preselected next time', async () => {
    await page.getByTestId('tls-mode').selectOption('system');
    await page.getByTestId('profile-name').fill('Head office');
    await form().getByRole('button', { name: 'Connect', exact: true }).click();
    await expect.poll(errorCode, POLL).toBe('PBX_TLS_UNTRUSTED');
    await page.getByRole('button', { name: 'Pin this certificate and connect' }).click();
    await expect.poll(() => page.getByTestId('connection-status').getAttribute('data-status'), POLL).toBe('online');
    const saved = await profiles.list();
    expect(saved).toMatchObject([{ name: 'Head office', baseUrl: sim.url, tls: { mode: 'pin', pinSha256: sim.fingerprint256 } }]);
    // A second profile, saved later: the one connected last stays preselected.
    await profiles.save({ name: 'Branch', baseUrl: plain.url, clientId: plain.clientId, clientSecret: plain.clientSecret, tls: { mode: 'system' } });
    await page.reload();
    await page.locator('.app[data-ready="true"]').waitFor();
    await openConnect();
    await expect.poll(() => page.getByTestId('pbx-url').inputValue(), POLL).toBe(sim.url);
    expect(await page.getByRole('radio', { name: /Head office/ }).isChecked()).toBe(true);
  });

  it('plain HTTP shows the warning; wrong secrets count down to the block, shown as local time', async () => {
    await page.getByRole('button', { name: 'New profile' }).click();
    await fill({ url: plain.url, clientId: plain.clientId, secret: plain.clientSecret });
    await expect.poll(() => page.getByTestId('address-warning').textContent(), POLL).toContain('travel unencrypted');
    await page.getByTestId('test-connection').click();
    await expect.poll(() => page.getByTestId('test-warning').textContent(), POLL).toMatch(/Plain HTTP .*travel unencrypted/);
    await checkState('plain-http', 'test-warning');
    await page.getByTestId('client-secret').fill('wrong-secret');
    for (const left of [4, 3, 2, 1, 0]) {
      await page.getByTestId('test-connection').click();
      await expect.poll(() => page.getByTestId('attempts-left').getAttribute('data-left'), POLL).toBe(String(left));
      if (left === 3) await checkState('wrong-secret', 'error-message');
    }
    await page.getByTestId('test-connection').click();
    await expect.poll(errorCode, POLL).toBe('PBX_70004');
    const call = bridge.calls.filter((c) => c.channel === 'testProfile').at(-1)!;
    const r = call.result as IpcResult<unknown>;
    const until = !r.ok ? (r.error.detail?.['blockedUntil'] as string) : '';
    expect(Math.abs(Date.parse(until) - (Date.now() + 1800_000))).toBeLessThan(15_000);
    const local = await page.evaluate((iso) => new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }), until);
    expect(await page.getByTestId('error-title').textContent()).toBe(`This computer is blocked until ${local}`);
    expect(await page.getByTestId('error-message').textContent()).not.toMatch(/\d{9,}/);
    await checkState('blocked', 'error-message');
    expect(await profiles.list()).toHaveLength(2); // none of these tests saved anything
  });

  it('a test that hangs can be cancelled', async () => {
    await page.getByRole('radio', { name: /Head office/ }).check();
    sim.injectFault({ kind: 'latency', ms: 20_000, path: 'get_token', times: 1 });
    try {
      // The saved profile's secret is used (same origin); a new client means a new token, so the stall hits it.
      await page.getByTestId('client-secret').fill(sim.clientSecret);
      const t0 = Date.now();
      await page.getByTestId('test-connection').click();
      await page.getByTestId('cancel-test').waitFor();
      await checkState('testing', 'cancel-test');
      await page.getByTestId('cancel-test').click();
      await expect.poll(() => page.getByTestId('connect-notice').textContent(), POLL).toContain('Test cancelled');
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(await page.getByTestId('test-connection').isEnabled()).toBe(true);
    } finally {
      sim.clearFaults();
    }
  });

  it('deleting a profile asks first, with the focus on Cancel', async () => {
    await page.getByRole('radio', { name: /Branch/ }).check();
    await page.getByTestId('delete-profile').click();
    const dialog = page.getByTestId('delete-dialog');
    await dialog.waitFor();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { textContent: string | null } | null } }).document.activeElement?.textContent?.trim() ?? null), POLL).toBe('Cancel');
    await checkState('delete-dialog');
    await page.keyboard.press('Enter'); // Enter on the focused Cancel: nothing deleted
    await dialog.waitFor({ state: 'detached' });
    expect(await profiles.list()).toHaveLength(2);
    await page.getByTestId('delete-profile').click();
    await page.getByTestId('confirm-delete').click();
    await expect.poll(() => profiles.list().then((l) => l.map((p) => p.name)), POLL).toEqual(['Head office']);
  });
});

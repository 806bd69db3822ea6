// End-to-end: the BUILT renderer in Debian Chromium (playwright-core), its window.vmgs provided by the test bridge
// that runs the same IPC handlers as the Electron main process over the real core (ffmpeg audio engine, drafts
// library, upload queue and worker, PBX client) and a real simulator started here. The fake microphone plays
// espeak-ng speech generated at test time. The PBX is reached through a TCP proxy the test opens and closes, so
// "the PBX stops answering" is a refused connection on the same address and certificate.
// Screenshots of each step go to test-artifacts/e2e/ (gitignored).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHANNEL_NAMES, type AnalysisResult, type IpcResult, type SourceInfo } from '../../main/ipc/channels.js';
import { PbxClient } from '../../main/core/pbx/index.js';
import { VmgsError } from '../../main/core/errors.js';
import { buildVmgsApi } from '../../main/shell/preload-api.js';
import { startSimulator, type Simulator } from '../../main/sim/index.js';
import { espeak } from '../helpers/audio-fixtures.js';
import { ensureRendererBuild, launchChromium, makeMicWav, newAppContext, probe, resetClicks } from './bridge/browser.js';
import { startBridge, type Bridge, type CallRecord } from './bridge/server.js';
import { encodeWire, decodeWire } from './bridge/wire.js';

const execFileP = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const MAX_CLICKS = 4; // the goal
const FLOW_CLICKS = 3; // Record, Stop, Upload now (the extension is typed and picked with Enter)
const POLL = { timeout: 15_000, interval: 50 };
const DRAIN = { timeout: 45_000, interval: 200 };

let tmp = '';
let dataDir = '';
let sim: Simulator | undefined;
let proxy: PbxProxy | undefined;
let bridge: Bridge | undefined;
let browser: Browser | undefined;
let context: BrowserContext | undefined;
let page: Page;
let importFile = '';
let axeSource = '';
let rendererDir = '';
/** The extension picked by name, and the part of its name typed into the search. */
let target = { number: '', name: '', query: '' };

function ok<T>(c: CallRecord): T {
  const r = c.result as IpcResult<T>;
  if (!r.ok) throw new Error(`${c.channel} failed: ${r.error.code} ${r.error.message}`);
  return r.value;
}
const isOk = (c: CallRecord) => c.result.ok;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const hasFocus = (locator: ReturnType<Page['getByTestId']>) => locator.evaluate((el) => el === el.ownerDocument.activeElement);

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** A TCP proxy on a fixed port in front of the simulator: down = connection refused, up = the same PBX again. */
interface PbxProxy {
  url: string;
  up(): Promise<void>;
  down(): Promise<void>;
  close(): Promise<void>;
}
async function startProxy(targetPort: number): Promise<PbxProxy> {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  const probeServer = net.createServer();
  await new Promise<void>((r) => probeServer.listen(0, '127.0.0.1', () => r()));
  const port = (probeServer.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probeServer.close(() => r()));
  const p: PbxProxy = {
    url: `https://127.0.0.1:${port}`,
    async up() {
      if (server) return;
      const s = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        sockets.add(client).add(upstream);
        const drop = () => {
          client.destroy();
          upstream.destroy();
          sockets.delete(client);
          sockets.delete(upstream);
        };
        client.on('error', drop).on('close', drop);
        upstream.on('error', drop).on('close', drop);
        client.pipe(upstream).pipe(client);
      });
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    async down() {
      const s = server;
      server = null;
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      if (s) await new Promise<void>((r) => s.close(() => r()));
    },
    close: () => p.down(),
  };
  return p;
}

function demoPbx(): () => Promise<{ url: string; clientId: string; clientSecret: string; fingerprint256?: string; close(): Promise<void> }> {
  return async () => ({ url: proxy!.url, clientId: sim!.clientId, clientSecret: sim!.clientSecret, ...(sim!.fingerprint256 ? { fingerprint256: sim!.fingerprint256 } : {}), close: async () => undefined });
}

/** A bridge in its own Node process (the built bridge in build/), for "close the app, open it again". */
async function startBridgeProcess(rendererDir: string): Promise<{ url: string; child: ChildProcess }> {
  const serverJs = path.join(ROOT, 'build', 'test', 'e2e', 'bridge', 'server.js');
  if (!(await stat(serverJs).catch(() => null))) await execFileP('npm', ['run', 'build:main'], { cwd: ROOT, timeout: 170_000 });
  const script = `const { startBridge } = await import(${JSON.stringify(serverJs)});
const b = await startBridge({ rendererDir: process.env.R, dataDir: process.env.D, startDemoPbx: async () => { throw new Error('no demo here'); } });
process.stdout.write(b.url + '\\n');
process.on('SIGTERM', () => b.close().then(() => process.exit(0)));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, R: rendererDir, D: dataDir }, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`bridge process exited with ${code}`)));
  });
  return { url, child };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
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

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}
/** Injects axe-core (from the page's own origin: the app's CSP allows 'self' scripts only) and runs it. */
async function axe(): Promise<string[]> {
  await page.route('**/__axe.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: axeSource }));
  await page.addScriptTag({ url: '/__axe.js' });
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: AxeViolation[] }> }; document: unknown };
    return (await g.axe.run(g.document, { resultTypes: ['violations'] })).violations;
  });
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} @ ${v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3).join(' ')}`);
}

const VIEWS = ['workspace', 'drafts', 'outbox', 'history', 'connect'] as const;
/** Every view: the focus lands on its heading, axe finds nothing, and a screenshot at 1280x800 and 800x600. */
async function checkEveryView(label: string): Promise<void> {
  for (const size of [{ width: 1280, height: 800 }, { width: 800, height: 600 }]) {
    await page.setViewportSize(size);
    for (const v of VIEWS) {
      await page.getByTestId(`nav-${v}`).click();
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { hasAttribute(n: string): boolean } | null } }).document.activeElement?.hasAttribute('data-view-heading') ?? false), POLL).toBe(true);
      await page.waitForTimeout(150); // let the view's first page arrive
      await shot(`view-${v}-${label}-${size.width}x${size.height}`);
      expect(await axe(), `axe on ${v} (${label}, ${size.width}x${size.height})`).toEqual([]);
    }
  }
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.getByTestId('nav-workspace').click();
}

async function connectionStatus(): Promise<string | null> {
  return page.getByTestId('connection-status').getAttribute('data-status');
}

/** Waits for the caller preview of a render started after call index `since`. */
async function previewReady(since: number): Promise<void> {
  await bridge!.waitForCall('renderPreview', { since, pred: isOk, timeoutMs: 40_000 });
  await page.getByTestId('preview-status').filter({ hasText: 'Caller preview ready' }).waitFor({ timeout: 15_000 });
}

async function pickTarget(): Promise<void> {
  const search = page.getByTestId('extension-search');
  await search.fill('');
  await search.pressSequentially(target.query, { delay: 10 });
  await expect.poll(() => page.getByTestId('extension-count').textContent(), POLL).toContain('1 extension match');
  await expect.poll(() => page.getByTestId('extension-option').first().getAttribute('data-number'), POLL).toBe(target.number);
  if ((await page.getByRole('button', { name: `Remove ${target.number}` }).count()) === 0) await search.press('Enter');
  await page.getByRole('button', { name: `Remove ${target.number}` }).waitFor();
}

async function record(seconds: number): Promise<SourceInfo> {
  const since = bridge!.calls.length;
  await page.getByLabel('Countdown').selectOption('0');
  await page.getByTestId('record-button').click();
  await page.getByTestId('record-status').filter({ hasText: /Recording \d/ }).waitFor({ timeout: 10_000 });
  await page.waitForTimeout(seconds * 1000);
  await page.getByTestId('record-button').click();
  const source = ok<SourceInfo>(await bridge!.waitForCall('finishTake', { since, timeoutMs: 20_000 }));
  await previewReady(since);
  return source;
}

async function outboxRow(ext: string, file: string) {
  return page.getByTestId('outbox-row').and(page.locator(`[data-ext="${ext}"]`)).filter({ hasText: file });
}

/** Brings the PBX back and connects to the demo profile again when an earlier step left the app elsewhere. */
async function ensureOnline(): Promise<void> {
  await proxy!.up();
  if ((await connectionStatus()) === 'online') return;
  await page.getByTestId('nav-connect').click();
  await page.getByTestId('try-demo').click();
  await expect.poll(connectionStatus, { timeout: 20_000 }).toBe('online');
}

async function vmgreet(args: string[]): Promise<unknown> {
  const { stdout } = await execFileP(process.execPath, [path.join(ROOT, 'bin', 'vmgreet.js'), ...args, '--data-dir', dataDir, '--json'], { cwd: ROOT, timeout: 60_000 });
  return JSON.parse(stdout) as unknown;
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vmgs-e2e-'));
  dataDir = path.join(tmp, 'data');
  await mkdir(ARTIFACTS, { recursive: true });
  importFile = path.join(tmp, 'welcome-import.wav');
  const [renderer, mic] = await Promise.all([
    ensureRendererBuild(ROOT, path.join(tmp, 'renderer')),
    makeMicWav(path.join(tmp, 'mic.wav'), 'Hello, you have reached the sales team. Please leave a message after the tone.'),
    espeak(importFile, 'Welcome to the support line. All our agents are busy, please stay on the line.'),
  ]);
  axeSource = await readFile(AXE, 'utf8');
  sim = await startSimulator({ https: true, extensions: 250 });
  target = await chooseTarget(sim);
  proxy = await startProxy(sim.port);
  rendererDir = renderer.dir;
  browser = await launchChromium(mic);
  context = await newAppContext(browser);
  page = await context.newPage();
  page.setDefaultTimeout(20_000);
}, 180_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await bridge?.close().catch(() => undefined);
  await proxy?.close().catch(() => undefined);
  await sim?.close().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('desktop UI in Debian Chromium over the IPC bridge', () => {
  it('fresh data folder, no profile: the workspace records 3 s and the draft is in Drafts; a new bridge process on the same folder still has it', async () => {
    const first = await startBridgeProcess(rendererDir);
    try {
      await page.goto(first.url);
      await page.locator('.app[data-ready="true"]').waitFor();
      expect(await connectionStatus()).toBe('offline');
      expect(await page.getByTestId('record-button').isEnabled()).toBe(true);
      await shot('01-workspace-no-profile');
      await page.getByLabel('Countdown').selectOption('0');
      await page.getByTestId('record-button').click();
      await page.getByTestId('record-status').filter({ hasText: /Recording \d/ }).waitFor({ timeout: 10_000 });
      await page.waitForTimeout(3000);
      await page.getByTestId('record-button').click();
      await page.getByTestId('preview-status').filter({ hasText: 'Caller preview ready' }).waitFor({ timeout: 40_000 });
      await expect.poll(() => page.getByTestId('draft-status').textContent(), POLL).toContain('Kept in Drafts');
      await shot('02-recorded-offline');
      await page.getByTestId('nav-drafts').click();
      await expect.poll(() => page.getByTestId('draft-row').count(), POLL).toBe(1);
      await shot('03-drafts-one');
    } finally {
      await stopProcess(first.child);
    }

    bridge = await startBridge({ rendererDir, dataDir, startDemoPbx: demoPbx() });
    await page.goto(bridge.url);
    await page.locator('.app[data-ready="true"]').waitFor();
    await page.getByTestId('nav-drafts').click();
    const row = page.getByTestId('draft-row').first();
    await row.waitFor();
    expect(await page.getByTestId('draft-row').count()).toBe(1);
    // Its analysis survived too: length and loudness are shown.
    await expect.poll(() => row.textContent(), POLL).toMatch(/0:0[2-4]\.\d/);
    await expect.poll(() => row.textContent(), POLL).toMatch(/-\d+\.\d LUFS/);
  });

  it('serves the built app with a window.vmgs shim shaped like the preload API, behind the sender check', async () => {
    const shimKeys = (await page.evaluate(() => Object.keys((globalThis as unknown as { vmgs: object }).vmgs))).sort();
    const preloadKeys = Object.keys(buildVmgsApi({ invoke: async () => undefined, on: () => undefined, removeListener: () => undefined })).filter((k) => k !== 'importDroppedFile').sort();
    expect(shimKeys).toEqual(preloadKeys);
    expect(shimKeys).toEqual([...CHANNEL_NAMES, 'on'].sort());
    expect(await page.evaluate(() => Object.isFrozen((globalThis as unknown as { vmgs: object }).vmgs))).toBe(true);
    const bad = await page.evaluate(() => (globalThis as unknown as { vmgs: { searchExtensions(r: unknown): Promise<unknown> } }).vmgs.searchExtensions({ query: 5, page: 1, pageSize: 10 }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'IPC_BAD_PAYLOAD' } });
    for (const origin of ['http://evil.example', undefined]) {
      const r = await fetch(`${bridge!.origin}/__vmgs/call/listProfiles`, {
        method: 'POST', headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) }, body: '{}',
      });
      expect(decodeWire(await r.text())).toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN_SENDER' } });
    }
    const round = decodeWire(encodeWire({ b: new Uint8Array([0, 1, 255]) })) as { b: Uint8Array };
    expect([...round.b]).toEqual([0, 1, 255]);
  });

  it('every view offline (no profile): axe-core 0 violations, screenshots', async () => {
    await checkEveryView('offline');
  });

  it(`demo PBX -> record 2 s -> pick by name -> Upload now, in ${FLOW_CLICKS} clicks (goal <= ${MAX_CLICKS}) -> Outbox drains -> the PBX has it`, async () => {
    await proxy!.up();
    await page.getByTestId('nav-connect').click();
    await page.getByTestId('try-demo').click();
    await expect.poll(connectionStatus, { timeout: 20_000 }).toBe('online');
    await expect.poll(() => page.getByTestId('connection-status').textContent(), POLL).toContain('250 extensions');
    await page.getByTestId('extension-option').first().locator('.num').waitFor();
    await resetClicks(page);

    const search = page.getByTestId('extension-search');
    await search.focus();
    await search.pressSequentially(target.query, { delay: 15 });
    await expect.poll(() => page.getByTestId('extension-count').textContent(), POLL).toContain('1 extension match');
    await search.press('Enter');
    await page.getByRole('button', { name: `Remove ${target.number}` }).waitFor();
    const since = bridge!.calls.length;
    await page.getByTestId('record-button').click();
    await page.getByTestId('record-status').filter({ hasText: /Recording \d/ }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(2000);
    await page.getByTestId('record-button').click();
    const analysis = ok<AnalysisResult>(await bridge!.waitForCall('analyse', { since, timeoutMs: 20_000 }));
    expect(analysis.integratedLufs).toBeGreaterThan(-60);
    await previewReady(since);
    await shot('04-editor-online');
    await page.getByTestId('upload-button').click();
    await page.getByTestId('outbox-view').waitFor();
    const clicks = await probe(page);
    expect(clicks.clicks).toBe(FLOW_CLICKS);
    expect(clicks.clickTargets.map((t) => t.split(':')[1])).toEqual(['record-button', 'record-button', 'upload-button']);
    expect(bridge!.calls.slice(since).map((c) => c.channel).filter((c) => c === 'checkNames' || c === 'enqueueUploads')).toEqual(['checkNames', 'enqueueUploads']);
    const row = await outboxRow(target.number, 'greeting.wav');
    await expect.poll(() => row.getAttribute('data-state'), DRAIN).toBe('uploaded');
    expect(await row.textContent()).toContain('created');
    expect(sim!.greetings(target.number).map((g) => g.file)).toEqual(['greeting.wav']);
    await shot('05-outbox-uploaded');
  });

  it('every view online: axe-core 0 violations, screenshots', async () => {
    await checkEveryView('online');
  });

  it('same name again: the existing one is shown first (same bytes: left unchanged; focus on Cancel, Enter cancels); a new take kept both as greeting-2.wav', async () => {
    await page.getByTestId('nav-workspace').click();
    let since = bridge!.calls.length;
    await page.getByTestId('upload-button').click();
    const dialog = page.getByTestId('exists-dialog');
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent(), POLL).toContain(`Extension ${target.number} (the same recording: left unchanged)`);
    expect(await hasFocus(page.getByTestId('exists-cancel'))).toBe(true);
    await shot('06-exists-dialog');
    expect(await axe()).toEqual([]);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(bridge!.calls.slice(since).some((c) => c.channel === 'enqueueUploads')).toBe(false);

    // A tighter trim makes different bytes: keep both stores them under the keep-both name.
    since = bridge!.calls.length;
    const end = Number(await page.getByTestId('trim-end').inputValue());
    await page.getByTestId('trim-end').fill(String(Math.round((end - 0.3) * 100) / 100));
    await page.getByTestId('trim-end').press('Tab');
    await previewReady(since);
    await page.getByTestId('upload-button').click();
    await dialog.waitFor();
    await expect.poll(() => dialog.textContent(), POLL).toContain('stored as greeting-2.wav');
    await dialog.getByTestId('exists-confirm').click();
    await page.getByTestId('outbox-view').waitFor();
    await expect.poll(() => sim!.greetings(target.number).map((g) => g.file).sort(), DRAIN).toEqual(['greeting-2.wav', 'greeting.wav']);
    await expect.poll(async () => (await page.getByTestId('outbox-table').textContent()) ?? '', DRAIN).toContain('greeting-2.wav');
  });

  it('overwrite keeps a backup (History says so) and Rollback restores the old bytes byte for byte', async () => {
    const old = Buffer.from(sim!.greetings(target.number).find((g) => g.file === 'greeting.wav')!.bytes);
    await page.getByTestId('nav-workspace').click();
    // A tighter trim makes different bytes.
    const since = bridge!.calls.length;
    const end = Number(await page.getByTestId('trim-end').inputValue());
    await page.getByTestId('trim-end').fill(String(Math.round((end - 0.4) * 100) / 100));
    await page.getByTestId('trim-end').press('Tab');
    await previewReady(since);
    await page.getByTestId('if-exists').selectOption('overwrite');
    await page.getByTestId('upload-button').click();
    await page.getByTestId('exists-dialog').waitFor();
    await page.getByTestId('exists-confirm').click();
    await page.getByTestId('outbox-view').waitFor();
    await expect.poll(() => sha(sim!.greetings(target.number).find((g) => g.file === 'greeting.wav')!.bytes), DRAIN).not.toBe(sha(old));

    await page.getByTestId('nav-history').click();
    const entry = page.getByTestId('history-row').and(page.locator(`[data-ext="${target.number}"][data-file="greeting.wav"]`)).first();
    await expect.poll(() => entry.getByTestId('history-result').textContent(), POLL).toContain('overwritten');
    expect((await entry.getByTestId('history-backup').textContent())?.trim()).toBe('Yes');
    await entry.getByRole('button', { name: /^Roll back/ }).click();
    const confirm = page.getByTestId('confirm-rollback');
    await confirm.waitFor();
    expect(await hasFocus(page.getByTestId('rollback-cancel'))).toBe(true);
    await shot('07-rollback-confirm');
    await page.getByTestId('rollback-confirm').click();
    await expect.poll(() => sha(sim!.greetings(target.number).find((g) => g.file === 'greeting.wav')!.bytes), DRAIN).toBe(sha(old));
    await shot('08-history-rolled-back');
  });

  it('offline: pick from the cached directory (its age shown), "Upload when connected" -> pending (also in `vmgreet queue list`) -> PBX back, connect -> drained', async () => {
    await page.getByTestId('nav-connect').click();
    await page.getByTestId('disconnect').click();
    await proxy!.down();
    await expect.poll(connectionStatus, POLL).toBe('offline');
    await page.getByTestId('nav-workspace').click();
    await expect.poll(() => page.getByTestId('directory-age').textContent(), POLL).toMatch(/Offline: directory from .+ old\./);
    await pickTarget();
    await page.getByTestId('greeting-name').fill('offline_take');
    await page.getByTestId('if-exists').selectOption('rename');
    await expect.poll(() => page.getByTestId('upload-button').textContent(), POLL).toContain('Upload when connected');
    await shot('09-offline-cached-directory');
    await page.getByTestId('upload-button').click();
    const row = await outboxRow(target.number, 'offline_take');
    await expect.poll(() => row.getAttribute('data-state'), POLL).toBe('pending');
    await shot('10-outbox-pending-offline');

    const listed = (await vmgreet(['queue', 'list'])) as { items?: { ext?: string; fileName?: string; state?: string }[] };
    expect(JSON.stringify(listed)).toContain('offline_take');

    await proxy!.up();
    await page.getByTestId('nav-connect').click();
    await page.getByTestId('try-demo').click();
    await expect.poll(connectionStatus, { timeout: 20_000 }).toBe('online');
    await page.getByTestId('nav-outbox').click();
    await expect.poll(() => row.getAttribute('data-state'), DRAIN).toBe('uploaded');
    expect(sim!.greetings(target.number).map((g) => g.file)).toContain('offline_take.wav');
  });

  it('the PBX stops answering: banner within 15 s, header never "online", an upload stays pending; it returns -> drained', async () => {
    await ensureOnline();
    await proxy!.down();
    const t0 = Date.now();
    await page.getByTestId('unreachable-banner').waitFor({ timeout: 15_000 });
    console.log(`unreachable banner after ${Date.now() - t0} ms`);
    expect(await connectionStatus()).toBe('unreachable');
    await shot('11-unreachable-banner');
    expect(await axe()).toEqual([]);
    await page.getByTestId('nav-workspace').click();
    await page.getByTestId('greeting-name').fill('outage_take');
    await page.getByTestId('upload-button').click();
    const row = await outboxRow(target.number, 'outage_take');
    await expect.poll(() => row.getAttribute('data-state'), POLL).toBe('pending');
    await page.waitForTimeout(2000);
    expect(await row.getAttribute('data-state')).toBe('pending');
    await proxy!.up();
    await page.getByTestId('banner-reconnect').click().catch(() => undefined); // it may have come back by itself already
    await expect.poll(() => row.getAttribute('data-state'), DRAIN).toBe('uploaded');
    await expect.poll(connectionStatus, POLL).toBe('online');
    expect(await page.getByTestId('unreachable-banner').count()).toBe(0);
    expect(sim!.greetings(target.number).map((g) => g.file)).toContain('outage_take.wav');
  });

  it('imports a file through the file input and sends it under a new name', async () => {
    await ensureOnline();
    await page.getByTestId('nav-workspace').click();
    const since = bridge!.calls.length;
    await page.getByTestId('file-input').setInputFiles(importFile);
    const src = ok<SourceInfo>(await bridge!.waitForCall('importBytes', { since, timeoutMs: 20_000 }));
    expect(src).toMatchObject({ origin: 'import', name: 'welcome-import.wav' });
    await previewReady(since);
    await page.getByTestId('greeting-name').fill('support_welcome');
    await page.getByTestId('upload-button').click();
    const row = await outboxRow(target.number, 'support_welcome');
    await expect.poll(() => row.getAttribute('data-state'), DRAIN).toBe('uploaded');
    expect(sim!.greetings(target.number).some((g) => g.file.startsWith('support_welcome.'))).toBe(true);
  });

  it('keyboard only: record, stop, rename and send, with a visible focus at every stop', async () => {
    await ensureOnline();
    await page.getByTestId('nav-workspace').click();
    const since = bridge!.calls.length;
    async function tabTo(testid: string, onWay?: (id: string) => Promise<void>): Promise<void> {
      for (let i = 0; i < 60; i++) {
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
    await page.getByTestId('extension-search').focus();
    await tabTo('record-button');
    await page.keyboard.press('Enter');
    await page.getByTestId('record-status').filter({ hasText: /Recording \d/ }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(1500);
    await page.keyboard.press('Enter');
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
    await page.keyboard.press('Enter');
    await page.getByTestId('outbox-view').waitFor();
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as { document: { activeElement: { hasAttribute(n: string): boolean } | null } }).document.activeElement?.hasAttribute('data-view-heading') ?? false), POLL).toBe(true);
    const row = await outboxRow(target.number, 'keyboard_take');
    await expect.poll(() => row.getAttribute('data-state'), DRAIN).toBe('uploaded');
    expect(sim!.greetings(target.number).map((g) => g.file)).toContain('keyboard_take.wav');
    await shot('12-keyboard-sent');
  });

  it('drafts made with the CLI (vmgreet drafts add, vmgreet tts --template … --ext) appear in the app\'s Drafts, with their scripts', async () => {
    await vmgreet(['drafts', 'add', importFile, '--name', 'cli_added', '--ext', target.number, '--script', 'Welcome to the support line']);
    const args = ['tts', '--template', 'away', '--ext', target.number, '--name', 'cli_away', '--fill', 'company=Acme', '--fill', 'back_date=2026-12-10',
      '--pbx', sim!.url, '--client-id', sim!.clientId, '--pin', sim!.fingerprint256!, '--data-dir', dataDir, '--json'];
    const r = await execFileP(process.execPath, [path.join(ROOT, 'bin', 'vmgreet.js'), ...args], { cwd: ROOT, timeout: 90_000, env: { ...process.env, VMGREET_CLIENT_SECRET: sim!.clientSecret } })
      .then(() => 0, (e: { code?: number }) => e.code ?? -1);
    console.log(`vmgreet tts exit ${r}`);
    await page.getByTestId('nav-drafts').click();
    await page.getByTestId('draft-search').fill('cli_');
    const added = page.getByTestId('draft-row').filter({ hasText: 'cli_added' });
    const away = page.getByTestId('draft-row').filter({ hasText: 'cli_away' });
    await expect.poll(() => added.count(), POLL).toBe(1);
    await expect.poll(() => away.count(), POLL).toBe(1);
    expect(await added.textContent()).toContain('Welcome to the support line');
    expect(await added.textContent()).toContain(target.number);
    expect(await away.textContent()).toMatch(/away/i);
    await shot('13-cli-drafts-in-app');
    await page.getByTestId('draft-search').fill('');
  });

  it('wrong secret shows the typed error (after pinning the self-signed certificate it offers)', async () => {
    const wrong = 'not-the-secret';
    const client = new PbxClient({ baseUrl: sim!.url, clientId: sim!.clientId, clientSecret: wrong, tls: { pinSha256: sim!.fingerprint256! }, onWarning: () => undefined });
    const expected = await client.testConnection().then(() => null, (e: unknown) => e);
    expect(expected).toBeInstanceOf(VmgsError);
    const exp = expected as VmgsError;

    await page.getByTestId('nav-connect').click();
    await page.getByRole('button', { name: 'New profile' }).click();
    await page.getByTestId('pbx-url').fill(sim!.url);
    await page.getByTestId('client-id').fill(sim!.clientId);
    await page.getByTestId('client-secret').fill(wrong);
    await page.getByRole('form', { name: 'PBX profile' }).getByRole('button', { name: 'Connect', exact: true }).click();
    const err = page.getByTestId('error-message');
    await expect.poll(() => err.getAttribute('data-code'), POLL).toBe('PBX_TLS_UNTRUSTED');
    await expect.poll(() => page.getByTestId('tls-fingerprint').textContent().then((t) => t?.trim()), POLL).toBe(sim!.fingerprint256!);
    await shot('14-tls-untrusted');
    await page.getByRole('button', { name: 'Pin this certificate' }).click();
    await expect.poll(() => err.getAttribute('data-code'), POLL).toBe(exp.code);
    await expect.poll(() => err.locator('strong').textContent().then((t) => t?.trim()), POLL).toBe('Wrong Client ID or Client Secret');
    expect(exp.message).not.toContain(wrong);
    await shot('15-wrong-secret');
  });
});

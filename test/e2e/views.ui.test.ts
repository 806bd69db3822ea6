// Every view of the BUILT renderer in Debian Chromium, with a scripted window.vmgs in the page (no core, no PBX):
// offline, online and unreachable, at 1280x800 and 800x600 (light; dark at 1280x800). axe-core is injected
// into each and must report 0 violations; screenshots go to test-artifacts/e2e/views/ (gitignored). The flows over
// the real handlers and simulator are in app.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdir, readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHANNEL_NAMES } from '../../main/ipc/channels.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RENDERER = path.join(ROOT, 'build', 'renderer');
const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e', 'views');
const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

type Status = 'offline' | 'online' | 'unreachable';
interface FakeConfig {
  status: Status;
  channels: string[];
  drafts: number;
}

/** Runs in the page before the app: a window.vmgs answering from made-up data. Self-contained (serialised). */
function installFake(cfg: FakeConfig): void {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const ext = (i: number) => ({ id: i + 1, number: String(3200 + i), callerIdName: ['Anna Berg', 'Ben Cole', 'Cleo Diaz', 'Dan Evans', 'Eva Fox'][i % 5]! + ` ${i}`, email: '', presence: i % 3 ? 'available' : 'away', online: i % 2 === 0 });
  const exts = Array.from({ length: 40 }, (_, i) => ext(i));
  const draft = (i: number, over: Record<string, unknown> = {}) => ({
    id: `d${i}`, name: i % 4 === 0 ? `Out of office ${i}` : `Sales welcome ${i}`, origin: i % 3 ? 'recording' : 'import', createdAt: iso(now - (cfg.drafts - i) * 3_600_000),
    updatedAt: iso(now - (cfg.drafts - i) * 3_000_000), durationSec: 4 + (i % 20), integratedLufs: -19 - (i % 5) / 2, format: i % 5 ? 'wav' : null,
    renderedBytes: i % 5 ? 64_044 + i : null, sourceBytes: 180_000 + i, targets: i % 2 ? ['3201', '3202'] : [], script: i % 3 ? null : 'Thank you for calling. Our office is closed today.',
    trashedAt: null, unfinished: false, ...over,
  });
  const drafts = Array.from({ length: cfg.drafts }, (_, i) => draft(i));
  if (drafts.length > 0) drafts[drafts.length - 1] = draft(cfg.drafts - 1, { name: 'Recording 09:41', unfinished: true, format: null, renderedBytes: null, durationSec: null });
  const trashed = [draft(9000, { name: 'Old holiday greeting', trashedAt: iso(now - 86_400_000) })];
  const item = (id: string, ext: string, state: string, over: Record<string, unknown> = {}) => ({
    id, createdAt: iso(now - 600_000), updatedAt: iso(now - 60_000), ext, fileName: 'greeting.wav', target: null, policy: 'rename', pbxLabel: 'Head office',
    pbxProfileId: 'p1', pbxOrigin: 'https://pbx.example:8088', state, percent: null, action: null, attempts: 0, parked: false, error: null,
    waitingReason: null, draftId: 'd1', sourceLabel: 'Sales welcome 1', backupTaken: false, activate: null, ...over,
  });
  const outbox = [
    item('o1', '3201', 'pending', cfg.status === 'online' ? {} : { waitingReason: 'The PBX is not reachable: this is uploaded when it answers again.' }),
    item('o2', '3202', 'running', { percent: 42 }),
    item('o3', '3203', 'uploaded', { action: 'overwritten', backupTaken: true }),
    item('o4', '3204', 'renamed', { action: 'renamed', target: 'greeting-2.wav' }),
    item('o5', '3299', 'failed', { attempts: 1, error: { code: 'PBX_EXT_NOT_FOUND', kind: 'pbx', message: 'Extension 3299 does not exist on this PBX.' } }),
    item('o6', '4100', 'failed', { parked: true, pbxLabel: 'Branch PBX', error: { code: 'NO_CREDENTIALS', kind: 'usage', message: 'No saved secret for Branch PBX.' }, waitingReason: 'Open Connect and save the Client Secret of Branch PBX.' }),
    item('o7', '3207', 'skipped', { action: 'skipped' }),
  ];
  const counts = { pending: 1, running: 1, uploaded: 1, skipped: 1, renamed: 1, failed: 2, cancelled: 0 };
  const history = [
    { id: 'h3', at: iso(now - 120_000), pbxLabel: 'Head office', ext: '3203', fileName: 'greeting.wav', bytes: 64_044, result: 'overwritten', reason: null, backupTaken: true, canRollback: true, rolledBack: false },
    { id: 'h2', at: iso(now - 300_000), pbxLabel: 'Head office', ext: '3204', fileName: 'greeting-2.wav', bytes: 64_044, result: 'renamed', reason: null, backupTaken: false, canRollback: true, rolledBack: false },
    { id: 'h1', at: iso(now - 900_000), pbxLabel: 'Head office', ext: '3299', fileName: 'greeting.wav', bytes: 0, result: 'failed', reason: 'Extension 3299 does not exist on this PBX.', backupTaken: false, canRollback: false, rolledBack: false },
  ];
  const profile = { id: 'p1', name: 'Head office', baseUrl: 'https://pbx.example:8088', clientId: 'vmgs', tls: { mode: 'system' }, hasSecret: true, secretSessionOnly: false, demo: false };
  const connection = { status: cfg.status, profileId: 'p1', profileName: 'Head office', since: iso(now - 60_000), message: cfg.status === 'unreachable' ? 'The PBX did not answer the last 3 calls (timeout after 10 s).' : null };
  const page = <T,>(all: T[], r: { page: number; pageSize: number }) => ({ total: all.length, page: r.page, pageSize: r.pageSize, items: all.slice((r.page - 1) * r.pageSize, r.page * r.pageSize) });
  const answers: Record<string, (r: Record<string, unknown>) => unknown> = {
    connectionState: () => connection,
    listOutbox: (r) => ({ ...page(outbox, r as { page: number; pageSize: number }), counts, draining: cfg.status === 'online', lockedBy: null }),
    listDrafts: (r) => {
      const q = String(r['query'] ?? '').toLowerCase();
      const all = (r['trash'] ? trashed : drafts).filter((d) => !q || d.name.toLowerCase().includes(q)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      return page(all, r as { page: number; pageSize: number });
    },
    listHistory: (r) => page(history, r as { page: number; pageSize: number }),
    listProfiles: () => ({ profiles: [profile], secretStorage: { available: true, backend: 'gnome_libsecret' } }),
    capabilities: () => ({ formats: ['wav', 'wav-ulaw', 'wav-alaw', 'mp3', 'gsm'] }),
    listUnfinishedTakes: () => [],
    listGreetings: () => [{ id: 1, file: 'greeting.wav', realFilename: 'greeting.wav', suffix: 'wav', type: 'record' }],
    searchExtensions: (r) => ({ ...page(exts, r as { page: number; pageSize: number }), source: cfg.status === 'online' ? 'live' : 'cache', fetchedAt: cfg.status === 'online' ? null : iso(now - 3 * 86_400_000), profileId: 'p1' }),
  };
  const api: Record<string, unknown> = {};
  for (const name of cfg.channels) {
    api[name] = async (r: Record<string, unknown>) => {
      const a = answers[name];
      return a ? { ok: true, value: a(r) } : { ok: false, error: { code: 'NOT_FAKED', kind: 'internal', message: `${name} is not part of this view test.` } };
    };
  }
  api['on'] = (event: string, l: (p: unknown) => void) => {
    const set = listeners.get(event) ?? new Set();
    set.add(l);
    listeners.set(event, set);
    return () => set.delete(l);
  };
  Object.defineProperty(globalThis, 'vmgs', { value: Object.freeze(api), enumerable: true });
}

/** The few browser globals the page-side callbacks use (the project's tsconfig has no DOM lib). */
interface El {
  hasAttribute(n: string): boolean;
  closest(sel: string): El | null;
}
interface PageGlobals {
  document: { activeElement: El | null; querySelectorAll(sel: string): ArrayLike<El>; documentElement: { scrollWidth: number } };
  innerWidth: number;
  axe: { run(ctx: unknown, o: unknown): Promise<AxeResult> };
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

let server: http.Server;
let base = '';
let browser: Browser;
let axeSource = '';

beforeAll(async () => {
  const built = await stat(path.join(RENDERER, 'index.html')).catch(() => null);
  if (!built) await promisify(execFile)('npm', ['run', 'build:renderer'], { cwd: ROOT, timeout: 170_000 });
  axeSource = await readFile(AXE_SOURCE, 'utf8');
  await mkdir(ARTIFACTS, { recursive: true });
  server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    // axe-core from the same origin, so the app's CSP (script-src 'self') lets it run.
    if (rel === '/__axe.js') return void res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(axeSource);
    const file = path.resolve(RENDERER, '.' + (rel === '/' ? '/index.html' : path.posix.normalize(rel)));
    if (!file.startsWith(RENDERER + path.sep)) return void res.writeHead(404).end();
    readFile(file).then(
      (body) => {
        const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
        res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }).end(body);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/index.html`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'] });
}, 180_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

async function openApp(status: Status, viewport: { width: number; height: number }, colorScheme: 'light' | 'dark'): Promise<Page> {
  const context = await browser.newContext({ viewport, colorScheme });
  await context.addInitScript(installFake, { status, channels: [...CHANNEL_NAMES], drafts: 500 } satisfies FakeConfig);
  const page = await context.newPage();
  await page.goto(base);
  await page.getByTestId('workspace-view').waitFor();
  await page.getByTestId('connection-status').and(page.locator(`[data-status="${status}"]`)).waitFor();
  return page;
}

async function axe(page: Page): Promise<AxeResult['violations']> {
  await page.addScriptTag({ url: '/__axe.js' });
  const r = await page.evaluate(async () => {
    const g = globalThis as unknown as PageGlobals;
    return g.axe.run(g.document, { resultTypes: ['violations'] });
  });
  return r.violations;
}

const VIEWS = [
  { id: 'workspace', ready: (p: Page) => p.getByTestId('extension-option').first().locator('.num').waitFor() },
  { id: 'drafts', ready: (p: Page) => p.getByTestId('draft-row').first().waitFor() },
  { id: 'outbox', ready: (p: Page) => p.getByTestId('outbox-row').first().waitFor() },
  { id: 'history', ready: (p: Page) => p.getByTestId('history-row').first().waitFor() },
  { id: 'connect', ready: (p: Page) => p.getByText('Saved profiles').waitFor() },
] as const;

describe('every view: axe-core 0 violations, screenshots at 1280x800 and 800x600', () => {
  // app.test.ts checks every view light, offline and online, at both sizes over the real handlers; these add the
  // unreachable banner and the dark theme (kept short: each e2e file stays under 90 s).
  const CASES: { status: Status; scheme: 'light' | 'dark'; sizes: { width: number; height: number }[] }[] = [
    { status: 'unreachable', scheme: 'light', sizes: [{ width: 1280, height: 800 }, { width: 800, height: 600 }] },
    { status: 'online', scheme: 'dark', sizes: [{ width: 1280, height: 800 }] },
    { status: 'offline', scheme: 'dark', sizes: [{ width: 800, height: 600 }] },
    { status: 'unreachable', scheme: 'dark', sizes: [{ width: 1280, height: 800 }] },
  ];
  for (const { status, scheme, sizes } of CASES) {
    it(`${status}, ${scheme}`, async () => {
      for (const viewport of sizes) {
        const page = await openApp(status, viewport, scheme);
        try {
          for (const v of VIEWS) {
            await page.getByTestId(`nav-${v.id}`).click();
            await v.ready(page);
            await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.hasAttribute('data-view-heading') ?? false)).toBe(true);
            expect(await page.evaluate(() => Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('h1')).filter((h) => h.closest('[hidden]') === null).length)).toBe(1);
            if (status === 'unreachable') expect(await page.getByTestId('unreachable-banner').isVisible()).toBe(true);
            else expect(await page.getByTestId('unreachable-banner').count()).toBe(0);
            // Nothing sticks out sideways at this size.
            expect(await page.evaluate(() => {
              const g = globalThis as unknown as PageGlobals;
              return g.document.documentElement.scrollWidth <= g.innerWidth;
            })).toBe(true);
            await page.screenshot({ path: path.join(ARTIFACTS, `${v.id}-${status}-${scheme}-${viewport.width}x${viewport.height}.png`) });
            const violations = await axe(page);
            expect(violations.map((x) => `${x.id} (${x.impact}): ${x.help} @ ${x.nodes.map((n) => JSON.stringify(n.target)).slice(0, 3).join(' ')}`)).toEqual([]);
          }
        } finally {
          await page.context().close();
        }
      }
    }, 120_000);
  }

  it('dialogs pass axe too: empty trash and rollback confirmations (focus on Cancel)', async () => {
    const page = await openApp('online', { width: 1280, height: 800 }, 'light');
    try {
      await page.getByTestId('nav-history').click();
      await page.getByRole('button', { name: 'Roll back greeting.wav on 3203' }).click();
      await page.getByTestId('confirm-rollback').waitFor();
      expect(await page.getByTestId('rollback-cancel').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, 'history-rollback-dialog.png') });
      expect((await axe(page)).map((x) => x.id)).toEqual([]);
      await page.keyboard.press('Enter');
      await page.getByTestId('confirm-rollback').waitFor({ state: 'detached' });
      await page.getByTestId('nav-drafts').click();
      await page.getByTestId('show-trash').click();
      await page.getByTestId('draft-row').first().waitFor();
      await page.getByTestId('empty-trash').click();
      await page.getByTestId('confirm-empty-trash').waitFor();
      expect(await page.getByTestId('empty-cancel').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, 'drafts-empty-trash-dialog.png') });
      expect((await axe(page)).map((x) => x.id)).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);
});

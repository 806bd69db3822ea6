import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, cleanup, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import App from '../../renderer/src/App.svelte';
import type { ConnectionState } from '../../main/ipc/channels.js';
import { FakeApi, makeDraft, makeOutboxItem } from './fake-api.js';

let fake: FakeApi;
const offline: ConnectionState = { status: 'offline', profileId: null, profileName: null, since: '2026-12-01T10:00:00.000Z', message: null };
beforeEach(() => {
  fake = new FakeApi();
  fake.connection = offline;
  fake.fail('searchExtensions', { code: 'NOT_CONNECTED', kind: 'usage', message: 'Not connected to a PBX.' });
  fake.handle('capabilities', () => ({ formats: ['wav', 'mp3'] }));
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

describe('App shell', { timeout: 20_000 }, () => {
  it('opens on the workspace with no profile: recording and import are there, the header says offline', async () => {
    render(App);
    expect(screen.getByRole('banner')).toBeInTheDocument();
    expect(screen.getByRole('navigation', { name: 'Views' })).toBeInTheDocument();
    expect(screen.getByRole('main')).toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Workspace' })).toBeInTheDocument();
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expect(screen.getByTestId('record-button')).toBeEnabled();
    expect(screen.getByTestId('file-input')).toBeEnabled();
    await waitFor(() => expect(screen.getByTestId('connection-status')).toHaveTextContent('Offline: no PBX connected'));
    expect(await screen.findByTestId('directory-unavailable')).toHaveTextContent('type the numbers below');
    expect(screen.getByTestId('nav-workspace')).toHaveAttribute('aria-current', 'page');
  });

  it('moves between the views with one h1 each and the focus on its heading', async () => {
    const user = userEvent.setup();
    render(App);
    for (const [id, title] of [['drafts', 'Drafts'], ['outbox', 'Outbox'], ['history', 'History'], ['connect', 'Connect to your PBX'], ['workspace', 'Workspace']] as const) {
      await user.click(screen.getByTestId(`nav-${id}`));
      const h1 = screen.getByRole('heading', { level: 1, name: title });
      // The Connect view lands in its first field (the PBX address), described by the heading.
      await waitFor(() => expect(id === 'connect' ? screen.getByLabelText('PBX address') : h1).toHaveFocus());
      expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
      expect(screen.getByTestId(`nav-${id}`)).toHaveAttribute('aria-current', 'page');
    }
  });

  it('is keyboard reachable: Tab reaches the navigation and Enter switches', async () => {
    const user = userEvent.setup();
    render(App);
    await waitFor(() => expect(screen.getByTestId('connection-status')).toHaveTextContent('Offline'));
    screen.getByTestId('nav-workspace').focus();
    await user.tab();
    expect(screen.getByTestId('nav-drafts')).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: 'Drafts' })).toHaveFocus());
  });

  it('shows the Outbox badge with pending and failed counts from outbox events', async () => {
    fake.outbox = [makeOutboxItem('a'), makeOutboxItem('b', { state: 'failed' })];
    render(App);
    await waitFor(() => expect(screen.getByTestId('outbox-badge')).toHaveTextContent('2'));
    expect(screen.getByTestId('nav-outbox')).toHaveAccessibleName(/^Outbox\s*, 1 pending, 1 failed$/);
    fake.emit('outbox', { counts: { pending: 3, running: 1, uploaded: 0, skipped: 0, renamed: 0, failed: 0, cancelled: 0 }, draining: true, itemId: null, percent: null });
    await waitFor(() => expect(screen.getByTestId('outbox-badge')).toHaveTextContent('4'));
    expect(screen.getByTestId('nav-outbox')).toHaveAccessibleName(/^Outbox\s*, 4 pending$/);
  });

  it('never says online while the PBX is unreachable: a banner offers Reconnect, the workspace keeps working', async () => {
    fake.connection = { status: 'online', profileId: 'p1', profileName: 'Head office', since: '2026-12-01T10:00:00.000Z', message: null };
    fake.handle('searchExtensions', ({ page, pageSize }) => ({ total: 0, page, pageSize, items: [], source: 'live', fetchedAt: null, profileId: 'p1' }));
    let reconnects = 0;
    fake.handle('reconnect', () => {
      reconnects += 1;
      return { status: 'online', profileId: 'p1', profileName: 'Head office', since: '2026-12-01T10:02:00.000Z', message: null };
    });
    const user = userEvent.setup();
    render(App);
    await waitFor(() => expect(screen.getByTestId('connection-status')).toHaveTextContent('Online: Head office'));
    expect(screen.queryByTestId('unreachable-banner')).toBeNull();
    fake.emit('connection', { status: 'unreachable', profileId: 'p1', profileName: 'Head office', since: '2026-12-01T10:01:00.000Z', message: 'The PBX did not answer 3 calls in a row.' });
    const banner = await screen.findByTestId('unreachable-banner');
    expect(banner).toHaveTextContent('The PBX did not answer 3 calls in a row.');
    expect(screen.getByTestId('connection-status')).toHaveTextContent('Unreachable: Head office');
    expect(screen.getByTestId('connection-status')).not.toHaveTextContent(/online|connected/i);
    expect(screen.getByTestId('record-button')).toBeEnabled();
    await user.click(within(banner).getByRole('button', { name: 'Reconnect' }));
    await waitFor(() => expect(screen.queryByTestId('unreachable-banner')).toBeNull());
    expect(reconnects).toBe(1);
    expect(screen.getByTestId('connection-status')).toHaveTextContent('Online: Head office');
  });

  it('opens a draft from the Drafts view into the editor', async () => {
    fake.drafts = [makeDraft('d7', 7, { name: 'Sales' })];
    fake.handle('getDraft', () => ({
      ...makeDraft('d7', 7, { name: 'Sales', targets: ['3201'] }),
      settings: { trimStartSec: 0.5, trimEndSec: 2.5, normalize: true, format: 'mp3' },
      source: { sourceId: 'd7', draftId: 'd7', name: 'sales.webm', origin: 'recording', durationSec: 3, codec: 'opus', sampleRate: 48000, channels: 1, sizeBytes: 10 },
      analysis: null,
    }));
    fake.handle('analyse', () => ({
      sourceId: 'd7', durationSec: 3, integratedLufs: -20, truePeakDbfs: -3, leadingSilenceSec: 0.2, trailingSilenceSec: 0.2, speechStartSec: 0.2, speechEndSec: 2.8,
      clippingRatio: 0, noiseFloorDbfs: -70, warnings: [], suggestedTrim: { startSec: 0.1, endSec: 2.9 },
    }));
    fake.handle('readSource', () => ({ bytes: new Uint8Array([1]), mime: 'audio/webm' }));
    fake.handle('renderPreview', (r) => ({
      renderId: 'r1', format: 'mp3', formatReason: '', bytes: 100, durationSec: (r.endSec ?? 0) - (r.startSec ?? 0),
      plan: { format: 'mp3', reason: '', predictedBytes: 100, maxDurationSec: 500, budgetText: '' }, playback: new Uint8Array([0]), playbackMime: 'audio/mpeg',
    }));
    const user = userEvent.setup();
    render(App);
    await user.click(screen.getByTestId('nav-drafts'));
    await user.click(await screen.findByRole('button', { name: 'Open Sales' }));
    await waitFor(() => expect(screen.getByRole('heading', { level: 1, name: 'Workspace' })).toHaveFocus());
    await waitFor(() => expect(screen.getByTestId('trim-start')).toHaveValue(0.5));
    expect(screen.getByTestId('trim-end')).toHaveValue(2.5);
    expect(screen.getByTestId('format-select')).toHaveValue('mp3');
    expect(screen.getByRole('button', { name: 'Remove 3201' })).toBeInTheDocument();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, cleanup } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../../renderer/src/lib/api.js';
import Outbox from '../../../renderer/src/views/Outbox.svelte';
import { FakeApi, makeOutboxItem } from '../fake-api.js';

let fake: FakeApi;
beforeEach(() => {
  fake = new FakeApi();
  fake.outbox = [
    makeOutboxItem('a', { ext: '3201', state: 'pending', waitingReason: 'The PBX is not reachable: it is uploaded when it answers again.' }),
    makeOutboxItem('b', { ext: '3202', state: 'running', percent: 40 }),
    makeOutboxItem('c', { ext: '3203', state: 'uploaded', action: 'overwritten', backupTaken: true }),
    makeOutboxItem('d', { ext: '3204', state: 'renamed', action: 'renamed', target: 'greeting-2.wav' }),
    makeOutboxItem('e', { ext: '3205', state: 'failed', attempts: 1, error: { code: 'PBX_EXT_NOT_FOUND', kind: 'pbx', message: 'Extension 3205 does not exist on this PBX.' } }),
    makeOutboxItem('f', { ext: '3206', state: 'failed', parked: true, error: { code: 'NO_CREDENTIALS', kind: 'usage', message: 'No saved secret for Branch PBX.' }, waitingReason: 'Open Connect and save the Client Secret of Branch PBX.', pbxLabel: 'Branch PBX' }),
    makeOutboxItem('g', { ext: '3207', state: 'skipped', action: 'skipped' }),
    makeOutboxItem('h', { ext: '3208', state: 'uploaded', action: 'unchanged' }),
    makeOutboxItem('i', { ext: '3209', state: 'cancelled' }),
  ];
  fake.handle('retryOutbox', ({ ids }) => {
    const targets = fake.outbox.filter((i) => (ids ? ids.includes(i.id) : i.state === 'failed'));
    for (const t of targets) t.state = 'pending';
    return { retried: targets.length };
  });
  fake.handle('cancelOutbox', ({ ids }) => {
    for (const t of fake.outbox.filter((i) => ids.includes(i.id))) t.state = 'cancelled';
    return { cancelled: ids.length };
  });
  fake.handle('clearFinishedOutbox', () => {
    const before = fake.outbox.length;
    fake.outbox = fake.outbox.filter((i) => i.state === 'pending' || i.state === 'running' || i.state === 'failed');
    return { removed: before - fake.outbox.length };
  });
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

const row = (ext: string) => screen.getAllByTestId('outbox-row').find((r) => r.getAttribute('data-ext') === ext)!;

describe('Outbox view', { timeout: 20_000 }, () => {
  it('shows every state in words, with the reason, the PBX and progress', async () => {
    render(Outbox, { props: {} });
    await waitFor(() => expect(screen.getAllByTestId('outbox-row')).toHaveLength(9));
    expect(screen.getByTestId('outbox-summary')).toHaveTextContent('1 pending · 1 uploading · 2 failed · 4 done');
    expect(row('3201')).toHaveTextContent('Pending');
    expect(row('3201')).toHaveTextContent('The PBX is not reachable');
    expect(row('3202')).toHaveTextContent('Uploading 40 %');
    expect(screen.getByRole('progressbar', { name: 'Upload of greeting.wav to 3202' })).toHaveAttribute('aria-valuenow', '40');
    expect(row('3203')).toHaveTextContent('overwritten (old greeting backed up)');
    expect(row('3203')).toHaveTextContent('Backup of the old greeting taken.');
    expect(row('3204')).toHaveTextContent('Kept both: stored as greeting-2.wav');
    expect(row('3205')).toHaveTextContent('Failed: Extension 3205 does not exist on this PBX.');
    expect(row('3206')).toHaveTextContent('Parked: No saved secret for Branch PBX.');
    expect(row('3206')).toHaveTextContent('Open Connect and save the Client Secret');
    expect(row('3206')).toHaveTextContent('Branch PBX');
    expect(row('3207')).toHaveTextContent('Skipped (name exists)');
    expect(row('3208')).toHaveTextContent('unchanged (already on the PBX)');
    expect(row('3209')).toHaveTextContent('Cancelled');
  });

  it('retries one, cancels one, retries all failed and clears finished', async () => {
    const announce = vi.fn();
    const user = userEvent.setup();
    render(Outbox, { props: { announce } });
    await user.click(await screen.findByRole('button', { name: 'Retry greeting.wav on 3205' }));
    await waitFor(() => expect(row('3205')).toHaveAttribute('data-state', 'pending'));
    expect(fake.callsOf('retryOutbox')).toEqual([{ ids: ['e'] }]);
    expect(announce).toHaveBeenCalledWith('Retrying greeting.wav on 3205.');
    await user.click(screen.getByRole('button', { name: 'Cancel greeting.wav on 3201' }));
    await waitFor(() => expect(row('3201')).toHaveAttribute('data-state', 'cancelled'));
    expect(screen.queryByRole('button', { name: 'Cancel greeting.wav on 3203' })).toBeNull(); // done items cannot be cancelled
    await user.click(screen.getByTestId('retry-all'));
    await waitFor(() => expect(row('3206')).toHaveAttribute('data-state', 'pending'));
    expect(fake.callsOf('retryOutbox').at(-1)).toEqual({});
    await waitFor(() => expect(screen.getByTestId('retry-all')).toBeDisabled());
    await user.click(screen.getByTestId('clear-finished'));
    await waitFor(() => expect(screen.getAllByTestId('outbox-row')).toHaveLength(3));
  });

  it('follows outbox events: progress in place, other changes by re-reading the page', async () => {
    render(Outbox, { props: {} });
    await waitFor(() => expect(screen.getAllByTestId('outbox-row')).toHaveLength(9));
    const reads = fake.callsOf('listOutbox').length;
    fake.emit('outbox', { counts: fake.outboxCounts(), draining: true, itemId: 'b', percent: 75 });
    await waitFor(() => expect(row('3202')).toHaveTextContent('Uploading 75 %'));
    expect(fake.callsOf('listOutbox')).toHaveLength(reads);
    fake.outbox[0]!.state = 'uploaded';
    fake.outbox[0]!.action = 'created';
    fake.emit('outbox', { counts: fake.outboxCounts(), draining: true, itemId: 'a', percent: null });
    fake.emit('outbox', { counts: fake.outboxCounts(), draining: true, itemId: null, percent: null });
    await waitFor(() => expect(row('3201')).toHaveTextContent('created'));
    expect(fake.callsOf('listOutbox').length).toBe(reads + 1); // two events, one re-read
  });

  it('says who holds the queue lock', async () => {
    fake.handle('listOutbox', ({ page, pageSize }) => ({ total: 0, page, pageSize, items: [], counts: fake.outboxCounts(), draining: false, lockedBy: 'vmgreet batch, pid 4242' }));
    render(Outbox, { props: {} });
    expect(await screen.findByTestId('locked-by')).toHaveTextContent('vmgreet batch, pid 4242');
    expect(screen.getByTestId('outbox-empty')).toBeInTheDocument();
  });
});

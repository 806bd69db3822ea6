import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import BatchStatus from '../../renderer/src/components/BatchStatus.svelte';
import type { BatchRow } from '../../main/ipc/channels/batch.js';
import type { OutboxItem } from '../../main/ipc/channels.js';
import { FakeApi, makeOutboxItem } from './fake-api.js';

let fake: FakeApi;
let rows: BatchRow[];
const row = (id: string, ext: string, over: Partial<OutboxItem> = {}, activation: BatchRow['activation'] = null): BatchRow => ({ ...makeOutboxItem(id, { ext, ...over }), activation });

beforeEach(() => {
  fake = new FakeApi();
  rows = [
    row('q1', '3201', { state: 'pending' }),
    row('q2', '3202', { state: 'running', percent: 42 }),
    row('q3', '3203', { state: 'uploaded', action: 'created' }),
    row('q4', '3204', { state: 'uploaded', action: 'overwritten', backupTaken: true }),
    row('q5', '3205', { state: 'uploaded', action: 'unchanged' }),
    row('q6', '3206', { state: 'renamed', action: 'renamed', target: 'greeting-2.wav' }),
    row('q7', '3207', { state: 'skipped', action: 'skipped' }),
    row('q8', '3208', { state: 'failed', error: { code: 'PBX_EXT_NOT_FOUND', kind: 'pbx', message: 'Extension 3208 does not exist on this PBX.' } }),
    row('q9', '3209', { state: 'cancelled' }),
  ];
  fake.handle('batchItems', ({ ids }) => ids.map((id) => rows.find((r) => r.id === id)!).filter(Boolean));
  fake.handle('retryOutbox', ({ ids }) => {
    for (const id of ids ?? []) {
      const r = rows.find((x) => x.id === id);
      if (r) Object.assign(r, { state: 'pending', error: null });
    }
    return { retried: ids?.length ?? 0 };
  });
  fake.handle('exportBatchCsv', ({ ids }) => ({ saved: true, rows: ids.length }));
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

const ids = () => rows.map((r) => r.id);
const resultOf = (ext: string) => within(screen.getAllByTestId('batch-row').find((r) => r.getAttribute('data-ext') === ext)!).getByTestId('batch-result').textContent;

describe('BatchStatus', () => {
  it('shows each extension: queued / uploading n % / created / overwritten / unchanged / kept both / skipped / failed (reason) / cancelled, and "n of N"', async () => {
    render(BatchStatus, { props: { itemIds: ids(), title: 'Batch' } });
    await waitFor(() => expect(screen.getAllByTestId('batch-row')).toHaveLength(9));
    expect(screen.getAllByTestId('batch-row').map((r) => r.getAttribute('data-outcome'))).toEqual(['queued', 'uploading', 'created', 'overwritten', 'unchanged', 'renamed', 'skipped', 'failed', 'cancelled']);
    expect(resultOf('3202')).toBe('uploading 42 %');
    expect(resultOf('3204')).toBe('overwritten (old greeting backed up)');
    expect(resultOf('3205')).toBe('unchanged (already on the PBX)');
    expect(resultOf('3206')).toBe('kept both: stored as greeting-2.wav');
    expect(resultOf('3208')).toBe('failed: Extension 3208 does not exist on this PBX.');
    expect(screen.getByTestId('batch-overall')).toHaveTextContent('7 of 9 finished');
    expect(screen.getByRole('progressbar', { name: 'Upload to 3202' })).toHaveAttribute('value', '42');
  });

  it('re-reads on outbox events (throttled) and announces once when all are finished', async () => {
    const said: string[] = [];
    rows = rows.slice(0, 3);
    render(BatchStatus, { props: { itemIds: ids(), title: 'Batch', throttleMs: 10, announce: (t: string) => said.push(t) } });
    await waitFor(() => expect(screen.getByTestId('batch-overall')).toHaveTextContent('1 of 3'));
    Object.assign(rows[0]!, { state: 'uploaded', action: 'created' });
    Object.assign(rows[1]!, { state: 'failed', error: { code: 'X', kind: 'pbx', message: 'Refused.' } });
    fake.emit('outbox', { counts: fake.outboxCounts(), draining: true, itemId: null, percent: null });
    fake.emit('outbox', { counts: fake.outboxCounts(), draining: true, itemId: null, percent: null });
    await waitFor(() => expect(screen.getByTestId('batch-overall')).toHaveTextContent('3 of 3'));
    expect(fake.callsOf('batchItems')).toHaveLength(2); // the two events made one re-read
    await waitFor(() => expect(said).toEqual(['Batch: all 3 finished. 2 created · 1 failed.']));
  });

  it('Retry failed retries only the failed items of this batch; Export CSV asks main for these ids', async () => {
    const user = userEvent.setup();
    render(BatchStatus, { props: { itemIds: ids(), title: 'Batch' } });
    const retry = await screen.findByRole('button', { name: 'Retry failed (1)' });
    await user.click(retry);
    await waitFor(() => expect(fake.callsOf('retryOutbox')).toEqual([{ ids: ['q8'] }]));
    await waitFor(() => expect(resultOf('3208')).toBe('queued'));
    expect(screen.queryByRole('button', { name: /Retry failed/ })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Export CSV…' }));
    await waitFor(() => expect(fake.callsOf('exportBatchCsv')).toEqual([{ ids: ids() }]));
    expect(await screen.findByText('Saved the result of 9 extensions as CSV.')).toBeInTheDocument();
  });

  it('says what callers now hear after "play it when", and when activation did not work', async () => {
    rows = [
      row('a1', '3201', { state: 'uploaded', action: 'created', activate: ['away'], fileName: 'away.wav' }, { ok: true, slots: ['away'], message: null }),
      row('a2', '3202', { state: 'uploaded', action: 'created', activate: ['away', 'lunch'], fileName: 'away.wav' }, { ok: false, slots: ['away', 'lunch'], message: 'the PBX has no presence_list.' }),
      row('a3', '3203', { state: 'pending', activate: ['away'], fileName: 'away.wav' }),
    ];
    render(BatchStatus, { props: { itemIds: ids() } });
    await waitFor(() => expect(screen.getAllByTestId('batch-activation')).toHaveLength(3));
    expect(screen.getAllByTestId('batch-activation').map((e) => e.textContent)).toEqual([
      'callers now hear away.wav for Away',
      'uploaded but not activated: the PBX has no presence_list.',
      'will play for Away',
    ]);
  });
});

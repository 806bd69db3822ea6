import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, cleanup, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../../renderer/src/lib/api.js';
import History from '../../../renderer/src/views/History.svelte';
import { FakeApi, makeHistoryItem } from '../fake-api.js';

let fake: FakeApi;
beforeEach(() => {
  fake = new FakeApi();
  fake.history = [
    makeHistoryItem('h2', { ext: '3201', result: 'overwritten', backupTaken: true, canRollback: true, bytes: 96_044 }),
    makeHistoryItem('h1', { ext: '3202', result: 'failed', reason: 'The PBX did not answer in time.' }),
  ];
  fake.handle('rollback', ({ historyId }) => {
    const h = fake.history.find((x) => x.id === historyId)!;
    h.rolledBack = true;
    return { result: 'restored', message: 'Restored the previous greeting.wav on 3201 from its backup.' };
  });
  fake.handle('exportHistoryCsv', () => ({ saved: true, rows: 2 }));
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

describe('History view', { timeout: 20_000 }, () => {
  it('lists when, PBX, extension, name, bytes, result and backup', async () => {
    render(History, { props: { online: true } });
    const rows = await screen.findAllByTestId('history-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Head office');
    expect(rows[0]).toHaveTextContent('3201');
    expect(rows[0]).toHaveTextContent('greeting.wav');
    expect(rows[0]).toHaveTextContent('93.8 kB');
    expect(within(rows[0]!).getByTestId('history-result')).toHaveTextContent('overwritten (old greeting backed up)');
    expect(within(rows[0]!).getByTestId('history-backup')).toHaveTextContent('Yes');
    expect(within(rows[1]!).getByTestId('history-result')).toHaveTextContent('Failed: The PBX did not answer in time.');
    expect(within(rows[1]!).queryByRole('button')).toBeNull();
  });

  it('rolls back only after a confirmation whose focus starts on Cancel', async () => {
    const announce = vi.fn();
    const user = userEvent.setup();
    render(History, { props: { online: true, announce } });
    await user.click(await screen.findByRole('button', { name: 'Roll back greeting.wav on 3201' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Roll back greeting.wav on 3201?' });
    expect(dialog).toHaveTextContent('replaced by the backup taken before this upload');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(fake.callsOf('rollback')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Roll back greeting.wav on 3201' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Roll back' }));
    await waitFor(() => expect(fake.callsOf('rollback')).toEqual([{ historyId: 'h2' }]));
    expect(await screen.findByTestId('history-note')).toHaveTextContent('Restored the previous greeting.wav on 3201 from its backup.');
    expect(announce).toHaveBeenCalledWith('Restored the previous greeting.wav on 3201 from its backup.');
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Roll back greeting.wav on 3201' })).toBeNull());
  });

  it('offers rollback only online', async () => {
    render(History, { props: { online: false } });
    expect(await screen.findByRole('button', { name: 'Roll back greeting.wav on 3201' })).toBeDisabled();
  });

  it('exports the history as CSV', async () => {
    const user = userEvent.setup();
    render(History, { props: { online: true } });
    await user.click(await screen.findByRole('button', { name: 'Export CSV…' }));
    expect(await screen.findByText('Saved the history as CSV (2 rows).')).toBeInTheDocument();
  });
});

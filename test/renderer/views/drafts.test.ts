import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, cleanup, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../../renderer/src/lib/api.js';
import Drafts from '../../../renderer/src/views/Drafts.svelte';
import { FakeApi, makeDraft } from '../fake-api.js';

let fake: FakeApi;
beforeEach(() => {
  fake = new FakeApi();
  fake.drafts = Array.from({ length: 20 }, (_, i) => makeDraft(`d${i + 480}`, i + 480));
  fake.handle('renameDraft', ({ draftId, name }) => {
    const d = fake.drafts.find((x) => x.id === draftId)!;
    d.name = name;
    return d;
  });
  fake.handle('duplicateDraft', ({ draftId }) => {
    const copy = makeDraft(`${draftId}-copy`, 1000, { name: 'Copy of Draft 499', origin: 'copy' });
    fake.drafts.push(copy);
    return copy;
  });
  fake.handle('renderDraft', ({ draftId }) => ({ ...fake.drafts.find((x) => x.id === draftId)!, renderedBytes: 2048 }));
  fake.handle('exportDraft', () => ({ saved: true, bytes: 2048 }));
  fake.handle('trashDraft', ({ draftId }) => {
    fake.drafts.find((x) => x.id === draftId)!.trashedAt = '2026-12-01T11:00:00.000Z';
    return { trashed: true };
  });
  fake.handle('restoreDraft', ({ draftId }) => {
    const d = fake.drafts.find((x) => x.id === draftId)!;
    d.trashedAt = null;
    return d;
  });
  fake.handle('emptyTrash', () => {
    const n = fake.drafts.filter((d) => d.trashedAt !== null).length;
    fake.drafts = fake.drafts.filter((d) => d.trashedAt === null);
    return { removed: n };
  });
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

const rows = () => screen.queryAllByTestId('draft-row');

describe('Drafts view', { timeout: 20_000 }, () => {
  it('lists 500 drafts newest first, one page of 50 at a time, with their details', { timeout: 20_000 }, async () => {
    fake.drafts = Array.from({ length: 500 }, (_, i) => makeDraft(`d${i}`, i));
    fake.drafts[499] = makeDraft('d499', 499, { name: 'Newest', targets: ['3201', '3202', '3203', '3204'], script: 'Hello, you have reached the sales team.', integratedLufs: -19.04 });
    const user = userEvent.setup();
    render(Drafts, { props: { onOpen: vi.fn() } });
    await waitFor(() => expect(rows()).toHaveLength(50));
    expect(screen.getByTestId('draft-count')).toHaveTextContent('500 drafts');
    const first = rows()[0]!;
    expect(first).toHaveAttribute('data-id', 'd499');
    expect(first).toHaveTextContent('Newest');
    expect(first).toHaveTextContent('0:12.0'); // 3 + 499 % 10 s
    expect(first).toHaveTextContent('WAV PCM');
    expect(first).toHaveTextContent('46.9 kB');
    expect(first).toHaveTextContent('-19.0 LUFS');
    expect(first).toHaveTextContent('3201, 3202, 3203 +1');
    expect(first).toHaveTextContent('Hello, you have reached the sales team.');
    expect(screen.getByTestId('drafts-page')).toHaveTextContent('Page 1 of 10');
    await user.click(screen.getByTestId('drafts-next'));
    await waitFor(() => expect(rows()[0]).toHaveAttribute('data-id', 'd449'));
    expect(fake.callsOf('listDrafts').at(-1)).toMatchObject({ page: 2, pageSize: 50, trash: false });
  });

  it('opens a draft into the editor', async () => {
    const onOpen = vi.fn();
    const user = userEvent.setup();
    render(Drafts, { props: { onOpen } });
    await user.click(await screen.findByRole('button', { name: 'Open Draft 499' }));
    expect(onOpen).toHaveBeenCalledWith('d499');
  });

  it('renames, duplicates, re-renders and saves as file, announcing each', async () => {
    const announce = vi.fn();
    const user = userEvent.setup();
    render(Drafts, { props: { onOpen: vi.fn(), announce } });
    await user.click(await screen.findByRole('button', { name: 'Rename Draft 499' }));
    const dialog = await screen.findByRole('dialog', { name: 'Rename draft' });
    const input = within(dialog).getByLabelText('New name');
    await user.clear(input);
    await user.type(input, 'Sales welcome{Enter}');
    await waitFor(() => expect(rows()[0]).toHaveTextContent('Sales welcome'));
    expect(fake.callsOf('renameDraft')).toEqual([{ draftId: 'd499', name: 'Sales welcome' }]);
    expect(announce).toHaveBeenCalledWith('Renamed to “Sales welcome”.');

    await user.click(screen.getByRole('button', { name: 'Duplicate Sales welcome' }));
    await waitFor(() => expect(rows()[0]).toHaveTextContent('Copy of Draft 499'));
    await user.click(screen.getByRole('button', { name: 'Re-render Draft 498' }));
    await waitFor(() => expect(announce).toHaveBeenCalledWith('Rendered “Draft 498”: 2.0 kB.'));
    expect(fake.callsOf('renderDraft')[0]).toMatchObject({ draftId: 'd498' });
    await user.click(screen.getByRole('button', { name: 'Save as file… Draft 498' }));
    await waitFor(() => expect(announce).toHaveBeenCalledWith('Saved “Draft 498” (2.0 kB).'));
  });

  it('delete moves to the trash; the trash restores, and empties only after a confirmation (focus on Cancel)', async () => {
    const user = userEvent.setup();
    render(Drafts, { props: { onOpen: vi.fn() } });
    await user.click(await screen.findByRole('button', { name: 'Delete Draft 499' }));
    await waitFor(() => expect(rows()[0]).toHaveAttribute('data-id', 'd498'));
    await user.click(screen.getByRole('button', { name: 'Delete Draft 498' }));
    await waitFor(() => expect(screen.getByTestId('draft-count')).toHaveTextContent('18 drafts'));

    await user.click(screen.getByTestId('show-trash'));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Trash');
    await user.click(screen.getByRole('button', { name: 'Restore Draft 499' }));
    await waitFor(() => expect(rows()).toHaveLength(1));

    await user.click(screen.getByTestId('empty-trash'));
    const confirm = await screen.findByRole('alertdialog', { name: 'Empty the trash?' });
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(fake.callsOf('emptyTrash')).toEqual([]);
    await user.click(screen.getByTestId('empty-trash'));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete for good' }));
    await waitFor(() => expect(screen.getByTestId('drafts-empty')).toHaveTextContent('The trash is empty.'));
    expect(fake.drafts).toHaveLength(19);
  });

  it('shows an unfinished recording with Restore and Discard', async () => {
    fake.drafts = [makeDraft('take1', 1, { name: 'Recording 10:02', unfinished: true, durationSec: null, format: null, renderedBytes: null })];
    fake.handle('restoreTake', () => ({ sourceId: 'take1', draftId: 'take1', name: 'r.webm', origin: 'recording', durationSec: 3, codec: 'opus', sampleRate: 48000, channels: 1, sizeBytes: 2 }));
    fake.handle('discardTake', () => {
      fake.drafts = [];
      return { discarded: true };
    });
    const onOpen = vi.fn();
    const user = userEvent.setup();
    render(Drafts, { props: { onOpen } });
    expect(await screen.findByTestId('unfinished')).toHaveTextContent('unfinished recording');
    expect(rows()[0]).toHaveTextContent('not rendered');
    expect(screen.queryByRole('button', { name: 'Open Recording 10:02' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Restore recording Recording 10:02' }));
    await waitFor(() => expect(onOpen).toHaveBeenCalledWith('take1'));
    await user.click(screen.getByRole('button', { name: 'Discard recording Recording 10:02' }));
    await waitFor(() => expect(screen.getByTestId('drafts-empty')).toBeInTheDocument());
    expect(fake.callsOf('discardTake')).toEqual([{ takeId: 'take1' }]);
  });

  it('searches by name', async () => {
    const user = userEvent.setup();
    render(Drafts, { props: { onOpen: vi.fn() } });
    await waitFor(() => expect(rows()).toHaveLength(20));
    await user.type(screen.getByLabelText('Search drafts'), 'Draft 49');
    await waitFor(() => expect(screen.getByTestId('draft-count')).toHaveTextContent('10 drafts'));
  });
});

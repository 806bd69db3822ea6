import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, cleanup, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import Send from '../../renderer/src/components/Send.svelte';
import type { Extension, NameCheck, PreviewResult } from '../../main/ipc/channels.js';
import { FakeApi } from './fake-api.js';

const preview: PreviewResult = {
  renderId: 'r1', format: 'wav', formatReason: '', bytes: 1000, durationSec: 3,
  plan: { format: 'wav', reason: '', predictedBytes: 1000, maxDurationSec: 500, budgetText: '' }, playback: new Uint8Array([0]), playbackMime: 'audio/wav',
};
const ext = (number: string): Extension => ({ id: 1, number, callerIdName: 'Anna', email: '', presence: 'available', online: true });

let fake: FakeApi;
let check: NameCheck;
beforeEach(() => {
  check = { checked: true, existing: [], keepBothNames: {} };
  fake = new FakeApi();
  fake.handle('checkNames', () => check);
  fake.handle('enqueueUploads', ({ extensions }) => ({ itemIds: extensions.map((e) => `q-${e}`) }));
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

type Props = { draftId: string | null; preview: PreviewResult | null; name: string; nameValid: boolean; extensions: Extension[]; online: boolean; beforeSend: () => Promise<void>; onQueued: (ids: string[], s: string, act: unknown) => void };
function setup(props: Partial<Props> = {}) {
  const onQueued = vi.fn();
  const beforeSend = vi.fn(async () => undefined);
  render(Send, { props: { draftId: 'd1', preview, name: 'welcome', nameValid: true, extensions: [ext('3201')], online: true, beforeSend, onQueued, ...props } });
  return { onQueued, beforeSend };
}

describe('Send (enqueue flow)', { timeout: 20_000 }, () => {
  it('is disabled until there is a preview, a valid name and an extension, and says what is missing', () => {
    setup({ preview: null });
    expect(screen.getByTestId('upload-button')).toBeDisabled();
    expect(screen.getByText(/wait for the caller preview/)).toBeInTheDocument();
    cleanup();
    setup({ extensions: [] });
    expect(screen.getByText('Pick an extension.')).toBeInTheDocument();
    cleanup();
    setup({ nameValid: false });
    expect(screen.getByTestId('upload-button')).toBeDisabled();
  });

  it('online, name free: saves the draft, asks the PBX, then queues with the policy chosen up front (keep both by default)', async () => {
    const user = userEvent.setup();
    const { onQueued, beforeSend } = setup();
    expect(screen.getByLabelText('If welcome.wav exists')).toHaveValue('rename');
    expect(screen.getByRole('option', { name: 'Keep both (the new one as welcome-2.wav)' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Upload now to 3201' }));
    await waitFor(() => expect(onQueued).toHaveBeenCalledWith(['q-3201'], '1 upload of welcome.wav queued.', null));
    expect(beforeSend).toHaveBeenCalled();
    expect(fake.callsOf('checkNames')).toEqual([{ draftId: 'd1', extensions: ['3201'], name: 'welcome' }]);
    expect(fake.callsOf('enqueueUploads')).toEqual([{ draftId: 'd1', extensions: ['3201'], name: 'welcome', ifExists: 'rename', allowOverwriteWithoutBackup: false }]);
    expect(fake.calls.map((c) => c.name).filter((n) => n === 'checkNames' || n === 'enqueueUploads')).toEqual(['checkNames', 'enqueueUploads']);
  });

  it('online, name exists on some: shows which (with the keep-both names), focus on Cancel, Enter cancels', async () => {
    check = { checked: true, existing: [{ ext: '3202', identical: false }, { ext: '3203', identical: true }], keepBothNames: { '3202': 'welcome-3.wav' } };
    const user = userEvent.setup();
    const { onQueued } = setup({ extensions: [ext('3201'), ext('3202'), ext('3203')] });
    await user.click(screen.getByRole('button', { name: 'Upload now to 3 extensions' }));
    const dialog = await screen.findByRole('dialog', { name: 'welcome.wav already exists' });
    expect(dialog).toHaveTextContent('2 of 3 extensions already have a greeting called welcome.wav');
    const list = within(dialog).getByTestId('existing-list');
    expect(list).toHaveTextContent('Extension 3202 → stored as welcome-3.wav');
    expect(list).toHaveTextContent('Extension 3203 (the same recording: left unchanged)');
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(fake.callsOf('enqueueUploads')).toEqual([]);
    expect(onQueued).not.toHaveBeenCalled();
  });

  it('overwrite chosen up front: the dialog confirms "Overwrite after backup" and queues with overwrite', async () => {
    check = { checked: true, existing: [{ ext: '3201', identical: false }], keepBothNames: { '3201': 'welcome-2.wav' } };
    const user = userEvent.setup();
    const { onQueued } = setup();
    await user.selectOptions(screen.getByLabelText('If welcome.wav exists'), 'overwrite');
    await user.click(screen.getByTestId('upload-button'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('radio', { name: /Overwrite/ })).toBeChecked();
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Overwrite after backup' }));
    await waitFor(() => expect(onQueued).toHaveBeenCalled());
    expect(fake.callsOf('enqueueUploads')[0]).toMatchObject({ ifExists: 'overwrite', allowOverwriteWithoutBackup: false });
  });

  it('the dialog can switch to skip for those extensions', async () => {
    check = { checked: true, existing: [{ ext: '3201', identical: false }], keepBothNames: {} };
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByTestId('upload-button'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('radio', { name: 'Skip those extensions' }));
    await user.click(within(dialog).getByRole('button', { name: 'Upload, skip those' }));
    await waitFor(() => expect(fake.callsOf('enqueueUploads')[0]).toMatchObject({ ifExists: 'skip' }));
  });

  it('offline: "Upload when connected" queues without asking the PBX', async () => {
    const user = userEvent.setup();
    const { onQueued } = setup({ online: false });
    expect(screen.getByTestId('offline-note')).toHaveTextContent('the upload waits in the Outbox');
    await user.click(screen.getByRole('button', { name: 'Upload when connected' }));
    await waitFor(() => expect(onQueued).toHaveBeenCalledWith(['q-3201'], '1 upload of welcome.wav queued for when the PBX is reachable.', null));
    expect(fake.callsOf('checkNames')).toEqual([]);
  });

  it('shows why queuing failed', async () => {
    fake.fail('enqueueUploads', { code: 'NO_PROFILE', kind: 'usage', message: 'Connect to a PBX once so the app knows where to upload.' });
    const user = userEvent.setup();
    setup({ online: false });
    await user.click(screen.getByTestId('upload-button'));
    expect(await screen.findByRole('alert')).toHaveTextContent('Connect to a PBX once');
  });

  it('ask for each: one list of the extensions holding the name, each with its own choice (keep both by default, its name shown); queued per choice', async () => {
    check = { checked: true, existing: [{ ext: '3202', identical: false }, { ext: '3203', identical: false }], keepBothNames: { '3202': 'welcome-2.wav', '3203': 'welcome-4.wav' } };
    const user = userEvent.setup();
    const { onQueued } = setup({ extensions: [ext('3201'), ext('3202'), ext('3203')] });
    await user.selectOptions(screen.getByLabelText('If welcome.wav exists'), 'ask');
    await user.click(screen.getByTestId('upload-button'));
    const dialog = await screen.findByRole('dialog', { name: 'welcome.wav already exists' });
    expect(screen.getAllByRole('dialog')).toHaveLength(1);
    expect(within(dialog).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    const c3202 = within(dialog).getByLabelText('Extension 3202');
    expect(c3202).toHaveValue('rename');
    expect(within(c3202).getByRole('option', { name: 'Keep both, as welcome-2.wav' })).toBeInTheDocument();
    expect(within(within(dialog).getByLabelText('Extension 3203')).getByRole('option', { name: 'Keep both, as welcome-4.wav' })).toBeInTheDocument();
    await user.selectOptions(within(dialog).getByLabelText('Extension 3203'), 'overwrite');
    expect(within(dialog).getByTestId('exists-confirm')).toHaveTextContent('Upload with these choices');
    await user.click(within(dialog).getByTestId('exists-confirm'));
    await waitFor(() => expect(onQueued).toHaveBeenCalledWith(['q-3201', 'q-3202', 'q-3203'], '3 uploads of welcome.wav queued.', null));
    expect(fake.callsOf('enqueueUploads').map((r) => [r.ifExists, r.extensions])).toEqual([['rename', ['3201', '3202']], ['overwrite', ['3203']]]);
  });

  it('the exists dialog plays the greeting already on the PBX', async () => {
    check = { checked: true, existing: [{ ext: '3201', identical: false }], keepBothNames: { '3201': 'welcome-2.wav' } };
    fake.handle('playGreeting', () => ({ bytes: new Uint8Array([1, 2, 3]), mime: 'audio/wav' }));
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByTestId('upload-button'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('keep-both-name')).toHaveTextContent('stored as welcome-2.wav');
    await user.click(within(dialog).getByRole('button', { name: 'Play the one on 3201' }));
    await waitFor(() => expect(fake.callsOf('playGreeting')).toEqual([{ ext: '3201', file: 'welcome.wav' }]));
    expect(within(dialog).getByRole('button', { name: 'Stop playing 3201' })).toBeInTheDocument();
  });

  it('"Play it when": the ticked statuses go with the upload (activate), and onQueued hears them', async () => {
    fake.handle('selectionSupport', () => ({ known: true, supported: ['default', 'available', 'away', 'do_not_disturb', 'lunch', 'business_trip', 'off_work'], reason: null }));
    const user = userEvent.setup();
    const { onQueued } = setup();
    await user.click(await screen.findByText('Play it when:'));
    const group = await screen.findByRole('group', { name: 'Play it when' });
    for (const l of ['Available', 'Away', 'Do not disturb', 'Lunch', 'Business trip', 'Off work', '(Default)']) expect(within(group).getByLabelText(l)).not.toBeChecked();
    await user.click(within(group).getByLabelText('Away'));
    expect(screen.getByTestId('play-when-summary')).toHaveTextContent('Play it when: Away');
    await user.click(screen.getByTestId('upload-button'));
    await waitFor(() => expect(onQueued).toHaveBeenCalledWith(['q-3201'], '1 upload of welcome.wav queued.', ['away']));
    expect(fake.callsOf('enqueueUploads')[0]).toMatchObject({ activate: ['away'] });
  });

  it('"Play it when" is hidden with the reason when the PBX cannot choose greetings; no activate is sent', async () => {
    fake.handle('selectionSupport', () => ({ known: true, supported: [], reason: 'the PBX does not return vm_greeting or presence_list for extensions.' }));
    const user = userEvent.setup();
    setup();
    expect(await screen.findByTestId('play-when-unavailable')).toHaveTextContent('does not return vm_greeting');
    expect(screen.queryByRole('group', { name: 'Play it when' })).toBeNull();
    await user.click(screen.getByTestId('upload-button'));
    await waitFor(() => expect(fake.callsOf('enqueueUploads')).toHaveLength(1));
    expect(fake.callsOf('enqueueUploads')[0]).not.toHaveProperty('activate');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, cleanup, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import Upload from '../../renderer/src/components/Upload.svelte';
import type { Extension, PreviewResult, UploadDecision, UploadOutcome } from '../../main/ipc/channels.js';
import { FakeApi } from './fake-api.js';

const preview: PreviewResult = {
  renderId: 'r1', format: 'wav', formatReason: '', bytes: 1000, durationSec: 3,
  plan: { format: 'wav', reason: '', predictedBytes: 1000, maxDurationSec: 500, budgetText: '' }, playback: new Uint8Array([0]), playbackMime: 'audio/wav',
};
const ext: Extension = { id: 1, number: '3201', callerIdName: 'Anna', email: '', presence: 'available', online: true };

let fake: FakeApi;
let store: string[];
beforeEach(() => {
  store = [];
  fake = new FakeApi();
  fake.handle('listGreetings', () => store.map((file, i) => ({ id: i, file, realFilename: file, suffix: 'wav', type: 'upload' })));
  // Simulates the handler: emits progress and, on a duplicate, waits for the renderer's decision.
  fake.handle('upload', async ({ operationId, name, extensions }) => {
    const file = `${name}.wav`;
    const outcomes: UploadOutcome[] = [];
    for (const e of extensions) {
      let action: UploadOutcome['action'] = 'created';
      let fileName = file;
      if (store.includes(file)) {
        const decision = await new Promise<UploadDecision>((resolve) => {
          fake.handle('decide', ({ decision: d }) => {
            resolve(d);
            return { accepted: true };
          });
          fake.emit('decisionNeeded', { operationId, ext: e, fileName: file });
        });
        if (decision === 'cancel') action = 'cancelled';
        else if (decision === 'rename') {
          action = 'renamed';
          fileName = `${name}-2.wav`;
        } else action = 'overwritten';
      }
      fake.emit('progress', { operationId, percent: 100, stage: 'done' });
      if (action !== 'cancelled' && action !== 'overwritten') store.push(fileName);
      outcomes.push({ ext: e, fileName, action, existed: action !== 'created', bytes: 1000 });
    }
    return { outcomes };
  });
  fake.handle('deleteGreeting', ({ file }) => {
    store = store.filter((f) => f !== file);
    return { deleted: true };
  });
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

function setup(props: Partial<{ preview: PreviewResult | null; name: string; nameValid: boolean; extensions: Extension[] }> = {}) {
  return render(Upload, { props: { preview, name: 'welcome', nameValid: true, extensions: [ext], ...props } });
}

describe('Upload flows', () => {
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

  it('uploads, moves focus to the result and brings the new greeting in the list into view', async () => {
    const scrolled = vi.spyOn(Element.prototype, 'scrollIntoView');
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByRole('button', { name: 'Upload to 3201' }));
    expect(await screen.findByText('Uploaded welcome.wav to 3201.')).toBeInTheDocument();
    const list = await screen.findByTestId('greeting-list');
    expect(within(list).getByText('welcome.wav')).toBeInTheDocument();
    expect(fake.callsOf('upload')[0]).toMatchObject({ renderId: 'r1', extensions: ['3201'], name: 'welcome', policy: 'ask' });
    await waitFor(() => expect(screen.getByTestId('upload-result')).toHaveFocus());
    await waitFor(() => expect(scrolled.mock.contexts).toContain(list.querySelector('li[data-file="welcome.wav"]')));
    expect(list.querySelector('li[data-file="welcome.wav"]')).toHaveClass('new');
    scrolled.mockRestore();
  });

  it('shows the progress bar only while the upload runs', async () => {
    let finish: () => void = () => undefined;
    fake.handle('upload', async ({ operationId, extensions }) => {
      fake.emit('progress', { operationId, percent: 40, stage: 'uploading' });
      await new Promise<void>((r) => (finish = r));
      fake.emit('progress', { operationId, percent: 100, stage: 'done' });
      return { outcomes: extensions.map((e) => ({ ext: e, fileName: 'welcome.wav', action: 'created' as const, existed: false, bytes: 1000 })) };
    });
    const user = userEvent.setup();
    setup();
    expect(screen.queryByRole('progressbar')).toBeNull();
    await user.click(screen.getByTestId('upload-button'));
    await waitFor(() => expect(screen.getByRole('progressbar', { name: 'Upload progress' })).toHaveAttribute('aria-valuenow', '40'));
    finish();
    expect(await screen.findByText('Uploaded welcome.wav to 3201.')).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('clears the previous result when a new preview arrives', async () => {
    const user = userEvent.setup();
    const { rerender } = setup();
    await user.click(screen.getByTestId('upload-button'));
    expect(await screen.findByText('Uploaded welcome.wav to 3201.')).toBeInTheDocument();
    await rerender({ preview: { ...preview, renderId: 'r2' } });
    await waitFor(() => expect(screen.queryByText('Uploaded welcome.wav to 3201.')).toBeNull());
  });

  it('duplicate -> overwrite', async () => {
    store = ['welcome.wav'];
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByTestId('upload-button'));
    const dialog = await screen.findByRole('dialog', { name: '“welcome.wav” already exists' });
    expect(within(dialog).getByRole('button', { name: 'Overwrite' })).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Overwrite' }));
    expect(await screen.findByText('Replaced welcome.wav on 3201.')).toBeInTheDocument();
    expect(fake.callsOf('decide')).toEqual([{ operationId: fake.callsOf('upload')[0]!.operationId, decision: 'overwrite' }]);
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('duplicate -> keep both (rename)', async () => {
    store = ['welcome.wav'];
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByTestId('upload-button'));
    await user.click(await screen.findByRole('button', { name: 'Keep both (rename)' }));
    expect(await screen.findByText('Kept both: saved as welcome-2.wav on 3201.')).toBeInTheDocument();
    await waitFor(() => expect(within(screen.getByTestId('greeting-list')).getByText('welcome-2.wav')).toBeInTheDocument());
  });

  it('duplicate -> Escape cancels', async () => {
    store = ['welcome.wav'];
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByTestId('upload-button'));
    await screen.findByRole('dialog');
    await user.keyboard('{Escape}');
    expect(await screen.findByText('Cancelled for 3201.')).toBeInTheDocument();
    expect(fake.callsOf('decide').at(-1)?.decision).toBe('cancel');
  });

  it('deletes a greeting only after confirmation', async () => {
    store = ['old.wav'];
    const user = userEvent.setup();
    setup();
    await user.click(await screen.findByRole('button', { name: 'Delete old.wav' }));
    const confirm = await screen.findByRole('alertdialog', { name: 'Delete old.wav?' });
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(fake.callsOf('deleteGreeting')).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Delete old.wav' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(fake.callsOf('deleteGreeting')).toEqual([{ ext: '3201', file: 'old.wav' }]));
    expect(await screen.findByText('No custom greetings yet.')).toBeInTheDocument();
  });

  it('shows a failed upload with the PBX message', async () => {
    fake.handle('upload', ({ extensions }) => ({
      outcomes: extensions.map((e) => ({ ext: e, fileName: 'welcome.wav', action: 'failed' as const, existed: false, bytes: 0, error: { code: 'PBX_40004', kind: 'pbx', message: 'The file is too large for the PBX.' } })),
    }));
    const user = userEvent.setup();
    setup();
    await user.click(screen.getByTestId('upload-button'));
    expect(await screen.findByText('Failed for 3201: The file is too large for the PBX.')).toBeInTheDocument();
  });
});

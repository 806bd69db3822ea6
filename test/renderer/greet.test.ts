// GreetingList, GreetingMatrix and RecordByPhone in jsdom over a fake window.vmgs: statuses and details per greeting,
// a dropdown change writes that slot, the matrix hidden with the PBX's reason, rename (and its absence), the in-use
// delete choice, and record by phone's progress, result and cancel.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import GreetingList from '../../renderer/src/components/GreetingList.svelte';
import RecordByPhone from '../../renderer/src/components/RecordByPhone.svelte';
import type { GreetOverview, GreetSlotView } from '../../main/ipc/channels/greet.js';
import { FakeApi } from './fake-api.js';

const slot = (s: GreetSlotView['slot'], label: string, choice: GreetSlotView['choice'], effective = choice): GreetSlotView => ({ slot: s, label, choice, effective });
function overview(over: Partial<GreetOverview> = {}): GreetOverview {
  return {
    ext: '3200',
    greetings: [
      { id: 2, file: 'away.wav', realFilename: 'away.wav', suffix: '.wav', type: 'record', playsFor: ['away'], viaDefault: [] },
      { id: 1, file: 'welcome.wav', realFilename: 'welcome.wav', suffix: '.wav', type: 'record', playsFor: ['default'], viaDefault: ['available', 'lunch'] },
    ],
    selection: {
      supported: true,
      partial: null,
      slots: [
        slot('default', 'Default', { kind: 'greeting', file: 'welcome.wav' }),
        slot('available', 'Available', { kind: 'extension-default' }, { kind: 'greeting', file: 'welcome.wav' }),
        slot('away', 'Away', { kind: 'greeting', file: 'away.wav' }),
        slot('lunch', 'Lunch', { kind: 'extension-default' }, { kind: 'greeting', file: 'welcome.wav' }),
      ],
    },
    rename: { supported: true },
    ...over,
  };
}

let fake: FakeApi;
beforeEach(() => {
  fake = new FakeApi();
  fake.handle('greetOverview', () => overview());
  fake.handle('greetDetails', ({ files }) => ({
    details: (files ?? []).map((f) => ({ realFilename: f, durationSec: 3.5, sizeBytes: 56_044, format: 'WAV · PCM 16-bit · 8 kHz mono', codec: 'pcm_s16le', sampleRate: 8000, channels: 1, fromCache: false })),
    failed: [],
  }));
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

const row = (file: string) => screen.getAllByTestId('greeting-row').find((r) => r.getAttribute('data-file') === file)!;

describe('GreetingList with the matrix', () => {
  it('shows per greeting the statuses it plays for, and duration, size and format', async () => {
    render(GreetingList, { props: { ext: '3200' } });
    await waitFor(() => expect(within(row('away.wav')).getByTestId('greeting-meta').textContent).toContain('54.7 kB'));
    expect(within(row('away.wav')).getByTestId('plays-for').textContent).toMatch(/Plays for:\s*Away/);
    expect(within(row('welcome.wav')).getByTestId('plays-for').textContent).toMatch(/Default.*Available, Lunch through the default/s);
    expect(within(row('away.wav')).getByTestId('greeting-meta').textContent).toContain('WAV · PCM 16-bit · 8 kHz mono');
    expect(within(row('away.wav')).getByTestId('greeting-meta').textContent).toMatch(/0:03/);
    expect(fake.callsOf('greetDetails')[0]).toEqual({ ext: '3200', files: ['away.wav', 'welcome.wav'] });
  });

  it('a dropdown change writes that one slot and shows what it plays now', async () => {
    fake.handle('greetChoose', () => {
      const o = overview();
      if (o.selection.supported) o.selection.slots[3] = slot('lunch', 'Lunch', { kind: 'greeting', file: 'away.wav' });
      return o;
    });
    render(GreetingList, { props: { ext: '3200' } });
    const lunch = (await screen.findByLabelText('Lunch')) as HTMLSelectElement;
    expect(lunch.value).not.toBe('away.wav');
    await userEvent.selectOptions(lunch, 'away.wav');
    await waitFor(() => expect(screen.getByTestId('greeting-note').textContent).toBe('Lunch now plays away.wav.'));
    expect(fake.callsOf('greetChoose')).toEqual([{ ext: '3200', slots: ['lunch'], choice: { kind: 'greeting', file: 'away.wav' } }]);
    await userEvent.selectOptions(screen.getByLabelText('Default'), 'System greeting (follow system)');
    await waitFor(() => expect(fake.callsOf('greetChoose')).toHaveLength(2));
    expect(fake.callsOf('greetChoose')[1]).toEqual({ ext: '3200', slots: ['default'], choice: { kind: 'reset' } });
  });

  it('no selection fields: the matrix is hidden with the reason; rename absent: the button is gone and the reason shown', async () => {
    fake.handle('greetOverview', () => overview({ selection: { supported: false, reason: 'This PBX API does not report which greeting plays.' }, rename: { supported: false, reason: 'extension_vm_greeting/update answers 10001.' } }));
    render(GreetingList, { props: { ext: '3200' } });
    expect((await screen.findByTestId('matrix-hidden')).textContent).toContain('does not report which greeting plays');
    expect(screen.queryByTestId('greeting-matrix')).toBeNull();
    expect(screen.getByTestId('rename-unsupported').textContent).toContain('10001');
    expect(screen.queryByRole('button', { name: /^Rename/ })).toBeNull();
  });

  it('rename: inline field, checked as typed, saved with Enter', async () => {
    fake.handle('greetRename', ({ to }) => ({ from: 'away.wav', to: `${to}.wav`, carried: ['away'], overview: overview() }));
    render(GreetingList, { props: { ext: '3200' } });
    await userEvent.click(await screen.findByRole('button', { name: 'Rename away.wav' }));
    const input = screen.getByTestId('rename-input');
    await userEvent.clear(input);
    await userEvent.type(input, 'bad name');
    expect(screen.getByTestId('rename-save')).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, 'holiday{Enter}');
    await waitFor(() => expect(screen.getByTestId('greeting-note').textContent).toBe('Renamed away.wav to holiday.wav; it still plays for Away.'));
    expect(fake.callsOf('greetRename')).toEqual([{ ext: '3200', file: 'away.wav', to: 'holiday' }]);
  });

  it('delete in use: Keep it has the focus; the other choice moves the statuses to the default first', async () => {
    fake.handle('greetDelete', ({ file, inUse }) => ({ deleted: file, reset: inUse === 'reset' ? ['away'] : [], overview: overview() }));
    render(GreetingList, { props: { ext: '3200' } });
    await userEvent.click(await screen.findByRole('button', { name: 'Delete away.wav' }));
    const dialog = screen.getByTestId('confirm-delete');
    expect(within(dialog).getByTestId('delete-in-use').textContent).toContain('for Away');
    expect(document.activeElement?.textContent).toBe('Keep it');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(fake.callsOf('greetDelete')).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Delete away.wav' }));
    await userEvent.click(screen.getByTestId('delete-reset'));
    await waitFor(() => expect(screen.getByTestId('greeting-note').textContent).toBe('Deleted away.wav; Away now plays the default.'));
    expect(fake.callsOf('greetDelete')).toEqual([{ ext: '3200', file: 'away.wav', inUse: 'reset' }]);
  });

  it('a greeting that came into use meanwhile: the refused delete asks again with the statuses', async () => {
    fake.fail('greetDelete', { code: 'GREETING_IN_USE', kind: 'pbx', message: 'in use', detail: { slots: ['lunch'] } });
    render(GreetingList, { props: { ext: '3200' } });
    await userEvent.click(await screen.findByRole('button', { name: 'Delete away.wav' }));
    // (the fake overview says away.wav plays for Away; pretend it did not)
    await userEvent.click(screen.getByTestId('delete-reset'));
    await waitFor(() => expect(screen.getByTestId('delete-in-use').textContent).toContain('for Lunch'));
  });
});

describe('RecordByPhone', () => {
  it('needs one extension online; calls, shows progress, then the result; cancel asks main to stop', async () => {
    let finish: (() => void) | null = null;
    fake.handle('greetRecordByPhone', ({ ext, name, operationId }) => new Promise((resolve) => {
      fake.emit('progress', { operationId, percent: 0, stage: 'calling' });
      setTimeout(() => fake.emit('progress', { operationId, percent: 10, stage: 'waiting:3' }), 10);
      finish = () => resolve({ greeting: { id: 9, file: name, realFilename: `${name}.wav`, suffix: '.wav', type: 'record' }, overview: overview({ ext }) });
    }));
    const { rerender } = render(RecordByPhone, { props: { ext: null, online: true } });
    await userEvent.click(screen.getByTestId('phone-toggle'));
    expect(screen.getByTestId('phone-hint').textContent).toContain('Select exactly one extension');
    await rerender({ ext: '3200', online: true });
    await userEvent.type(screen.getByTestId('phone-number'), '3201');
    await userEvent.click(screen.getByTestId('phone-call'));
    await waitFor(() => expect(screen.getByTestId('phone-status').textContent).toContain('Waiting for the recording from 3201: 3 s'));
    expect(screen.getByTestId('phone-progress')).toBeInTheDocument();
    expect(fake.callsOf('greetRecordByPhone')[0]).toMatchObject({ ext: '3200', phone: '3201', name: 'phone_greeting' });
    finish!();
    await waitFor(() => expect(screen.getByTestId('phone-status').textContent).toContain('Recorded phone_greeting.wav for extension 3200'));

    fake.handle('greetRecordByPhone', () => new Promise(() => undefined));
    fake.handle('cancel', () => ({ cancelled: true }));
    await userEvent.click(screen.getByTestId('phone-call'));
    await userEvent.click(await screen.findByTestId('phone-cancel'));
    expect(fake.callsOf('cancel')).toHaveLength(1);
  });

  it('offers the directory as the extension to ring is typed (not the owner itself)', async () => {
    render(RecordByPhone, { props: { ext: '1000', online: true } });
    await userEvent.click(screen.getByTestId('phone-toggle'));
    await userEvent.type(screen.getByTestId('phone-number'), '100');
    await waitFor(() => expect([...document.querySelectorAll('#phone-exts option')].map((o) => o.getAttribute('value'))).toEqual(['1001', '1002', '1003', '1004', '1005', '1006', '1007', '1008', '1009']));
  });

  it('a timeout shows the PBX message', async () => {
    fake.fail('greetRecordByPhone', { code: 'PBX_RECORD_TIMEOUT', kind: 'pbx', message: 'Extension 3201 was called … but no greeting of that name appeared within 180 s.' });
    render(RecordByPhone, { props: { ext: '3200', online: true } });
    await userEvent.click(screen.getByTestId('phone-toggle'));
    await userEvent.type(screen.getByTestId('phone-number'), '3201');
    await userEvent.click(screen.getByTestId('phone-call'));
    expect(await screen.findByText(/no greeting of that name appeared within 180 s/)).toBeInTheDocument();
  });
});

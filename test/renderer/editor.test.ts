import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { render, screen, waitFor, cleanup, fireEvent } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import Editor from '../../renderer/src/components/Editor.svelte';
import type { PreviewResult, SourceInfo } from '../../main/ipc/channels.js';
import { FakeApi } from './fake-api.js';

const source: SourceInfo = { sourceId: 'src1', draftId: 'src1', name: 'take.webm', origin: 'recording', durationSec: 10, codec: 'opus', sampleRate: 48000, channels: 1, sizeBytes: 1000 };
let fake: FakeApi;
let renders = 0;

beforeEach(() => {
  renders = 0;
  fake = new FakeApi();
  fake.handle('analyse', () => ({
    sourceId: 'src1', durationSec: 10, integratedLufs: -38, truePeakDbfs: -20, leadingSilenceSec: 1.2, trailingSilenceSec: 2, speechStartSec: 1.2, speechEndSec: 8,
    clippingRatio: 0, noiseFloorDbfs: -70, warnings: [{ code: 'TOO_QUIET', message: 'The recording is very quiet; it will be raised.' }, { code: 'LONG_SILENCE', message: 'Long silence at the start.' }],
    suggestedTrim: { startSec: 1.05, endSec: 8.3 },
  }));
  fake.handle('readSource', () => ({ bytes: new Uint8Array([1, 2, 3]), mime: 'audio/webm' }));
  fake.handle('renderPreview', (r): PreviewResult => {
    renders += 1;
    const fmt = r.format === 'auto' ? 'wav' : r.format;
    return {
      renderId: `r${renders}`, format: fmt, formatReason: 'fits', bytes: 116_800, durationSec: (r.endSec ?? 10) - (r.startSec ?? 0),
      plan: { format: fmt, reason: 'fits', predictedBytes: 116_800, maxDurationSec: 500, budgetText: '' }, playback: new Uint8Array([0]), playbackMime: 'audio/wav',
    };
  });
  setApi(fake.api());
});
afterEach(() => {
  cleanup();
  setApi(undefined);
});

describe('Editor (trim & preview)', () => {
  it('pre-sets the trim from the automatic silence trim and renders the caller preview for it', async () => {
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    await waitFor(() => expect(screen.getByTestId('trim-start')).toHaveValue(1.05));
    expect(screen.getByTestId('trim-end')).toHaveValue(8.3);
    await waitFor(() => expect(screen.getByTestId('preview-status')).toHaveTextContent('Caller preview ready: 0:07.3, 114.1 kB wav'));
    expect(fake.callsOf('renderPreview')[0]).toMatchObject({ sourceId: 'src1', startSec: 1.05, endSec: 8.3, format: 'auto', normalize: true });
    expect(screen.getByRole('button', { name: 'Play as callers hear it' })).toBeEnabled();
    const warnings = screen.getByRole('list', { name: 'Analysis warnings' });
    expect(warnings).toHaveTextContent('very quiet');
    expect(warnings).toHaveTextContent('Long silence');
  });

  it('shows the 8 MB budget for the selection before encoding and re-renders when the trim changes', async () => {
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    await waitFor(() => expect(screen.getByTestId('budget')).toHaveTextContent('wav: 0:07.3 of 8:20 max'));
    await waitFor(() => expect(renders).toBe(1));
    const start = screen.getByTestId('trim-start');
    await fireEvent.change(start, { target: { value: '2' } });
    expect(screen.getByRole('button', { name: 'Play as callers hear it' })).toBeDisabled(); // stale preview is dropped
    await waitFor(() => expect(renders).toBe(2));
    expect(fake.callsOf('renderPreview')[1]).toMatchObject({ startSec: 2, endSec: 8.3 });
    await waitFor(() => expect(screen.getByTestId('budget')).toHaveTextContent('wav: 0:06.3 of 8:20 max'));
    // an end before the start is ignored
    await fireEvent.change(screen.getByTestId('trim-end'), { target: { value: '1' } });
    expect(fake.callsOf('renderPreview')).toHaveLength(2);
  });

  it('re-renders in the chosen format and warns when it does not fit', async () => {
    fake.handle('planFormat', ({ durationSec, format }) => ({ format: format === 'auto' ? 'wav' : format, reason: '', predictedBytes: 1, maxDurationSec: format === 'gsm' ? 4800 : 5, budgetText: '' }));
    const user = userEvent.setup();
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    await waitFor(() => expect(renders).toBe(1));
    expect(await screen.findByText(/Too long for 8 MB/)).toBeInTheDocument();
    await user.selectOptions(screen.getByTestId('format-select'), 'gsm');
    await waitFor(() => expect(fake.callsOf('renderPreview').at(-1)).toMatchObject({ format: 'gsm' }));
    await waitFor(() => expect(screen.getByTestId('budget')).toHaveTextContent('gsm: 0:07.3 of 1:20:00 max'));
    expect(screen.queryByText(/Too long for 8 MB/)).toBeNull();
  });

  it('plays through an <audio> element in the page: the caller render, then the original; again stops', async () => {
    const user = userEvent.setup();
    const { container } = render(Editor, { props: { source, previewDebounceMs: 10 } });
    const caller = await screen.findByRole('button', { name: 'Play as callers hear it' });
    await waitFor(() => expect(caller).toBeEnabled());
    const audio = screen.getByTestId('preview-audio') as HTMLAudioElement;
    expect(container.contains(audio)).toBe(true);
    expect(audio.getAttribute('src')).toBeNull();
    await user.click(caller);
    expect(audio.getAttribute('src')).toMatch(/^blob:/);
    expect(audio).toHaveAttribute('data-playing', 'caller');
    expect(screen.getByTestId('play-caller')).toHaveAttribute('aria-pressed', 'true');
    const callerSrc = audio.getAttribute('src');
    await user.click(screen.getByTestId('play-original'));
    expect(audio).toHaveAttribute('data-playing', 'original');
    expect(audio.getAttribute('src')).not.toBe(callerSrc);
    await user.click(screen.getByTestId('play-original'));
    expect(audio.getAttribute('src')).toBeNull();
    expect(audio).toHaveAttribute('data-playing', '');
  });

  it('shows selection and take length in tenths, and says why the caller render is a little longer', async () => {
    const plain = fake.handlerOf('renderPreview');
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    expect(await screen.findByText('Selection 0:07.3 of 0:10.0')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('preview-status')).toHaveTextContent('Caller preview ready: 0:07.3, 114.1 kB wav'));
    cleanup();
    fake.handle('renderPreview', async (r) => ({ ...(await plain(r)), durationSec: 7.45 }));
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    await waitFor(() => expect(screen.getByTestId('preview-status')).toHaveTextContent('Caller preview ready: 0:07.5 (incl. 0.2 s lead-in), 114.1 kB wav'));
  });

  it('validates the greeting name live', async () => {
    const user = userEvent.setup();
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    const name = await screen.findByLabelText('Greeting name');
    expect(name).toHaveAttribute('aria-invalid', 'false');
    await user.clear(name);
    await user.type(name, 'Bonjour été');
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText(/Use only letters, digits/)).toBeInTheDocument();
    await user.clear(name);
    expect(screen.getByText('Enter a name for the greeting.')).toBeInTheDocument();
    await user.type(name, 'office_hours-2');
    expect(name).toHaveAttribute('aria-invalid', 'false');
    await waitFor(() => expect(screen.getByText('Stored on the PBX as office_hours-2.wav')).toBeInTheDocument());
  });

  it('reports an analysis failure', async () => {
    fake.fail('analyse', { code: 'AUDIO_NO_AUDIO_STREAM', kind: 'audio', message: 'No audio stream in take.webm.' });
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    expect(await screen.findByRole('alert')).toHaveTextContent('No audio stream in take.webm.');
  });

  it('keeps the trim and the format in the draft as they change (debounced), and flushes on demand', async () => {
    const { component } = render(Editor, { props: { source, previewDebounceMs: 10, saveDebounceMs: 20 } });
    await waitFor(() => expect(fake.callsOf('saveDraft')).toEqual([{ draftId: 'src1', settings: { trimStartSec: 1.05, trimEndSec: 8.3, normalize: true, format: 'auto' } }]));
    await waitFor(() => expect(screen.getByTestId('draft-status')).toHaveTextContent('Kept in Drafts.'));
    await fireEvent.change(screen.getByTestId('trim-start'), { target: { value: '2' } });
    await (component as unknown as { flush(): Promise<void> }).flush();
    expect(fake.callsOf('saveDraft').at(-1)).toMatchObject({ settings: { trimStartSec: 2, trimEndSec: 8.3 } });
  });

  it("opens with the draft's saved settings instead of the automatic trim", async () => {
    render(Editor, { props: { source, previewDebounceMs: 10, initial: { trimStartSec: 2.5, trimEndSec: 6, normalize: true, format: 'gsm' } } });
    await waitFor(() => expect(screen.getByTestId('trim-start')).toHaveValue(2.5));
    expect(screen.getByTestId('trim-end')).toHaveValue(6);
    await waitFor(() => expect(fake.callsOf('renderPreview')[0]).toMatchObject({ startSec: 2.5, endSec: 6, format: 'gsm' }));
  });

  it('refuses trim values outside the file or crossing the other handle, with a message; the field shows the selection again', async () => {
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    await waitFor(() => expect(renders).toBe(1));
    const end = screen.getByTestId('trim-end') as HTMLInputElement;
    await fireEvent.change(end, { target: { value: '99' } });
    expect(screen.getByTestId('trim-error')).toHaveTextContent('End can be at most 10.00 s (the length of the file).');
    expect(end.value).toBe('8.3');
    expect(end).toHaveAttribute('aria-invalid', 'true');
    const start = screen.getByTestId('trim-start') as HTMLInputElement;
    await fireEvent.change(start, { target: { value: '9' } });
    expect(screen.getByTestId('trim-error')).toHaveTextContent('Start must be before the end (8.30 s).');
    expect(start.value).toBe('1.05');
    await fireEvent.change(start, { target: { value: '-1' } });
    expect(screen.getByTestId('trim-error')).toHaveTextContent('Start cannot be before 0 s.');
    await fireEvent.change(start, { target: { value: '' } });
    expect(screen.getByTestId('trim-error')).toHaveTextContent('Start must be a number of seconds.');
    await new Promise((r) => setTimeout(r, 50));
    expect(renders).toBe(1); // nothing refused reached the render
    await fireEvent.change(start, { target: { value: '2' } });
    expect(screen.queryByTestId('trim-error')).toBeNull();
    await waitFor(() => expect(renders).toBe(2));
    // The waveform's handles show the same selection, and move it with the keyboard.
    expect(screen.getByRole('slider', { name: 'Start of the selection' })).toHaveAttribute('aria-valuenow', '2');
    const endHandle = screen.getByRole('slider', { name: 'End of the selection' });
    expect(endHandle).toHaveAttribute('aria-valuenow', '8.3');
    await fireEvent.keyDown(endHandle, { key: 'ArrowRight' });
    expect(end.value).toBe('8.4');
    await fireEvent.keyDown(endHandle, { key: 'ArrowLeft', shiftKey: true });
    expect(end.value).toBe('7.4');
    await fireEvent.keyDown(endHandle, { key: 'End' });
    expect(end.value).toBe('10');
    expect(screen.getByTestId('waveform')).toHaveAttribute('data-end', '10');
  });

  it('warns about a source peak above 0 dBFS instead of saying "no problems found"', async () => {
    fake.handle('analyse', () => ({
      sourceId: 'src1', durationSec: 10, integratedLufs: -14, truePeakDbfs: 1.3, leadingSilenceSec: 0.2, trailingSilenceSec: 0.2, speechStartSec: 0.2, speechEndSec: 9.8,
      clippingRatio: 0, noiseFloorDbfs: -70, warnings: [], suggestedTrim: { startSec: 0.05, endSec: 10 },
    }));
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    const warnings = await screen.findByRole('list', { name: 'Analysis warnings' });
    expect(warnings).toHaveTextContent('peaks at +1.3 dBFS, above full scale');
    expect(screen.queryByText(/no problems found/)).toBeNull();
  });

  it("shows the draft's name in the heading, not the stored file name", async () => {
    fake.handle('getDraft', () => ({ name: 'Sales Welcome (final)' }) as never);
    render(Editor, { props: { source: { ...source, name: 'recording-123.webm' }, previewDebounceMs: 10 } });
    await waitFor(() => expect(screen.getByTestId('editor-name')).toHaveTextContent('Sales Welcome (final)'));
    expect(screen.getByRole('heading', { level: 2 })).not.toHaveTextContent('recording-123.webm');
  });

  it('A/B: switching from the original to the caller render continues at the same moment', async () => {
    const user = userEvent.setup();
    render(Editor, { props: { source, previewDebounceMs: 10 } });
    const caller = await screen.findByRole('button', { name: 'Play as callers hear it' });
    await waitFor(() => expect(caller).toBeEnabled());
    await waitFor(() => expect(screen.getByTestId('play-original')).toBeEnabled());
    const audio = screen.getByTestId('preview-audio') as HTMLAudioElement;
    let t = 0;
    Object.defineProperty(audio, 'currentTime', { get: () => t, set: (v: number) => void (t = v), configurable: true });
    await user.click(screen.getByTestId('play-original'));
    audio.dispatchEvent(new Event('loadedmetadata'));
    expect(t).toBeCloseTo(1.05); // the original starts at the selection
    t = 4.05; // 3 s into the selection
    await user.click(caller);
    expect(audio).toHaveAttribute('data-playing', 'caller');
    audio.dispatchEvent(new Event('loadedmetadata'));
    expect(t).toBeCloseTo(3); // the render starts at the selection (no lead-in here)
    await user.click(screen.getByTestId('play-original'));
    audio.dispatchEvent(new Event('loadedmetadata'));
    expect(t).toBeCloseTo(4.05);
  });
});

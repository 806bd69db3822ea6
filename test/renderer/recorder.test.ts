import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { render, screen, waitFor, cleanup } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/lib/api.js';
import { audioConstraints, Recorder, type MediaRecorderLike, type RecorderDeps, type RecorderSnapshot } from '../../renderer/src/lib/recorder.js';
import Source from '../../renderer/src/components/Source.svelte';
import { FakeApi } from './fake-api.js';

class FakeMediaRecorder implements MediaRecorderLike {
  mimeType = 'audio/webm;codecs=opus';
  started: number | null = null;
  stopped = false;
  ondataavailable: MediaRecorderLike['ondataavailable'] = null;
  onstop: MediaRecorderLike['onstop'] = null;
  onerror: MediaRecorderLike['onerror'] = null;
  start(ms: number) {
    this.started = ms;
  }
  chunk(bytes: number[]) {
    const data = new Uint8Array(bytes);
    this.ondataavailable?.({ data: { size: data.length, arrayBuffer: async () => data.buffer } });
  }
  stop() {
    if (this.stopped) return;
    this.stopped = true;
    this.chunk([9, 9]); // the final chunk comes before 'stop', as in browsers
    queueMicrotask(() => this.onstop?.());
  }
}

let fake: FakeApi;
let mr: FakeMediaRecorder;
let trackStops: number;
let clock: number;
let deps: RecorderDeps;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  fake = new FakeApi();
  fake.handle('startTake', () => ({ takeId: 'take1', maxDurationSec: 5 }));
  fake.handle('appendChunk', ({ takeId, seq, bytes }) => ({ takeId, seq, totalBytes: bytes.byteLength }));
  fake.handle('finishTake', () => ({ sourceId: 'src1', draftId: 'src1', name: 'recording.webm', origin: 'recording', durationSec: 2, codec: 'opus', sampleRate: 48000, channels: 1, sizeBytes: 6 }));
  fake.handle('abortTake', () => ({ aborted: true }));
  setApi(fake.api());
  trackStops = 0;
  clock = 0;
  mr = new FakeMediaRecorder();
  deps = {
    getUserMedia: vi.fn(async () => ({ getTracks: () => [{ stop: () => void trackStops++ }] })),
    createMediaRecorder: () => mr,
    now: () => clock,
  };
});
afterEach(() => {
  vi.useRealTimers();
  cleanup();
  setApi(undefined);
});

function machine(countdownSec = 3) {
  const seen: RecorderSnapshot['phase'][] = [];
  const r = new Recorder(deps, { countdownSec }, (s) => {
    if (seen[seen.length - 1] !== s.phase) seen.push(s.phase);
  });
  return { r, seen };
}

describe('Recorder state machine', () => {
  it('asks for a faithful mic stream (no AGC, noise suppression or echo cancellation)', () => {
    expect(audioConstraints('mic-2')).toEqual({
      audio: { deviceId: { exact: 'mic-2' }, autoGainControl: false, noiseSuppression: false, echoCancellation: false, channelCount: 1 },
    });
    expect(audioConstraints(undefined).audio).not.toHaveProperty('deviceId');
  });

  it('countdown -> recording -> streams 250 ms chunks in order -> stop -> done', async () => {
    const { r, seen } = machine(3);
    await r.start('mic-1');
    expect(deps.getUserMedia).toHaveBeenCalledWith(audioConstraints('mic-1'));
    expect(r.snapshot).toMatchObject({ phase: 'countdown', countdown: 3 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(r.snapshot.countdown).toBe(2);
    await vi.advanceTimersByTimeAsync(2000);
    expect(r.snapshot.phase).toBe('recording');
    expect(mr.started).toBe(250);
    expect(fake.callsOf('startTake')).toEqual([{ mimeType: 'audio/webm;codecs=opus' }]);
    mr.chunk([1, 2]);
    mr.chunk([3]);
    clock = 2000;
    await vi.advanceTimersByTimeAsync(200);
    expect(r.snapshot.elapsedSec).toBe(2);
    const source = await r.stop();
    expect(source?.sourceId).toBe('src1');
    expect(fake.callsOf('appendChunk').map((c) => [c.seq, [...c.bytes]])).toEqual([[0, [1, 2]], [1, [3]], [2, [9, 9]]]);
    expect(fake.callsOf('finishTake')).toEqual([{ takeId: 'take1' }]);
    expect(trackStops).toBe(1);
    expect(seen).toEqual(['requesting', 'countdown', 'recording', 'finishing', 'done']);
  });

  it('stops by itself at the maximum length', async () => {
    const { r } = machine(0);
    await r.start();
    clock = 5100;
    await vi.advanceTimersByTimeAsync(100);
    await vi.waitFor(() => expect(r.snapshot.phase).toBe('done'));
    expect(mr.stopped).toBe(true);
    expect(r.snapshot.stoppedAtMax).toBe(true);
  });

  it('cancelling during the countdown records nothing', async () => {
    const { r } = machine(3);
    await r.start();
    await r.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(r.snapshot.phase).toBe('idle');
    expect(fake.callsOf('startTake')).toEqual([]);
    expect(trackStops).toBe(1);
  });

  it('a refused microphone ends in a clear error', async () => {
    deps.getUserMedia = async () => {
      throw new DOMException('denied', 'NotAllowedError');
    };
    const { r } = machine(0);
    await r.start();
    expect(r.snapshot.phase).toBe('error');
    expect(r.snapshot.error).toMatchObject({ code: 'MIC_DENIED', title: 'Microphone blocked' });
  });

  it('a failed chunk write aborts the take and reports the error', async () => {
    fake.fail('appendChunk', { code: 'TAKE_TOO_BIG', kind: 'input', message: 'The recording is too large.' });
    const { r } = machine(0);
    await r.start();
    mr.chunk([1]);
    await r.stop();
    expect(r.snapshot.phase).toBe('error');
    expect(r.snapshot.error?.message).toBe('The recording is too large.');
    expect(fake.callsOf('abortTake')).toEqual([{ takeId: 'take1' }]);
    expect(fake.callsOf('finishTake')).toEqual([]);
  });
});

describe('Source panel', () => {
  it('records with the injected media and hands the finished source on', async () => {
    vi.useRealTimers();
    const user = userEvent.setup();
    const onSource = vi.fn();
    render(Source, { props: { onSource, recorderDeps: deps } });
    await user.selectOptions(screen.getByLabelText('Countdown'), 'Off');
    await user.click(screen.getByRole('button', { name: 'Record' }));
    const stop = await screen.findByRole('button', { name: 'Stop recording' });
    expect(stop).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('record-status')).toHaveTextContent(/Recording 0:00\.\d \/ max 0:05\.0/);
    await user.click(stop);
    await waitFor(() => expect(onSource).toHaveBeenCalledWith(expect.objectContaining({ sourceId: 'src1' })));
    // The take's length is the one the rest of the app works with (the saved file's), in tenths.
    await waitFor(() => expect(screen.getByTestId('record-status')).toHaveTextContent(/Recorded 0:02\.0$/));
    // The focus stays on a control (the Record button), not on <body>.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByTestId('record-button')));
    expect(screen.getByTestId('record-button')).toHaveAccessibleName('Record');
  });

  it('announces the recording at most once a second (the visible timer runs every 100 ms), and the maximum length', async () => {
    vi.useRealTimers();
    let now = 0;
    deps.now = () => now;
    const user = userEvent.setup();
    render(Source, { props: { onSource: vi.fn(), recorderDeps: deps, liveIntervalMs: 300 } });
    await user.selectOptions(screen.getByLabelText('Countdown'), 'Off');
    const live = screen.getByTestId('record-live');
    const changes: string[] = [];
    const obs = new MutationObserver(() => changes.push(live.textContent ?? ''));
    obs.observe(live, { subtree: true, childList: true, characterData: true });
    const t0 = Date.now();
    await user.click(screen.getByRole('button', { name: 'Record' }));
    for (let i = 0; i < 12; i++) {
      now += 100;
      await new Promise((r) => setTimeout(r, 50));
    }
    const elapsed = Date.now() - t0;
    expect(changes.length).toBeLessThanOrEqual(Math.ceil(elapsed / 300) + 1);
    now = 5200; // past max 5 s: stops by itself and says why
    await waitFor(() => expect(screen.getByTestId('max-reached')).toBeInTheDocument(), { timeout: 3000 });
    await waitFor(() => expect(live).toHaveTextContent(/Maximum length of 0:05\.0 reached/), { timeout: 3000 });
    obs.disconnect();
  });

  it('offers an unfinished take back and restores it', async () => {
    vi.useRealTimers();
    fake.handle('listUnfinishedTakes', () => [{ takeId: 'old1', startedAt: '2026-11-28T10:00:00.000Z', bytes: 20480, mimeType: 'audio/webm' }]);
    fake.handle('restoreTake', () => ({ sourceId: 'restored', draftId: 'restored', name: 'r.webm', origin: 'recording', durationSec: 3, codec: 'opus', sampleRate: 48000, channels: 1, sizeBytes: 20480 }));
    const onSource = vi.fn();
    const user = userEvent.setup();
    render(Source, { props: { onSource, recorderDeps: deps } });
    expect(await screen.findByTestId('unfinished-take')).toHaveTextContent('20.0 kB');
    await user.click(screen.getByRole('button', { name: 'Restore recording' }));
    await waitFor(() => expect(onSource).toHaveBeenCalledWith(expect.objectContaining({ sourceId: 'restored' })));
    expect(screen.queryByTestId('unfinished-take')).toBeNull();
  });

  it('imports a file chosen in the file input as bytes', async () => {
    vi.useRealTimers();
    fake.handle('importBytes', ({ name, bytes }) => ({ sourceId: 'imp', draftId: 'imp', name, origin: 'import', durationSec: 1, codec: 'pcm', sampleRate: 8000, channels: 1, sizeBytes: bytes.byteLength }));
    const onSource = vi.fn();
    const user = userEvent.setup();
    render(Source, { props: { onSource, recorderDeps: deps } });
    await user.upload(screen.getByLabelText('Import audio file'), new File([new Uint8Array([1, 2, 3, 4])], 'hello.wav', { type: 'audio/wav' }));
    await waitFor(() => expect(onSource).toHaveBeenCalledWith(expect.objectContaining({ sourceId: 'imp', sizeBytes: 4 })));
    expect(fake.callsOf('importBytes')[0]?.name).toBe('hello.wav');
  });

  it('shows an import error from the audio engine', async () => {
    vi.useRealTimers();
    fake.fail('importBytes', { code: 'AUDIO_NO_AUDIO_STREAM', kind: 'audio', message: 'The file contains no audio.' });
    const user = userEvent.setup();
    const onFailed = vi.fn();
    render(Source, { props: { onSource: vi.fn(), onFailed, recorderDeps: deps } });
    await user.upload(screen.getByLabelText('Import audio file'), new File(['x'], 'x.wav', { type: 'audio/wav' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Audio problem');
    expect(alert).toHaveTextContent('The file contains no audio.');
    // The workspace is told, so it drops the previous file's editor (no Upload of the wrong file).
    expect(onFailed).toHaveBeenCalledTimes(1);
  });
});

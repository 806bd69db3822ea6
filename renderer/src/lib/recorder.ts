// Recorder state machine: idle -> requesting (mic) -> countdown -> recording -> finishing -> done, or error.
// MediaRecorder chunks (~250 ms) are streamed to main in order and written to disk as they arrive.
// Browser APIs and the IPC calls are injected, so the machine is unit-testable.
import type { SourceInfo } from '../../../main/ipc/channels.js';
import { call } from './api.js';
import { describeError, type ShownError } from './errors.js';

export type RecorderPhase = 'idle' | 'requesting' | 'countdown' | 'recording' | 'finishing' | 'done' | 'error';

export interface RecorderSnapshot {
  phase: RecorderPhase;
  countdown: number;
  elapsedSec: number;
  maxSec: number;
  chunksSent: number;
  /** True when the take stopped by itself at maxSec (the person is told so). */
  stoppedAtMax?: boolean;
  error?: ShownError;
  source?: SourceInfo;
}

export interface BlobLike {
  size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}
export interface MediaRecorderLike {
  readonly mimeType: string;
  start(timesliceMs: number): void;
  stop(): void;
  ondataavailable: ((e: { data: BlobLike }) => void) | null;
  onstop: (() => void) | null;
  onerror: ((e: unknown) => void) | null;
}
export interface StreamLike {
  getTracks(): { stop(): void }[];
}

export interface RecorderDeps {
  getUserMedia(constraints: { audio: Record<string, unknown> }): Promise<StreamLike>;
  createMediaRecorder(stream: StreamLike): MediaRecorderLike;
  /** Called with the live stream (for the level meter) and with null when it ends. */
  onStream?(stream: StreamLike | null): void;
  setInterval?(fn: () => void, ms: number): unknown;
  clearInterval?(id: unknown): void;
  now?(): number;
}

export interface RecorderOptions {
  countdownSec: number;
  timesliceMs?: number;
}

/** Faithful take: browser processing that would colour the greeting is turned off. */
export function audioConstraints(deviceId: string | undefined): { audio: Record<string, unknown> } {
  return {
    audio: {
      ...(deviceId ? { deviceId: { exact: deviceId } } : {}),
      autoGainControl: false,
      noiseSuppression: false,
      echoCancellation: false,
      channelCount: 1,
    },
  };
}

export class Recorder {
  private snap: RecorderSnapshot = { phase: 'idle', countdown: 0, elapsedSec: 0, maxSec: 600, chunksSent: 0 };
  private stream: StreamLike | null = null;
  private mr: MediaRecorderLike | null = null;
  private takeId: string | null = null;
  private timer: unknown = null;
  private chain: Promise<void> = Promise.resolve();
  private seq = 0;
  private startedAt = 0;
  private chainError: unknown = null;
  private readonly setI: (fn: () => void, ms: number) => unknown;
  private readonly clearI: (id: unknown) => void;
  private readonly now: () => number;

  constructor(private readonly deps: RecorderDeps, private readonly opts: RecorderOptions, private readonly onChange: (s: RecorderSnapshot) => void) {
    this.setI = deps.setInterval ?? ((fn, ms) => globalThis.setInterval(fn, ms));
    this.clearI = deps.clearInterval ?? ((id) => globalThis.clearInterval(id as ReturnType<typeof setInterval>));
    this.now = deps.now ?? (() => performance.now());
  }

  get snapshot(): RecorderSnapshot {
    return this.snap;
  }

  private set(patch: Partial<RecorderSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    this.onChange(this.snap);
  }

  get busy(): boolean {
    return ['requesting', 'countdown', 'recording', 'finishing'].includes(this.snap.phase);
  }

  async start(deviceId?: string, countdownSec: number = this.opts.countdownSec): Promise<void> {
    if (this.busy) return;
    this.set({ phase: 'requesting', countdown: 0, elapsedSec: 0, chunksSent: 0, stoppedAtMax: false, error: undefined, source: undefined });
    try {
      this.stream = await this.deps.getUserMedia(audioConstraints(deviceId));
    } catch (e) {
      this.fail(e);
      return;
    }
    this.deps.onStream?.(this.stream);
    if (countdownSec > 0) {
      let remaining = countdownSec;
      this.set({ phase: 'countdown', countdown: remaining });
      this.timer = this.setI(() => {
        remaining -= 1;
        if (remaining > 0) {
          this.set({ countdown: remaining });
          return;
        }
        this.clearTimer();
        void this.begin();
      }, 1000);
    } else {
      await this.begin();
    }
  }

  private async begin(): Promise<void> {
    if (!this.stream || this.snap.phase === 'idle') return;
    try {
      const mr = this.deps.createMediaRecorder(this.stream);
      const take = await call('startTake', { mimeType: (mr.mimeType || 'audio/webm').replace(/\s+/g, '') });
      this.takeId = take.takeId;
      this.mr = mr;
      this.seq = 0;
      this.chain = Promise.resolve();
      this.chainError = null;
      mr.ondataavailable = (e) => {
        if (e.data.size > 0) this.enqueue(take.takeId, e.data);
      };
      mr.onerror = (e) => this.fail(e);
      mr.start(this.opts.timesliceMs ?? 250);
      this.startedAt = this.now();
      this.set({ phase: 'recording', countdown: 0, elapsedSec: 0, maxSec: take.maxDurationSec });
      this.timer = this.setI(() => {
        const elapsed = (this.now() - this.startedAt) / 1000;
        this.set({ elapsedSec: elapsed });
        if (elapsed >= this.snap.maxSec) {
          this.set({ stoppedAtMax: true });
          void this.stop();
        }
      }, 100);
    } catch (e) {
      this.fail(e);
    }
  }

  private enqueue(takeId: string, blob: BlobLike): void {
    const seq = this.seq++;
    this.chain = this.chain.then(async () => {
      if (this.chainError) return;
      try {
        const bytes = new Uint8Array(await blob.arrayBuffer());
        await call('appendChunk', { takeId, seq, bytes });
        this.set({ chunksSent: this.snap.chunksSent + 1 });
      } catch (e) {
        this.chainError = e;
      }
    });
  }

  /** Stops the take; resolves when main has written every chunk and turned it into a source. */
  async stop(): Promise<SourceInfo | undefined> {
    if (this.snap.phase === 'countdown' || this.snap.phase === 'requesting') {
      await this.cancel();
      return undefined;
    }
    if (this.snap.phase !== 'recording' || !this.mr || !this.takeId) return undefined;
    const mr = this.mr;
    const takeId = this.takeId;
    this.clearTimer();
    this.set({ phase: 'finishing', elapsedSec: (this.now() - this.startedAt) / 1000 });
    const stopped = new Promise<void>((resolve) => {
      mr.onstop = () => resolve();
    });
    mr.stop();
    await stopped;
    this.releaseStream();
    await this.chain;
    this.mr = null;
    this.takeId = null;
    if (this.chainError) {
      const err = this.chainError;
      await call('abortTake', { takeId }).catch(() => undefined);
      this.fail(err);
      return undefined;
    }
    try {
      const source = await call('finishTake', { takeId });
      this.set({ phase: 'done', source });
      return source;
    } catch (e) {
      this.fail(e);
      return undefined;
    }
  }

  async cancel(): Promise<void> {
    this.clearTimer();
    const mr = this.mr;
    const takeId = this.takeId;
    this.mr = null;
    this.takeId = null;
    if (mr) {
      mr.ondataavailable = null;
      mr.onstop = null;
      try {
        mr.stop();
      } catch {
        /* already stopped */
      }
    }
    this.releaseStream();
    this.set({ phase: 'idle', countdown: 0, elapsedSec: 0 });
    if (takeId) {
      await this.chain;
      await call('abortTake', { takeId }).catch(() => undefined);
    }
  }

  private fail(e: unknown): void {
    this.clearTimer();
    if (this.mr) {
      try {
        this.mr.stop();
      } catch {
        /* ignore */
      }
      this.mr = null;
    }
    this.releaseStream();
    this.set({ phase: 'error', error: describeError(e) });
  }

  private releaseStream(): void {
    if (this.stream) {
      for (const t of this.stream.getTracks()) t.stop();
      this.stream = null;
      this.deps.onStream?.(null);
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      this.clearI(this.timer);
      this.timer = null;
    }
  }
}

/** Adapts a browser MediaRecorder to the machine's small interface. */
export function wrapMediaRecorder(mr: MediaRecorder): MediaRecorderLike {
  const like: MediaRecorderLike = {
    get mimeType() {
      return mr.mimeType;
    },
    start: (t) => mr.start(t),
    stop: () => mr.stop(),
    ondataavailable: null,
    onstop: null,
    onerror: null,
  };
  mr.ondataavailable = (e) => like.ondataavailable?.({ data: e.data });
  mr.onstop = () => like.onstop?.();
  mr.onerror = (e) => like.onerror?.(e);
  return like;
}

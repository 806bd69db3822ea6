// Text → a greeting file: the engine speaks into a private temp folder, then the same render as a recording
// (renderGreeting: 8 kHz mono, loudness target, silence trimmed, lead-in) writes the output. The temp folder is
// removed on success, error and cancel.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderGreeting, type RenderOptions, type RenderResult } from '../../audio/index.js';
import type { SynthesizeResult, TtsEngine } from './engine.js';

export type SpeakRenderSettings = Pick<RenderOptions, 'format' | 'trimSilence' | 'normalize' | 'targetLufs' | 'startSec' | 'endSec'>;

export interface SpeakOptions {
  engine: TtsEngine;
  text: string;
  outputPath: string;
  settings?: SpeakRenderSettings;
  voice?: string | undefined;
  ratePercent?: number | undefined;
  ext?: string | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((p: { percent: number; stage: string }) => void) | undefined;
  tempDir?: string | undefined;
  /** Injected by tests; default renderGreeting. */
  render?: typeof renderGreeting;
}

/** Runs `fn` with a fresh temp folder that is always removed afterwards. */
export async function withSpeechDir<T>(fn: (dir: string) => Promise<T>, tempDir?: string): Promise<T> {
  const dir = await mkdtemp(path.join(tempDir ?? os.tmpdir(), 'vmgs-tts-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function speakToFile(o: SpeakOptions): Promise<{ speech: SynthesizeResult; render: RenderResult }> {
  const render = o.render ?? renderGreeting;
  return withSpeechDir(async (dir) => {
    o.onProgress?.({ percent: 0, stage: 'speak' });
    const speech = await o.engine.synthesize({ text: o.text, dir, voice: o.voice, ratePercent: o.ratePercent, ext: o.ext, signal: o.signal });
    const result = await render(
      { ...(o.settings ?? {}), inputPath: speech.file, outputPath: o.outputPath, tempDir: dir },
      { signal: o.signal, onProgress: (p) => o.onProgress?.({ percent: 20 + p.percent * 0.8, stage: p.stage }) },
    );
    return { speech, render: result };
  }, o.tempDir);
}

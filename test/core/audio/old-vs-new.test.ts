// The render moved from two ffmpeg passes (analysis, then -ss/-t render with alimiter at 32 kHz) to one decode
// with the processing in Node. This compares both on the render tests' corpus, each output measured independently
// (ffmpeg ebur128 + silencedetect): loudness within 0.3 LU of each other, the same trim points and lead-in within
// 20 ms. The old path runs in the test itself (test/helpers/legacy-render.ts), so nothing here is a recorded number.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderGreeting, type GreetingFormat } from '../../../main/core/audio/index.js';
import { ffmpeg, makeTempDir, measure } from '../../helpers/audio-fixtures.js';
import { buildCorpus } from './corpus.js';
import { legacyRender } from '../../helpers/legacy-render.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const f: Record<string, string> = {};

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-oldnew-'));
  await mkdir(path.join(dir, 'out'));
  Object.assign(f, await buildCorpus(dir));
  // Speech over pink noise at 48 kHz stereo, like the benchmark's input.
  f.noisy = path.join(dir, 'noisy.wav');
  await ffmpeg(['-i', f.speech!, '-f', 'lavfi', '-i', 'anoisesrc=color=pink:amplitude=0.002:r=22050', '-filter_complex',
    '[0:a]adelay=600:all=1,apad=pad_dur=1[s];[s][1:a]amix=inputs=2:duration=first:normalize=0,volume=-4dB[o]', '-map', '[o]', '-ar', '48000', '-ac', '2', f.noisy]);
});
afterAll(async () => cleanup());

interface Case { name: string; input: () => string; format: GreetingFormat; targetLufs?: number; ceilingDbfs?: number; startSec?: number; endSec?: number; trimSilence?: boolean; lufsTolerance?: number }

const CASES: Case[] = [
  { name: '48 kHz stereo with lead/trail silence → wav', input: () => f.padded!, format: 'wav' },
  { name: 'quiet, noisy → wav-ulaw', input: () => f.quiet!, format: 'wav-ulaw' },
  { name: 'clipped → wav-alaw', input: () => f.clipped!, format: 'wav-alaw' },
  { name: 'webm/opus without a duration → mp3', input: () => f.webm!, format: 'mp3', lufsTolerance: 1 },
  { name: 'mp4 audio → gsm', input: () => f.mp4!, format: 'gsm', lufsTolerance: 1 },
  { name: 'speech over pink noise → wav', input: () => f.noisy!, format: 'wav' },
  { name: 'a range, no trim, -16 LUFS, -1 dBFS ceiling → wav', input: () => f.speech!, format: 'wav', startSec: 1, endSec: 4, trimSilence: false, targetLufs: -16, ceilingDbfs: -1 },
];

describe('old (two ffmpeg passes) and new (one decode, Node processing) renders agree', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const ext = c.format === 'mp3' ? '.mp3' : c.format === 'gsm' ? '.gsm' : '.wav';
      const oldOut = path.join(dir, 'out', `old-${c.format}-${c.startSec ?? 0}${ext}`);
      const newOut = path.join(dir, 'out', `new-${c.format}-${c.startSec ?? 0}${ext}`);
      const target = c.targetLufs ?? -20;
      const ceiling = c.ceilingDbfs ?? -3;
      const old = await legacyRender(c.input(), oldOut, { format: c.format, targetLufs: target, ceilingDbfs: ceiling, startSec: c.startSec, endSec: c.endSec, trimSilence: c.trimSilence });
      const now = await renderGreeting({
        inputPath: c.input(), outputPath: newOut, format: c.format, targetLufs: target, peakCeilingDbfs: ceiling, startSec: c.startSec, endSec: c.endSec, trimSilence: c.trimSilence,
      });
      const [mo, mn] = await Promise.all([measure(oldOut), measure(newOut)]);
      // Loudness: both on target, and within 0.3 LU of each other.
      expect(Math.abs(mn.integratedLufs - mo.integratedLufs)).toBeLessThanOrEqual(0.3);
      expect(Math.abs(mn.integratedLufs - target)).toBeLessThanOrEqual(c.lufsTolerance ?? 0.5);
      expect(mn.truePeakDbfs).toBeLessThanOrEqual(ceiling);
      // The same trim points and lead-in (20 ms), as decided and as heard in the file.
      expect(Math.abs(now.keptStartSec - old.keptStartSec)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(now.keptEndSec - old.keptEndSec)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(now.leadInPadSec - old.leadInPadSec)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(mn.leadingSilenceSec - mo.leadingSilenceSec)).toBeLessThanOrEqual(0.02);
      expect(Math.abs(mn.durationSec - mo.durationSec)).toBeLessThanOrEqual(0.02);
      expect({ codec: mn.codec, rate: mn.sampleRate, channels: mn.channels }).toEqual({ codec: mo.codec, rate: mo.sampleRate, channels: mo.channels });
    });
  }
});

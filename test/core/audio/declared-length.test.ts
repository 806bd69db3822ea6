// A file that ends before its header says (a WAV cut off by an interrupted copy): the header is read and the
// analysis warns TRUNCATED, on every path the app and the CLI analyse by. Audio made here with lavfi; the cut copy
// is the first bytes of a 10 s WAV.
import { open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyseAudio, clearDecodeCache, probeAndAnalyse, probeAudio, renderGreeting } from '../../../main/core/audio/index.js';
import { truncationOf, wavDeclaredLength } from '../../../main/core/audio/declared-length.js';
import { pcmWavHeader } from '../../../main/core/wav.js';
import { espeak, ffmpeg, makeTempDir } from '../../helpers/audio-fixtures.js';

let dir = '';
let cleanup: () => Promise<void> = async () => undefined;
const f: Record<string, string> = {};

/** The first `keepSec` of audio of a PCM WAV with a plain 44-byte header (its header still promises all of it). */
async function cutWav(src: string, out: string, keepSec: number, bytesPerSec: number): Promise<string> {
  const b = await readFile(src);
  await writeFile(out, b.subarray(0, 44 + Math.round(keepSec * bytesPerSec)));
  return out;
}

beforeAll(async () => {
  ({ dir, cleanup } = await makeTempDir('vmgs-trunc-'));
  // 10 s: espeak speech (with pauses) padded with a tone, 8 kHz 16-bit mono (16,000 bytes/s), plain 44-byte header.
  const speech = await espeak(path.join(dir, 'speech.wav'), 'Hello, this is a greeting. Please leave a message.');
  f.full = path.join(dir, 'full.wav');
  await ffmpeg(['-i', speech, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-filter_complex',
    '[1:a]volume=-30dB[t];[0:a]aresample=8000,apad[s];[s][t]amix=inputs=2:duration=shortest:normalize=0,atrim=duration=10', '-ar', '8000', '-ac', '1',
    '-c:a', 'pcm_s16le', '-map_metadata', '-1', '-fflags', '+bitexact', '-flags:a', '+bitexact', f.full]);
  f.cut = await cutWav(f.full, path.join(dir, 'cut.wav'), 0.7, 16000);
  f.cutLonger = await cutWav(f.full, path.join(dir, 'cut-4s.wav'), 4.2, 16000);
}, 60_000);
afterAll(async () => cleanup());

describe('wavDeclaredLength (the RIFF header against the bytes present)', () => {
  it('a whole WAV: declared = present; a cut one: 10 s declared, 0.7 s present', async () => {
    const size = async (p: string): Promise<number> => (await open(p, 'r').then(async (h) => { const s = await h.stat(); await h.close(); return s.size; }));
    const whole = await wavDeclaredLength(f.full!, await size(f.full!));
    expect(whole?.declaredSec).toBeCloseTo(10, 2);
    expect(whole?.presentSec).toBeCloseTo(10, 2);
    expect(truncationOf(whole)).toBeUndefined();
    const cut = await wavDeclaredLength(f.cut!, await size(f.cut!));
    expect(cut?.declaredSec).toBeCloseTo(10, 2);
    expect(cut?.presentSec).toBeCloseTo(0.7, 2);
    expect(truncationOf(cut)).toEqual(cut);
  });

  it('walks chunks before data (LIST), and leaves placeholders (a WAV written to a pipe) and other files alone', async () => {
    const h = pcmWavHeader({ dataBytes: 16000, claimedDataBytes: 160000 });
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([5, 0, 0, 0]), Buffer.from('INFOx'), Buffer.alloc(1)]); // odd size: padded
    const withList = Buffer.concat([h.subarray(0, 36), list, h.subarray(36), Buffer.alloc(16000)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    const p1 = path.join(dir, 'list.wav');
    await writeFile(p1, withList);
    expect(await wavDeclaredLength(p1, withList.length)).toEqual({ declaredSec: 10, presentSec: 1 });
    const piped = Buffer.concat([pcmWavHeader({ dataBytes: 16000 }), Buffer.alloc(16000)]);
    piped.writeUInt32LE(0xffffffff, 40);
    const p2 = path.join(dir, 'piped.wav');
    await writeFile(p2, piped);
    expect(await wavDeclaredLength(p2, piped.length)).toBeUndefined();
    const p3 = path.join(dir, 'not.wav');
    await writeFile(p3, Buffer.from('ID3\u0004 not a riff file at all'));
    expect(await wavDeclaredLength(p3, 30)).toBeUndefined();
  });
});

describe('a WAV cut short is analysed with a TRUNCATED warning', () => {
  const truncated = (ws: { code: string; message: string }[]) => ws.find((w) => w.code === 'TRUNCATED');

  it('probeAndAnalyse (prepare, the app\'s import) names what the header promises and what is there', async () => {
    clearDecodeCache();
    const { probe, analysis } = await probeAndAnalyse(f.cut!, {});
    expect(probe.durationSec).toBeCloseTo(0.7, 1);
    expect(analysis.durationSec).toBeCloseTo(0.7, 1);
    const w = truncated(analysis.warnings);
    expect(w?.message).toBe('The file ends early: the header promises 10.0 s but only 0.7 s of audio is there — it may be cut off (an interrupted copy or download). Copy or export the recording again if the greeting should be longer.');
    expect(analysis.warnings[0]?.code).toBe('TRUNCATED');
  });

  it('analyseAudio with a known probe (the app\'s analysis), with a range, and the render\'s analysis', async () => {
    clearDecodeCache();
    const probe = await probeAudio(f.cutLonger!);
    expect(truncated((await analyseAudio(f.cutLonger!, { probe })).warnings)?.message).toMatch(/promises 10\.0 s but only 4\.2 s/);
    clearDecodeCache();
    expect(truncated((await analyseAudio(f.cutLonger!, { startSec: 1, endSec: 3 })).warnings)).toBeDefined();
    const r = await renderGreeting({ inputPath: f.cutLonger!, outputPath: path.join(dir, 'out.wav'), format: 'wav', tempDir: dir });
    expect(truncated(r.analysis.warnings)).toBeDefined();
  });

  it('a whole file has no such warning', async () => {
    clearDecodeCache();
    expect(truncated((await analyseAudio(f.full!)).warnings)).toBeUndefined();
  });

  it('an mp3 cut short (its frame index promises more) warns too', async () => {
    const mp3 = path.join(dir, 'full.mp3');
    await ffmpeg(['-i', f.full!, '-c:a', 'libmp3lame', '-b:a', '32k', mp3]);
    const b = await readFile(mp3);
    const cut = path.join(dir, 'cut.mp3');
    await writeFile(cut, b.subarray(0, Math.floor(b.length * 0.4)));
    const a = await analyseAudio(cut);
    // 10 s plus the encoder's padding promised; 40 % of the bytes (the ID3/Xing frame is part of them) left.
    expect(truncated(a.warnings)?.message).toMatch(/the header promises 10\.\d s but only [34]\.\d s of audio is there/);
  });
});

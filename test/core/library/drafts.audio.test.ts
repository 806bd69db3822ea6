// Drafts and CSV checks with the real audio engine (renderGreeting, probeAudio) injected.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAudio, renderGreeting } from '../../../main/core/audio/index.js';
import { DraftLibrary, parseCsvMapping } from '../../../main/core/library/index.js';
import { makeTmp } from './helpers/tmp.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
let source: string;

beforeAll(async () => {
  tmp = await makeTmp();
  source = path.join(tmp.dir, 'take.wav');
  // 44.1 kHz stereo "recording": 0.5 s silence, 2 s tone, 0.5 s silence.
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-af', 'adelay=500|500,apad=pad_dur=0.5', '-ar', '44100', '-ac', '2', source]);
});
afterAll(async () => {
  await tmp?.cleanup();
});

describe('drafts with the real audio engine', () => {
  it('renders a draft to 8 kHz mono and stores the analysis; re-render after a format change', async () => {
    const lib = new DraftLibrary({ dataDir: path.join(tmp.dir, 'data'), renderer: renderGreeting });
    const draft = await lib.create({ sourcePath: source, name: 'Front desk', targetExtensions: ['3200'] });
    const rendered = await lib.render(draft.id);
    expect(rendered.rendered).toMatchObject({ file: 'rendered.wav', format: 'wav' });
    const probe = await probeAudio(lib.renderedPath(rendered) ?? '');
    expect(probe).toMatchObject({ sampleRate: 8000, channels: 1 });
    expect(probe.durationSec).toBeGreaterThan(1.5);
    const analysis = JSON.parse(await fs.readFile(lib.analysisPath(rendered) ?? '', 'utf8')) as { durationSec: number };
    expect(analysis.durationSec).toBeCloseTo(3, 0);
    // The source is kept exactly as imported.
    expect((await fs.readFile(lib.sourcePath(rendered))).equals(await fs.readFile(source))).toBe(true);

    await lib.updateSettings(draft.id, { format: 'wav-ulaw' });
    const again = await lib.render(draft.id);
    expect(again.rendered?.format).toBe('wav-ulaw');
    expect((await probeAudio(lib.renderedPath(again) ?? '')).codec).toBe('pcm_mulaw');
    expect((await fs.readdir(lib.folderOf(draft.id))).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('the CSV check rejects a .wav that is not audio when probeAudio is injected', async () => {
    await fs.writeFile(path.join(tmp.dir, 'fake.wav'), 'this is a text file');
    const m = await parseCsvMapping('extension,file\n3200,take.wav\n3201,fake.wav\n', { baseDir: tmp.dir, probe: probeAudio });
    expect(m.rows.map((r) => r.extension)).toEqual(['3200']);
    expect(m.errors.map((e) => [e.line, e.code])).toEqual([[3, 'CSV_NOT_AUDIO']]);
  });
});

// Local engines. espeak-ng and flite run for real (CI installs both) and their output goes through renderGreeting;
// the macOS and Windows engines cannot run here, so their command lines and output parsing are checked with a
// stubbed runner (what the spawned program would be given, and what it would print).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContentError, SAPI_SPEAK_SCRIPT, SAPI_VOICES_SCRIPT, createEspeakEngine, createFliteEngine, createSapiEngine, createSayEngine, localEngines,
  parseEspeakVoices, parseFliteVoices, parseSapiVoices, parseSayVoices, pickEngine, sapiRate, speakToFile, systemDeps,
  type CommandRunner, type LocalEngineDeps, type RunOptions,
} from '../../../main/core/content/index.js';
import { renderGreeting } from '../../../main/core/audio/index.js';
import { espeak, makeTempDir, measure } from '../../helpers/audio-fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir('vmgs-tts-');
});
afterAll(async () => tmp.cleanup());

interface Call { program: string; args: string[]; opts: RunOptions | undefined; text: string | null }

/** A runner that records each call (and the text file it was given) and answers from `reply`. */
function stubRunner(reply: (program: string, args: readonly string[], opts?: RunOptions) => Promise<{ code: number; stdout?: string; stderr?: string; writes?: string }>): { run: CommandRunner; calls: Call[] } {
  const calls: Call[] = [];
  const run: CommandRunner = async (program, args, opts) => {
    const fIndex = args.indexOf('-f');
    const textFile = opts?.env?.['VMGS_TTS_TEXT'] ?? (fIndex >= 0 ? args[fIndex + 1] : undefined);
    calls.push({ program, args: [...args], opts, text: textFile ? await readFile(textFile, 'utf8') : null });
    const r = await reply(program, args, opts);
    if (r.writes) await writeFile(r.writes, Buffer.alloc(2000, 1));
    return { code: r.code, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  return { run, calls };
}

function deps(platform: NodeJS.Platform, run: CommandRunner, files: string[] = [], onPath: Record<string, string> = {}): LocalEngineDeps {
  return { run, platform, find: (n) => onPath[n], exists: (f) => files.includes(f), env: { SystemRoot: 'C:\\Windows', ProgramFiles: 'C:\\Program Files' } };
}

const SAY_VOICES = [
  'Albert              en_US    # Hello! My name is Albert.',
  'Eddy (English (US)) en_US    # Hello! My name is Eddy.',
  'Amélie              fr_CA    # Bonjour! Je m’appelle Amélie.',
  'garbage line',
].join('\n');

describe('macOS say (stubbed: cannot run on Linux)', () => {
  it('probes /usr/bin/say and parses `say -v ?`', async () => {
    const s = stubRunner(async () => ({ code: 0, stdout: SAY_VOICES }));
    const p = await createSayEngine(deps('darwin', s.run, ['/usr/bin/say'])).probe();
    expect(s.calls.map((c) => [c.program, ...c.args])).toEqual([['/usr/bin/say', '-v', '?']]);
    expect(p).toMatchObject({ available: true, program: '/usr/bin/say' });
    expect(p.voices).toEqual([
      { id: 'Albert', label: 'Albert', language: 'en-US' },
      { id: 'Eddy (English (US))', label: 'Eddy (English (US))', language: 'en-US' },
      { id: 'Amélie', label: 'Amélie', language: 'fr-CA' },
    ]);
    expect(parseSayVoices('')).toEqual([]);
  });

  it('speaks through a text file into AIFF, with voice and rate; the text never reaches argv', async () => {
    const s = stubRunner(async (_p, args) => ({ code: 0, writes: args[args.indexOf('-o') + 1] }));
    const r = await createSayEngine(deps('darwin', s.run, ['/usr/bin/say'])).synthesize({ text: '-rf Hello  \n there', dir: tmp.dir, voice: 'Eddy (English (US))', ratePercent: 120 });
    const call = s.calls[0]!;
    expect(call.program).toBe('/usr/bin/say');
    expect(call.args).toEqual(['-v', 'Eddy (English (US))', '-r', '210', '-o', path.join(tmp.dir, 'speech.aiff'), '-f', path.join(tmp.dir, 'text.txt')]);
    expect(call.text).toBe('-rf Hello there');
    expect(call.args.join(' ')).not.toContain('Hello');
    expect(r).toEqual({ file: path.join(tmp.dir, 'speech.aiff'), engine: 'macos-say', voice: 'Eddy (English (US))', warnings: [] });
  });

  it('reports a failing say with its own words, and is unavailable off macOS', async () => {
    const s = stubRunner(async () => ({ code: 1, stderr: 'Voice `Nobody` not found.' }));
    const err = await createSayEngine(deps('darwin', s.run, ['/usr/bin/say'])).synthesize({ text: 'Hi', dir: tmp.dir, voice: 'Nobody' }).catch((e: unknown) => e as ContentError);
    expect(err).toMatchObject({ code: 'TTS_ENGINE_FAILED' });
    expect((err as ContentError).message).toContain('Voice `Nobody` not found.');
    expect(await createSayEngine(deps('linux', s.run)).probe()).toMatchObject({ available: false, reason: 'Only on macOS.' });
  });
});

describe('Windows SAPI through Windows PowerShell (stubbed: cannot run on Linux)', () => {
  const ps = 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe';
  const decode = (args: readonly string[]): string => Buffer.from(args[args.indexOf('-EncodedCommand') + 1] ?? '', 'base64').toString('utf16le');

  it('lists the installed voices with an encoded script and parses its output', async () => {
    const s = stubRunner(async () => ({ code: 0, stdout: 'PS 5.1.19041.4291\r\nMicrosoft David Desktop\ten-US\r\nMicrosoft Hedda Desktop\tde-DE\r\n' }));
    const p = await createSapiEngine(deps('win32', s.run, [ps])).probe();
    const call = s.calls[0]!;
    expect(call.program).toBe(ps);
    expect(call.args.slice(0, 3)).toEqual(['-NoProfile', '-NonInteractive', '-EncodedCommand']);
    expect(decode(call.args)).toBe(SAPI_VOICES_SCRIPT);
    expect(p).toMatchObject({ available: true, version: 'Windows PowerShell 5.1.19041.4291' });
    expect(p.voices.map((v) => [v.id, v.language])).toEqual([['Microsoft David Desktop', 'en-US'], ['Microsoft Hedda Desktop', 'de-DE']]);
    expect(parseSapiVoices('PS 5.1\r\n').voices).toEqual([]);
  });

  it('speaks with paths, voice and rate in the environment only', async () => {
    const s = stubRunner(async (_p, _a, opts) => ({ code: 0, writes: opts?.env?.['VMGS_TTS_OUT'] }));
    const r = await createSapiEngine(deps('win32', s.run, [ps])).synthesize({ text: "Hello'; Remove-Item C:\\ -Recurse; '", dir: tmp.dir, voice: 'Microsoft David Desktop', ratePercent: 150 });
    const call = s.calls[0]!;
    expect(decode(call.args)).toBe(SAPI_SPEAK_SCRIPT);
    expect(call.opts?.env).toEqual({
      VMGS_TTS_TEXT: path.join(tmp.dir, 'text.txt'), VMGS_TTS_OUT: path.join(tmp.dir, 'speech.wav'), VMGS_TTS_RATE: String(sapiRate(150)), VMGS_TTS_VOICE: 'Microsoft David Desktop',
    });
    expect(call.text).toBe("Hello'; Remove-Item C:\\ -Recurse; '");
    expect(decode(call.args)).not.toContain('Remove-Item');
    expect(r.file).toBe(path.join(tmp.dir, 'speech.wav'));
    expect([sapiRate(50), sapiRate(100), sapiRate(200), sapiRate(300)]).toEqual([-6, 0, 6, 10]);
  });

  it('is unavailable without voices, without PowerShell, and off Windows', async () => {
    const none = stubRunner(async () => ({ code: 0, stdout: 'PS 5.1\r\n' }));
    expect(await createSapiEngine(deps('win32', none.run, [ps])).probe()).toMatchObject({ available: false, reason: expect.stringContaining('No Windows voices') });
    expect(await createSapiEngine(deps('win32', none.run, [])).probe()).toMatchObject({ available: false, reason: expect.stringContaining('powershell.exe') });
    expect(await createSapiEngine(deps('linux', none.run)).probe()).toMatchObject({ available: false, reason: 'Only on Windows.' });
  });

  it('finds espeak-ng in Program Files on Windows, where its installer does not touch PATH', async () => {
    const exe = 'C:\\Program Files\\eSpeak NG\\espeak-ng.exe';
    const s = stubRunner(async (_p, args) => ({ code: 0, stdout: args[0] === '--version' ? 'eSpeak NG text-to-speech: 1.52.0  Data at: C:\\…' : '' }));
    expect(await createEspeakEngine(deps('win32', s.run, [exe])).probe()).toMatchObject({ available: true, program: exe, version: '1.52.0' });
  });
});

describe('engine choice', () => {
  it('orders engines per platform and picks the first available local one for auto', async () => {
    const r = stubRunner(async () => ({ code: 0 }));
    expect(localEngines(deps('darwin', r.run)).map((e) => e.info.id)).toEqual(['macos-say', 'espeak-ng', 'flite']);
    expect(localEngines(deps('win32', r.run)).map((e) => e.info.id)).toEqual(['windows-sapi', 'espeak-ng']);
    expect(localEngines(deps('linux', r.run)).map((e) => e.info.id)).toEqual(['espeak-ng', 'flite']);
    const onlyFlite = stubRunner(async () => ({ code: 0, stdout: 'Voices available: kal slt' }));
    const picked = await pickEngine(localEngines(deps('linux', onlyFlite.run, [], { flite: '/usr/bin/flite' })), 'auto');
    expect(picked.engine.info.id).toBe('flite');
    const err = await pickEngine(localEngines(deps('linux', onlyFlite.run)), 'auto').catch((e: unknown) => e as ContentError);
    expect(err).toMatchObject({ code: 'TTS_NO_ENGINE' });
    expect((err as ContentError).message).toContain('espeak-ng is not installed');
    expect(parseEspeakVoices('Pty Language Age/Gender VoiceName File Other\n 2  en-us  --/M  English_(America)  gmw/en-US  (en 3)')).toEqual([{ id: 'en-us', label: 'English (America)', language: 'en-us' }]);
    expect(parseFliteVoices('Voices available: kal awb slt \n')).toHaveLength(3);
  });

  it('refuses voices that are paths, URLs or options, and flite voices it does not list', async () => {
    const engine = createFliteEngine();
    for (const voice of ['http://example.com/x.flitevox', '../voices/x', '-o']) {
      await expect(engine.synthesize({ text: 'Hi', dir: tmp.dir, voice })).rejects.toMatchObject({ code: 'TTS_BAD_VOICE' });
    }
    await expect(engine.synthesize({ text: 'Hi', dir: tmp.dir, voice: 'nonesuch' })).rejects.toThrow(/flite has no voice "nonesuch"\. Its voices: .*slt/);
    await expect(engine.synthesize({ text: '   ', dir: tmp.dir })).rejects.toMatchObject({ code: 'TTS_EMPTY_TEXT' });
    await expect(engine.synthesize({ text: 'a'.repeat(4001), dir: tmp.dir })).rejects.toMatchObject({ code: 'TTS_TEXT_TOO_LONG' });
    await expect(engine.synthesize({ text: 'Hi', dir: tmp.dir, ratePercent: 300 })).rejects.toMatchObject({ code: 'TTS_BAD_RATE' });
  });
});

describe('real engines on this machine (espeak-ng, flite) through the same render as a recording', () => {
  const text = 'Hello, you have reached the voicemail of Ana Lima. Please leave a message after the tone.';

  it('finds both with versions and voices', async () => {
    const [es, fl] = await Promise.all([createEspeakEngine(systemDeps()).probe(), createFliteEngine(systemDeps()).probe()]);
    expect(es).toMatchObject({ available: true, version: expect.stringMatching(/^\d+\.\d+/) });
    expect(es.voices.some((v) => v.id === 'en-us')).toBe(true);
    expect(fl).toMatchObject({ available: true, version: expect.stringMatching(/^\d+\.\d+/) });
    expect(fl.voices.map((v) => v.id)).toContain('slt');
  });

  it.each(['espeak-ng', 'flite'] as const)('%s: 8 kHz mono at -20 ±1 LUFS with a lead-in, as loud as a rendered recording', async (id) => {
    const engine = id === 'espeak-ng' ? createEspeakEngine() : createFliteEngine();
    const out = path.join(tmp.dir, `${id}.wav`);
    const { speech, render } = await speakToFile({ engine, text, outputPath: out });
    expect(speech.engine).toBe(id);
    const m = await measure(out);
    expect(m).toMatchObject({ codec: 'pcm_s16le', sampleRate: 8000, channels: 1 });
    expect(Math.abs(m.integratedLufs - -20)).toBeLessThanOrEqual(1);
    expect(m.leadingSilenceSec).toBeGreaterThan(0.08);
    expect(m.leadingSilenceSec).toBeLessThan(0.45);
    expect(render.durationSec).toBeGreaterThan(3);

    // A quiet "recording" of the same words, rendered the same way, lands on the same level.
    const recorded = await espeak(path.join(tmp.dir, `${id}-take.wav`), text);
    const recOut = path.join(tmp.dir, `${id}-take-out.wav`);
    await renderGreeting({ inputPath: recorded, outputPath: recOut });
    expect(Math.abs(m.integratedLufs - (await measure(recOut)).integratedLufs)).toBeLessThanOrEqual(1);
  });

  it('leaves no temp folder behind, on success or failure', async () => {
    const { readdir } = await import('node:fs/promises');
    const root = path.join(tmp.dir, 'tmproot');
    await (await import('node:fs/promises')).mkdir(root);
    await speakToFile({ engine: createEspeakEngine(), text: 'Short test.', outputPath: path.join(tmp.dir, 'short.wav'), tempDir: root });
    await expect(speakToFile({ engine: createEspeakEngine(), text: 'Hi', voice: 'zz-nonexistent', outputPath: path.join(tmp.dir, 'bad.wav'), tempDir: root })).rejects.toMatchObject({ code: 'TTS_ENGINE_FAILED' });
    expect(await readdir(root)).toEqual([]);
  });
});

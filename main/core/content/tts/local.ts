// Engines that are programs on this computer: espeak-ng and flite (Linux, also installable elsewhere), macOS `say`,
// Windows SAPI through Windows PowerShell's System.Speech. Each is spawned as its own process with the text in a file;
// no speech library is linked into or shipped with the app (espeak-ng is GPL: running the installed program keeps
// the app MIT). Command lines and output parsing are plain functions, tested on every platform with stubs.
import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { findOnPath } from '../../audio/binaries.js';
import { ContentError } from '../errors.js';
import { checkRate, engineFailed, prepareText, unavailable, type SynthesizeRequest, type SynthesizeResult, type TtsEngine, type TtsEngineInfo, type TtsProbe, type TtsVoice } from './engine.js';
import { runCommand, type CommandRunner } from './run.js';

export interface LocalEngineDeps {
  run: CommandRunner;
  /** Absolute path of a program on PATH, or undefined. */
  find: (name: string) => string | undefined;
  /** Whether a file exists (for programs at fixed places: /usr/bin/say, the Windows PowerShell folder). */
  exists: (file: string) => boolean;
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
}

export function systemDeps(): LocalEngineDeps {
  return {
    run: runCommand,
    find: (name) => findOnPath(name),
    exists: (file) => {
      try {
        return statSync(file).isFile();
      } catch {
        return false;
      }
    },
    platform: process.platform,
    env: process.env,
  };
}

const LOCAL_MAX_CHARS = 4000;
/** Voice names as engines list them ("en-us", "slt", "Eddy (English (US))"): never a path, URL or option. */
const VOICE = /^[A-Za-z0-9][A-Za-z0-9 _+.()'-]{0,79}$/;

function checkVoice(info: TtsEngineInfo, voice: string | undefined): string | undefined {
  if (voice === undefined || voice === '') return undefined;
  if (!VOICE.test(voice) || voice.includes('..')) {
    throw new ContentError('usage', 'TTS_BAD_VOICE', `"${voice.slice(0, 40)}" is not a voice name of ${info.label}. List the voices with vmgreet tts --engines --json.`);
  }
  return voice;
}

async function writeText(dir: string, text: string): Promise<string> {
  const file = path.join(dir, 'text.txt');
  await writeFile(file, text, 'utf8');
  return file;
}

function producedAudio(info: TtsEngineInfo, file: string, res: { code: number | null; stderr: string; stdout: string }): void {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    size = 0;
  }
  if (res.code !== 0 || size <= 44) throw engineFailed(info, res.stderr || res.stdout || `exit code ${String(res.code)}`);
}

/** Runs a probe command; a program that cannot start or exits non-zero gives the reason in words. */
async function probeRun(d: LocalEngineDeps, program: string, args: readonly string[], signal: AbortSignal | undefined, timeoutMs = 15_000): Promise<{ ok: true; stdout: string } | { ok: false; why: string }> {
  const r = await d.run(program, args, { signal, timeoutMs }).catch((e: unknown) => ({ code: -1, stdout: '', stderr: String(e) }));
  return r.code === 0 ? { ok: true, stdout: r.stdout } : { ok: false, why: r.stderr.trim().slice(0, 160) || `exit code ${String(r.code)}` };
}

/** What a local engine's synthesize differs in: its program, output name and command line. */
interface LocalSpeech {
  program: string | undefined;
  /** The message when the program is missing. */
  missing: string;
  outName: string;
  voice: string | null;
  command: (o: { textFile: string; out: string; ratePercent: number }) => { args: string[]; env?: Record<string, string> };
}

/** The text in a file, the program run once, its output checked: the same for every local engine. */
async function speakLocally(info: TtsEngineInfo, d: LocalEngineDeps, req: SynthesizeRequest, s: LocalSpeech): Promise<SynthesizeResult> {
  const text = prepareText(req.text, info);
  const ratePercent = checkRate(req.ratePercent);
  if (!s.program) throw new ContentError('input', 'TTS_ENGINE_UNAVAILABLE', `${s.missing} Choose another engine (vmgreet tts --engines).`);
  const textFile = await writeText(req.dir, text);
  const out = path.join(req.dir, s.outName);
  const { args, env } = s.command({ textFile, out, ratePercent });
  const res = await d.run(s.program, args, { signal: req.signal, ...(env ? { env } : {}) });
  producedAudio(info, out, res);
  return { file: out, engine: info.id, voice: s.voice, warnings: [] };
}

// ---------- espeak-ng ----------

export const ESPEAK_INFO: TtsEngineInfo = {
  id: 'espeak-ng',
  label: 'eSpeak NG',
  licence: 'GPL-3.0-or-later',
  licenceNote: 'Not shipped: the installed espeak-ng program is run as a separate process, so its GPL does not extend to the app.',
  supplied: 'system',
  platforms: ['linux', 'win32', 'darwin', 'freebsd'],
  maxChars: LOCAL_MAX_CHARS,
};

const ESPEAK_NORMAL_WPM = 175;

export function espeakArgs(o: { textFile: string; out: string; voice?: string | undefined; ratePercent: number }): string[] {
  const wpm = Math.round(Math.max(80, Math.min(450, (ESPEAK_NORMAL_WPM * o.ratePercent) / 100)));
  // -b 1: the text file is UTF-8 (names like "José Núñez"); -w: write a WAV instead of playing it.
  return ['-b', '1', '-v', o.voice ?? 'en-us', '-s', String(wpm), '-w', o.out, '-f', o.textFile];
}

/** `espeak-ng --version`: "eSpeak NG text-to-speech: 1.51  Data at: …". */
export function parseEspeakVersion(stdout: string): string | null {
  return /text-to-speech:\s*(\S+)/.exec(stdout)?.[1] ?? null;
}

/** `espeak-ng --voices`: "Pty Language Age/Gender VoiceName File Other Languages" then one row per voice. */
export function parseEspeakVoices(stdout: string): TtsVoice[] {
  const out: TtsVoice[] = [];
  for (const line of stdout.split(/\r?\n/).slice(1)) {
    const m = /^\s*\d+\s+(\S+)\s+\S+\s+(\S+)\s+\S+/.exec(line);
    if (m?.[1] && m[2]) out.push({ id: m[1], label: m[2].replace(/_/g, ' '), language: m[1] });
  }
  return out;
}

function espeakProgram(d: LocalEngineDeps): string | undefined {
  const onPath = d.find('espeak-ng');
  if (onPath) return onPath;
  // The Windows installer of espeak-ng does not add itself to PATH.
  if (d.platform === 'win32') {
    for (const base of [d.env['ProgramFiles'], d.env['ProgramFiles(x86)']]) {
      if (!base) continue;
      const p = path.win32.join(base, 'eSpeak NG', 'espeak-ng.exe');
      if (d.exists(p)) return p;
    }
  }
  return undefined;
}

export function createEspeakEngine(d: LocalEngineDeps = systemDeps()): TtsEngine {
  const info = ESPEAK_INFO;
  return {
    info,
    async probe(signal): Promise<TtsProbe> {
      const program = espeakProgram(d);
      if (!program) return unavailable(info, d.platform === 'linux' ? 'espeak-ng is not installed (sudo apt-get install espeak-ng).' : 'espeak-ng is not installed.');
      const v = await probeRun(d, program, ['--version'], signal);
      if (!v.ok) return unavailable(info, `${program} does not run (${v.why}).`, program);
      const voices = await probeRun(d, program, ['--voices'], signal);
      return { id: info.id, available: true, program, version: parseEspeakVersion(v.stdout), reason: null, voices: voices.ok ? parseEspeakVoices(voices.stdout) : [] };
    },
    async synthesize(req: SynthesizeRequest): Promise<SynthesizeResult> {
      const voice = checkVoice(info, req.voice);
      return speakLocally(info, d, req, {
        program: espeakProgram(d), missing: 'espeak-ng is not installed.', outName: 'speech.wav', voice: voice ?? 'en-us',
        command: (o) => ({ args: espeakArgs({ ...o, voice }) }),
      });
    },
  };
}

// ---------- flite ----------

export const FLITE_INFO: TtsEngineInfo = {
  id: 'flite',
  label: 'Flite',
  licence: 'Flite licence (BSD-style, permissive)',
  licenceNote: 'Permissive (CMU/Edinburgh BSD-style terms); the installed flite program is run as a separate process, nothing is shipped.',
  supplied: 'system',
  platforms: ['linux', 'darwin', 'freebsd'],
  maxChars: LOCAL_MAX_CHARS,
};

/** Clearer than flite's built-in default ("kal", an 8 kHz diphone voice) when it is installed. */
const FLITE_PREFERRED = ['slt', 'rms', 'awb'];

export function fliteArgs(o: { textFile: string; out: string; voice?: string | undefined; ratePercent: number }): string[] {
  const stretch = (100 / o.ratePercent).toFixed(2);
  return [...(o.voice ? ['-voice', o.voice] : []), '--setf', `duration_stretch=${stretch}`, '-f', o.textFile, '-o', o.out];
}

/** `flite --version`: "… version: flite-2.2-current Sep 2018 …". */
export function parseFliteVersion(stdout: string): string | null {
  return /version:\s*flite-(\S+)/.exec(stdout)?.[1] ?? null;
}

/** `flite -lv`: "Voices available: kal awb_time kal16 awb rms slt". */
export function parseFliteVoices(stdout: string): TtsVoice[] {
  const m = /Voices available:\s*(.*)/.exec(stdout);
  return (m?.[1] ?? '').split(/\s+/).filter(Boolean).map((id) => ({ id, label: id, language: 'en' }));
}

export function createFliteEngine(d: LocalEngineDeps = systemDeps()): TtsEngine {
  const info = FLITE_INFO;
  const listVoices = async (program: string, signal?: AbortSignal): Promise<{ ok: true; voices: TtsVoice[] } | { ok: false; why: string }> => {
    const r = await probeRun(d, program, ['-lv'], signal);
    return r.ok ? { ok: true, voices: parseFliteVoices(r.stdout) } : r;
  };
  return {
    info,
    async probe(signal): Promise<TtsProbe> {
      const program = d.find('flite');
      if (!program) return unavailable(info, d.platform === 'linux' ? 'flite is not installed (sudo apt-get install flite).' : 'flite is not installed.');
      // `flite --version` prints its version but exits 1; `-lv` (list voices) is the run check.
      const lv = await listVoices(program, signal);
      if (!lv.ok || lv.voices.length === 0) return unavailable(info, `${program} does not run or has no voices (${lv.ok ? 'none listed' : lv.why}).`, program);
      const v = await d.run(program, ['--version'], { signal, timeoutMs: 15_000 }).catch(() => ({ code: -1, stdout: '', stderr: '' }));
      return { id: info.id, available: true, program, version: parseFliteVersion(v.stdout + v.stderr), reason: null, voices: lv.voices };
    },
    async synthesize(req: SynthesizeRequest): Promise<SynthesizeResult> {
      const asked = checkVoice(info, req.voice);
      const program = d.find('flite');
      // flite takes a -voice it does not know as a file or URL to load (and would fall back silently): only listed names.
      const listed = program ? await listVoices(program, req.signal) : undefined;
      const voices = listed?.ok ? listed.voices.map((v) => v.id) : [];
      if (program && asked !== undefined && !voices.includes(asked)) {
        throw new ContentError('usage', 'TTS_BAD_VOICE', `flite has no voice "${asked}". Its voices: ${voices.join(', ') || 'none listed'}.`);
      }
      const voice = asked ?? FLITE_PREFERRED.find((v) => voices.includes(v));
      return speakLocally(info, d, req, {
        program, missing: 'flite is not installed.', outName: 'speech.wav', voice: voice ?? null,
        command: (o) => ({ args: fliteArgs({ ...o, voice }) }),
      });
    },
  };
}

// ---------- macOS say ----------

export const SAY_INFO: TtsEngineInfo = {
  id: 'macos-say',
  label: 'macOS voices (say)',
  licence: 'Apple macOS licence (part of the operating system)',
  licenceNote: 'Part of macOS: the system `say` program is run; nothing is shipped with the app.',
  supplied: 'system',
  platforms: ['darwin'],
  maxChars: LOCAL_MAX_CHARS,
};

const SAY_NORMAL_WPM = 175;

export function sayArgs(o: { textFile: string; out: string; voice?: string | undefined; ratePercent: number }): string[] {
  const wpm = Math.round((SAY_NORMAL_WPM * o.ratePercent) / 100);
  // AIFF is say's own output format and ffmpeg reads it; -f reads the text from the file.
  return [...(o.voice ? ['-v', o.voice] : []), '-r', String(wpm), '-o', o.out, '-f', o.textFile];
}

/** `say -v '?'`: "Samantha            en_US    # Hello! My name is Samantha." (names may hold spaces and parentheses). */
export function parseSayVoices(stdout: string): TtsVoice[] {
  const out: TtsVoice[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    // The name column is padded, but a long name ("Eddy (English (US))") is followed by a single space.
    const m = /^(.+?)\s+([a-z]{2,3}[_-][A-Za-z0-9]+(?:[_-][A-Za-z0-9]+)*)\s+#/.exec(line);
    if (m?.[1] && m[2]) out.push({ id: m[1].trim(), label: m[1].trim(), language: m[2].replace('_', '-') });
  }
  return out;
}

function sayProgram(d: LocalEngineDeps): string | undefined {
  if (d.platform !== 'darwin') return undefined;
  return d.exists('/usr/bin/say') ? '/usr/bin/say' : d.find('say');
}

export function createSayEngine(d: LocalEngineDeps = systemDeps()): TtsEngine {
  const info = SAY_INFO;
  return {
    info,
    async probe(signal): Promise<TtsProbe> {
      if (d.platform !== 'darwin') return unavailable(info, 'Only on macOS.');
      const program = sayProgram(d);
      if (!program) return unavailable(info, 'The say program is missing from /usr/bin.');
      const r = await probeRun(d, program, ['-v', '?'], signal);
      if (!r.ok) return unavailable(info, `${program} does not run (${r.why}).`, program);
      return { id: info.id, available: true, program, version: null, reason: null, voices: parseSayVoices(r.stdout) };
    },
    async synthesize(req: SynthesizeRequest): Promise<SynthesizeResult> {
      const voice = checkVoice(info, req.voice);
      return speakLocally(info, d, req, {
        program: sayProgram(d), missing: 'The macOS voices are only available on macOS.', outName: 'speech.aiff', voice: voice ?? null,
        command: (o) => ({ args: sayArgs({ ...o, voice }) }),
      });
    },
  };
}

// ---------- Windows SAPI (System.Speech through Windows PowerShell) ----------

export const SAPI_INFO: TtsEngineInfo = {
  id: 'windows-sapi',
  label: 'Windows voices (SAPI)',
  licence: 'Microsoft Windows licence (part of the operating system)',
  licenceNote: 'Part of Windows: Windows PowerShell runs System.Speech with the installed voices; nothing is shipped with the app.',
  supplied: 'system',
  platforms: ['win32'],
  maxChars: LOCAL_MAX_CHARS,
};

// Paths, voice and rate reach the script through environment variables, so no value is ever parsed as PowerShell.
export const SAPI_SPEAK_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  'Add-Type -AssemblyName System.Speech',
  '$s = New-Object System.Speech.Synthesis.SpeechSynthesizer',
  'try {',
  '  if ($env:VMGS_TTS_VOICE) { $s.SelectVoice($env:VMGS_TTS_VOICE) }',
  '  $s.Rate = [int]$env:VMGS_TTS_RATE',
  '  $s.SetOutputToWaveFile($env:VMGS_TTS_OUT)',
  '  $s.Speak([System.IO.File]::ReadAllText($env:VMGS_TTS_TEXT, [System.Text.Encoding]::UTF8))',
  '} finally { $s.Dispose() }',
].join('\n');

export const SAPI_VOICES_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  // Voice names can be non-ASCII; the console's OEM code page would garble them.
  '[Console]::OutputEncoding = [System.Text.Encoding]::UTF8',
  'Add-Type -AssemblyName System.Speech',
  '$s = New-Object System.Speech.Synthesis.SpeechSynthesizer',
  "'PS ' + $PSVersionTable.PSVersion.ToString()",
  'foreach ($v in $s.GetInstalledVoices()) { if ($v.Enabled) { $v.VoiceInfo.Name + "`t" + $v.VoiceInfo.Culture.Name } }',
  '$s.Dispose()',
].join('\n');

/** PowerShell's -EncodedCommand: base64 of the UTF-16LE script (no quoting rules to get wrong). */
export function powershellArgs(script: string): string[] {
  return ['-NoProfile', '-NonInteractive', '-EncodedCommand', Buffer.from(script, 'utf16le').toString('base64')];
}

/** SAPI's Rate is -10…10 (0 = normal, each step about 1.12×… 10 ≈ 3×): percent → the nearest step. */
export function sapiRate(ratePercent: number): number {
  return Math.max(-10, Math.min(10, Math.round((10 * Math.log(ratePercent / 100)) / Math.log(3))));
}

/** Output of SAPI_VOICES_SCRIPT: "PS 5.1.19041.4291" then "Microsoft Zira Desktop<TAB>en-US" per voice. */
export function parseSapiVoices(stdout: string): { version: string | null; voices: TtsVoice[] } {
  let version: string | null = null;
  const voices: TtsVoice[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const ps = /^PS (\S+)/.exec(line);
    if (ps?.[1]) {
      version = `Windows PowerShell ${ps[1]}`;
      continue;
    }
    const [name, culture] = line.split('\t');
    if (name && name.trim() !== '') voices.push({ id: name.trim(), label: name.trim(), language: culture?.trim() || null });
  }
  return { version, voices };
}

function powershellProgram(d: LocalEngineDeps): string | undefined {
  if (d.platform !== 'win32') return undefined;
  // Windows PowerShell 5.1 (System.Speech is a .NET Framework assembly; PowerShell 7 does not carry it).
  const root = d.env['SystemRoot'] ?? d.env['windir'] ?? 'C:\\Windows';
  const fixed = path.win32.join(root, 'System32', 'WindowsPowerShell', 'v1.0', 'powershell.exe');
  return d.exists(fixed) ? fixed : d.find('powershell');
}

export function createSapiEngine(d: LocalEngineDeps = systemDeps()): TtsEngine {
  const info = SAPI_INFO;
  return {
    info,
    async probe(signal): Promise<TtsProbe> {
      if (d.platform !== 'win32') return unavailable(info, 'Only on Windows.');
      const program = powershellProgram(d);
      if (!program) return unavailable(info, 'Windows PowerShell (powershell.exe) was not found.');
      const r = await probeRun(d, program, powershellArgs(SAPI_VOICES_SCRIPT), signal, 30_000);
      if (!r.ok) return unavailable(info, `System.Speech could not be loaded (${r.why}).`, program);
      const { version, voices } = parseSapiVoices(r.stdout);
      if (voices.length === 0) return unavailable(info, 'No Windows voices are installed (Settings > Time & language > Speech).', program);
      return { id: info.id, available: true, program, version, reason: null, voices };
    },
    async synthesize(req: SynthesizeRequest): Promise<SynthesizeResult> {
      const voice = checkVoice(info, req.voice);
      return speakLocally(info, d, req, {
        program: powershellProgram(d), missing: 'The Windows voices are only available on Windows.', outName: 'speech.wav', voice: voice ?? null,
        command: (o) => ({
          args: powershellArgs(SAPI_SPEAK_SCRIPT),
          env: { VMGS_TTS_TEXT: o.textFile, VMGS_TTS_OUT: o.out, VMGS_TTS_RATE: String(sapiRate(o.ratePercent)), VMGS_TTS_VOICE: voice ?? '' },
        }),
      });
    },
  };
}

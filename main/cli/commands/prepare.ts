// vmgreet prepare INPUT -o OUTPUT [--format …] [--start S] [--end S] [--no-trim-silence] [--no-normalize] [--target-lufs N] [--denoise] [--level]
import { copyFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { extensionFor, GREETING_FORMATS, longestFittingSec } from '../../core/audio/formats.js';
import type { FormatChoice, GreetingFormat } from '../../core/domain.js';
import { FORMAT_CHOICES, checkRange, parseChoice, parseLufs, parseSeconds, showValue } from '../args.js';
import { action, addJsonOption, type RunState } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { requireInputFile } from '../input-file.js';
import { describeRender, formatReason, renderInto, reportAnalysisWarnings, withTempDir, type RenderSettings } from '../render.js';

export interface AudioFlags {
  format?: string;
  start?: string;
  end?: string;
  trimSilence?: boolean;
  normalize?: boolean;
  targetLufs?: string;
  denoise?: boolean;
  level?: boolean;
}

interface Flags extends AudioFlags {
  output: string;
  force?: boolean;
}

/** The audio-shaping options shared by `prepare`, `upload` and `batch`. The default format is auto. */
export function addAudioOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--format <format>', `output format: ${FORMAT_CHOICES.join(', ')} (auto = wav when it fits 8 MB, else the best smaller one; a pinned format is refused when it does not fit)`).default('auto'))
    .option('--start <seconds>', 'keep audio from here (seconds or m:ss)')
    .option('--end <seconds>', 'keep audio up to here (seconds or m:ss)')
    .option('--no-trim-silence', 'keep leading and trailing silence')
    .option('--no-normalize', 'keep the original loudness')
    .option('--target-lufs <lufs>', 'loudness target when normalising, -40 to -10', '-20')
    .option('--denoise', 'reduce background noise (noise profile from the pauses)')
    .option('--level', 'even out a level that swings (gentle, before normalising)');
}

export function parseAudioFlags(flags: AudioFlags): RenderSettings {
  const format: FormatChoice = parseChoice(flags.format ?? 'auto', FORMAT_CHOICES, 'Format');
  const startSec = flags.start !== undefined ? parseSeconds(flags.start, '--start') : undefined;
  const endSec = flags.end !== undefined ? parseSeconds(flags.end, '--end') : undefined;
  checkRange(startSec, endSec);
  const targetLufs = flags.targetLufs !== undefined ? parseLufs(flags.targetLufs) : undefined;
  return { format, startSec, endSec, trimSilence: flags.trimSilence !== false, normalize: flags.normalize !== false, targetLufs, denoise: flags.denoise === true, level: flags.level === true };
}

const GREETING_SUFFIX = /\.(wav|mp3|gsm)$/i;

/** Where the result goes: OUTPUT as given, a file inside OUTPUT when it is a folder, with the suffix the format needs. */
export function finalPath(output: string, isDir: boolean, input: string, format: GreetingFormat): string {
  const ext = extensionFor(format);
  if (isDir) return path.join(output, path.basename(input).replace(/\.[^.]*$/, '') + ext);
  if (GREETING_SUFFIX.test(output)) return output.replace(GREETING_SUFFIX, ext);
  return output + ext;
}

export function registerPrepare(program: Command, state: RunState): void {
  const cmd = program
    .command('prepare')
    .description('convert an audio file into a PBX-ready greeting (8 kHz mono, trimmed, normalised, under 8 MB)')
    .argument('<input>', 'any audio or video file ffmpeg can read')
    .requiredOption('-o, --output <path>', 'output file (or folder); the suffix follows the format')
    .option('--force', 'replace the output file if it already exists');
  addAudioOptions(cmd);
  addJsonOption(cmd);
  cmd.addHelpText('after', '\nExamples:\n  vmgreet prepare recording.m4a -o away.wav\n  vmgreet prepare long-announcement.mp3 -o out/ --format gsm --start 0:02 --end 3:40');
  // The input starts decoding (on another core) while the arguments are checked and the render code loads; the
  // render then takes that decode over. A section (--start/--end) is decoded by the render itself.
  let prefetch: { release(): void } | undefined;
  cmd.hook('preAction', async (_program, command) => {
    const input = command.args[0];
    const o = command.opts<Flags>();
    if (input === undefined || o.start !== undefined || o.end !== undefined) return;
    const { prefetchDecode } = await import('../../core/audio/decode.js');
    prefetch = await prefetchDecode(input, { signal: state.signal, maxSec: longestFittingSec({ gsm: true, mp3: true, formats: [...GREETING_FORMATS] }) });
  });
  cmd.hook('postAction', () => prefetch?.release());
  cmd.action(
    action<[string, Flags]>(state, async ({ out, signal }, input, flags) => {
      const settings = parseAudioFlags(flags);
      const formatGiven = cmd.getOptionValueSource('format') === 'cli';
      const output = path.resolve(flags.output);
      const outStat = await stat(output).catch(() => undefined);
      const isDir = outStat?.isDirectory() === true || /[\\/]$/.test(flags.output);
      if (settings.format !== 'auto' && !isDir && GREETING_SUFFIX.test(output) && path.extname(output).toLowerCase() !== extensionFor(settings.format)) {
        throw new UsageError(`Output ${showValue(flags.output)} does not match --format ${settings.format} (which writes ${extensionFor(settings.format)} files): change the suffix or the format.`, 'CLI_OUTPUT_SUFFIX');
      }
      await requireInputFile(input);
      // The folder the result goes into must exist before minutes of rendering, not be found missing afterwards.
      await requireOutputFolder(isDir ? output : path.dirname(output));
      const result = await withTempDir(async (dir) => {
        const r = await renderInto(dir, input, settings, out, signal);
        const dest = finalPath(output, isDir, input, r.format);
        if (path.resolve(input) === dest) throw new UsageError('The output would overwrite the input file: choose another output path.', 'CLI_OUTPUT_IS_INPUT');
        if (!flags.force && (await stat(dest).catch(() => undefined))) {
          throw new InputError(`${showValue(dest)} already exists: choose another path or add --force to replace it.`, 'CLI_OUTPUT_EXISTS');
        }
        await copyFile(r.outputPath, dest).catch((err: NodeJS.ErrnoException) => {
          throw new InputError(`Cannot write ${showValue(dest)} (${err.code ?? 'error'}): check that the folder exists and is writable, and that there is free space.`, 'CLI_OUTPUT_UNWRITABLE', { cause: err });
        });
        return { r, dest };
      });
      const { r, dest } = result;
      reportAnalysisWarnings(r, out);
      out.result(
        {
          input: path.resolve(input),
          output: dest,
          format: r.format,
          formatReason: formatReason(r, formatGiven),
          bytes: r.bytes,
          durationSec: r.durationSec,
          plan: r.plan,
          analysis: r.analysis,
        },
        () => [`Prepared ${dest}`, ...describeRender(r, settings, formatGiven)].join('\n'),
      );
    }),
  );
}

export async function requireOutputFolder(dir: string): Promise<void> {
  const st = await stat(dir).catch((err: NodeJS.ErrnoException) => err);
  if (st instanceof Error) {
    const why = st.code === 'ENOENT' ? 'does not exist: create it first, or choose another output path' : st.code === 'ENOTDIR' ? 'is inside a file, not a folder: choose another output path' : `cannot be used (${st.code ?? 'error'}): check the path and its permissions`;
    throw new InputError(`The output folder ${showValue(dir)} ${why}.`, 'CLI_OUTPUT_FOLDER', { cause: st });
  }
  if (!st.isDirectory()) throw new InputError(`The output folder ${showValue(dir)} is a file, not a folder: choose another output path.`, 'CLI_OUTPUT_FOLDER');
}

// vmgreet prepare INPUT -o OUTPUT [--format …] [--start S] [--end S] [--no-trim-silence] [--no-normalize] [--target-lufs N]
import { copyFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { extensionFor, type GreetingFormat } from '../../core/audio/formats.js';
import { FORMAT_CHOICES, checkRange, parseChoice, parseLufs, parseSeconds, showValue, type CliFormatChoice } from '../args.js';
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
}

interface Flags extends AudioFlags {
  output: string;
  force?: boolean;
}

/** The audio-shaping options shared by `prepare` and `upload`. */
export function addAudioOptions(cmd: Command, defaultFormat: CliFormatChoice): Command {
  return cmd
    .addOption(new Option('--format <format>', `output format: ${FORMAT_CHOICES.join(', ')} (auto = best quality that fits 8 MB)`).default(defaultFormat))
    .option('--start <seconds>', 'keep audio from here (seconds or m:ss)')
    .option('--end <seconds>', 'keep audio up to here (seconds or m:ss)')
    .option('--no-trim-silence', 'keep leading and trailing silence')
    .option('--no-normalize', 'keep the original loudness')
    .option('--target-lufs <lufs>', 'loudness target when normalising, -40 to -10', '-20');
}

export function parseAudioFlags(flags: AudioFlags): RenderSettings {
  const format = parseChoice(flags.format ?? 'wav', FORMAT_CHOICES, 'Format');
  const startSec = flags.start !== undefined ? parseSeconds(flags.start, '--start') : undefined;
  const endSec = flags.end !== undefined ? parseSeconds(flags.end, '--end') : undefined;
  checkRange(startSec, endSec);
  const targetLufs = flags.targetLufs !== undefined ? parseLufs(flags.targetLufs) : undefined;
  return { format, startSec, endSec, trimSilence: flags.trimSilence !== false, normalize: flags.normalize !== false, targetLufs };
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
  addAudioOptions(cmd, 'wav');
  addJsonOption(cmd);
  cmd.addHelpText('after', '\nExamples:\n  vmgreet prepare recording.m4a -o away.wav\n  vmgreet prepare long-announcement.mp3 -o out/ --format auto --start 0:02 --end 3:40');
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
      const result = await withTempDir(async (dir) => {
        const r = await renderInto(dir, input, settings, out, signal);
        const dest = finalPath(output, isDir, input, r.format);
        if (path.resolve(input) === dest) throw new UsageError('The output would overwrite the input file: choose another output path.', 'CLI_OUTPUT_IS_INPUT');
        if (!flags.force && (await stat(dest).catch(() => undefined))) {
          throw new InputError(`${showValue(dest)} already exists: choose another path or add --force to replace it.`, 'CLI_OUTPUT_EXISTS');
        }
        await copyFile(r.outputPath, dest);
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

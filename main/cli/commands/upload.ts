// vmgreet upload INPUT --ext N [--name NAME] [--format …] [--as-is] [--if-exists ask|overwrite|skip|rename|fail]
// Renders through the audio engine first (default wav, normalised) unless --as-is is given and the file is already
// something the PBX accepts; then uploads with an explicit overwrite policy (nothing is overwritten silently).
import path from 'node:path';
import { Option, type Command } from 'commander';
import { greetingFileName } from '../../core/audio/filename.js';
import { SIZE_LIMIT_BYTES, extensionFor, type GreetingFormat } from '../../core/audio/formats.js';
import { IF_EXISTS_POLICIES, parseChoice, parseExt, parseGreetingName, showValue, type IfExistsPolicy } from '../args.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type CommandContext, type RunState } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { requireInputFile } from '../input-file.js';
import { askExists, canPrompt } from '../prompt.js';
import { FORMAT_LABEL, describeRender, formatReason, renderInto, reportAnalysisWarnings, withTempDir } from '../render.js';
import { formatBytes } from '../table.js';
import { addAudioOptions, parseAudioFlags, type AudioFlags } from './prepare.js';

interface Flags extends AudioFlags, ConnectionFlags {
  ext: string;
  name?: string;
  asIs?: boolean;
  ifExists?: string;
}

/** What an --as-is file is, from its suffix and codec; undefined when the PBX would not take it. */
function asIsFormat(suffix: string, codec: string): GreetingFormat | undefined {
  if (suffix === '.mp3') return codec === 'mp3' ? 'mp3' : undefined;
  if (suffix === '.gsm') return codec === 'gsm' || codec === 'gsm_ms' ? 'gsm' : undefined;
  if (suffix === '.wav') {
    if (codec === 'pcm_s16le') return 'wav';
    if (codec === 'pcm_mulaw') return 'wav-ulaw';
    if (codec === 'pcm_alaw') return 'wav-alaw';
  }
  return undefined;
}

export function resolvePolicy(value: string | undefined, ctx: CommandContext): IfExistsPolicy {
  if (value === undefined) return canPrompt(ctx.io) && !ctx.out.json ? 'ask' : 'fail';
  const policy = parseChoice(value, IF_EXISTS_POLICIES, '--if-exists');
  if (policy === 'ask' && (!canPrompt(ctx.io) || ctx.out.json)) {
    throw new UsageError('--if-exists ask needs an interactive terminal: choose overwrite, skip, rename or fail.', 'CLI_CANNOT_ASK');
  }
  return policy;
}

export function registerUpload(program: Command, state: RunState): void {
  const cmd = program
    .command('upload')
    .description('prepare an audio file and upload it as a voicemail greeting of an extension')
    .argument('<input>', 'audio file (any format ffmpeg reads; with --as-is: a .wav/.mp3/.gsm under 8 MB)')
    .requiredOption('--ext <number>', 'extension number, e.g. 3200')
    .option('--name <name>', 'greeting name: letters, digits, _ and - (default: from the input file name)')
    .option('--as-is', 'upload the file unchanged (it must already be .wav, .mp3 or .gsm and at most 8 MB)')
    .addOption(new Option('--if-exists <policy>', `when the name exists: ${IF_EXISTS_POLICIES.join(', ')} (default: ask on a terminal, fail otherwise)`));
  addAudioOptions(cmd, 'wav');
  addConnectionOptions(cmd);
  addJsonOption(cmd);
  cmd.addHelpText(
    'after',
    '\nExamples:\n  vmgreet upload away.m4a --ext 3200 --name away\n  vmgreet upload ready.wav --ext 3200 --as-is --if-exists overwrite --json\n\nExit codes: 0 ok, 1 usage, 2 bad input/audio, 3 PBX refused, 4 network/TLS, 5 name exists (--if-exists fail)',
  );
  cmd.action(
    action<[string, Flags]>(state, async (ctx, input, flags) => {
      const { out, io, signal } = ctx;
      // 1. Everything on the command line is checked before any file is read or any request is made.
      const ext = parseExt(flags.ext);
      const name = flags.name !== undefined ? parseGreetingName(flags.name) : undefined;
      const settings = parseAudioFlags(flags);
      const formatGiven = cmd.getOptionValueSource('format') === 'cli';
      const policy = resolvePolicy(flags.ifExists, ctx);
      const { sizeBytes } = await requireInputFile(input);
      const conn = await resolveConnection(flags, io.env);

      const upload = async (filePath: string, format: GreetingFormat, bytes: number, reason: string, source: 'rendered' | 'as-is', durationSec: number) => {
        if (name?.suffix !== undefined && name.suffix !== extensionFor(format)) {
          throw new UsageError(`--name ends in ${name.suffix} but the greeting is ${format} (${extensionFor(format)}): drop the suffix from --name or change --format.`, 'CLI_NAME_SUFFIX');
        }
        const fileName = greetingFileName(name?.base ?? path.basename(input), format);
        out.info(`Uploading ${fileName} (${formatBytes(bytes)}) to extension ${ext} at ${conn.baseUrl}…`);
        const { uploadWithPolicy } = await import('../../core/pbx/index.js');
        const res = await withClient(conn, out, async (client) => {
          const bar = out.progress('Uploading', bytes, 'bytes');
          try {
            return await uploadWithPolicy(client, {
              ext,
              filePath,
              fileName,
              policy,
              decide: (existing) => askExists(io, existing, signal),
              signal,
              onProgress: (sent: number, total: number) => bar.update(sent, total),
            });
          } finally {
            bar.stop();
          }
        });
        const doc = { ext, name: res.fileName, format, formatReason: reason, bytes: res.bytes, existed: res.existed, action: res.action, source, durationSec, input: path.resolve(input) };
        out.result(doc, () => {
          switch (res.action) {
            case 'created':
              return `Uploaded ${res.fileName} to extension ${ext} (new greeting, ${formatBytes(res.bytes)}).`;
            case 'overwritten':
              return `Uploaded ${res.fileName} to extension ${ext}, replacing the greeting of the same name (${formatBytes(res.bytes)}).`;
            case 'renamed':
              return `${fileName} already existed on extension ${ext}; uploaded as ${res.fileName} (${formatBytes(res.bytes)}).`;
            default:
              return `Skipped: extension ${ext} already has ${res.fileName}; nothing was uploaded.`;
          }
        });
      };

      if (flags.asIs) {
        // 2a. As-is: only a file the PBX already accepts; otherwise say why and upload nothing.
        const suffix = path.extname(input).toLowerCase();
        if (!['.wav', '.mp3', '.gsm'].includes(suffix)) {
          throw new InputError(`--as-is needs a .wav, .mp3 or .gsm file, and ${showValue(path.basename(input))} is not one: drop --as-is and vmgreet will convert it.`, 'CLI_AS_IS_WRONG_TYPE');
        }
        if (sizeBytes > SIZE_LIMIT_BYTES) {
          throw new InputError(`${showValue(path.basename(input))} is ${formatBytes(sizeBytes)}, over the PBX limit of 8 MB: drop --as-is and vmgreet will re-encode it (GSM holds about 80 minutes), or cut it with --start/--end.`, 'CLI_AS_IS_TOO_BIG', { detail: { bytes: sizeBytes, limitBytes: SIZE_LIMIT_BYTES } });
        }
        const { probeAudio } = await import('../../core/audio/index.js');
        const probe = await probeAudio(input, { signal });
        const format = asIsFormat(suffix, probe.codec);
        if (format === undefined) {
          throw new InputError(`${showValue(path.basename(input))} holds ${probe.codec} audio, which the PBX does not take in a ${suffix} file: drop --as-is and vmgreet will convert it.`, 'CLI_AS_IS_WRONG_CODEC', { detail: { codec: probe.codec } });
        }
        if (formatGiven && settings.format !== 'auto' && settings.format !== format) {
          throw new UsageError(`--format ${settings.format} does not match the file (${format}); with --as-is the file is sent unchanged: drop --format or --as-is.`, 'CLI_AS_IS_FORMAT');
        }
        if (probe.sampleRate !== 8000 || probe.channels !== 1) {
          out.warn(`${path.basename(input)} is ${probe.sampleRate} Hz, ${probe.channels} channel(s); the PBX plays 8 kHz mono, so callers may hear it at the wrong speed or quality. Drop --as-is to convert it.`);
        }
        const reason = `sent unchanged (--as-is): ${FORMAT_LABEL[format]} file of ${formatBytes(sizeBytes)}.`;
        out.info(`Format: ${format} — ${reason}`);
        await upload(input, format, sizeBytes, reason, 'as-is', probe.durationSec);
        return;
      }

      // 2b. Render into a temp folder that is always removed, then upload the result.
      await withTempDir(async (dir) => {
        const r = await renderInto(dir, input, settings, out, signal);
        reportAnalysisWarnings(r, out);
        out.info(['Prepared the greeting:', ...describeRender(r, settings, formatGiven)].join('\n'));
        await upload(r.outputPath, r.format, r.bytes, formatReason(r, formatGiven), 'rendered', r.durationSec);
      });
    }),
  );
}

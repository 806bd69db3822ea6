// vmgreet upload INPUT --ext N [--name NAME] [--format …] [--as-is] [--if-exists ask|overwrite|skip|rename|fail]
// Renders through the audio engine first (default auto: wav when it fits, normalised) unless --as-is is given and the
// file is already something the PBX accepts; then the greeting becomes one item of the persistent upload queue and
// the library's worker carries it out right here, the same code as `batch`, `queue run` and the app: ask the PBX,
// back up before an overwrite, force, record the history. Nothing is overwritten silently.
// --use-when STATUSES: after the upload the worker also makes the greeting play for those presence statuses, and the
// history keeps the previous choice so `vmgreet rollback` restores both.
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { safeBaseName } from '../../core/audio/filename.js';
import { SIZE_LIMIT_BYTES, extensionFor } from '../../core/audio/formats.js';
import { UPLOAD_ACTION_LABELS, type GreetingFormat, type IfExistsPolicy } from '../../core/domain.js';
import { CancelledError, VmgsError } from '../../core/errors.js';
import type { QueueItem } from '../../core/library/index.js';
import type { PbxClient } from '../../core/pbx/index.js';
import { UPLOAD_POLICIES, parseChoice, parseExt, parseGreetingName, showValue, type UploadPolicy } from '../args.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags, type ResolvedConnection } from '../connection.js';
import { action, addJsonOption, type CommandContext, type RunState } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { requireInputFile } from '../input-file.js';
import { addDataDirOption, cliPbx, cliProfileId, ensureQueueFree, openDataDir } from '../library-context.js';
import { askExists, canPrompt } from '../prompt.js';
import { runQueueItems } from '../queue-run.js';
import { FORMAT_LABEL, describeRender, formatReason, renderInto, reportAnalysisWarnings, withTempDir } from '../render.js';
import { formatBytes } from '../table.js';
import { activationExit, activationLine, addUseWhenOption, historyEntryOf, parseWhen, preflightSelection } from '../selection.js';
import type { HistoryEntry } from '../../core/library/index.js';
import type { SelectionSlot } from '../../core/domain.js';
import { addAudioOptions, parseAudioFlags, type AudioFlags } from './prepare.js';

interface Flags extends AudioFlags, ConnectionFlags {
  ext: string;
  name?: string;
  asIs?: boolean;
  ifExists?: string;
  dataDir?: string;
  useWhen?: string;
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

export function resolvePolicy(value: string | undefined, ctx: CommandContext): UploadPolicy {
  if (value === undefined) return canPrompt(ctx.io) && !ctx.out.json ? 'ask' : 'fail';
  const policy = parseChoice(value, UPLOAD_POLICIES, '--if-exists');
  if (policy === 'ask' && (!canPrompt(ctx.io) || ctx.out.json)) {
    throw new UsageError('--if-exists ask needs an interactive terminal: choose overwrite, skip, rename or fail.', 'CLI_CANNOT_ASK');
  }
  return policy;
}

/** The greeting ready to queue: a file with the PBX suffix, and how it came to be. */
interface Prepared {
  filePath: string;
  format: GreetingFormat;
  bytes: number;
  reason: string;
  source: 'rendered' | 'as-is';
  durationSec: number;
}

export function registerUpload(program: Command, state: RunState): void {
  const cmd = program
    .command('upload')
    .description('prepare an audio file and upload it as a voicemail greeting of an extension (through the upload queue)')
    .argument('<input>', 'audio file (any format ffmpeg reads; with --as-is: a .wav/.mp3/.gsm under 8 MB)')
    .requiredOption('--ext <number>', 'extension number, e.g. 3200')
    .option('--name <name>', 'greeting name: letters, digits, _ and - (default: from the input file name)')
    .option('--as-is', 'upload the file unchanged (it must already be .wav, .mp3 or .gsm and at most 8 MB)')
    .addOption(new Option('--if-exists <policy>', `when the name exists: ${UPLOAD_POLICIES.join(', ')} (default: ask on a terminal, fail otherwise; overwrite backs the old greeting up first)`));
  addUseWhenOption(cmd);
  addAudioOptions(cmd);
  addDataDirOption(cmd);
  addConnectionOptions(cmd);
  addJsonOption(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  vmgreet upload away.m4a --ext 3200 --name away',
      '  vmgreet upload ready.wav --ext 3200 --as-is --if-exists overwrite --json',
      '  vmgreet upload away.m4a --ext 3200 --name away --use-when away,dnd   # upload and make it play',
      '',
      'The upload is an item of the upload queue (shared with the app) and recorded in `vmgreet history`. When the PBX',
      'already holds exactly these bytes under the name, the result is "unchanged" and nothing is written.',
      'If the PBX cannot be reached the item stays queued (exit 4): `vmgreet queue run` finishes it later.',
      '',
      'Exit codes: 0 ok, 1 usage/cancelled, 2 bad input/audio, 3 PBX refused, 4 network/TLS, 5 name exists (--if-exists fail),',
      '6 another process is uploading from the same data folder',
    ].join('\n'),
  );
  cmd.action(
    action<[string, Flags]>(state, async (ctx, input, flags) => {
      const { out, io, signal } = ctx;
      // 1. Everything on the command line is checked before any file is read or any request is made.
      const ext = parseExt(flags.ext);
      const name = flags.name !== undefined ? parseGreetingName(flags.name) : undefined;
      const settings = parseAudioFlags(flags);
      const formatGiven = cmd.getOptionValueSource('format') === 'cli';
      const asked = resolvePolicy(flags.ifExists, ctx);
      const activate = flags.useWhen !== undefined ? parseWhen(flags.useWhen, '--use-when') : undefined;
      let exit = 0;
      const { sizeBytes } = await requireInputFile(input);
      const conn = await resolveConnection(flags, io.env);
      const dataDir = await openDataDir(flags.dataDir, io.env);
      await ensureQueueFree(dataDir);

      // `dir` is this run's temp folder (the name-exists check downloads into it).
      const upload = async (p: Prepared, dir: string): Promise<void> => {
        if (name?.suffix !== undefined && name.suffix !== extensionFor(p.format)) {
          throw new UsageError(`--name ends in ${name.suffix} but the greeting is ${p.format} (${extensionFor(p.format)}): drop the suffix from --name or change --format.`, 'CLI_NAME_SUFFIX');
        }
        const base = name?.base ?? safeBaseName(path.basename(input));
        const fileName = `${base}${extensionFor(p.format)}`;
        out.info(`Uploading ${fileName} (${formatBytes(p.bytes)}) to extension ${ext} at ${conn.baseUrl}…`);
        await withClient(conn, out, async (client) => {
          if (activate) await preflightSelection(client, ext, activate);
          const policy = asked === 'ask' ? await decide(client, ctx, ext, fileName, p.filePath, dir) : asked;
          const item = await enqueueOne(dataDir, conn, { filePath: p.filePath, ext, name: base, policy, ...(activate ? { activate } : {}) });
          const bar = out.progress('Uploading', p.bytes, 'bytes');
          const done = await runQueueItems({
            dataDir,
            client,
            conn,
            ids: [item.id],
            concurrency: 1,
            out,
            cancelOn: signal,
            onProgress: (e) => {
              if (e.sent !== undefined) bar.update(e.sent, e.total);
            },
          }).finally(() => bar.stop());
          const finished = done.items[0] ?? item;
          const entry = activate ? await historyEntryOf(dataDir, finished) : undefined;
          report(finished, p, ctx, { ext, fileName, input }, entry);
          exit = activationExit(entry ? [entry] : []);
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
        // The queue snapshots the file into its blob store, so a later change of the input does not matter.
        const prepared: Prepared = { filePath: path.resolve(input), format, bytes: sizeBytes, reason, source: 'as-is', durationSec: probe.durationSec };
        await withTempDir((dir) => upload(prepared, dir));
        return exit;
      }

      // 2b. Render into a temp folder that is always removed; the queue keeps its own copy of the result.
      await withTempDir(async (dir) => {
        const r = await renderInto(dir, input, settings, out, signal);
        reportAnalysisWarnings(r, out);
        out.info(['Prepared the greeting:', ...describeRender(r, settings, formatGiven)].join('\n'));
        const filePath = path.join(dir, `${safeBaseName(path.basename(input))}${extensionFor(r.format)}`);
        await rename(r.outputPath, filePath);
        await upload({ filePath, format: r.format, bytes: r.bytes, reason: formatReason(r, formatGiven), source: 'rendered', durationSec: r.durationSec }, dir);
      });
      return exit;
    }),
  );
}

/**
 * --if-exists ask: asks the PBX first; only when the name exists with other bytes does the person choose. The choice
 * is what gets queued (overwrite still backs up first). Same bytes need no question: the worker reports unchanged.
 */
async function decide(client: PbxClient, ctx: CommandContext, ext: string, fileName: string, filePath: string, workDir: string): Promise<IfExistsPolicy> {
  const { hashFile, holdsBytes } = await import('../../core/library/index.js');
  if (!(await client.greetingExists(ext, fileName, ctx.signal)).exists) return 'fail';
  const { sha256 } = await hashFile(filePath);
  if (await holdsBytes(client, ext, fileName, sha256, { workDir, signal: ctx.signal })) return 'skip';
  const choice = await askExists(ctx.io, { ext, fileName }, ctx.signal);
  if (choice === 'cancel') throw new CancelledError('The upload');
  return choice;
}

async function enqueueOne(dataDir: string, conn: ResolvedConnection, it: { filePath: string; ext: string; name: string; policy: IfExistsPolicy; activate?: SelectionSlot[] }): Promise<QueueItem> {
  const { UploadQueue } = await import('../../core/library/index.js');
  return new UploadQueue({ dataDir }).enqueue({ source: { filePath: it.filePath }, ext: it.ext, policy: it.policy, pbxProfileId: cliProfileId(conn), pbx: cliPbx(conn), name: it.name, ...(it.activate ? { activate: it.activate } : {}) });
}

/** The finished item as the result document (or as the error it ended with). */
function report(item: QueueItem, p: Prepared, ctx: CommandContext, req: { ext: string; fileName: string; input: string }, entry?: HistoryEntry): void {
  const { ext } = req;
  const stored = item.target ?? item.fileName;
  if (item.state === 'failed') {
    const e = item.lastError;
    throw new VmgsError(e?.kind ?? 'pbx', e?.code ?? 'QUEUE_FAILED', item.reason ?? e?.message ?? 'The upload failed.', {
      detail: { ...(e?.detail ?? {}), queueItemId: item.id, ...(item.historyId ? { historyId: item.historyId } : {}) },
    });
  }
  if (item.state === 'cancelled') throw new CancelledError('The upload');
  if (item.state === 'pending' || item.state === 'running') {
    const keep = `The upload is kept in the queue as ${item.id}: \`vmgreet queue run\` finishes it once the PBX can be reached (or \`vmgreet queue cancel ${item.id}\` drops it).`;
    const e = item.lastError;
    if (e?.unreachable) throw new VmgsError('network', e.code, `${e.message} ${keep}`, { detail: { queueItemId: item.id }, unreachable: true });
    throw new VmgsError('cancelled', 'CANCELLED', `The upload was stopped. ${keep}`, { detail: { queueItemId: item.id } });
  }
  const action = item.action ?? (item.state === 'renamed' ? 'renamed' : item.state === 'skipped' ? 'skipped' : 'created');
  const sent = action === 'created' || action === 'overwritten' || action === 'renamed';
  const doc = {
    ext,
    name: stored,
    requestedName: item.fileName,
    format: p.format,
    formatReason: p.reason,
    bytes: sent ? item.blob.bytes : 0,
    existed: action !== 'created',
    action,
    source: p.source,
    durationSec: p.durationSec,
    input: path.resolve(req.input),
    queueItemId: item.id,
    historyId: item.historyId,
    pbx: item.pbx,
    ...(item.activate ? { activation: entry?.activation ?? null, previousSelection: entry?.previousSelection ?? null } : {}),
  };
  const activated = activationLine(entry);
  if (entry?.activation?.ok === false) ctx.out.problem(activated ?? '');
  ctx.out.result(doc, () => {
    const line = uploadLine();
    return activated !== undefined && entry?.activation?.ok === true ? `${line}\n${activated}` : line;
  });
  function uploadLine(): string {
    const size = formatBytes(item.blob.bytes);
    switch (action) {
      case 'created':
        return `Uploaded ${stored} to extension ${ext} (new greeting, ${size}).`;
      case 'overwritten':
        return `Uploaded ${stored} to extension ${ext}, replacing the greeting of the same name (${size}; the old one is backed up: vmgreet rollback ${item.historyId ?? ''}).`;
      case 'renamed':
        return `${item.fileName} already existed on extension ${ext}; uploaded as ${stored} (${size}).`;
      case 'unchanged':
        return `Unchanged: extension ${ext} already has ${stored} with exactly these bytes; nothing was uploaded (${UPLOAD_ACTION_LABELS.unchanged}).`;
      default:
        return `Skipped: extension ${ext} already has ${stored}; nothing was uploaded${item.activate ? ' and nothing was activated' : ''}.`;
    }
  }
}

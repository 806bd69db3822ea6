// vmgreet batch --ext 3200-3299 FILE [--name NAME] [--if-exists …] [--dry-run] [--all-or-nothing]
// vmgreet batch --csv MAP.csv [--dry-run] [--all-or-nothing]
// Every row is checked first (extension exists on the PBX, file is audio and renders); bad rows are reported one by
// one and the good rows proceed (or none, with --all-or-nothing). A dry run only asks the PBX (is_check=ask, and a
// download where a name exists, to tell "already these bytes" from a conflict); a real run goes through the
// persistent queue (backup before overwrite, resumable after a crash).
import { mkdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { safeBaseName } from '../../core/audio/filename.js';
import { SIZE_LIMIT_BYTES, extensionFor } from '../../core/audio/formats.js';
import { IF_EXISTS_POLICIES, type IfExistsPolicy } from '../../core/domain.js';
import { VmgsError, isVmgsError } from '../../core/errors.js';
import type { BatchItem, DryRunReport } from '../../core/library/index.js';
import type { PbxClient } from '../../core/pbx/index.js';
import { parseChoice, parseExtRange, parseGreetingName, parseIntArg, showValue } from '../args.js';
import { addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type CommandContext, type RunState } from '../context.js';
import { UsageError } from '../errors.js';
import { requireInputFile } from '../input-file.js';
import { EXIT } from '../exit-codes.js';
import { addDataDirOption, cliPbx, cliProfileId, ensureQueueFree, openDataDir } from '../library-context.js';
import type { Output } from '../output.js';
import { batchExit, dryRunCountsText, itemsTable, offlineLine, runQueueItems, summaryLine, supersedeStale, supersededLine, verdictText } from '../queue-run.js';
import { renderInto, withTempDir, type RenderSettings } from '../render.js';
import { renderTable } from '../table.js';
import { compactExtensions, rowProblem } from '../row-text.js';
import { addAudioOptions, parseAudioFlags, type AudioFlags } from './prepare.js';
import { activationExit, activationLine, addUseWhenOption, historyEntryOf, parseWhen, preflightSelection, slotLabels } from '../selection.js';

interface Flags extends AudioFlags, ConnectionFlags {
  ext?: string;
  csv?: string;
  name?: string;
  ifExists?: string;
  dryRun?: boolean;
  allOrNothing?: boolean;
  asIs?: boolean;
  concurrency?: string;
  dataDir?: string;
  useWhen?: string;
}

// Every policy of the domain; asking is for `upload` on a terminal only.
const BATCH_POLICIES = IF_EXISTS_POLICIES;

/** One requested upload before checks. `line` is the CSV line (undefined for --ext). */
interface Row {
  line?: number;
  ext: string;
  file: string;
  name?: string;
}

export interface RowError {
  line?: number;
  ext?: string;
  file?: string;
  code: string;
  message: string;
}

export function registerBatch(program: Command, state: RunState): void {
  const cmd = program
    .command('batch')
    .description('upload one greeting to many extensions (--ext), or many files to many extensions (--csv)')
    .argument('[file]', 'the greeting to upload (with --ext)')
    .option('--ext <range>', 'extensions: 3200-3299, 3200,3205 or a mix')
    .option('--csv <file>', 'CSV with a header row extension,file[,name] (paths relative to the CSV)')
    .option('--name <name>', 'greeting name for --ext (default: from the file name)')
    .addOption(new Option('--if-exists <policy>', `when a name exists: ${BATCH_POLICIES.join(', ')} (overwrite backs the old greeting up first)`).default('fail'))
    .option('--dry-run', 'only ask the PBX and show what would be created, overwritten, skipped or renamed')
    .option('--all-or-nothing', 'if any row is bad, upload nothing')
    .option('--as-is', 'send the files unchanged (.wav/.mp3/.gsm, at most 8 MB) instead of preparing them')
    .option('--concurrency <n>', 'parallel uploads, 1-4', '4');
  addUseWhenOption(cmd);
  addAudioOptions(cmd);
  addDataDirOption(cmd);
  addConnectionOptions(cmd);
  addJsonOption(cmd);
  cmd.addHelpText(
    'after',
    '\nExamples:\n  vmgreet batch --ext 3200-3299 holiday.m4a --name holiday --if-exists skip --dry-run\n  vmgreet batch --csv rollout.csv --if-exists overwrite\n  vmgreet batch --ext 3200-3299 holiday.wav --name holiday --use-when all   # upload and make it play\n\nA name that already holds exactly these bytes is "unchanged" under every policy (nothing written), so rerunning a\nbatch that was interrupted finishes it without conflicts.\n\nExit code: 0 when every item succeeded; otherwise 2 (bad rows only), 3 (PBX refused), 4 (network/TLS, or the PBX\nbecame unreachable: the rest stays queued for `vmgreet queue run`), 5 (names exist, --if-exists fail), 6 (another\nprocess is uploading from the same data folder).',
  );
  cmd.action(
    action<[string | undefined, Flags]>(state, async (ctx, file, flags) => {
      const { out, io } = ctx;
      if ((flags.ext === undefined) === (flags.csv === undefined)) throw new UsageError('Give either --ext RANGE with a FILE, or --csv MAP.csv.', 'CLI_BATCH_MODE');
      if (flags.ext !== undefined && file === undefined) throw new UsageError('--ext needs the greeting FILE to upload, e.g. vmgreet batch --ext 3200-3299 holiday.wav', 'CLI_BATCH_MODE');
      if (flags.csv !== undefined && (file !== undefined || flags.name !== undefined)) throw new UsageError('With --csv the files and names come from the CSV: drop the FILE argument and --name.', 'CLI_BATCH_MODE');
      const policy = parseChoice(flags.ifExists ?? 'fail', BATCH_POLICIES, '--if-exists');
      const exts = flags.ext !== undefined ? parseExtRange(flags.ext) : [];
      const name = flags.name !== undefined ? parseGreetingName(flags.name).base : undefined;
      const settings = parseAudioFlags(flags);
      const concurrency = parseIntArg(flags.concurrency ?? '4', 'Concurrency', 1, 4);
      const activate = flags.useWhen !== undefined ? parseWhen(flags.useWhen, '--use-when') : undefined;
      // With --ext there is one file for every row: a missing or empty one is one error, before the PBX is asked.
      if (file !== undefined) await requireInputFile(file);
      const conn = await resolveConnection(flags, io.env);
      const dataDir = await openDataDir(flags.dataDir, io.env);
      const lib = await import('../../core/library/index.js');
      // A CSV that cannot be parsed is refused before anything is sent to the PBX.
      if (flags.csv !== undefined) await lib.readCsvMapping(flags.csv);
      if (!flags.dryRun) await ensureQueueFree(dataDir);

      return withClient(conn, out, async (client) => {
        // The directory read gets the queue's retry and backoff: one 503 must not abort the batch before it starts.
        const known = await lib.knownExtensionNumbers(client, 100, {
          signal: ctx.signal,
          onRetry: (r) => {
            if (out.interactive) out.warn(`reading the extension list: ${r.error.message} (retrying in ${(r.retryInMs / 1000).toFixed(1)} s)`);
          },
        });
        const errors: RowError[] = [];
        let rows: Row[];
        if (flags.csv !== undefined) {
          const { probeAudio, probeByDecoding } = await import('../../core/audio/index.js');
          // Files to be prepared are checked by decoding them: the render below then finds the decode done.
          const probe = flags.asIs === true ? probeAudio : probeByDecoding;
          const mapping = await lib.readCsvMapping(flags.csv, { knownExtensions: known, probe: (p, o) => probe(p, o) });
          rows = mapping.rows.map((r) => ({ line: r.line, ext: r.extension, file: r.file, ...(r.name !== undefined ? { name: r.name } : {}) }));
          for (const e of mapping.errors) errors.push({ line: e.line, ...(e.extension !== undefined ? { ext: e.extension } : {}), code: e.code, message: e.message });
        } else {
          rows = [];
          for (const ext of exts) {
            if (known.has(ext)) rows.push({ ext, file: path.resolve(file!), ...(name !== undefined ? { name } : {}) });
            else errors.push({ ext, code: 'BATCH_UNKNOWN_EXTENSION', message: `Extension ${ext} does not exist on this PBX.` });
          }
        }

        return withTempDir(async (dir) => {
          const prepared = await prepareFiles(rows, settings, flags.asIs === true, dir, ctx);
          // The one file of --ext that cannot be prepared fails the command once, not once per extension.
          const only = file !== undefined ? prepared.get(path.resolve(file)) : undefined;
          if (only && 'error' in only) throw new VmgsError('input', only.error.code, only.error.message);
          const items: BatchItem[] = [];
          for (const row of rows) {
            const p = prepared.get(row.file);
            if (!p || 'error' in p) {
              errors.push({ ...(row.line !== undefined ? { line: row.line } : {}), ext: row.ext, file: row.file, code: p?.error.code ?? 'BATCH_FILE', message: p?.error.message ?? 'not prepared' });
              continue;
            }
            items.push({ ext: row.ext, filePath: p.path, name: row.name ?? safeBaseName(path.basename(row.file)) });
          }
          errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
          reportRowErrors(errors, out);

          if (errors.length > 0 && flags.allOrNothing) {
            out.result({ dryRun: flags.dryRun === true, policy, processed: 0, errors, items: [] }, () => `${errors.length} bad row(s) and --all-or-nothing: ${flags.dryRun ? 'a real run would upload nothing' : 'nothing was uploaded'}.`);
            return EXIT.input;
          }
          // Whether a PBX offers greeting selection is a property of its API, so one extension answers for all.
          if (activate && items[0]) await preflightSelection(client, items[0].ext, activate);
          if (flags.dryRun) return dryRun(client, items, policy, errors, out, dir);

          const { UploadQueue, DraftLibrary } = lib;
          const queue = new UploadQueue({ dataDir, drafts: new DraftLibrary({ dataDir }) });
          const queued = await queue.enqueueMany(items.map((i) => ({ source: { filePath: i.filePath }, ext: i.ext, policy, pbxProfileId: cliProfileId(conn), pbx: cliPbx(conn), ...(i.name !== undefined ? { name: i.name } : {}), ...(activate ? { activate } : {}) })));
          const ids = queued.map((q) => q.id);
          const superseded = (await supersedeStale(dataDir, queued)).map((i) => i.id);
          const note = supersededLine(superseded.map((id) => ({ id })));
          if (note) out.info(note);
          const run = ids.length > 0 ? await runQueueItems({ dataDir, client, conn, ids, concurrency, out, signal: ctx.signal }) : undefined;
          const doneItems = run?.items ?? [];
          const offline = offlineLine(doneItems);
          const entries = activate ? await Promise.all(doneItems.map((i) => historyEntryOf(dataDir, i))) : [];
          const activations = entries.filter((e) => e?.activation !== undefined).map((e) => ({ ext: e!.ext, fileName: e!.fileName, historyId: e!.id, ...e!.activation! }));
          for (const e of entries) if (e?.activation?.ok === false) out.problem(activationLine(e) ?? '');
          const activatedOk = activations.filter((a) => a.ok).length;
          out.result({ dryRun: false, policy, ...(run?.summary ?? { total: 0, items: [] }), errors, ...(superseded.length > 0 ? { superseded } : {}), ...(activate ? { activate, activations } : {}) }, () =>
            [
              doneItems.length > 0 ? itemsTable(doneItems) : '',
              run ? summaryLine(run.summary) : 'Nothing to upload.',
              activate ? `Playing for ${slotLabels(activate)} on ${activatedOk} extension${activatedOk === 1 ? '' : 's'}${activations.length > activatedOk ? `; ${activations.length - activatedOk} not activated (see above)` : ''}.` : '',
              offline ?? '',
              errors.length > 0 ? `${errors.length} row(s) rejected before upload (see above).` : '',
            ]
              .filter(Boolean)
              .join('\n'),
          );
          const code = batchExit(doneItems, errors.length);
          return code !== EXIT.ok ? code : activationExit(entries);
        });
      });
    }),
  );
}

type Prepared = { path: string } | { error: { code: string; message: string } };

/** Renders (or checks, with --as-is) each distinct file once, into `dir`, with the suffix its format needs. */
async function prepareFiles(rows: readonly Row[], settings: RenderSettings, asIs: boolean, dir: string, ctx: CommandContext): Promise<Map<string, Prepared>> {
  const out = new Map<string, Prepared>();
  const files = [...new Set(rows.map((r) => r.file))];
  for (const [n, file] of files.entries()) {
    try {
      if (asIs) {
        const suffix = path.extname(file).toLowerCase();
        const st = await stat(file);
        if (!['.wav', '.mp3', '.gsm'].includes(suffix)) throw new UsageError(`${showValue(path.basename(file))} is not .wav, .mp3 or .gsm; drop --as-is to convert it.`, 'CLI_AS_IS_WRONG_TYPE');
        if (st.size === 0 || st.size > SIZE_LIMIT_BYTES) throw new UsageError(`${showValue(path.basename(file))} is ${st.size === 0 ? 'empty' : 'over 8 MB'}; drop --as-is to convert it.`, 'CLI_AS_IS_SIZE');
        out.set(file, { path: file });
        continue;
      }
      const sub = path.join(dir, String(n));
      await mkdir(sub);
      const r = await renderInto(sub, file, settings, ctx.out, ctx.signal);
      // Named after the source so `queue list` and the history show where it came from.
      const dest = path.join(sub, `${safeBaseName(path.basename(file))}${extensionFor(r.format)}`);
      await rename(r.outputPath, dest);
      out.set(file, { path: dest });
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      out.set(file, { error: isVmgsError(err) ? { code: err.code, message: err.message } : { code: 'BATCH_FILE_UNREADABLE', message: `Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}` } });
    }
  }
  return out;
}

function reportRowErrors(errors: readonly RowError[], out: Output): void {
  // A range wider than the PBX's directory would print one line per missing number: those become one line.
  const unknown = errors.filter((e) => e.code === 'BATCH_UNKNOWN_EXTENSION' && e.line === undefined && e.ext !== undefined);
  if (unknown.length > 1) out.problem(`rejected: ${unknown.length} extensions do not exist on this PBX: ${compactExtensions(unknown.map((e) => e.ext!))}.`);
  for (const e of errors) {
    if (unknown.length > 1 && unknown.includes(e)) continue;
    out.problem(`rejected: ${rowProblem({ ext: e.ext, line: e.line }, e.message)}`);
  }
}

async function dryRun(client: PbxClient, items: BatchItem[], policy: IfExistsPolicy, errors: RowError[], out: Output, workDir: string): Promise<number> {
  const { dryRunBatch } = await import('../../core/library/index.js');
  // Each row is a question to the PBX (and a download where the name exists): slow on a real PBX, so a bar on a terminal.
  const bar = out.progress('Asking the PBX', Math.max(1, items.length), 'items');
  const report: DryRunReport = await dryRunBatch(client, items, policy, { workDir, onProgress: (p) => bar.update(p.done) }).finally(() => bar.stop());
  out.result({ dryRun: true, policy, total: report.rows.length, counts: report.counts, rows: report.rows, errors }, () => {
    const table = report.rows.length > 0
      ? renderTable(report.rows, [
          { header: 'EXT', value: (r) => r.ext, align: 'right' },
          { header: 'NAME', value: (r) => r.fileName },
          { header: 'WOULD', value: verdictText },
        ])
      : '';
    return `${table}\nDry run (nothing uploaded): ${dryRunCountsText(report.counts, { count: errors.length, label: 'bad rows' })}.`;
  });
  // The code the real run would end with (as batchExit): a name that exists under --if-exists fail is exit 5.
  if (report.counts.error > 0) return EXIT.pbx;
  if (report.counts['would-fail'] > 0) return EXIT.exists;
  return errors.length > 0 ? EXIT.input : EXIT.ok;
}

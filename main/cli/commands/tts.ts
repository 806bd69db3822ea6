// vmgreet tts "TEXT" -o FILE                       speak free text into a PBX-ready greeting file
// vmgreet tts --template NAME -o FILE [--fill k=v]  speak a template (placeholders from --fill)
// vmgreet tts --template NAME --ext RANGE           one personal greeting per extension: draft → queue → upload
// vmgreet tts --engines                             the text-to-speech engines of this computer (and the PBX)
// Every spoken greeting goes through the same render as a recording (8 kHz, loudness target, lead-in).
import { copyFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { extensionFor } from '../../core/audio/formats.js';
import type { EngineReport, PersonalPlan, PlaceholderValues, TtsEngine, TtsEngineId } from '../../core/content/index.js';
import type { DryRunRow } from '../../core/library/index.js';
import type { PbxClient } from '../../core/pbx/index.js';
import { parseChoice, parseExtRange, parseGreetingName, parseIntArg, showValue } from '../args.js';
import { CONNECTION_ENV, addConnectionOptions, resolveConnection, withClient, type ConnectionFlags } from '../connection.js';
import { action, addJsonOption, type CommandContext, type RunState } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { EXIT } from '../exit-codes.js';
import { addDataDirOption, cliPbx, cliProfileId, ensureQueueFree, openDataDir, resolveDataDir } from '../library-context.js';
import type { Output } from '../output.js';
import { batchExit, dryRunCountsText, itemsTable, runQueueItems, summaryLine, supersedeStale, supersededLine, verdictText } from '../queue-run.js';
import { describeRender, formatReason, reportAnalysisWarnings, withTempDir } from '../render.js';
import { renderTable } from '../table.js';
import { rowProblem } from '../row-text.js';
import { addAudioOptions, finalPath, parseAudioFlags, requireOutputFolder, type AudioFlags } from './prepare.js';

interface Flags extends AudioFlags, ConnectionFlags {
  output?: string;
  force?: boolean;
  template?: string;
  ext?: string;
  fill?: string[];
  name?: string;
  engine?: string;
  voice?: string;
  rate?: string;
  engines?: boolean;
  ifExists?: string;
  dryRun?: boolean;
  allOrNothing?: boolean;
  concurrency?: string;
  dataDir?: string;
}

const ENGINE_CHOICES = ['auto', 'espeak-ng', 'flite', 'macos-say', 'windows-sapi', 'pbx'] as const;
const BATCH_POLICIES = ['overwrite', 'skip', 'rename', 'fail'] as const;
const PLACEHOLDER_KEYS = ['name', 'extension', 'company', 'back_date'] as const;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerTts(program: Command, state: RunState): void {
  const cmd = program
    .command('tts')
    .description('text-to-speech greetings: free text or a template to a file, or one personal greeting per extension')
    .argument('[text]', 'the words to speak (for -o)')
    .option('-o, --output <path>', 'write the greeting to this file (or folder); the suffix follows the format')
    .option('--force', 'replace the output file if it exists')
    .option('--template <name>', 'speak a template (vmgreet templates list)')
    .option('--ext <range>', 'with --template: one personal greeting per extension, e.g. 3200-3319 ({name} and {extension} from the PBX)')
    .option('--fill <key=value>', 'fill a placeholder: company=…, back_date=2025-01-06 (name=…, extension=… only with -o); repeatable', collect)
    .option('--name <name>', 'greeting name on the PBX for --ext (default: the template name)')
    .addOption(new Option('--engine <engine>', `speech engine: ${ENGINE_CHOICES.join(', ')} (auto = the first found on this computer; pbx = the PBX's own)`).default('auto'))
    .option('--voice <voice>', 'voice of the engine (see --engines --json); for pbx: provider:voice, e.g. aws:Joanna')
    .option('--rate <percent>', 'speaking rate, 50-200 percent of normal', '100')
    .option('--engines', 'list the text-to-speech engines found on this computer (and the PBX, when connection settings are given)')
    .addOption(new Option('--if-exists <policy>', `with --ext, when the name exists: ${BATCH_POLICIES.join(', ')} (overwrite backs the old greeting up first)`).default('fail'))
    .option('--dry-run', 'with --ext: show each script and what the upload would do; nothing is spoken, saved or uploaded')
    .option('--all-or-nothing', 'with --ext: if any extension cannot get its greeting, make none')
    .option('--concurrency <n>', 'with --ext: parallel uploads, 1-4', '4');
  addAudioOptions(cmd);
  addDataDirOption(cmd);
  addConnectionOptions(cmd);
  addJsonOption(cmd);
  cmd.addHelpText(
    'after',
    [
      '',
      'Examples:',
      '  vmgreet tts "Hello, you have reached the sales team. Please leave a message." -o sales.wav',
      '  vmgreet tts --template vacation --fill name="Ana Lima" --fill back_date=2025-01-06 -o ana.wav',
      '  vmgreet tts --template after-hours --ext 3200-3319 --fill company="Example Ltd" --dry-run',
      '  vmgreet tts --engines',
      '',
      'With --ext each greeting becomes a draft (the script is kept with it) and goes through the upload queue;',
      'exit code as for batch: 0 all done, 2 extensions that could not get a greeting, 3 PBX refused, 4 network, 5 names exist.',
    ].join('\n'),
  );
  cmd.action(
    action<[string | undefined, Flags]>(state, async (ctx, text, flags) => {
      if (flags.engines) {
        if (text !== undefined || flags.template !== undefined || flags.output !== undefined) throw new UsageError('--engines lists the engines; give it on its own (with connection settings to include the PBX).', 'CLI_TTS_MODE');
        return listEngines(ctx, flags);
      }
      if (flags.template !== undefined && flags.ext !== undefined) {
        if (text !== undefined || flags.output !== undefined) throw new UsageError('With --template and --ext the greetings go to the PBX: drop the TEXT and -o.', 'CLI_TTS_MODE');
        return personalBatch(ctx, flags);
      }
      if (flags.ext !== undefined) throw new UsageError('--ext needs --template NAME: vmgreet tts --template after-hours --ext 3200-3319', 'CLI_TTS_MODE');
      if ((text === undefined) === (flags.template === undefined)) throw new UsageError('Give the TEXT to speak or --template NAME, with -o FILE; or --template NAME --ext RANGE; or --engines.', 'CLI_TTS_MODE');
      if (flags.output === undefined) throw new UsageError('Give -o FILE: where to write the greeting (or use --template NAME --ext RANGE to send greetings to extensions).', 'CLI_TTS_MODE');
      return speakOne(ctx, text, flags, cmd.getOptionValueSource('format') === 'cli');
    }),
  );
}

// ---------- shared ----------

function parseFills(fills: readonly string[], allowPersonal: boolean): PlaceholderValues {
  const values: PlaceholderValues = {};
  for (const f of fills) {
    const m = /^([a-z_]+)=(.*)$/s.exec(f);
    const key = m?.[1];
    if (!m || key === undefined) throw new UsageError(`--fill ${showValue(f)} is not KEY=VALUE, e.g. --fill company="Example Ltd".`, 'CLI_BAD_FILL');
    const k = parseChoice(key, PLACEHOLDER_KEYS, '--fill placeholder');
    if (!allowPersonal && (k === 'name' || k === 'extension')) throw new UsageError(`With --ext, {${k}} comes from the PBX directory for each extension: drop --fill ${k}=….`, 'CLI_BAD_FILL');
    values[k] = m[2] ?? '';
  }
  return values;
}

async function engines(client: PbxClient | undefined): Promise<TtsEngine[]> {
  const c = await import('../../core/content/index.js');
  return [...c.localEngines(), ...(client ? [c.createPbxEngine(client)] : [])];
}

function hasConnection(flags: ConnectionFlags, env: Readonly<Record<string, string | undefined>>): boolean {
  const given = (flag: string | undefined, name: string): boolean => (flag ?? env[name] ?? '') !== '';
  return given(flags.pbx, CONNECTION_ENV.pbx) && given(flags.clientId, CONNECTION_ENV.clientId) && given(flags.clientSecret, CONNECTION_ENV.clientSecret);
}

/** Runs fn with a client when the engine (or the mode) needs the PBX, else without one. */
async function maybeClient<T>(ctx: CommandContext, flags: Flags, needed: boolean, fn: (client: PbxClient | undefined) => Promise<T>): Promise<T> {
  if (!needed) return fn(undefined);
  const conn = await resolveConnection(flags, ctx.io.env);
  return withClient(conn, ctx.out, (client) => fn(client));
}

// ---------- --engines ----------

async function listEngines(ctx: CommandContext, flags: Flags): Promise<number> {
  const withPbx = hasConnection(flags, ctx.io.env);
  const { discoverEngines, PBX_TTS_INFO } = await import('../../core/content/index.js');
  const reports: EngineReport[] = await maybeClient(ctx, flags, withPbx, async (client) => discoverEngines(await engines(client), ctx.signal));
  if (!withPbx) {
    reports.push({ id: 'pbx', info: PBX_TTS_INFO, available: false, program: null, version: null, voices: [], reason: 'Not asked: give the PBX connection settings (--pbx, --client-id, --client-secret) to probe it.' });
  }
  const rows = reports.map((r) => ({
    id: r.id, label: r.info.label, available: r.available, program: r.program, version: r.version, reason: r.reason,
    licence: r.info.licence, licenceNote: r.info.licenceNote, supplied: r.info.supplied, shipsWithApp: false, maxChars: r.info.maxChars, voices: r.voices,
  }));
  ctx.out.result({ platform: process.platform, engines: rows }, () =>
    [
      renderTable(rows, [
        { header: 'ENGINE', value: (r) => r.id },
        { header: 'FOUND', value: (r) => (r.available ? 'yes' : 'no') },
        { header: 'VERSION', value: (r) => r.version ?? '' },
        { header: 'SUPPLIED BY', value: (r) => (r.supplied === 'pbx' ? 'the PBX' : 'this system (not shipped with the app)') },
        { header: 'LICENCE', value: (r) => r.licence },
        { header: 'DETAIL', value: (r) => (r.available ? `${r.program ?? ''}${r.voices.length ? ` (${r.voices.length} voices)` : ''}` : (r.reason ?? '')) },
      ]),
      `Default (--engine auto): ${rows.find((r) => r.available && r.id !== 'pbx')?.id ?? 'none found'}.`,
    ].join('\n'),
  );
  return EXIT.ok;
}

// ---------- one greeting to a file ----------

async function speakOne(ctx: CommandContext, text: string | undefined, flags: Flags, formatGiven: boolean): Promise<number> {
  const { out, signal } = ctx;
  const settings = parseAudioFlags(flags);
  refuseCleanup(settings);
  const choice = parseChoice(flags.engine ?? 'auto', ENGINE_CHOICES, '--engine');
  const ratePercent = parseIntArg(flags.rate ?? '100', '--rate', 50, 200);
  const output = path.resolve(flags.output ?? '');
  const outStat = await stat(output).catch(() => undefined);
  const isDir = outStat?.isDirectory() === true || /[\\/]$/.test(flags.output ?? '');
  // Checked before anything is spoken: a missing folder must not end as a failed copy out of the temp folder.
  await requireOutputFolder(isDir ? output : path.dirname(output));
  if (settings.format !== 'auto' && !isDir && /\.(wav|mp3|gsm)$/i.test(output) && path.extname(output).toLowerCase() !== extensionFor(settings.format)) {
    throw new UsageError(`Output ${showValue(flags.output ?? '')} does not match --format ${settings.format} (which writes ${extensionFor(settings.format)} files): change the suffix or the format.`, 'CLI_OUTPUT_SUFFIX');
  }
  const c = await import('../../core/content/index.js');
  let script = text ?? '';
  let label = 'greeting';
  let templateName: string | null = null;
  if (flags.template !== undefined) {
    const t = await new c.TemplateStore({ dataDir: resolveDataDir(flags.dataDir, ctx.io.env) }).get(flags.template);
    const filled = c.fillScript(t.text, parseFills(flags.fill ?? [], true));
    if (filled.problems.length > 0) {
      throw new InputError(`The template "${t.name}" cannot be spoken yet: ${filled.problems.map((p) => p.message).join(' ')} Fill it with --fill KEY=VALUE.`, 'TTS_UNFILLED', { detail: { problems: filled.problems } });
    }
    script = filled.spoken;
    label = t.name;
    templateName = t.name;
  } else if ((flags.fill ?? []).length > 0) {
    throw new UsageError('--fill fills a template: use it with --template NAME.', 'CLI_BAD_FILL');
  } else {
    // Free text is spoken as written: a placeholder or a stray brace in it would be read out to every caller.
    const scan = c.scanScript(script);
    const tokens = [...scan.used.map((p) => `{${p}}`), ...scan.problems.map((p) => p.token)];
    if (tokens.length > 0) {
      throw new InputError(`The text contains ${[...new Set(tokens)].join(' ')}, which would be read out as written: placeholders are filled only in templates (vmgreet tts --template NAME --fill KEY=VALUE). Write the words themselves instead.`, 'TTS_TEXT_PLACEHOLDER');
    }
  }
  return maybeClient(ctx, flags, choice === 'pbx', async (client) => {
    const { engine } = await c.pickEngine(await engines(client), choice, signal);
    // The PBX speaks into an extension's list; the first extension lends it for a moment (the greeting is removed).
    const via = engine.info.id === 'pbx' && client ? (await client.listExtensions({ page: 1, pageSize: 1 })).items[0]?.number : undefined;
    if (engine.info.id === 'pbx' && via === undefined) throw new InputError('The PBX has no extensions to speak into.', 'TTS_PBX_NO_EXTENSION');
    const bar = out.progress('Speaking', 100, 'percent');
    const { speech, render: r, dest } = await withTempDir(async (dir) => {
      try {
        const done = await c.speakToFile({
          engine, text: script, outputPath: path.join(dir, 'greeting.out'), voice: flags.voice, ratePercent, ext: via, signal,
          settings: {
            format: settings.format, trimSilence: settings.trimSilence, normalize: settings.normalize,
            ...(settings.targetLufs !== undefined ? { targetLufs: settings.targetLufs } : {}),
            ...(settings.startSec !== undefined ? { startSec: settings.startSec } : {}),
            ...(settings.endSec !== undefined ? { endSec: settings.endSec } : {}),
          },
          onProgress: (p) => bar.update(Math.round(p.percent)),
        });
        const target = finalPath(output, isDir, label, done.render.format);
        if (!flags.force && (await stat(target).catch(() => undefined))) throw new InputError(`${showValue(target)} already exists: choose another path or add --force to replace it.`, 'CLI_OUTPUT_EXISTS');
        await copyFile(done.render.outputPath, target);
        return { ...done, dest: target };
      } finally {
        bar.stop();
      }
    });
    for (const w of speech.warnings) out.warn(w);
    reportAnalysisWarnings(r, out);
    out.result(
      {
        output: dest, engine: speech.engine, voice: speech.voice, template: templateName, text: script,
        format: r.format, formatReason: formatReason(r, formatGiven), bytes: r.bytes, durationSec: r.durationSec, plan: r.plan, analysis: r.analysis,
      },
      () => [`Spoke ${dest} (${engine.info.label}${speech.voice ? `, voice ${speech.voice}` : ''})`, ...describeRender(r, settings, formatGiven)].join('\n'),
    );
    return EXIT.ok;
  });
}

// ---------- one personal greeting per extension ----------

async function personalBatch(ctx: CommandContext, flags: Flags): Promise<number> {
  const { out, io, signal } = ctx;
  const exts = parseExtRange(flags.ext ?? '');
  const values = parseFills(flags.fill ?? [], false);
  const settings = parseAudioFlags(flags);
  refuseCleanup(settings);
  const policy = parseChoice(flags.ifExists ?? 'fail', BATCH_POLICIES, '--if-exists');
  const choice = parseChoice(flags.engine ?? 'auto', ENGINE_CHOICES, '--engine');
  const ratePercent = parseIntArg(flags.rate ?? '100', '--rate', 50, 200);
  const concurrency = parseIntArg(flags.concurrency ?? '4', 'Concurrency', 1, 4);
  const greetingName = flags.name !== undefined ? parseGreetingName(flags.name).base : undefined;
  const dataDir = await openDataDir(flags.dataDir, io.env);
  const c = await import('../../core/content/index.js');
  const template = await new c.TemplateStore({ dataDir }).get(flags.template ?? '');
  // {company} and {back_date} are the same for every extension: one missing is the command's fault, said once,
  // before the PBX is asked anything (not once per extension).
  const unfilled = c.fillScript(template.text, { ...values, name: 'x', extension: '0' }).problems.filter((p) => p.kind === 'unfilled-placeholder');
  if (unfilled.length > 0) {
    const keys = unfilled.map((p) => p.token.slice(1, -1)).filter((k): k is (typeof PLACEHOLDER_KEYS)[number] => (PLACEHOLDER_KEYS as readonly string[]).includes(k));
    throw new UsageError(`The template "${template.name}" needs ${keys.map((k) => `{${k}}, ${c.PLACEHOLDER_HELP[k]}`).join('; and ')}: add ${keys.map((k) => `--fill ${k}=VALUE`).join(' ')}.`, 'TTS_UNFILLED');
  }
  const conn = await resolveConnection(flags, io.env);
  if (!flags.dryRun) await ensureQueueFree(dataDir);

  return withClient(conn, out, async (client) => {
    const { engine } = await c.pickEngine(await engines(client), choice, signal);
    const directory = await c.liveOrCached(c.liveDirectory(client), c.cachedDirectory(new (await import('../../core/library/directory-cache.js')).DirectoryCache({ dataDir }), cliPbx(conn))).snapshot(signal);
    const plan = c.planPersonalBatch({ template, exts, directory, values, ...(greetingName ? { greetingName } : {}), format: settings.format, maxChars: engine.info.maxChars });
    for (const r of plan.rejected) out.problem(`rejected: ${rowProblem({ ext: r.ext }, r.problems.join(' '))}`);
    const rejected = plan.rejected.map((r) => ({ ext: r.ext, name: r.name, code: r.code, problems: r.problems }));
    const head = { template: template.name, greetingName: plan.greetingName, fileName: plan.fileName, engine: engine.info.id, directory: plan.directory, policy };

    if (plan.rejected.length > 0 && flags.allOrNothing) {
      out.result({ ...head, dryRun: flags.dryRun === true, processed: 0, rejected, items: [] }, () => `${plan.rejected.length} extension(s) cannot get a greeting and --all-or-nothing: ${flags.dryRun ? 'a real run would make nothing' : 'nothing was made'}.`);
      return EXIT.input;
    }
    if (flags.dryRun) return dryRun(client, plan, head, rejected, out);

    const { DraftLibrary, UploadQueue } = await import('../../core/library/index.js');
    const { renderGreeting } = await import('../../core/audio/index.js');
    const drafts = new DraftLibrary({ dataDir, renderer: renderGreeting });
    const bar = out.progress('Speaking', Math.max(1, plan.ready.length), 'items');
    const made = await c.createPersonalDrafts({
      plan, engine, drafts, voice: flags.voice, ratePercent, signal,
      settings: {
        format: settings.format, trimSilence: settings.trimSilence, normalize: settings.normalize,
        ...(settings.targetLufs !== undefined ? { targetLufs: settings.targetLufs } : {}),
        ...(settings.startSec !== undefined ? { trimStartSec: settings.startSec } : {}),
        ...(settings.endSec !== undefined ? { trimEndSec: settings.endSec } : {}),
      },
      onProgress: (p) => bar.update(p.done),
    }).finally(() => bar.stop());
    for (const w of made.warnings) out.warn(w);
    for (const f of made.failed) out.problem(`failed: ${rowProblem({ ext: f.ext }, f.message)}`);
    const draftRows = made.created.map((d) => ({ ext: d.ext, draftId: d.draftId, script: d.script }));
    if (made.cancelled) {
      out.result({ ...head, dryRun: false, cancelled: true, drafts: draftRows, failed: made.failed, rejected, items: [] }, () =>
        `Cancelled: ${made.created.length} draft(s) were made and kept (vmgreet drafts list); nothing was queued.`);
      return EXIT.usage;
    }
    const queue = new UploadQueue({ dataDir, drafts });
    const queued = await c.queuePersonalDrafts({ queue, plan, drafts: made.created, policy, pbxProfileId: cliProfileId(conn), pbx: cliPbx(conn) });
    const superseded = (await supersedeStale(dataDir, queued)).map((i) => i.id);
    const note = supersededLine(superseded.map((id) => ({ id })));
    if (note) out.info(note);
    const run = queued.length > 0 ? await runQueueItems({ dataDir, client, conn, ids: queued.map((q) => q.id), concurrency, out, signal }) : undefined;
    const items = run?.items ?? [];
    const scriptOf = new Map(made.created.map((d) => [d.ext, d.script]));
    out.result(
      { ...head, dryRun: false, ...(run?.summary ?? { total: 0, items: [] }), drafts: draftRows, failed: made.failed, rejected, ...(superseded.length > 0 ? { superseded } : {}) },
      () =>
        [
          items.length > 0 ? itemsTable(items) : '',
          run ? summaryLine(run.summary) : 'Nothing to upload.',
          `${made.created.length} draft(s) made from "${template.name}" with ${engine.info.label}, e.g. ${made.created[0] ? `${made.created[0].ext}: "${scriptOf.get(made.created[0].ext) ?? ''}"` : '(none)'}.`,
          made.failed.length > 0 ? `${made.failed.length} extension(s) could not be spoken (see above).` : '',
          plan.rejected.length > 0 ? `${plan.rejected.length} extension(s) rejected before speaking (see above).` : '',
        ].filter(Boolean).join('\n'),
    );
    return batchExit(items, plan.rejected.length + made.failed.length);
  });
}

async function dryRun(client: PbxClient, plan: PersonalPlan, head: Record<string, unknown>, rejected: unknown[], out: Output): Promise<number> {
  const { dryRunBatch } = await import('../../core/library/index.js');
  const report = await withTempDir(async (dir) => {
    // Nothing is spoken in a dry run, so no greeting can already hold its bytes: an empty stand-in (named like the
    // greeting, for its suffix) makes every existing name a conflict that the policy decides, as the real run would.
    const standIn = path.join(dir, plan.fileName);
    await writeFile(standIn, '');
    const bar = out.progress('Asking the PBX', Math.max(1, plan.ready.length), 'items');
    return dryRunBatch(client, plan.ready.map((r) => ({ ext: r.ext, filePath: standIn, name: plan.greetingName })), head['policy'] as (typeof BATCH_POLICIES)[number], { workDir: dir, onProgress: (p) => bar.update(p.done) }).finally(() => bar.stop());
  });
  const byExt = new Map(plan.ready.map((r) => [r.ext, r]));
  const rows = report.rows.map((row: DryRunRow) => ({ ...row, name: byExt.get(row.ext)?.name ?? null, script: byExt.get(row.ext)?.script ?? null }));
  out.result({ ...head, dryRun: true, total: rows.length, counts: report.counts, rows, rejected }, () => {
    const table = rows.length > 0
      ? renderTable(rows, [
          { header: 'EXT', value: (r) => r.ext, align: 'right' },
          { header: 'NAME', value: (r) => r.name ?? '' },
          { header: 'GREETING', value: (r) => r.fileName },
          { header: 'WOULD', value: verdictText },
          { header: 'SCRIPT', value: (r) => ellipsis(r.script ?? '', 110) },
        ])
      : '';
    const dir = plan.directory.source === 'live' ? `live directory, ${plan.directory.size} extensions` : `cached directory of ${plan.directory.fetchedAt ?? '?'}`;
    return `Template "${plan.template.name}" → ${plan.fileName} with ${String(head['engine'])} (${dir})\n${table}\nDry run (nothing spoken, saved or uploaded): ${dryRunCountsText(report.counts, { count: rejected.length, label: 'rejected' })}.`;
  });
  // The code the real run would end with (as batchExit): a name that exists under --if-exists fail is exit 5.
  if (report.counts.error > 0) return EXIT.pbx;
  if (report.counts['would-fail'] > 0) return EXIT.exists;
  return rejected.length > 0 ? EXIT.input : EXIT.ok;
}

function ellipsis(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** --denoise / --level come with the shared audio options; generated speech has neither noise nor a swinging level. */
function refuseCleanup(settings: { denoise?: boolean | undefined; level?: boolean | undefined }): void {
  if (settings.denoise || settings.level) {
    throw new UsageError('--denoise and --level are for recordings: text-to-speech is already clean and even. Drop them.', 'CLI_TTS_CLEANUP');
  }
}

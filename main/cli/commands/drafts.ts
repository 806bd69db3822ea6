// vmgreet drafts add FILE | list | show ID | delete ID   (the offline drafts library, shared with the app)
import path from 'node:path';
import type { Command } from 'commander';
import type { Draft, DraftLibrary } from '../../core/library/index.js';
import { parseExtRange, showValue } from '../args.js';
import { action, addJsonOption, type CommandContext, type RunState } from '../context.js';
import { UsageError } from '../errors.js';
import { requireInputFile } from '../input-file.js';
import { addDataDirOption, openDataDir } from '../library-context.js';
import { formatBytes, formatDuration, renderTable } from '../table.js';

interface Flags {
  dataDir?: string;
}
interface AddFlags extends Flags {
  name?: string;
  ext?: string;
  script?: string;
}

/** A draft's display name from a file name: its base name, cut to what the library keeps. */
function draftNameFor(file: string): string {
  const base = path.basename(file, path.extname(file)).trim();
  return (base === '' ? 'greeting' : base).slice(0, 200);
}

async function openLibrary(ctx: CommandContext, flags: Flags): Promise<DraftLibrary> {
  const { DraftLibrary } = await import('../../core/library/index.js');
  const lib = new DraftLibrary({ dataDir: await openDataDir(flags.dataDir, ctx.io.env) });
  const report = await lib.open();
  if (report.recovered) {
    ctx.out.warn(`the drafts index was ${report.reason === 'index-corrupt' ? 'damaged' : report.reason === 'index-missing' ? 'missing' : 'out of date'}; rebuilt it from the draft folders (${report.drafts} drafts recovered).`);
  }
  for (const f of report.unreadable) ctx.out.warn(`draft folder ${f} could not be read; it was left untouched for you to inspect.`);
  return lib;
}

function draftSummary(d: Draft): Record<string, unknown> {
  return {
    id: d.id,
    name: d.name,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    source: d.source.originalName,
    settings: d.settings,
    rendered: d.rendered ? { format: d.rendered.format, bytes: d.rendered.bytes, durationSec: d.rendered.durationSec, formatReason: d.rendered.formatReason } : null,
    targetExtensions: d.targetExtensions,
    origin: d.origin ?? null,
    script: d.script ?? null,
  };
}

export function registerDrafts(program: Command, state: RunState): void {
  const group = program.command('drafts').description('greetings prepared offline (shared with the app): add, list, show, delete');

  const add = addJsonOption(
    addDataDirOption(
      group
        .command('add')
        .description('keep an audio file as a draft (it shows in the app; render and upload it there or with `queue`)')
        .argument('<file>', 'audio or video file to keep as a draft')
        .option('--name <name>', 'draft name (default: the file name)')
        .option('--ext <range>', 'intended extensions, e.g. 3200-3210,3300')
        .option('--script <text>', 'what the greeting says (shown in the drafts list)'),
    ),
  );
  add.action(
    action<[string, AddFlags]>(state, async (ctx, file, flags) => {
      const name = (flags.name ?? draftNameFor(file)).trim();
      if (name === '' || name.length > 200) throw new UsageError(`Draft name ${showValue(name)} is not valid: give 1 to 200 characters.`, 'CLI_BAD_DRAFT_NAME');
      const targets = flags.ext !== undefined ? parseExtRange(flags.ext) : [];
      if (flags.script !== undefined && flags.script.length > 4000) throw new UsageError('--script is too long: keep it under 4,000 characters.', 'CLI_BAD_SCRIPT');
      await requireInputFile(file);
      // Refuse what is not audio now, with the audio layer's words, rather than when the app opens it.
      const { probeAudio } = await import('../../core/audio/index.js');
      const probe = await probeAudio(file);
      const lib = await openLibrary(ctx, flags);
      const d = await lib.create({ sourcePath: path.resolve(file), name, targetExtensions: targets, origin: 'import', script: flags.script ?? null });
      ctx.out.result({ ...draftSummary(d), durationSec: probe.durationSec }, () => `Kept ${showValue(path.basename(file))} as draft "${d.name}" (${d.id}); it shows in the app's Drafts.`);
    }),
  );

  const list = addJsonOption(addDataDirOption(group.command('list').description('list drafts, newest first')));
  list.action(
    action<[Flags]>(state, async (ctx, flags) => {
      const lib = await openLibrary(ctx, flags);
      const drafts = await Promise.all((await lib.list()).map((e) => lib.get(e.id)));
      ctx.out.result({ total: drafts.length, items: drafts.map(draftSummary) }, () => {
        if (drafts.length === 0) return 'No drafts yet. The app and `vmgreet tts --template NAME --ext RANGE` make them; they are kept in the data folder.';
        return renderTable(drafts, [
          { header: 'ID', value: (d) => d.id },
          { header: 'NAME', value: (d) => d.name },
          { header: 'FORMAT', value: (d) => d.rendered?.format ?? '(not rendered)' },
          { header: 'LENGTH', value: (d) => (d.rendered ? formatDuration(d.rendered.durationSec) : ''), align: 'right' },
          { header: 'TARGETS', value: (d) => d.targetExtensions.join(',') },
          { header: 'UPDATED', value: (d) => d.updatedAt.slice(0, 16).replace('T', ' ') },
        ]);
      });
    }),
  );

  const show = addJsonOption(addDataDirOption(group.command('show').description('show one draft').argument('<id>', 'draft id from `drafts list`')));
  show.action(
    action<[string, Flags]>(state, async (ctx, id, flags) => {
      const lib = await openLibrary(ctx, flags);
      const d = await lib.get(id);
      ctx.out.result({ ...draftSummary(d), sourcePath: lib.sourcePath(d), renderedPath: lib.renderedPath(d) }, () =>
        [
          `${d.name}  (${d.id})`,
          `  source     ${d.source.originalName}, ${formatBytes(d.source.bytes)}`,
          `  settings   format ${d.settings.format}, ${d.settings.normalize ? `normalise to ${d.settings.targetLufs} LUFS` : 'no normalisation'}, ${d.settings.trimSilence ? 'trim silence' : 'keep silence'}` +
            (d.settings.trimStartSec !== null || d.settings.trimEndSec !== null ? `, keep ${d.settings.trimStartSec ?? 0}-${d.settings.trimEndSec ?? 'end'} s` : ''),
          d.rendered
            ? `  rendered   ${d.rendered.format}, ${formatDuration(d.rendered.durationSec)}, ${formatBytes(d.rendered.bytes)} (${lib.renderedPath(d)})`
            : '  rendered   not yet',
          `  targets    ${d.targetExtensions.length > 0 ? d.targetExtensions.join(', ') : '(none)'}`,
          ...(d.origin ? [`  origin     ${d.origin}`] : []),
          ...(d.script ? [`  script     ${d.script}`] : []),
          `  updated    ${d.updatedAt}`,
        ].join('\n'),
      );
    }),
  );

  const del = addJsonOption(addDataDirOption(group.command('delete').description('move a draft to the trash').argument('<id>', 'draft id from `drafts list`')));
  del.action(
    action<[string, Flags]>(state, async (ctx, id, flags) => {
      const lib = await openLibrary(ctx, flags);
      const d = await lib.get(id);
      await lib.delete(id);
      ctx.out.result({ id, name: d.name, trashed: true }, () => `Moved draft "${d.name}" (${id}) to the trash.`);
    }),
  );
}

// vmgreet templates list | show NAME | add NAME --text … | remove NAME | export FILE | import FILE
// The greeting scripts kept in the data folder (shared with the app): six built-ins plus the admin's own.
import { readFile, stat } from 'node:fs/promises';
import type { Command } from 'commander';
import type { TemplateStore, TemplateView } from '../../core/content/index.js';
import { showValue } from '../args.js';
import { action, addJsonOption, type CommandContext, type RunState } from '../context.js';
import { InputError, UsageError } from '../errors.js';
import { addDataDirOption, resolveDataDir } from '../library-context.js';
import { renderTable } from '../table.js';

interface Flags {
  dataDir?: string;
}
interface AddFlags extends Flags {
  text?: string;
  file?: string;
  title?: string;
  replace?: boolean;
}

async function openStore(ctx: CommandContext, flags: Flags): Promise<TemplateStore> {
  const { TemplateStore } = await import('../../core/content/index.js');
  return new TemplateStore({ dataDir: resolveDataDir(flags.dataDir, ctx.io.env) });
}

function summary(t: TemplateView): Record<string, unknown> {
  return { name: t.name, title: t.title, kind: t.kind, placeholders: t.placeholders, text: t.text, updatedAt: t.updatedAt };
}

const MAX_SCRIPT_FILE = 64 * 1024;

async function scriptFrom(flags: AddFlags): Promise<string> {
  if ((flags.text === undefined) === (flags.file === undefined)) throw new UsageError('Give the script with --text "…" or --file SCRIPT.txt (one of them).', 'CLI_TEMPLATE_TEXT');
  if (flags.text !== undefined) return flags.text;
  const file = flags.file ?? '';
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) throw new InputError(`Script file ${showValue(file)} does not exist or is not a file.`, 'CLI_INPUT_NOT_FOUND');
  if (st.size > MAX_SCRIPT_FILE) throw new InputError(`Script file ${showValue(file)} is ${st.size} bytes; a greeting script is a few lines of text.`, 'CLI_TEMPLATE_TEXT');
  return (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
}

export function registerTemplates(program: Command, state: RunState): void {
  const group = program.command('templates').description('greeting scripts with {name}, {extension}, {company}, {back_date}: list, show, add, remove, export, import');

  const list = addJsonOption(addDataDirOption(group.command('list').description('list the templates (built-in, edited and your own)')));
  list.action(
    action<[Flags]>(state, async (ctx, flags) => {
      const items = await (await openStore(ctx, flags)).list();
      ctx.out.result({ total: items.length, items: items.map(summary) }, () =>
        renderTable(items, [
          { header: 'NAME', value: (t) => t.name },
          { header: 'KIND', value: (t) => t.kind },
          { header: 'PLACEHOLDERS', value: (t) => t.placeholders.map((p) => `{${p}}`).join(' ') },
          { header: 'TITLE', value: (t) => t.title },
        ]),
      );
    }),
  );

  const show = addJsonOption(addDataDirOption(group.command('show').description('show one template with its full script').argument('<name>', 'template name from `templates list`')));
  show.action(
    action<[string, Flags]>(state, async (ctx, name, flags) => {
      const t = await (await openStore(ctx, flags)).get(name);
      ctx.out.result(summary(t), () =>
        [`${t.name}  (${t.kind})  ${t.title}`, `  placeholders  ${t.placeholders.map((p) => `{${p}}`).join(' ') || '(none)'}`, '', t.text].join('\n'),
      );
    }),
  );

  const add = group
    .command('add')
    .description('add a template, or change one with --replace (a built-in you change can be restored with `remove`)')
    .argument('<name>', 'lowercase letters, digits, - and _ (also the default greeting name)')
    .option('--text <script>', 'the script, e.g. "Hello, you have reached {name}."')
    .option('--file <file>', 'read the script from a UTF-8 text file')
    .option('--title <title>', 'a short description (default: the name)')
    .option('--replace', 'change the template if it exists');
  addDataDirOption(add);
  addJsonOption(add);
  add.addHelpText('after', '\nPlaceholders: {name} {extension} {company} {back_date}; anything else in braces is refused.\n\nExample:\n  vmgreet templates add lunch --title "Out for lunch" --text "Hi, this is {name}. I am at lunch until two."');
  add.action(
    action<[string, AddFlags]>(state, async (ctx, name, flags) => {
      const store = await openStore(ctx, flags);
      const text = await scriptFrom(flags);
      let title = flags.title;
      if (title === undefined) title = flags.replace ? await store.get(name).then((t) => t.title, () => name) : name;
      const t = await store.put({ name, title, text }, { replace: flags.replace === true });
      ctx.out.result(summary(t), () => `Saved template "${t.name}" (${t.kind}; placeholders ${t.placeholders.map((p) => `{${p}}`).join(' ') || 'none'}).`);
    }),
  );

  const remove = addJsonOption(addDataDirOption(group.command('remove').description('remove your template, or restore an edited built-in').argument('<name>', 'template name')));
  remove.action(
    action<[string, Flags]>(state, async (ctx, name, flags) => {
      const r = await (await openStore(ctx, flags)).remove(name);
      ctx.out.result(r, () => (r.result === 'restored' ? `Restored the built-in template "${name}" to its original text.` : `Removed template "${name}".`));
    }),
  );

  const exp = group.command('export').description('write every template to a JSON file (to share or back up)').argument('<file>', 'file to write, e.g. templates.json').option('--force', 'replace the file if it exists');
  addDataDirOption(exp);
  addJsonOption(exp);
  exp.action(
    action<[string, Flags & { force?: boolean }]>(state, async (ctx, file, flags) => {
      const r = await (await openStore(ctx, flags)).exportTo(file, { force: flags.force === true });
      ctx.out.result(r, () => `Exported ${r.count} templates to ${r.file}.`);
    }),
  );

  const imp = group
    .command('import')
    .description('add the templates of an export file (a bad file is refused and nothing changes)')
    .argument('<file>', 'a file written by `templates export` or the app')
    .option('--replace', "take the file's version of templates that exist here with other text");
  addDataDirOption(imp);
  addJsonOption(imp);
  imp.action(
    action<[string, Flags & { replace?: boolean }]>(state, async (ctx, file, flags) => {
      const r = await (await openStore(ctx, flags)).importFrom(file, { replace: flags.replace === true });
      const list = (names: string[]): string => (names.length > 0 ? names.join(', ') : 'none');
      ctx.out.result(r, () => `Imported ${r.file}: added ${list(r.added)}; replaced ${list(r.replaced)}; unchanged ${list(r.unchanged)}.`);
    }),
  );
}

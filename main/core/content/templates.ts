// The greeting-script templates: the built-ins (builtin-templates.ts) plus the admin's own and edited copies, kept in
// <dataDir>/templates/templates.json (replaced atomically, like the drafts library), exportable to and importable
// from a file. Every file read is zod-validated; a bad import file is refused as a whole and changes nothing.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { greetingNameProblem } from '../domain.js';
import { readJsonFile, writeFileAtomic, writeJsonAtomic } from '../library/atomic.js';
import { Mutex } from '../library/util.js';
import { BUILTIN_TEMPLATES, type TemplateText } from './builtin-templates.js';
import { ContentError } from './errors.js';
import { scanScript, type Placeholder } from './placeholders.js';

/** The PBX's own text-to-speech takes at most 1000 characters; a template longer than that could not use it. */
export const MAX_TEMPLATE_CHARS = 1000;
export const MAX_TITLE_CHARS = 80;
export const MAX_TEMPLATES = 500;
const MAX_IMPORT_BYTES = 1024 * 1024;
export const EXPORT_FORMAT = 'vm-greeting-studio/templates';

const nameSchema = z
  .string()
  .superRefine((v, ctx) => {
    const problem = greetingNameProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: `the name ${JSON.stringify(v.slice(0, 70))}: ${problem}` });
    else if (v !== v.toLowerCase()) ctx.addIssue({ code: 'custom', message: `the name ${JSON.stringify(v)}: use lowercase letters (it is also the greeting's default name)` });
  });

const textSchema = z
  .string()
  .superRefine((v, ctx) => {
    if (v.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'the script is empty' });
      return;
    }
    if (v.length > MAX_TEMPLATE_CHARS) ctx.addIssue({ code: 'custom', message: `the script has ${v.length} characters; at most ${MAX_TEMPLATE_CHARS} fit` });
    for (const p of scanScript(v).problems) ctx.addIssue({ code: 'custom', message: p.message });
  });

export const TemplateSchema = z.strictObject({
  name: nameSchema,
  title: z.string().trim().min(1, 'the title is empty').max(MAX_TITLE_CHARS, `the title has more than ${MAX_TITLE_CHARS} characters`),
  text: textSchema,
});
export type Template = z.infer<typeof TemplateSchema>;

const StoredSchema = z.strictObject({
  schemaVersion: z.literal(1),
  templates: z.array(TemplateSchema.extend({ updatedAt: z.string().min(10) })).max(MAX_TEMPLATES),
});
type Stored = z.infer<typeof StoredSchema>;

export const TemplateExportSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(1),
  exportedAt: z.string().optional(),
  templates: z.array(TemplateSchema).min(1, 'the file holds no templates').max(MAX_TEMPLATES),
});
export type TemplateExport = z.infer<typeof TemplateExportSchema>;

export interface TemplateView extends Template {
  /** `built-in` as shipped, `edited` a built-in changed by the admin, `custom` added by the admin. */
  kind: 'built-in' | 'edited' | 'custom';
  placeholders: Placeholder[];
  updatedAt: string | null;
}

export interface ImportResult {
  file: string;
  added: string[];
  replaced: string[];
  unchanged: string[];
}

function builtIn(name: string): TemplateText | undefined {
  return BUILTIN_TEMPLATES.find((t) => t.name === name);
}

function sameText(a: Pick<Template, 'title' | 'text'>, b: Pick<Template, 'title' | 'text'>): boolean {
  return a.title === b.title && a.text === b.text;
}

/** zod issues as one line per problem: `templates[2].text: {Name} is not a placeholder …`. */
export function describeIssues(error: z.ZodError, max = 10): string[] {
  const lines = error.issues.slice(0, max).map((i) => {
    const where = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    return `${where || 'file'}: ${i.message.replace(/\.$/, '')}`;
  });
  if (error.issues.length > max) lines.push(`… and ${error.issues.length - max} more`);
  return lines;
}

/** Checks one template given by a person (CLI `templates add`, the app's editor); throws with every problem listed. */
export function checkTemplate(input: unknown): Template {
  const r = TemplateSchema.safeParse(input);
  if (r.success) return { ...r.data, text: r.data.text.trim() };
  throw new ContentError('input', 'TEMPLATE_INVALID', `The template cannot be saved: ${describeIssues(r.error).join('; ')}.`, {
    detail: { problems: describeIssues(r.error, 50) },
  });
}

export class TemplateStore {
  readonly file: string;
  private readonly now: () => number;
  private readonly mutex = new Mutex();

  constructor(opts: { dataDir: string; now?: () => number }) {
    this.file = path.join(opts.dataDir, 'templates', 'templates.json');
    this.now = opts.now ?? Date.now;
  }

  private async read(): Promise<Stored> {
    const raw = await readJsonFile(this.file);
    if ('missing' in raw) return { schemaVersion: 1, templates: [] };
    const parsed = 'value' in raw ? StoredSchema.safeParse(raw.value) : undefined;
    if (!parsed?.success) {
      // Never overwrite it: the admin's own scripts are in there.
      throw new ContentError('internal', 'TEMPLATE_STORE_CORRUPT', `The templates file ${this.file} is damaged and was left as it is. Move it away (the built-in templates come back) or repair it, then try again.`);
    }
    return parsed.data;
  }

  private async write(stored: Stored): Promise<void> {
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    stored.templates.sort((a, b) => a.name.localeCompare(b.name));
    await writeJsonAtomic(this.file, StoredSchema.parse(stored));
  }

  private views(stored: Stored): TemplateView[] {
    const own = new Map(stored.templates.map((t) => [t.name, t]));
    const view = (t: Template, kind: TemplateView['kind'], updatedAt: string | null): TemplateView => ({ ...t, kind, placeholders: scanScript(t.text).used, updatedAt });
    const out: TemplateView[] = BUILTIN_TEMPLATES.map((b) => {
      const edited = own.get(b.name);
      return edited ? view({ name: b.name, title: edited.title, text: edited.text }, 'edited', edited.updatedAt) : view({ ...b }, 'built-in', null);
    });
    for (const t of stored.templates) if (!builtIn(t.name)) out.push(view({ name: t.name, title: t.title, text: t.text }, 'custom', t.updatedAt));
    return out;
  }

  /** Built-ins first (in their fixed order), then the admin's own by name. */
  list(): Promise<TemplateView[]> {
    return this.mutex.run(async () => this.views(await this.read()));
  }

  get(name: string): Promise<TemplateView> {
    return this.mutex.run(async () => {
      const all = this.views(await this.read());
      const found = all.find((t) => t.name === name);
      if (!found) throw notFound(name, all);
      return found;
    });
  }

  /** Adds a template, or with `replace` changes an existing one (a built-in becomes `edited`). */
  async put(input: unknown, opts: { replace?: boolean } = {}): Promise<TemplateView> {
    const t = checkTemplate(input);
    return this.mutex.run(async () => {
      const stored = await this.read();
      const exists = builtIn(t.name) !== undefined || stored.templates.some((s) => s.name === t.name);
      if (exists && !opts.replace) {
        throw new ContentError('input', 'TEMPLATE_EXISTS', `A template named "${t.name}" exists already. Add --replace to change it, or choose another name.`);
      }
      this.apply(stored, t);
      await this.write(stored);
      const view = this.views(stored).find((v) => v.name === t.name);
      if (!view) throw new ContentError('internal', 'TEMPLATE_INTERNAL', 'The template was saved but cannot be read back.');
      return view;
    });
  }

  /** Stores `t`, dropping the stored copy when it says exactly what the built-in says. */
  private apply(stored: Stored, t: Template): void {
    stored.templates = stored.templates.filter((s) => s.name !== t.name);
    const b = builtIn(t.name);
    if (b && sameText(b, t)) return;
    if (stored.templates.length >= MAX_TEMPLATES) throw new ContentError('input', 'TEMPLATE_TOO_MANY', `At most ${MAX_TEMPLATES} templates can be kept. Remove some first.`);
    stored.templates.push({ ...t, updatedAt: new Date(this.now()).toISOString() });
  }

  /** Removes an own template, or restores an edited built-in to its shipped text. Built-ins themselves stay. */
  remove(name: string): Promise<{ name: string; result: 'removed' | 'restored' }> {
    return this.mutex.run(async () => {
      const stored = await this.read();
      const own = stored.templates.find((s) => s.name === name);
      const b = builtIn(name);
      if (!own) {
        if (b) throw new ContentError('input', 'TEMPLATE_BUILTIN', `"${name}" is a built-in template and is not edited, so there is nothing to remove. Change its text with \`templates add ${name} --replace\`.`);
        throw notFound(name, this.views(stored));
      }
      stored.templates = stored.templates.filter((s) => s.name !== name);
      await this.write(stored);
      return { name, result: b ? 'restored' : 'removed' };
    });
  }

  /** Every template as it is now (built-in, edited and own), as an import file would hold them. */
  async exportDocument(): Promise<TemplateExport> {
    const all = await this.list();
    return { format: EXPORT_FORMAT, version: 1, exportedAt: new Date(this.now()).toISOString(), templates: all.map(({ name, title, text }) => ({ name, title, text })) };
  }

  async exportTo(file: string, opts: { force?: boolean } = {}): Promise<{ file: string; count: number }> {
    const out = path.resolve(file);
    const st = await fs.stat(out).catch(() => undefined);
    if (st?.isDirectory()) throw new ContentError('usage', 'TEMPLATE_EXPORT_TARGET', `${out} is a folder: give a file name such as templates.json.`);
    if (st && !opts.force) throw new ContentError('input', 'TEMPLATE_EXPORT_EXISTS', `${out} exists already: choose another file or add --force to replace it.`);
    const dir = await fs.stat(path.dirname(out)).catch(() => undefined);
    if (!dir?.isDirectory()) throw new ContentError('input', 'TEMPLATE_EXPORT_TARGET', `The folder ${path.dirname(out)} does not exist. Create it or choose another place.`);
    const doc = await this.exportDocument();
    await writeFileAtomic(out, `${JSON.stringify(doc, null, 2)}\n`);
    return { file: out, count: doc.templates.length };
  }

  /** Reads and validates an export file completely; throws (listing the problems) before anything is changed. */
  async readImportFile(file: string): Promise<TemplateExport> {
    const abs = path.resolve(file);
    const st = await fs.stat(abs).catch(() => undefined);
    if (!st?.isFile()) throw new ContentError('input', 'TEMPLATE_IMPORT_UNREADABLE', `${abs} does not exist or is not a file.`);
    if (st.size > MAX_IMPORT_BYTES) throw new ContentError('input', 'TEMPLATE_IMPORT_INVALID', `${abs} is ${st.size} bytes; a templates file is at most ${MAX_IMPORT_BYTES} bytes. Nothing was imported.`);
    let value: unknown;
    try {
      value = JSON.parse(await fs.readFile(abs, 'utf8')) as unknown;
    } catch {
      throw new ContentError('input', 'TEMPLATE_IMPORT_INVALID', `${abs} is not a templates file (it is not JSON). Nothing was imported.`);
    }
    const r = TemplateExportSchema.safeParse(value);
    if (!r.success) {
      const problems = describeIssues(r.error);
      throw new ContentError('input', 'TEMPLATE_IMPORT_INVALID', `${abs} is not a valid templates file: ${problems.join('; ')}. Nothing was imported.`, { detail: { problems: describeIssues(r.error, 50) } });
    }
    const seen = new Set<string>();
    const dupes = r.data.templates.map((t) => t.name).filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
    if (dupes.length > 0) throw new ContentError('input', 'TEMPLATE_IMPORT_INVALID', `${abs} names a template more than once (${[...new Set(dupes)].join(', ')}). Nothing was imported.`);
    return { ...r.data, templates: r.data.templates.map((t) => ({ ...t, text: t.text.trim() })) };
  }

  /**
   * Imports an export file in one write. A template that differs from one here is a conflict: the import is refused
   * (nothing changed) unless `replace` is given.
   */
  async importFrom(file: string, opts: { replace?: boolean } = {}): Promise<ImportResult> {
    const doc = await this.readImportFile(file);
    return this.mutex.run(async () => {
      const stored = await this.read();
      const current = new Map(this.views(stored).map((v) => [v.name, v]));
      const result: ImportResult = { file: path.resolve(file), added: [], replaced: [], unchanged: [] };
      for (const t of doc.templates) {
        const have = current.get(t.name);
        if (!have) result.added.push(t.name);
        else if (sameText(have, t)) result.unchanged.push(t.name);
        else result.replaced.push(t.name);
      }
      if (result.replaced.length > 0 && !opts.replace) {
        throw new ContentError('input', 'TEMPLATE_IMPORT_CONFLICT', `${result.file} would change templates that exist here (${result.replaced.join(', ')}). Nothing was imported: add --replace to take the file's versions.`, {
          detail: { conflicts: result.replaced },
        });
      }
      for (const t of doc.templates) if (!result.unchanged.includes(t.name)) this.apply(stored, t);
      if (result.added.length + result.replaced.length > 0) await this.write(stored);
      return result;
    });
  }
}

function notFound(name: string, all: readonly TemplateView[]): ContentError {
  return new ContentError('input', 'TEMPLATE_NOT_FOUND', `There is no template "${name}". Templates: ${all.map((t) => t.name).join(', ')}.`);
}

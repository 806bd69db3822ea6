// The teleprompter's script: chosen in the Scripts view (a template with its placeholders filled in), shown large
// while recording in the Workspace, and kept with every take recorded while it is set.
class Prompter {
  script = $state<string | null>(null);
  /** The template it came from (for the status line). */
  template = $state<string | null>(null);

  set(script: string, template: string | null = null): void {
    this.script = script;
    this.template = template;
  }

  clear(): void {
    this.script = null;
    this.template = null;
  }
}

export const prompter = new Prompter();

/** The placeholder values typed in the Scripts view: kept while the person visits other views. */
export const placeholderValues = $state({ name: '', extension: '', company: '', back_date: '' });

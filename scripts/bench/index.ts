// Runs every benchmark module in this folder (files named *.bench.js after compilation), one after the other.
// Each module exports `run(): Promise<void>` and prints its own ratios against a baseline measured in the same run.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const modules = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

for (const file of modules) {
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run: () => Promise<void> };
  console.log(`\n=== ${file.replace(/\.bench\.js$/, '')} ===`);
  await mod.run();
}

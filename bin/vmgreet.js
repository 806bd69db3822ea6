#!/usr/bin/env node
// Thin launcher: the CLI is compiled from main/cli by `npm run build:main` (run automatically by `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const entry = fileURLToPath(new URL('../build/main/cli/vmgreet.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('vmgreet: the CLI is not built yet. Run `npm run build:main` in the project folder.\n');
  process.exit(1);
}
await import(pathToFileURL(entry).href);

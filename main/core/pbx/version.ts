// The app version for the User-Agent, read once from the nearest package.json of this project.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function appVersion(): string {
  if (cached !== undefined) return cached;
  cached = '0.0.0';
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'vm-greeting-studio' && typeof pkg.version === 'string') {
        cached = pkg.version;
        break;
      }
    } catch {
      // not here; keep walking up
    }
    dir = path.dirname(dir);
  }
  return cached;
}

export function defaultUserAgent(): string {
  return `VMGreetingStudio/${appVersion()}`;
}

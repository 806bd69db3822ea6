// Layering rules of issue 9 §1: main/ipc never imports the simulator or Electron (the composition root in
// main/shell wires them), and the handler modules together cover the whole channel map.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANNEL_NAMES } from '../../main/ipc/channels.js';
import { createHandlers } from '../../main/ipc/handlers/index.js';
import { fakeServices } from './fakes.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function tsFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await tsFiles(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('layering', () => {
  it('main/ipc imports neither main/sim nor electron', async () => {
    const offenders: string[] = [];
    for (const f of await tsFiles(path.join(ROOT, 'main', 'ipc'))) {
      const text = await readFile(f, 'utf8');
      for (const m of text.matchAll(/^\s*import[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1] ?? '';
        if (spec === 'electron' || /(^|\/)sim\//.test(spec)) offenders.push(`${path.relative(ROOT, f)}: ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the joined handler modules answer every channel of the map, and nothing else', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-layering-'));
    const app = createHandlers(fakeServices(dir));
    try {
      expect(Object.keys(app.handlers).sort()).toEqual([...CHANNEL_NAMES].sort());
    } finally {
      await app.dispose();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

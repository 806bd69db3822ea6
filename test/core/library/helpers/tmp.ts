import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A per-test temp folder, removed by the returned cleanup. */
export async function makeTmp(prefix = 'vmgs-lib-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

/** A small fake WAV-suffixed file with distinct bytes (the fakes never decode audio). */
export async function fakeAudio(dir: string, name: string, seed: string): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, Buffer.from(`RIFF-fake-${seed}-`.repeat(20)));
  return file;
}

// Compiles the library and PBX client to JavaScript in a private temp folder, for child processes spawned by tests
// (Node 20 cannot run .ts). A private outDir avoids racing other suites or `npm run build` over build/, and never
// runs stale output. node_modules is symlinked in so bare imports (zod, form-data…) resolve.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

export async function compileForChild(entries: string[]): Promise<{ modRoot: string; cleanup: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'vmgs-compiled-'));
  const outDir = path.join(dir, 'out');
  const tsconfig = {
    extends: path.join(projectRoot, 'tsconfig.json'),
    compilerOptions: { noEmit: false, outDir, rootDir: projectRoot, sourceMap: false, incremental: false },
    files: entries.map((e) => path.join(projectRoot, e)),
    include: [],
  };
  await fs.writeFile(path.join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  // Type errors elsewhere in the tree (work in progress) must not block the emit, so the exit code is not trusted:
  // the presence of every entry's output is.
  await run(process.execPath, [path.join(projectRoot, 'node_modules/typescript/bin/tsc'), '-p', path.join(dir, 'tsconfig.json')], { timeout: 120_000 }).catch(() => undefined);
  for (const e of entries) {
    const js = path.join(outDir, e.replace(/\.ts$/, '.js'));
    await fs.access(js).catch(() => {
      throw new Error(`compiling ${e} produced no ${js}`);
    });
  }
  await fs.writeFile(path.join(outDir, 'package.json'), '{"type":"module"}');
  await fs.symlink(path.join(projectRoot, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  return { modRoot: outDir, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

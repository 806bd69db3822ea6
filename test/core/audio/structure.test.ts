// fluent-ffmpeg (archived upstream) and every ffmpeg/ffprobe process stay behind one adapter module, and the
// engine never imports electron.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../../main');
const audioDir = path.join(root, 'core/audio');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('audio engine structure', () => {
  it('imports fluent-ffmpeg and child_process only in ffmpeg-adapter.ts', () => {
    const offenders = tsFiles(root)
      .filter((f) => /(from |import\()['"](fluent-ffmpeg|(node:)?child_process)['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(root, f))
      .filter((f) => f.startsWith('core/audio') || /fluent-ffmpeg/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(offenders).toEqual(['core/audio/ffmpeg-adapter.ts']);
  });

  it('never imports electron', () => {
    for (const f of tsFiles(audioDir)) expect(readFileSync(f, 'utf8')).not.toMatch(/from ['"]electron['"]/);
  });
});

// Noise reduction and levelling figures (run: npm run build:main && node build/scripts/bench/index.js cleanup):
// speech with pink and brown noise at 20, 10 and 5 dB SNR rendered with and without --denoise, and a take whose
// phrases alternate 14 dB apart rendered with and without --level; every output measured independently (ffmpeg
// ebur128: loudness, true peak, loudness range; noise floor: 10th percentile of the 50 ms frame levels).
// Goals: noise floor down by >= 10 dB, integrated loudness within ±0.5 LU of -20, true peak <= -3 dBTP (no clipping).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderGreeting } from '../../main/core/audio/index.js';
import { buildAlternating, buildNoisy, figures, NOISY_CASES, type Figures } from '../../test/core/audio/clean-fixtures.js';

const f1 = (x: number): string => x.toFixed(1);

export async function run(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmgs-bench-cleanup-'));
  try {
    const { noisy } = await buildNoisy(dir);
    const render = async (input: string, name: string, o: { denoise?: boolean; level?: boolean }): Promise<Figures> => {
      const r = await renderGreeting({ inputPath: input, outputPath: path.join(dir, `${name}.wav`), format: 'wav', tempDir: dir, ...o });
      return figures(r.outputPath, dir);
    };
    console.log('| input | noise floor without → with --denoise | reduction | loudness (LUFS) | true peak (dBTP) | goals |');
    console.log('|---|---|---|---|---|---|');
    for (const key of NOISY_CASES) {
      const plain = await render(noisy[key]!, `plain-${key}`, {});
      const clean = await render(noisy[key]!, `clean-${key}`, { denoise: true });
      const down = plain.noiseFloorDb - clean.noiseFloorDb;
      const ok = down >= 10 && Math.abs(clean.lufs + 20) <= 0.5 && clean.truePeakDb <= -3;
      console.log(`| speech + ${key.replace('-', ' noise, ')} dB SNR | ${f1(plain.noiseFloorDb)} → ${f1(clean.noiseFloorDb)} dBFS | ${f1(down)} dB | ${f1(clean.lufs)} | ${f1(clean.truePeakDb)} | ${ok ? 'met' : 'MISSED'} |`);
    }
    const alternating = await buildAlternating(dir);
    const plain = await render(alternating, 'alt-plain', {});
    const levelled = await render(alternating, 'alt-level', { level: true });
    const ok = Math.abs(levelled.lufs + 20) <= 0.5 && levelled.truePeakDb <= -3;
    console.log(`\nquiet/loud alternating take (phrases 14 dB apart): loudness range ${f1(plain.lraLu)} → ${f1(levelled.lraLu)} LU with --level; ` +
      `loudness ${f1(levelled.lufs)} LUFS, true peak ${f1(levelled.truePeakDb)} dBTP, noise floor ${f1(plain.noiseFloorDb)} → ${f1(levelled.noiseFloorDb)} dBFS (${ok ? 'met' : 'MISSED'})`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// Level-meter maths over time-domain samples from an AnalyserNode (floats in -1..1).
export const CLIP_THRESHOLD = 0.999;
export const FLOOR_DBFS = -60;

export interface Level {
  rmsDbfs: number;
  peakDbfs: number;
  clipped: boolean;
}

export function toDbfs(amplitude: number): number {
  if (amplitude <= 0) return FLOOR_DBFS;
  return Math.max(FLOOR_DBFS, 20 * Math.log10(amplitude));
}

export function measureLevel(samples: Float32Array): Level {
  let sum = 0;
  let peak = 0;
  for (const v of samples) {
    sum += v * v;
    const a = Math.abs(v);
    if (a > peak) peak = a;
  }
  const rms = samples.length > 0 ? Math.sqrt(sum / samples.length) : 0;
  return { rmsDbfs: toDbfs(rms), peakDbfs: toDbfs(peak), clipped: peak >= CLIP_THRESHOLD };
}

/** 0..1 position of a dBFS value on a meter that spans FLOOR_DBFS..0. */
export function meterFraction(dbfs: number): number {
  return Math.min(1, Math.max(0, (dbfs - FLOOR_DBFS) / -FLOOR_DBFS));
}

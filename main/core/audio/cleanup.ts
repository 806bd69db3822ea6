// Optional clean-up of a recording before the loudness stage (pure functions on the 8 kHz mono float PCM):
//   denoise — short-time spectral noise suppression (Wiener gain with decision-directed SNR, as Ephraim & Malah),
//             the noise spectrum taken from the silence the analysis detected (or, with too little of it, from the
//             quietest moments of each frequency band);
//   level   — gentle levelling of speech whose level swings: a slow gain that moves each phrase two thirds of the way
//             to the speech's median level (at most 12 dB), held through pauses so noise is not pumped up.
// Both keep the length and the timing of the signal, so trim points and lead-in stay those of the analysis.

const N = 256; // 32 ms at 8 kHz
const HOP = N / 2;
/** Square-root Hann: analysis × synthesis window = Hann, which sums to 1 at 50 % overlap. */
const WINDOW = Float64Array.from({ length: N }, (_, i) => Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N)));
const BINS = N / 2 + 1;

/** In-place iterative radix-2 FFT of (re, im), length N; `inverse` scales by 1/N. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]!; re[i] = re[j]!; re[j] = t;
      t = im[i]!; im[i] = im[j]!; im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k, b = a + len / 2;
        const xr = re[b]! * cr - im[b]! * ci;
        const xi = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - xr; im[b] = im[a]! - xi;
        re[a] = re[a]! + xr; im[a] = im[a]! + xi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
  if (inverse) for (let i = 0; i < n; i++) { re[i] = re[i]! / n; im[i] = im[i]! / n; }
}

/** Power spectrum (BINS values) of every STFT frame of x; frame f covers x[f·HOP − HOP, f·HOP + HOP). */
function powerSpectra(x: Float32Array): Float32Array[] {
  const frames = Math.ceil(x.length / HOP) + 1;
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  const out: Float32Array[] = [];
  for (let f = 0; f < frames; f++) {
    const start = f * HOP - HOP;
    for (let i = 0; i < N; i++) {
      const j = start + i;
      re[i] = j >= 0 && j < x.length ? x[j]! * WINDOW[i]! : 0;
      im[i] = 0;
    }
    fft(re, im, false);
    const p = new Float32Array(BINS);
    for (let k = 0; k < BINS; k++) p[k] = re[k]! * re[k]! + im[k]! * im[k]!;
    out.push(p);
  }
  return out;
}

export interface DenoiseOptions {
  rate: number;
  /** Which 50 ms analysis frames are silence (the noise alone), and their levels (for when none is). */
  silentFrames: readonly boolean[];
  frameRmsDb?: readonly number[] | undefined;
  frameSamples: number;
  /** Deepest cut in any band (dB, positive): the floor left under the speech keeps it natural. */
  maxReductionDb?: number;
}

export interface DenoiseResult {
  out: Float32Array;
  /** Where the noise spectrum came from, and how much of it there was. */
  profile: 'silence' | 'quietest';
  profileSec: number;
}

/**
 * Noise suppression with a noise spectrum from the detected silence: the STFT frames that lie entirely in silent
 * analysis frames are averaged. With under 0.25 s of them (noise so loud nothing counts as silence), the quietest
 * tenth of the analysis frames stands in; failing that, each band's 10th-percentile power.
 */
export function denoise(x: Float32Array, o: DenoiseOptions): DenoiseResult {
  const spectra = powerSpectra(x);
  const floor = 10 ** (-(o.maxReductionDb ?? 25) / 20);
  // STFT frame f lies in analysis frames first..last; it is noise alone when all of them are.
  const average = (noiseFrame: (a: number) => boolean): { noise: Float64Array; used: number } => {
    const noise = new Float64Array(BINS);
    let used = 0;
    for (let f = 0; f < spectra.length; f++) {
      if (f * HOP - HOP < 0 || f * HOP + HOP > x.length) continue;
      const first = Math.floor((f * HOP - HOP) / o.frameSamples);
      const last = Math.floor((f * HOP + HOP - 1) / o.frameSamples);
      let quiet = true;
      for (let a = first; quiet && a <= last; a++) quiet = noiseFrame(a);
      if (!quiet) continue;
      const p = spectra[f]!;
      for (let k = 0; k < BINS; k++) noise[k] = noise[k]! + p[k]!;
      used++;
    }
    for (let k = 0; k < BINS; k++) noise[k] = used > 0 ? noise[k]! / used : 0;
    return { noise, used };
  };
  const enough = (used: number): boolean => used * HOP >= 0.25 * o.rate;
  let profile: DenoiseResult['profile'] = 'silence';
  let { noise, used } = average((a) => o.silentFrames[a] === true);
  if (!enough(used) && o.frameRmsDb) {
    // Noise so loud that nothing counts as silence: the quietest tenth of the recording is mostly noise.
    const levels = o.frameRmsDb;
    const sorted = levels.filter((l) => l > -150).sort((a, b) => a - b);
    const cut = (sorted[Math.floor(0.1 * (sorted.length - 1))] ?? -150) + 1;
    ({ noise, used } = average((a) => (levels[a] ?? Infinity) <= cut));
    profile = 'quietest';
  }
  if (!enough(used)) {
    // Not even that: each band's noise is its 10th-percentile power (speech rarely fills every band all the time).
    profile = 'quietest';
    used = 0;
    const column = new Float64Array(spectra.length);
    for (let k = 0; k < BINS; k++) {
      for (let f = 0; f < spectra.length; f++) column[f] = spectra[f]![k]!;
      column.sort();
      noise[k] = column[Math.floor(0.1 * (column.length - 1))]!;
    }
  }
  // A little over the measured noise: the gain then also takes down its fluctuations.
  for (let k = 0; k < BINS; k++) noise[k] = Math.max(1e-20, noise[k]! * 1.5);

  const out = new Float32Array(x.length);
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  const prevClean = new Float64Array(BINS); // |G·X|² of the frame before, for the decision-directed estimate
  const gain = new Float64Array(BINS);
  const alpha = 0.98;
  for (let f = 0; f < spectra.length; f++) {
    const start = f * HOP - HOP;
    for (let i = 0; i < N; i++) {
      const j = start + i;
      re[i] = j >= 0 && j < x.length ? x[j]! * WINDOW[i]! : 0;
      im[i] = 0;
    }
    fft(re, im, false);
    const p = spectra[f]!;
    for (let k = 0; k < BINS; k++) {
      const post = p[k]! / noise[k]!;
      const prior = alpha * (prevClean[k]! / noise[k]!) + (1 - alpha) * Math.max(post - 1, 0);
      gain[k] = Math.max(floor, prior / (1 + prior));
      prevClean[k] = gain[k]! * gain[k]! * p[k]!;
    }
    // Smooth the gains across neighbouring bands (less "musical noise").
    for (let k = 0; k < BINS; k++) {
      const g = (gain[Math.max(0, k - 1)]! + 2 * gain[k]! + gain[Math.min(BINS - 1, k + 1)]!) / 4;
      re[k] = re[k]! * g; im[k] = im[k]! * g;
      if (k > 0 && k < N / 2) { re[N - k] = re[N - k]! * g; im[N - k] = im[N - k]! * g; }
    }
    fft(re, im, true);
    for (let i = 0; i < N; i++) {
      const j = start + i;
      if (j >= 0 && j < x.length) out[j] = out[j]! + re[i]! * WINDOW[i]!;
    }
  }
  return { out, profile, profileSec: Math.round(((used * HOP) / o.rate) * 100) / 100 };
}

export interface LevelOptions {
  rate: number;
  frameSamples: number;
  /** 50 ms frame levels (dBFS RMS) and the silence threshold of the analysis. */
  frameRmsDb: readonly number[];
  silenceThresholdDbfs: number;
  /** How much of each phrase's distance to the median level is taken away (default 2/3: a 3:1 ratio). */
  amount?: number;
  maxBoostDb?: number;
  maxCutDb?: number;
}

/** The gain curve of `level`, in dB per 50 ms frame (exported for tests). */
export function levellingGainDb(o: LevelOptions): number[] {
  const frames = o.frameRmsDb.length;
  const amount = o.amount ?? 2 / 3;
  const boost = o.maxBoostDb ?? 12;
  const cut = o.maxCutDb ?? 12;
  // Short-term speech level: power average over ±200 ms of the speech frames around each frame.
  const speech = o.frameRmsDb.map((l) => l > o.silenceThresholdDbfs);
  const reach = Math.round(0.2 / (o.frameSamples / o.rate));
  const levels: (number | undefined)[] = [];
  for (let f = 0; f < frames; f++) {
    if (!speech[f]) { levels.push(undefined); continue; }
    let sum = 0, n = 0;
    for (let g = Math.max(0, f - reach); g <= Math.min(frames - 1, f + reach); g++) {
      if (!speech[g]) continue;
      sum += 10 ** (o.frameRmsDb[g]! / 10);
      n++;
    }
    levels.push(10 * Math.log10(sum / n));
  }
  const sorted = levels.filter((l): l is number => l !== undefined).sort((a, b) => a - b);
  if (sorted.length === 0) return new Array<number>(frames).fill(0);
  const reference = sorted[Math.floor(sorted.length / 2)]!;
  const want = levels.map((l) => (l === undefined ? undefined : Math.max(-cut, Math.min(boost, (reference - l) * amount))));
  // Pauses hold the smaller of the gains either side (never more boost than the phrase next to them gets).
  const held: number[] = new Array<number>(frames).fill(0);
  let before: number | undefined;
  for (let f = 0; f < frames; f++) {
    if (want[f] !== undefined) { before = want[f]; held[f] = want[f]!; continue; }
    let after: number | undefined;
    for (let g = f + 1; g < frames && after === undefined; g++) after = want[g];
    held[f] = Math.min(before ?? after ?? 0, after ?? before ?? 0);
  }
  // Smooth both ways (no lag): a time constant of 150 ms.
  const a = Math.exp(-(o.frameSamples / o.rate) / 0.15);
  const fwd = [...held];
  for (let f = 1; f < frames; f++) fwd[f] = a * fwd[f - 1]! + (1 - a) * held[f]!;
  const both = [...fwd];
  for (let f = frames - 2; f >= 0; f--) both[f] = a * both[f + 1]! + (1 - a) * fwd[f]!;
  return both;
}

/** Applies the levelling gain, interpolated between frame centres. */
export function level(x: Float32Array, o: LevelOptions): Float32Array {
  const g = levellingGainDb(o).map((db) => 10 ** (db / 20));
  const out = new Float32Array(x.length);
  const half = o.frameSamples / 2;
  for (let i = 0; i < x.length; i++) {
    const pos = (i - half) / o.frameSamples;
    const f0 = Math.max(0, Math.min(g.length - 1, Math.floor(pos)));
    const f1 = Math.min(g.length - 1, f0 + 1);
    const t = Math.max(0, Math.min(1, pos - f0));
    out[i] = x[i]! * ((g[f0] ?? 1) * (1 - t) + (g[f1] ?? 1) * t);
  }
  return out;
}

/** Band the flatness is measured over: above the high-pass's slope, below the resampler's cut-off. */
const FLATNESS_BAND_HZ = [200, 3600] as const;
/** Frames spectra are taken from at most (evenly spread over the quiet ones): the measure stays cheap on long files. */
const FLATNESS_MAX_FRAMES = 400;

/**
 * Spectral flatness (Wiener entropy: geometric over arithmetic mean of the power spectrum, 0..1) of the quietest
 * moments of `x`: the 50 ms analysis frames at most `withinDb` over the `floorDb` level (the pauses, or the noise
 * floor), their spectra averaged. Broadband noise is flat (white ≈ 1, pink ≈ 0.7, brown ≈ 0.2 over the band); a
 * steady tone or hum has its power in a few bands (well under 0.01). Undefined when those frames are digital silence.
 */
export function quietFlatness(x: Float32Array, o: { rate: number; frameSamples: number; frameRmsDb: readonly number[]; floorDb: number; withinDb?: number }): number | undefined {
  const cut = o.floorDb + (o.withinDb ?? 3);
  const quiet: number[] = [];
  o.frameRmsDb.forEach((l, i) => { if (l <= cut && l > -100 && (i + 1) * o.frameSamples <= x.length) quiet.push(i); });
  if (quiet.length === 0) return undefined;
  const step = Math.max(1, quiet.length / FLATNESS_MAX_FRAMES);
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  const sum = new Float64Array(BINS);
  let used = 0;
  for (let q = 0; q < quiet.length; q += step) {
    const start = quiet[Math.floor(q)]! * o.frameSamples + Math.floor((o.frameSamples - N) / 2);
    for (let i = 0; i < N; i++) { re[i] = (x[start + i] ?? 0) * WINDOW[i]! * WINDOW[i]!; im[i] = 0; } // Hann
    fft(re, im, false);
    for (let k = 0; k < BINS; k++) sum[k] = sum[k]! + re[k]! * re[k]! + im[k]! * im[k]!;
    used++;
  }
  const lo = Math.ceil((FLATNESS_BAND_HZ[0] * N) / o.rate);
  const hi = Math.floor((FLATNESS_BAND_HZ[1] * N) / o.rate);
  let logSum = 0;
  let linSum = 0;
  for (let k = lo; k <= hi; k++) {
    const p = Math.max(1e-30, sum[k]! / used);
    logSum += Math.log(p);
    linSum += p;
  }
  const bins = hi - lo + 1;
  return linSum > 0 ? Math.exp(logSum / bins) / (linSum / bins) : undefined;
}

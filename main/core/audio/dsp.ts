// The signal processing the engine does in Node on the decoded 8 kHz mono float PCM (pure functions, no I/O):
// 50 ms frame levels, EBU R128 integrated loudness, a true-peak detector, the look-ahead peak limiter, fades and
// the PCM / G.711 sample encoders. ffmpeg decodes, resamples and high-passes once; everything after that is here,
// so WAV and G.711 greetings need no second ffmpeg process.

/** 50 ms frame levels as astats reports them: RMS and sample peak in dBFS (-Infinity for digital silence). */
export function frameLevels(x: Float32Array, frameSamples: number): { rmsDb: number[]; peakDb: number[] } {
  const rmsDb: number[] = [];
  const peakDb: number[] = [];
  measureFrames(x, 0, x.length, frameSamples, rmsDb, peakDb);
  return { rmsDb, peakDb };
}

/** Appends the levels of the frames of x[from, to) (the last one may be short); returns their largest |sample|. */
function measureFrames(x: Float32Array, from: number, to: number, frameSamples: number, rmsDb: number[], peakDb: number[]): number {
  let top = 0;
  for (let start = from; start < to; start += frameSamples) {
    const end = Math.min(to, start + frameSamples);
    let sum = 0;
    let peak = 0;
    for (let i = start; i < end; i++) {
      const v = x[i]!;
      sum += v * v;
      const a = v < 0 ? -v : v;
      if (a > peak) peak = a;
    }
    rmsDb.push(10 * Math.log10(sum / (end - start)));
    peakDb.push(20 * Math.log10(peak));
    if (peak > top) top = peak;
  }
  return top;
}

export function samplePeak(x: Float32Array): number {
  let peak = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
  }
  return peak;
}

export const toDb = (linear: number): number => 20 * Math.log10(linear);
export const fromDb = (db: number): number => 10 ** (db / 20);

/**
 * ITU-R BS.1770 K-weighting (shelf + RLB high-pass) for any sample rate, with the coefficient formulas ffmpeg's
 * ebur128 filter uses, so our measurement agrees with the one the tests (and any admin) run on the output.
 */
function kWeightingCoefficients(rate: number): { pre: number[]; rlb: number[] } {
  let f0 = 1681.974450955533;
  const G = 3.999843853973347;
  let Q = 0.7071752369554196;
  let K = Math.tan((Math.PI * f0) / rate);
  const Vh = 10 ** (G / 20);
  const Vb = Vh ** 0.4996667741545416;
  let a0 = 1 + K / Q + K * K;
  const pre = [(Vh + (Vb * K) / Q + K * K) / a0, (2 * (K * K - Vh)) / a0, (Vh - (Vb * K) / Q + K * K) / a0, (2 * (K * K - 1)) / a0, (1 - K / Q + K * K) / a0];
  f0 = 38.13547087602444;
  Q = 0.5003270373238773;
  K = Math.tan((Math.PI * f0) / rate);
  a0 = 1 + K / Q + K * K;
  const rlb = [1, -2, 1, (2 * (K * K - 1)) / a0, (1 - K / Q + K * K) / a0];
  return { pre, rlb };
}

type KCoefficients = readonly number[];

function kCoefficients(rate: number): KCoefficients {
  const { pre, rlb } = kWeightingCoefficients(rate);
  return [...pre, ...rlb];
}

/**
 * Sum of squares of the K-weighted x[start, end), the filter state carried in `state` from call to call. (State
 * kept in locals within a call and in an array between calls: V8 boxes doubles carried across an outer loop — a
 * garbage collection every few hundred thousand samples, and 3× slower.)
 */
function kWeightedSum(x: Float32Array, start: number, end: number, gain: number, c: KCoefficients, state: Float64Array): number {
  const pb0 = c[0]!, pb1 = c[1]!, pb2 = c[2]!, pa1 = c[3]!, pa2 = c[4]!;
  const rb0 = c[5]!, rb1 = c[6]!, rb2 = c[7]!, ra1 = c[8]!, ra2 = c[9]!;
  let x1 = state[0]!, x2 = state[1]!, y1 = state[2]!, y2 = state[3]!, z1 = state[4]!, z2 = state[5]!;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const v = x[i]! * gain;
    const y = pb0 * v + pb1 * x1 + pb2 * x2 - pa1 * y1 - pa2 * y2;
    x2 = x1; x1 = v;
    const z = rb0 * y + rb1 * y1 + rb2 * y2 - ra1 * z1 - ra2 * z2;
    y2 = y1; y1 = y;
    z2 = z1; z1 = z;
    sum += z * z;
  }
  state[0] = x1; state[1] = x2; state[2] = y1; state[3] = y2; state[4] = z1; state[5] = z2;
  return sum;
}

/** Mean-square of the K-weighted signal per 100 ms step (the integrated measurement works on 4-step blocks). */
function kWeightedStepEnergies(x: Float32Array, rate: number, gain = 1): Float64Array {
  const c = kCoefficients(rate);
  const step = Math.round(rate / 10);
  const steps = Math.floor(x.length / step);
  const out = new Float64Array(steps);
  const state = new Float64Array(6);
  for (let s = 0; s < steps; s++) out[s] = kWeightedSum(x, s * step, (s + 1) * step, gain, c, state) / step;
  return out;
}

/** Loudness below which R128 reports nothing (absolute gate), also what a too short or silent signal gives. */
export const LOUDNESS_FLOOR_LUFS = -70;

/**
 * EBU R128 / BS.1770-4 integrated loudness (LUFS) of a mono signal: 400 ms blocks every 100 ms, absolute gate at
 * -70 LUFS, relative gate 10 LU under the ungated mean. A signal shorter than one block gives the floor (-70).
 */
export function integratedLoudness(x: Float32Array, rate: number, gain = 1): number {
  return loudnessOfSteps(kWeightedStepEnergies(x, rate, gain));
}

/**
 * EBU Tech 3342 loudness range (LU) from the 100 ms K-weighted steps: 3 s short-term loudness every 100 ms,
 * absolute gate -70 LUFS, relative gate 20 LU under their mean, then the spread from the 10th to the 95th
 * percentile. 0 for a signal shorter than one 3 s window.
 */
export function loudnessRangeOfSteps(steps: ArrayLike<number>): number {
  const W = 30;
  const lufs = (e: number): number => -0.691 + 10 * Math.log10(e);
  const st: number[] = [];
  let sum = 0;
  for (let i = 0; i < steps.length; i++) {
    sum += steps[i]!;
    if (i >= W) sum -= steps[i - W]!;
    if (i >= W - 1) st.push(sum / W);
  }
  const abs = st.filter((e) => lufs(e) > LOUDNESS_FLOOR_LUFS);
  if (abs.length === 0) return 0;
  const gate = lufs(abs.reduce((a, b) => a + b, 0) / abs.length) - 20;
  const gated = abs.map(lufs).filter((l) => l > gate).sort((a, b) => a - b);
  if (gated.length === 0) return 0;
  const at = (q: number): number => gated[Math.min(gated.length - 1, Math.max(0, Math.round(q * (gated.length - 1))))]!;
  return at(0.95) - at(0.1);
}

export function loudnessRange(x: Float32Array, rate: number): number {
  return loudnessRangeOfSteps(kWeightedStepEnergies(x, rate));
}

function loudnessOfSteps(steps: ArrayLike<number>): number {
  const blocks: number[] = [];
  for (let b = 0; b + 4 <= steps.length; b++) blocks.push((steps[b]! + steps[b + 1]! + steps[b + 2]! + steps[b + 3]!) / 4);
  const lufs = (e: number): number => -0.691 + 10 * Math.log10(e);
  const absGated = blocks.filter((e) => lufs(e) > LOUDNESS_FLOOR_LUFS);
  if (absGated.length === 0) return LOUDNESS_FLOOR_LUFS;
  const relGate = lufs(absGated.reduce((a, b) => a + b, 0) / absGated.length) - 10;
  const gated = absGated.filter((e) => lufs(e) > relGate);
  if (gated.length === 0) return LOUDNESS_FLOOR_LUFS;
  return Math.max(LOUDNESS_FLOOR_LUFS, lufs(gated.reduce((a, b) => a + b, 0) / gated.length));
}

/**
 * The analysis's measurements of a signal that arrives in pieces (the decoder's output, while ffmpeg is still
 * decoding): 50 ms frame levels, sample peak and the K-weighted 100 ms steps, each whole step as soon as it is in.
 * `finish` measures the tail and gives the same numbers frameLevels, samplePeak and integratedLoudness give for the
 * whole signal.
 */
export class LevelMeter {
  private done = 0;
  private peak = 0;
  private readonly rmsDb: number[] = [];
  private readonly peakDb: number[] = [];
  private readonly steps: number[] = [];
  private readonly state = new Float64Array(6);
  private readonly coefficients: KCoefficients;
  private readonly step: number;

  constructor(rate: number, private readonly frame: number) {
    this.coefficients = kCoefficients(rate);
    this.step = Math.round(rate / 10);
    if (this.step % frame !== 0) throw new Error('the 100 ms step must hold whole frames');
  }

  /** Measures the whole steps of x[0, available) not measured yet. */
  push(x: Float32Array, available: number): void {
    while (this.done + this.step <= available) {
      const end = this.done + this.step;
      this.steps.push(kWeightedSum(x, this.done, end, 1, this.coefficients, this.state) / this.step);
      this.frames(x, this.done, end);
      this.done = end;
    }
  }

  finish(x: Float32Array): { rmsDb: number[]; peakDb: number[]; lufs: number; lraLu: number; samplePeak: number } {
    this.push(x, x.length);
    this.frames(x, this.done, x.length);
    this.done = x.length;
    return { rmsDb: this.rmsDb, peakDb: this.peakDb, lufs: loudnessOfSteps(this.steps), lraLu: loudnessRangeOfSteps(this.steps), samplePeak: this.peak };
  }

  private frames(x: Float32Array, from: number, to: number): void {
    this.peak = Math.max(this.peak, measureFrames(x, from, to, this.frame, this.rmsDb, this.peakDb));
  }
}

/**
 * 4× oversampling interpolator for inter-sample ("true") peaks, as BS.1770 Annex 2 measures them: a Kaiser-windowed
 * sinc of 48 taps per phase, long enough to pass the whole band soxr leaves at 8 kHz (to ~3.65 kHz) — BS.1770's own
 * 12-tap filter under-reads content near the top of an 8 kHz band by up to 0.4 dB. Phases 1..3 only: phase 0 is
 * the sample itself.
 */
const TP_OVERSAMPLE = 4;
const TP_HALF = 24;
const TP_PHASES: Float64Array[] = (() => {
  const phases: Float64Array[] = [];
  const beta = 6;
  const bessel0 = (v: number): number => {
    let sum = 1, term = 1;
    for (let k = 1; k < 30; k++) { term *= (v / (2 * k)) ** 2; sum += term; }
    return sum;
  };
  for (let p = 1; p < TP_OVERSAMPLE; p++) {
    const frac = p / TP_OVERSAMPLE;
    const taps = new Float64Array(2 * TP_HALF);
    let sum = 0;
    for (let k = -TP_HALF + 1; k <= TP_HALF; k++) {
      const t = k - frac; // distance of input sample n+k from the point n+frac
      const sinc = Math.sin(Math.PI * t) / (Math.PI * t);
      const r = t / (TP_HALF + 0.5);
      const w = bessel0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / bessel0(beta);
      taps[k + TP_HALF - 1] = sinc * w;
      sum += sinc * w;
    }
    for (let i = 0; i < taps.length; i++) taps[i] = taps[i]! / sum;
    phases.push(taps);
  }
  return phases;
})();

/**
 * Largest |value| of the band-limited signal between samples n and n+1 (and at them). The three 4× points alone
 * can miss a peak near the top of the band by 0.5 dB (a 3.5 kHz component moves 0.7 rad between them at 8 kHz),
 * so the largest point is refined with a parabola through it and its neighbours.
 */
const TP_TAPS = 2 * TP_HALF;
/** The three phases' taps side by side: one pass over the 32 input samples computes all three points. */
const TP_FLAT = (() => {
  const flat = new Float64Array(3 * TP_TAPS);
  TP_PHASES.forEach((taps, p) => flat.set(taps, p * TP_TAPS));
  return flat;
})();

/** The vertex of the parabola through (−1, a), (0, b), (1, c) when b is their extremum (then within ±½ step); else |b|. */
function refine(a: number, b: number, c: number): number {
  const curve = a - 2 * b + c;
  // A true extremum bends towards zero with both neighbours on its side; anything else keeps the point itself.
  if (curve === 0 || (curve > 0) === (b > 0) || a * b < 0 || c * b < 0 || Math.abs(a) > Math.abs(b) || Math.abs(c) > Math.abs(b)) return Math.abs(b);
  return Math.max(Math.abs(b), Math.abs(b - ((a - c) * (a - c)) / (8 * curve)));
}

/** The interpolated value at n + p/4 (p = 1..3). */
function phasePoint(x: Float32Array, n: number, p: number): number {
  const base = n - TP_HALF + 1;
  const off = (p - 1) * TP_TAPS;
  let acc = 0;
  if (base >= 0 && base + TP_TAPS <= x.length) {
    for (let k = 0; k < TP_TAPS; k++) acc += TP_FLAT[off + k]! * x[base + k]!;
    return acc;
  }
  for (let k = 0; k < TP_TAPS; k++) {
    const i = base + k;
    if (i >= 0 && i < x.length) acc += TP_FLAT[off + k]! * x[i]!;
  }
  return acc;
}

function interSamplePeak(x: Float32Array, n: number, gain: number): number {
  const base = n - TP_HALF + 1;
  let p1 = 0, p2 = 0, p3 = 0;
  const T = TP_FLAT;
  if (base >= 0 && base + TP_TAPS <= x.length) {
    for (let k = 0; k < TP_TAPS; k++) {
      const v = x[base + k]!;
      p1 += T[k]! * v;
      p2 += T[TP_TAPS + k]! * v;
      p3 += T[2 * TP_TAPS + k]! * v;
    }
  } else {
    for (let k = 0; k < TP_TAPS; k++) {
      const i = base + k;
      const v = i >= 0 && i < x.length ? x[i]! : 0;
      p1 += T[k]! * v;
      p2 += T[TP_TAPS + k]! * v;
      p3 += T[2 * TP_TAPS + k]! * v;
    }
  }
  // Beyond either end the signal is silence (the interval before the first sample and after the last one count).
  const p0 = n >= 0 ? x[n]! : 0;
  const p4 = n + 1 < x.length ? x[n + 1]! : 0;
  const a0 = p0 < 0 ? -p0 : p0, a1 = p1 < 0 ? -p1 : p1, a2 = p2 < 0 ? -p2 : p2, a3 = p3 < 0 ? -p3 : p3, a4 = p4 < 0 ? -p4 : p4;
  // The parabola through the largest point and its neighbours. At a sample, the neighbour on the far side is a 4×
  // point of the interval before; when the largest is the interval's second sample, the interval after (which
  // is looked at too: that sample is loud) refines it.
  let peak: number;
  if (a2 >= a1 && a2 >= a3 && a2 >= a0 && a2 >= a4) peak = refine(p1, p2, p3);
  else if (a1 >= a3 && a1 >= a0 && a1 >= a4) peak = refine(p0, p1, p2);
  else if (a3 >= a0 && a3 >= a4) peak = refine(p2, p3, p4);
  else if (a0 >= a4) peak = refine(phasePoint(x, n - 1, TP_OVERSAMPLE - 1), p0, p1);
  else peak = a4;
  return peak * gain;
}

/**
 * Only samples at least this close to the limit are looked at between (-9 dB): a band-limited signal whose
 * samples all stay 9 dB under a level does not reach it between them (the worst realistic overshoot, a tone at a
 * quarter of the rate sampled at 45°, is 3 dB).
 */
const TP_GATE = 10 ** (-9 / 20);

/**
 * Per-sample true-peak envelope of `gain·x`: each sample's own level, raised to any inter-sample peak next to it,
 * computed only where samples come within 9 dB of `level`. Returns undefined when nothing reaches `level`.
 */
export function truePeakEnvelope(x: Float32Array, gain: number, level: number): Float32Array | undefined {
  const gate = (level * TP_GATE) / gain;
  let env: Float32Array | undefined;
  let lastInterval = -2;
  for (let n = 0; n < x.length; n++) {
    const v = x[n]!;
    if ((v < 0 ? -v : v) < gate) continue;
    // The intervals either side of a loud sample: (n-1, n) and (n, n+1).
    for (let i = Math.max(lastInterval + 1, n - 1); i <= n && i < x.length; i++) {
      lastInterval = i;
      const a = interSamplePeak(x, i, gain); // includes both samples
      if (a > level) {
        env ??= new Float32Array(x.length);
        if (i >= 0 && a > env[i]!) env[i] = a;
        if (i + 1 < x.length && a > env[i + 1]!) env[i + 1] = a;
      }
    }
    const own = Math.abs(v * gain);
    if (own > level) {
      env ??= new Float32Array(x.length);
      if (own > env[n]!) env[n] = own;
    }
  }
  return env;
}

/** True peak (linear) of `x`, looking between samples only near the loudest ones. */
export function truePeak(x: Float32Array): number {
  const sp = samplePeak(x);
  if (sp === 0) return 0;
  const env = truePeakEnvelope(x, 1, sp * TP_GATE);
  let tp = sp;
  if (env) for (let i = 0; i < env.length; i++) if (env[i]! > tp) tp = env[i]!;
  return tp;
}

export interface LimiterOptions {
  /** Linear limit for the true peak of the output. */
  limit: number;
  rate: number;
  /** Look-ahead and attack (ms): the gain is already down when the peak arrives. */
  attackMs: number;
  releaseMs: number;
  /** The largest linear gain `run` will be asked for (decides which peaks are looked at once, up front). */
  maxGain: number;
}

/**
 * Look-ahead true-peak limiter for one signal at several gains (the loudness loop tries a few). The true-peak
 * envelope of the input is computed once: it scales with the gain. At each gain, the gain needed at each sample
 * (limit / envelope) is spread back over the attack time with a sliding minimum and smoothed by a moving average
 * of the same length (so it still reaches the needed value at the peak itself), then recovers with an exponential
 * release; this is done only in the stretches around peaks over the limit, the rest is a plain multiplication. The
 * result is checked with the same detector where the gain moved, and limited again lower if the smoothing let an
 * inter-sample peak through.
 */
export class TruePeakLimiter {
  private readonly idx: Int32Array;
  private readonly val: Float32Array;
  private readonly attack: number;
  private readonly releaseCoef: number;
  private readonly tail: number;
  private out: Float32Array | undefined;
  private scratch = new Float32Array(0);
  private dq = new Int32Array(0);

  constructor(private readonly x: Float32Array, private readonly o: LimiterOptions) {
    // Every sample whose true-peak envelope could pass the limit at maxGain.
    const level = o.limit / o.maxGain;
    const env = truePeakEnvelope(x, 1, level);
    const idx: number[] = [];
    const val: number[] = [];
    if (env) for (let i = 0; i < env.length; i++) if (env[i]! > level) { idx.push(i); val.push(env[i]!); }
    this.idx = Int32Array.from(idx);
    this.val = Float32Array.from(val);
    this.attack = Math.max(1, Math.round((o.attackMs / 1000) * o.rate));
    this.releaseCoef = 1 - Math.exp(-1 / ((o.releaseMs / 1000) * o.rate));
    // Samples after the last reduction until the release is within 1e-4 of unity (then it is set to 1).
    this.tail = this.attack + Math.ceil(Math.log(1e-4) / Math.log(1 - this.releaseCoef));
  }

  /**
   * `gain·x` with its true peak held at the limit; `reduced` says whether any gain reduction was needed. The
   * returned array is reused by the next run (the loudness loop keeps only the last).
   */
  run(gain: number): { out: Float32Array; reduced: boolean; passes: number } {
    const { x, idx, val } = this;
    const limit = this.o.limit;
    const out = (this.out ??= new Float32Array(x.length));
    // A little under the limit: the smoothed gain rarely lets an inter-sample peak through then (no second pass).
    let threshold = (limit * 0.99) / gain;
    for (let passes = 1; ; passes++) {
      for (let i = 0; i < x.length; i++) out[i] = x[i]! * gain;
      if (!this.applyReduction(out, threshold)) return { out, reduced: false, passes };
      // Check the samples that came near the limit (the others are under it with margin, and the gain only
      // lowered them): the intervals either side of each.
      let worst = 0;
      let lastInterval = -2;
      const near = (0.97 * limit) / gain;
      for (let k = 0; k < idx.length; k++) {
        if (val[k]! <= near) continue;
        const n = idx[k]!;
        for (let i = Math.max(lastInterval + 1, n - 1); i <= n && i < out.length; i++) {
          const p = interSamplePeak(out, i, 1);
          if (p > worst) worst = p;
          lastInterval = i;
        }
      }
      if (worst <= limit * 1.0001 || passes >= 6) return { out, reduced: true, passes };
      threshold *= limit / worst;
    }
  }

  /** Multiplies `out` by the gain curve around every envelope sample above `threshold` (in input units). */
  private applyReduction(out: Float32Array, threshold: number): boolean {
    const { idx, val, attack: L, tail } = this;
    let reduced = false;
    let k = 0;
    while (k < idx.length) {
      if (val[k]! <= threshold) { k++; continue; }
      // A stretch: from one attack before the first peak over the limit to the tail after the last one, peaks
      // closer together than that joined.
      const first = idx[k]!;
      let last = first;
      let j = k + 1;
      for (; j < idx.length; j++) {
        if (val[j]! <= threshold) continue;
        if (idx[j]! - last > tail + L) break;
        last = idx[j]!;
      }
      const a = Math.max(0, first - L + 1);
      const b = Math.min(out.length, last + tail);
      this.gainCurve(out, a, b, k, j, threshold);
      reduced = true;
      k = j;
    }
    return reduced;
  }

  private gainCurve(out: Float32Array, a: number, b: number, k0: number, k1: number, threshold: number): void {
    const { idx, val, attack: L } = this;
    // The sliding minimum and the moving average matter up to one attack past the last reduction; after that the
    // average is back at 1 and only the release runs.
    let lastPeak = a;
    for (let k = k0; k < k1; k++) if (val[k]! > threshold) lastPeak = idx[k]!;
    const n = Math.min(b, lastPeak + L + 1) - a;
    if (this.scratch.length < 2 * n) { this.scratch = new Float32Array(2 * n); this.dq = new Int32Array(n); }
    const need = this.scratch.subarray(0, n).fill(1);
    for (let k = k0; k < k1; k++) if (val[k]! > threshold) need[idx[k]! - a] = Math.min(need[idx[k]! - a]!, threshold / val[k]!);
    // Sliding minimum over [i, i+L-1] (monotonic deque of indices).
    const minAhead = this.scratch.subarray(n, 2 * n);
    const dq = this.dq;
    let head = 0, qtail = 0;
    for (let i = n - 1; i >= 0; i--) {
      while (qtail > head && need[dq[qtail - 1]!]! >= need[i]!) qtail--;
      dq[qtail++] = i;
      while (dq[head]! > i + L - 1) head++;
      minAhead[i] = need[dq[head]!]!;
    }
    // Moving average over [i-L+1, i], then the release. Values before the stretch count as 1, except before the
    // start of the signal: there is no time to ramp down there, so the gain starts at what the first peak needs.
    const before = a === 0 ? minAhead[0]! : 1;
    let sum = L * before;
    let prev = before;
    const rel = this.releaseCoef;
    for (let i = 0; i < n; i++) {
      sum += minAhead[i]! - (i - L >= 0 ? minAhead[i - L]! : before);
      const smooth = Math.min(1, sum / L);
      const released = prev + (1 - prev) * rel;
      prev = Math.min(smooth, released);
      out[a + i] = out[a + i]! * prev;
    }
    for (let i = a + n; i < b; i++) {
      prev += (1 - prev) * rel;
      out[i] = out[i]! * prev;
    }
  }
}

/** Linear fade in over the first and fade out over the last `fadeSamples` (ffmpeg afade's default curve). */
export function applyFades(x: Float32Array, fadeSamples: number): void {
  const n = Math.min(fadeSamples, Math.floor(x.length / 2));
  for (let i = 0; i < n; i++) {
    const k = i / n;
    x[i] = x[i]! * k;
    x[x.length - 1 - i] = x[x.length - 1 - i]! * k;
  }
}

/** Adding and subtracting 1.5·2⁵² rounds a double to the nearest integer, ties to even (as lrintf does). */
const ROUND_MAGIC = 6755399441055744;

/** Float → 16-bit as ffmpeg's converter does it: round to nearest (ties to even), clipped. */
export function toInt16(x: Float32Array): Int16Array {
  const out = new Int16Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const r = x[i]! * 32768 + ROUND_MAGIC - ROUND_MAGIC;
    out[i] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
  }
  return out;
}

// G.711 encoders: the same tables as ffmpeg's pcm_mulaw / pcm_alaw encoders (16-bit in, decision points halfway
// between the codes' decoded values), so a greeting written here is byte-identical to one ffmpeg would write.
function alaw2linear(aVal: number): number {
  const a = aVal ^ 0x55;
  let t = a & 0x0f;
  const seg = (a & 0x70) >> 4;
  if (seg) t = (t + t + 1 + 32) << (seg + 2);
  else t = (t + t + 1) << 3;
  return a & 0x80 ? t : -t;
}

function ulaw2linear(uVal: number): number {
  const u = ~uVal & 0xff;
  let t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? 0x84 - t : t - 0x84;
}

function buildXlawTable(xlaw2linear: (v: number) => number, mask: number): Uint8Array {
  const table = new Uint8Array(16384);
  let j = 1;
  table[8192] = mask;
  for (let i = 0; i < 127; i++) {
    const v1 = xlaw2linear(i ^ mask);
    const v2 = xlaw2linear((i + 1) ^ mask);
    const v = (v1 + v2 + 4) >> 3;
    for (; j < v; j++) {
      table[8192 - j] = i ^ (mask ^ 0x80);
      table[8192 + j] = i ^ mask;
    }
  }
  for (; j < 8192; j++) {
    table[8192 - j] = 127 ^ (mask ^ 0x80);
    table[8192 + j] = 127 ^ mask;
  }
  table[0] = table[1]!;
  return table;
}

let ulawTable: Uint8Array | undefined;
let alawTable: Uint8Array | undefined;

export function encodeG711(samples: Int16Array, law: 'ulaw' | 'alaw'): Uint8Array {
  const table = law === 'ulaw' ? (ulawTable ??= buildXlawTable(ulaw2linear, 0xff)) : (alawTable ??= buildXlawTable(alaw2linear, 0xd5));
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = table[(samples[i]! + 32768) >> 2]!;
  return out;
}

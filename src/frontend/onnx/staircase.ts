/**
 * Exact requant of a quantizer applied to an integer accumulator.
 *
 * After folding (scales, bias, batch-norm, Mul/Add chains, ReLU), the QONNX
 * integer of one output channel is a nondecreasing staircase t(acc) ∈ [0, L−1]
 * of the integer accumulator on its reachable range [lo, hi] (channels whose
 * staircase falls are mirrored by negating their weights first). A staircase is
 * fixed by its L−1 step positions T_j = min{acc : t(acc) ≥ j}; this is how
 * FINN turns a quantizer into integer thresholds. Our IR keeps the dyadic
 * requant (spec §1) rather than multi-thresholds, so the steps are realised as
 *     t̂(acc) = clamp(floor((F·acc + B)·m / 2^k), 0, L−1)
 * with F a per-channel integer weight multiplier (finer bias resolution), B the
 * integer bias, m the channel's multiplier and k the layer's one shift. The fit
 * is checked exactly, in integers, at both sides of every step, so t̂ = t on the
 * whole range whenever fitChannel returns exact = true; otherwise the number of
 * accumulator values whose step moved is reported (never silently rounded).
 */

export interface Staircase {
  /** Reachable accumulator range. */
  readonly lo: number;
  readonly hi: number;
  /** steps[j − 1] = T_j for j = 1..L−1 (lo = every value reaches j, hi + 1 = none does). */
  readonly steps: readonly number[];
  /** Accumulator values per level of the real (unclamped) line: 1 / slope. */
  readonly period: number;
}

/** The steps of a nondecreasing t on [lo, hi] by binary search (t evaluated O(L log range) times). */
export function staircaseSteps(t: (acc: number) => number, lo: number, hi: number, levels: number): number[] {
  const steps: number[] = [];
  for (let j = 1; j < levels; j++) {
    let a = lo;
    let b = hi + 1; // invariant: t(b) ≥ j (b = hi + 1 meaning "none"), t(a − 1) < j
    if (t(lo) >= j) {
      steps.push(lo);
      continue;
    }
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (t(mid) >= j) b = mid;
      else a = mid;
    }
    steps.push(b);
  }
  return steps;
}

export interface ChannelFit {
  readonly weightFactor: number;
  readonly bias: number;
  readonly multiplier: number;
  /** Accumulator values (of [lo, hi]) whose level differs from the staircase: 0 = exact. */
  readonly mismatches: number;
}

/** The level t̂ of the integer form (BigInt: (F·acc + B)·m can exceed 2^53). */
export function stepLevel(acc: number, f: { weightFactor: number; bias: number; multiplier: number }, shift: number, levels: number): number {
  const v = (BigInt(f.weightFactor) * BigInt(acc) + BigInt(f.bias)) * BigInt(f.multiplier);
  const d = 2n ** BigInt(shift);
  let q = v / d;
  if (v < 0n && q * d !== v) q -= 1n; // floor
  const t = Number(q);
  return Math.min(levels - 1, Math.max(0, t));
}

/** Counts accumulator values whose level differs (steps of a monotone t̂ compared with the staircase's). */
export function countMismatches(s: Staircase, f: ChannelFit | Omit<ChannelFit, "mismatches">, shift: number): number {
  const levels = s.steps.length + 1;
  const mine = staircaseSteps((a) => stepLevel(a, f, shift, levels), s.lo, s.hi, levels);
  return mine.reduce((sum, T, i) => sum + Math.abs(T - s.steps[i]), 0);
}

/**
 * Fits one channel for a given weight factor F and layer shift k: slope from the
 * period, offset in the middle of the interval every step allows.
 */
export function fitChannel(s: Staircase, weightFactor: number, shift: number): ChannelFit {
  const levels = s.steps.length + 1;
  const multiplier = Math.max(1, Math.round(2 ** shift / (s.period * weightFactor)));
  const p = 2 ** shift / (multiplier * weightFactor); // realised period
  // θ_j = j·p − c must satisfy T_j − 1 < θ_j ≤ T_j for a step inside (lo, hi]; c = B / F
  let cLo = -Infinity;
  let cHi = Infinity;
  s.steps.forEach((T, i) => {
    const j = i + 1;
    if (T > s.lo) {
      if (T <= s.hi) cLo = Math.max(cLo, j * p - T); // θ_j ≤ T_j
      cHi = Math.min(cHi, j * p - T + 1); // θ_j > T_j − 1 (for T = hi + 1: no value reaches j)
    } else {
      cLo = Math.max(cLo, j * p - s.lo); // every value reaches j: θ_j ≤ lo
    }
  });
  let c: number;
  if (cLo === -Infinity && cHi === Infinity) c = 0;
  else if (cLo === -Infinity) c = cHi - 1;
  else if (cHi === Infinity) c = cLo + 1;
  else c = (cLo + cHi) / 2;
  // t̂ = floor((F·acc + B)·m/2^k) ≥ j ⇔ acc ≥ (j·2^k/m − B)/F = j·p − B/F
  const bias = Math.round(c * weightFactor);
  const fit = { weightFactor, bias, multiplier };
  return { ...fit, mismatches: exactAtSteps(s, fit, shift, levels) ? 0 : countMismatches(s, fit, shift) };
}

function exactAtSteps(s: Staircase, f: Omit<ChannelFit, "mismatches">, shift: number, levels: number): boolean {
  const at = (a: number) => stepLevel(a, f, shift, levels);
  if (at(s.lo) !== levelAt(s, s.lo) || at(s.hi) !== levelAt(s, s.hi)) return false;
  return s.steps.every((T, i) => (T > s.hi || at(T) >= i + 1) && (T <= s.lo || at(T - 1) <= i));
}

function levelAt(s: Staircase, acc: number): number {
  return s.steps.filter((T) => T <= acc).length;
}

/**
 * The integer form with a free slope: (B, m) for a weight factor F such that
 * floor((F·acc + B)·m / 2^k), clamped to [0, L−1], has exactly the channel's steps, with
 * the smallest shift k at which |m| < 2^multiplierBits allows it — or undefined when no
 * line does. Unlike fitChannel, m is not tied to the real slope, so F = 1 (the QONNX
 * integer weights as they are) places every step whenever one line u = 2^k/m and one
 * integer offset B can: step j needs (F·T_j + B)·m ≥ j·2^k > (F·(T_j − 1) + B)·m, i.e.
 * u ∈ ((B + F·T_j − F)/j, (B + F·T_j)/j] (a step at lo or below: only the upper bound;
 * one past hi: only the lower bound). Every candidate is checked exactly (BigInt).
 */
export function fitChannelFreeSlope(s: Staircase, weightFactor: number, multiplierBits: number): { fit: ChannelFit; shift: number } | undefined {
  const F = weightFactor;
  const levels = s.steps.length + 1;
  const interior = s.steps.map((T, i) => ({ T, j: i + 1 })).filter(({ T }) => T > s.lo && T <= s.hi);
  if (interior.length === 0) return undefined;
  // the slopes u a pair of interior steps allows: (j − i)·u ∈ (F·(T_j − T_i − 1), F·(T_j − T_i + 1)); the pairs
  // with the first or the last step and neighbours (O(L), a necessary condition: each B is then checked in full)
  let uLo = 0;
  let uHi = Infinity;
  const pair = (a: number, b: number) => {
    if (a >= b) return;
    const dj = interior[b].j - interior[a].j;
    const dT = interior[b].T - interior[a].T;
    uLo = Math.max(uLo, (F * (dT - 1)) / dj);
    uHi = Math.min(uHi, (F * (dT + 1)) / dj);
  };
  const last = interior.length - 1;
  for (let a = 0; a < last; a++) (pair(0, a + 1), pair(a, last), pair(a, a + 1));
  if (!(uLo < uHi)) return undefined;
  const first = interior[0];
  // B ∈ [j·u − F·T_j, j·u − F·T_j + F) for the first interior step j; nearest the real line first
  const bLo = Math.floor(first.j * uLo - F * first.T) - 1;
  const bHi = Number.isFinite(uHi) ? Math.ceil(first.j * uHi - F * first.T + F) + 1 : Infinity;
  const centre = Number.isFinite(s.period) ? Math.round(F * (first.j * s.period - first.T)) : bLo + 1;
  const limit = 2 ** multiplierBits;
  let best: { fit: ChannelFit; shift: number } | undefined;
  for (let d = 0; d <= MAX_OFFSET_CANDIDATES; d++) {
    for (const B of d === 0 ? [centre] : [centre - d, centre + d]) {
      if (B < bLo || B > bHi) continue;
      let lower = 0; // u > lower
      let upper = Infinity; // u ≤ upper
      s.steps.forEach((T, i) => {
        const j = i + 1;
        if (T <= s.hi) upper = Math.min(upper, (B + F * Math.max(T, s.lo)) / j);
        if (T > s.lo) lower = Math.max(lower, (B + F * (Math.min(T, s.hi + 1) - 1)) / j);
      });
      if (!(lower < upper) || upper <= 0) continue;
      // m = 2^k / u ∈ [2^k / upper, 2^k / lower): the first k with an integer there
      for (let k = 0; k <= 62 && (!best || k < best.shift); k++) {
        const pow = 2 ** k;
        const mLo = Math.max(1, Math.ceil(pow / upper));
        if (mLo >= limit) break;
        if (lower > 0 && mLo > pow / lower + 1) continue;
        const fit = { weightFactor: F, bias: B, multiplier: mLo };
        if (exactAtSteps(s, fit, k, levels)) best = { fit: { ...fit, mismatches: 0 }, shift: k };
      }
    }
  }
  return best;
}

/** Offsets B tried on each side of the real line's [ours]: the feasible ones lie within about 3·F of it. */
const MAX_OFFSET_CANDIDATES = 64;

/**
 * fitChannelFreeSlope for every channel of a layer with the layer's one shift k: the
 * largest of the channels' smallest shifts (a fit at k is a fit at k + 1 with m doubled,
 * while m stays under 2^multiplierBits). Constant channels are left to the caller
 * (`undefined` entries).
 */
export function fitLayerFreeSlope(
  stairs: readonly (Staircase | undefined)[],
  weightFactor: number,
  multiplierBits: number,
): { fits: (ChannelFit | undefined)[]; shift: number } | undefined {
  const found = stairs.map((s) => (s ? fitChannelFreeSlope(s, weightFactor, multiplierBits) : undefined));
  if (found.some((f, c) => stairs[c] && !f)) return undefined;
  const shift = Math.max(0, ...found.map((f) => f?.shift ?? 0));
  const fits = found.map((f) => f && { ...f.fit, multiplier: f.fit.multiplier * 2 ** (shift - f.shift) });
  if (fits.some((f) => f && f.multiplier >= 2 ** multiplierBits)) return undefined;
  return { fits, shift };
}

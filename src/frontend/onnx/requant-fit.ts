/**
 * Exact requant of an integer sum (a pool window, a residual add, one element) found by
 * checking every reachable value: the IR layer computes y = relu?(sat_b(u(S))) with
 * u(S) = round_k(S·m) (docs/integer-ops.md §1; avgpool/global_avgpool: no ReLU, no zero
 * point; add: u = the integer-weighted sum, ReLU max(y, 0)), and the lowering claims
 * y = q(S) + offset for the QONNX integer q of every S in [lo, hi] — so a fit is
 * accepted only when that holds on the whole range, never approximately.
 */
import { roundShift, RoundingMode, ROUNDING_MODES, saturate } from "../../arith/rounding.js";

/** Largest range the importer checks value by value [ours]: 2^24 sums, well under a second. */
export const MAX_FIT_RANGE = 2 ** 24;

export interface ClampFit {
  readonly outBits: 8 | 16;
  readonly relu: boolean;
  /** stored y = q + offset. */
  readonly offset: number;
  /** The levels q reached on [lo, hi]. */
  readonly qmin: number;
  readonly qmax: number;
}

/** Whether relu?(sat_b(u(S))) = q(S) + offset on [lo, hi] for one of b ∈ {8, 16}, ReLU on or off. */
export function fitClamp(lo: number, hi: number, u: (s: number) => number, q: (s: number) => number, allowRelu: boolean): ClampFit | undefined {
  let qmin = Infinity;
  let qmax = -Infinity;
  for (let s = lo; s <= hi; s++) {
    const v = q(s);
    if (v < qmin) qmin = v;
    if (v > qmax) qmax = v;
  }
  // the offset is fixed where q is strictly inside its range (no clamp acts there), else at the ends
  let probe = lo;
  for (let s = lo; s <= hi; s++) {
    const v = q(s);
    if (v > qmin && v < qmax) {
      probe = s;
      break;
    }
  }
  const candidates = new Set([u(probe) - q(probe), u(lo) - q(lo), u(hi) - q(hi)]);
  for (const outBits of [8, 16] as const) {
    for (const relu of allowRelu ? [false, true] : [false]) {
      // a clamp that q reaches must sit where the IR clamps: try each offset the ends allow
      const bottom = relu ? 0 : -(2 ** (outBits - 1));
      const top = 2 ** (outBits - 1) - 1;
      for (const offset of [...candidates, bottom - qmin, top - qmax]) {
        if (qmin + offset < bottom || qmax + offset > top) continue;
        let ok = true;
        for (let s = lo; s <= hi && ok; s++) {
          let y = saturate(u(s), outBits);
          if (relu && y < 0) y = 0;
          ok = y === q(s) + offset;
        }
        if (ok) return { outBits, relu, offset, qmin, qmax };
      }
    }
  }
  return undefined;
}

export interface SumRequantFit extends ClampFit {
  readonly multiplier: number;
  readonly multiplierBits: number;
  readonly shift: number;
  readonly rounding: RoundingMode;
}

/**
 * The pool requant y = sat_b(round_k(S·m)) equal to q(S) + offset on [lo, hi]: m/2^k near
 * `ratio` (the real slope dq/dS), every k and rounding mode tried, 16-bit multipliers first.
 * A non-dyadic ratio can still be exact on a finite range (division by a constant).
 */
export function fitSumRequant(lo: number, hi: number, q: (s: number) => number, ratio: number): SumRequantFit | undefined {
  if (!(ratio > 0) || hi - lo > MAX_FIT_RANGE) return undefined;
  const table = Float64Array.from({ length: hi - lo + 1 }, (_, i) => q(lo + i));
  const level = (s: number) => table[s - lo];
  for (const multiplierBits of [16, 24]) {
    for (let shift = 0; shift <= 62; shift++) {
      const multiplier = Math.round(ratio * 2 ** shift);
      if (multiplier >= 2 ** multiplierBits) break;
      // S·m must stay exact in float64 for roundShift: |S|·m < 2^53
      if (multiplier === 0 || Math.max(Math.abs(lo), Math.abs(hi)) * multiplier > Number.MAX_SAFE_INTEGER) continue;
      for (const rounding of ROUNDING_MODES) {
        const fit = fitClamp(lo, hi, (s) => roundShift(s * multiplier, shift, rounding), level, false);
        if (fit) return { ...fit, multiplier, multiplierBits, shift, rounding };
      }
    }
  }
  return undefined;
}

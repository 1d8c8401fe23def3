/**
 * Shiftmax — I-ViT's integer-only softmax over the last axis, docs/integer-ops.md §3
 * (scale folding of attention scores: §6). One row of integers x[i] on scale S in,
 * y[i] on scale 1/2^(b−1) out:
 *   m = max x;  e[i] = exp_shift(x[i] − m, S, n);  sum = min(Σ e, 2^31 − 1)
 *   f = floor((2^31 − 1) / sum);  y[i] = floor(e[i]·f / 2^(31 − b + 1))
 */
import { roundShift } from "../rounding.js";
import { counterBits, IntRange, unsignedBitsFor } from "../widths.js";
import { checkExpShiftBound, checkInt, checkScale } from "./check.js";
import { multiplierFromRatio } from "../requant.js";
import { Dyadic, expShift, expShiftRanges, ExpShiftWidths, expShiftWidths, floorDiv, RECIPROCAL_NUMERATOR, x0FromScale } from "./expshift.js";

/** §3 constants. */
export const SHIFTMAX_N = 15;
export const SHIFTMAX_OUT_BITS = 8;

export interface ShiftmaxConfig {
  /** Signed width of the input integers (e.g. 32 for Q·Kᵀ scores). */
  readonly inputBits: number;
  /** Input scale S = m·2^−k (for attention S = s_q·s_k/sqrt(d), §6). */
  readonly scale: Dyadic;
  readonly n?: number;
  readonly outBits?: number;
}

/** Validated Shiftmax parameters: what the IR stores (the RTL never sees S). */
export interface ShiftmaxParams {
  readonly inputBits: number;
  /** floor(−1/S) ≤ −1. */
  readonly x0: number;
  readonly n: number;
  readonly outBits: number;
}

/**
 * Builds and checks Shiftmax parameters.
 * [ours] Bound: |x0|·2^n ≤ 2^31 − 1, checked here (a QuantrtlError otherwise). Then
 * every e[i] ≤ |x0|·2^n fits 31 bits, e[i]·f ≤ 2^31 − 1 (unclamped: e[i] ≤ sum, so
 * e[i]·floor((2^31−1)/sum) ≤ 2^31 − 1; clamped: f = 1), and y lies in
 * [0, 2^(b−1) − 1] as §3 states. Without it, a clamped sum with f = 1 lets
 * y = floor(e/2^(32−b)) exceed 2^(b−1) − 1.
 */
export function makeShiftmaxParams(c: ShiftmaxConfig): ShiftmaxParams {
  const n = c.n ?? SHIFTMAX_N;
  const outBits = c.outBits ?? SHIFTMAX_OUT_BITS;
  checkInt("shiftmax.inputBits", c.inputBits, 2, 32);
  checkInt("shiftmax.n", n, 0, 30);
  checkInt("shiftmax.outBits", outBits, 2, 31);
  checkScale("shiftmax.scale", c.scale);
  const x0 = x0FromScale(c.scale);
  checkExpShiftBound("shiftmax.scale", c.scale, x0, n);
  return { inputBits: c.inputBits, x0, n, outBits };
}

/**
 * The Shiftmax input scale of attention scores, §6: S = s_q·s_k / sqrt(d), the
 * 1/sqrt(d) folded into the scale (never computed in hardware), as a dyadic number
 * of `multiplierBits` bits (multiplierFromRatio, §1).
 */
export function attentionScoreScale(queryScale: number, keyScale: number, headDim: number, multiplierBits = 16): Dyadic {
  return multiplierFromRatio((queryScale * keyScale) / Math.sqrt(headDim), multiplierBits);
}

/** Every intermediate of one row, for tests and for the hardware vectors. */
export interface ShiftmaxStages {
  readonly max: number;
  readonly exps: Int32Array;
  /** min(Σ e, 2^31 − 1). */
  readonly sum: number;
  readonly factor: number;
  readonly out: Int32Array;
}

/** §3 on one row (length ≥ 1). Σ e ≤ length·2^31 stays exact below 2^53; e·f ≤ 2^31 − 1 (bound above). */
export function shiftmaxStages(row: Int32Array, p: ShiftmaxParams): ShiftmaxStages {
  let max = row[0];
  for (let i = 1; i < row.length; i++) if (row[i] > max) max = row[i];
  const exps = new Int32Array(row.length);
  let total = 0;
  for (let i = 0; i < row.length; i++) {
    exps[i] = expShift(row[i] - max, p.x0, p.n);
    total += exps[i];
  }
  const sum = Math.min(total, RECIPROCAL_NUMERATOR);
  const factor = floorDiv(RECIPROCAL_NUMERATOR, sum);
  const out = new Int32Array(row.length);
  const outShift = 31 - p.outBits + 1;
  for (let i = 0; i < row.length; i++) out[i] = roundShift(exps[i] * factor, outShift, "floor");
  return { max, exps, sum, factor, out };
}

export function shiftmax(row: Int32Array, p: ShiftmaxParams): Int32Array {
  return shiftmaxStages(row, p).out;
}

/** Shiftmax over the last axis of a row-major tensor whose rows have `rowLength` elements. */
export function shiftmaxRows(x: Int32Array, rowLength: number, p: ShiftmaxParams): Int32Array {
  const out = new Int32Array(x.length);
  for (let start = 0; start < x.length; start += rowLength) out.set(shiftmax(x.subarray(start, start + rowLength), p), start);
  return out;
}

/** Value ranges and widths of every Shiftmax intermediate, for rows of up to `maxRowLength` elements. */
export interface ShiftmaxWidths extends ExpShiftWidths {
  readonly inputBits: number;
  readonly exp: IntRange;
  /** The saturating sum register: [e_max, 2^31 − 1] (the row max contributes e(0) = |x0|·2^n). */
  readonly sum: IntRange;
  readonly sumBits: number;
  /** sum + e before the clamp: the adder of the saturating accumulator. */
  readonly sumAddBits: number;
  readonly factor: IntRange;
  readonly factorBits: number;
  /** e·f ≤ 2^31 − 1 (see makeShiftmaxParams). */
  readonly productBits: number;
  /** y = (e·f) >> outShift. */
  readonly outShift: number;
  /** y ∈ [0, 2^(b−1) − 1]: b − 1 magnitude bits, emitted as b-bit words. */
  readonly outBits: number;
  readonly out: IntRange;
  readonly rowCounterBits: number;
}

export function shiftmaxWidths(p: ShiftmaxParams, maxRowLength: number): ShiftmaxWidths {
  // x − m ∈ [−(2^B − 1), 0] for x, m in B signed bits
  const ranges = expShiftRanges(-(2 ** p.inputBits - 1), p.x0, p.n);
  const eMax = ranges.exp.hi;
  const C = BigInt(RECIPROCAL_NUMERATOR);
  const sum: IntRange = { lo: eMax, hi: C };
  const factor: IntRange = { lo: 1n, hi: C / eMax };
  return {
    ...expShiftWidths(ranges, p.n),
    inputBits: p.inputBits,
    exp: ranges.exp,
    sum,
    sumBits: unsignedBitsFor(C),
    sumAddBits: unsignedBitsFor(C + eMax),
    factor,
    factorBits: unsignedBitsFor(factor.hi),
    productBits: unsignedBitsFor(C),
    outShift: 31 - p.outBits + 1,
    outBits: p.outBits,
    out: { lo: 0n, hi: (1n << BigInt(p.outBits - 1)) - 1n },
    rowCounterBits: counterBits(maxRowLength),
  };
}

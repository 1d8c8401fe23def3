/**
 * ShiftGELU — I-ViT's integer GELU(x) ≈ x·σ(1.702·x), docs/integer-ops.md §4.
 * One token row of integers x[i] on scale S in, y[i] = x[i]·sig[i] on scale
 * S/2^(b−1) out (requantized by the next step):
 *   S' = 1.702·S;  m = max x;  a[i] = exp_shift(x[i] − m, S', n);  c = exp_shift(−m, S', n)
 *   f[i] = floor((2^31 − 1) / min(a[i] + c, 2^31 − 1));  sig[i] = floor(a[i]·f[i] / 2^(31 − b + 1))
 */
import { roundShift } from "../rounding.js";
import { IntRange, mulRanges, signedBitsFor, signedRange, unsignedBitsFor } from "../widths.js";
import { checkExpShiftBound, checkInt, checkScale } from "./check.js";
import { Dyadic, dyadicValue, expShift, expShiftRanges, ExpShiftWidths, expShiftWidths, floorDiv, RECIPROCAL_NUMERATOR, x0FromScale } from "./expshift.js";
import { QuantrtlError } from "../../util/errors.js";

/**
 * §4 constants: n = 23, b = 8, and the sigmoid slope 1.702.
 * [ours] 1.702 is taken as the exact rational 851/500 when x0' = floor(−1/(1.702·S))
 * is derived (x0FromScale), so x0' is exact for a dyadic S.
 */
export const GELU_SIGMOID_SLOPE = { num: 851, den: 500 } as const;
export const SHIFTGELU_N = 23;
export const SHIFTGELU_OUT_BITS = 8;

export interface ShiftGeluConfig {
  /** Signed width of the input integers. */
  readonly inputBits: number;
  /** Input scale S = m·2^−k. */
  readonly scale: Dyadic;
  readonly n?: number;
  /** b: the sigmoid's bits (σ on scale 1/2^(b−1)). */
  readonly outBits?: number;
}

/** Validated ShiftGELU parameters: what the IR stores. */
export interface ShiftGeluParams {
  readonly inputBits: number;
  /** x0' = floor(−1/(1.702·S)) ≤ −1. */
  readonly x0: number;
  readonly n: number;
  readonly outBits: number;
}

/**
 * Builds and checks ShiftGELU parameters. The two hazards of §4, settled [ours]:
 * - "when m < 0, exp_shift receives a positive argument": the row max is clamped at
 *   zero from below, m = max(0, max_i x[i]). σ(1.702·x) = e^(1.702(x−m)) /
 *   (e^(1.702(x−m)) + e^(−1.702m)) holds for any m, so this changes no real value;
 *   it keeps both exp_shift arguments ≤ 0, so q ∈ [0, n] and no shift exceeds n.
 * - "when |x0'| is large, a[i] alone can exceed 2^31 − 1": 2·|x0'|·2^n ≤ 2^31 − 1 is
 *   required here (a QuantrtlError otherwise; at n = 23 that is |x0'| ≤ 127, i.e.
 *   S ≥ 1/(128·1.702) ≈ 0.0046 — a finer scale must lower n, the error names the
 *   largest n). Then a, c ≤ |x0'|·2^n and a + c ≤ 2^31 − 1: the clamp
 *   min(a + c, 2^31 − 1) of §4 stays in the formula but never engages, f ≥ 1, and
 *   a·f ≤ (a + c)·f ≤ 2^31 − 1, so sig ∈ [0, 2^(b−1) − 1] without a saturation step.
 *   (Allowing |x0'| up to 255, where only a ≤ 2^31 − 1 holds, keeps sig in range too,
 *   but a clamped a + c gives f = 1 and sig = floor(a/2^(32−b)): σ(0) → 100/128 at
 *   |x0'| = 200. We reject that region instead of computing a wrong σ.)
 * The product y = x·sig must fit 32 bits: inputBits + outBits − 1 ≤ 32.
 */
export function makeShiftGeluParams(c: ShiftGeluConfig): ShiftGeluParams {
  const n = c.n ?? SHIFTGELU_N;
  const outBits = c.outBits ?? SHIFTGELU_OUT_BITS;
  checkInt("shiftgelu.inputBits", c.inputBits, 2, 32);
  checkInt("shiftgelu.n", n, 0, 30);
  checkInt("shiftgelu.outBits", outBits, 2, 31);
  checkScale("shiftgelu.scale", c.scale);
  if (c.inputBits + outBits - 1 > 32) {
    throw new QuantrtlError(
      undefined,
      "shiftgelu.inputBits",
      `y = x·sig needs ${c.inputBits + outBits - 1} bits, more than 32`,
      `use inputBits ≤ ${33 - outBits} (requantize the GELU input first)`,
    );
  }
  const x0 = x0FromScale(c.scale, GELU_SIGMOID_SLOPE);
  checkExpShiftBound("shiftgelu.scale", c.scale, x0, n, 2);
  return { inputBits: c.inputBits, x0, n, outBits };
}

/** Output scale of y: S / 2^(b−1). */
export function shiftGeluOutputScale(scale: Dyadic, p: ShiftGeluParams): number {
  return dyadicValue(scale) / 2 ** (p.outBits - 1);
}

/** Every intermediate of one row, for tests and for the hardware vectors. */
export interface ShiftGeluStages {
  /** max(0, max x) [ours]. */
  readonly max: number;
  /** c = exp_shift(−m). */
  readonly expMax: number;
  readonly exps: Int32Array;
  readonly factors: Int32Array;
  readonly sigmoid: Int32Array;
  readonly out: Int32Array;
}

/** §4 on one row. a + c ≤ 2^31 − 1, a·f ≤ 2^31 − 1 and |x·sig| < 2^31: plain numbers are exact. */
export function shiftGeluStages(row: Int32Array, p: ShiftGeluParams): ShiftGeluStages {
  let max = 0;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  const expMax = expShift(-max, p.x0, p.n);
  const exps = new Int32Array(row.length);
  const factors = new Int32Array(row.length);
  const sigmoid = new Int32Array(row.length);
  const out = new Int32Array(row.length);
  const outShift = 31 - p.outBits + 1;
  for (let i = 0; i < row.length; i++) {
    const a = expShift(row[i] - max, p.x0, p.n);
    const f = floorDiv(RECIPROCAL_NUMERATOR, Math.min(a + expMax, RECIPROCAL_NUMERATOR));
    const sig = roundShift(a * f, outShift, "floor");
    exps[i] = a;
    factors[i] = f;
    sigmoid[i] = sig;
    out[i] = row[i] * sig;
  }
  return { max, expMax, exps, factors, sigmoid, out };
}

export function shiftGelu(row: Int32Array, p: ShiftGeluParams): Int32Array {
  return shiftGeluStages(row, p).out;
}

/** Value ranges and widths of every ShiftGELU intermediate. */
export interface ShiftGeluWidths extends ExpShiftWidths {
  readonly inputBits: number;
  readonly exp: IntRange;
  /** a + c ≤ 2^31 − 1 (see makeShiftGeluParams): the clamp never engages. */
  readonly sum: IntRange;
  readonly sumBits: number;
  readonly factor: IntRange;
  readonly factorBits: number;
  /** a·f ≤ 2^31 − 1 (see makeShiftGeluParams). */
  readonly productBits: number;
  readonly outShift: number;
  /** sig ∈ [0, 2^(b−1) − 1]. */
  readonly sigmoid: IntRange;
  readonly sigmoidBits: number;
  /** y = x·sig, signed. */
  readonly out: IntRange;
  readonly outBits: number;
}

export function shiftGeluWidths(p: ShiftGeluParams): ShiftGeluWidths {
  // x − m ∈ [−(2^B − 1), 0] and −m ∈ [−(2^(B−1) − 1), 0] ⊂ the same interval
  const ranges = expShiftRanges(-(2 ** p.inputBits - 1), p.x0, p.n);
  const C = BigInt(RECIPROCAL_NUMERATOR);
  const sum: IntRange = { lo: 2n * ranges.exp.lo, hi: 2n * ranges.exp.hi };
  const factor: IntRange = { lo: C / sum.hi, hi: C / sum.lo };
  const sigmoid: IntRange = { lo: 0n, hi: (1n << BigInt(p.outBits - 1)) - 1n };
  const out = mulRanges(signedRange(p.inputBits), sigmoid);
  return {
    ...expShiftWidths(ranges, p.n),
    inputBits: p.inputBits,
    exp: ranges.exp,
    sum,
    sumBits: unsignedBitsFor(sum.hi),
    factor,
    factorBits: unsignedBitsFor(factor.hi),
    productBits: unsignedBitsFor(C),
    outShift: 31 - p.outBits + 1,
    sigmoid,
    sigmoidBits: unsignedBitsFor(sigmoid.hi),
    out,
    outBits: signedBitsFor(out),
  };
}

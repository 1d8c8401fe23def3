/**
 * I-ViT's shift-based exponential `exp_shift` — docs/integer-ops.md §3 — the one
 * definition shared by Shiftmax (§3) and ShiftGELU (§4), with the value range of
 * every intermediate (hardware widths come from these ranges), the exact
 * floor division it needs, and the integer x0 = floor(−1/S) derived from a
 * dyadic scale.
 */
import { floorDivBig, roundShift } from "../rounding.js";
import { IntRange, signedBitsFor, unsignedBitsFor } from "../widths.js";

/** A dyadic number `multiplier · 2^−shift` (multiplier > 0, shift ≥ 0 integers): an input scale S. */
export interface Dyadic {
  readonly multiplier: number;
  readonly shift: number;
}

/** 2^31 − 1: the numerator of every integer reciprocal in §3–§5. */
export const RECIPROCAL_NUMERATOR = 2 ** 31 - 1;

/**
 * floor(a / b) for integers (b ≠ 0), also for negative a or b. Exact while |a|, |b|,
 * |q·b| < 2^52: the float quotient is off by at most one and the remainder check
 * below (exact integer arithmetic in that range) corrects it.
 */
export function floorDiv(a: number, b: number): number {
  if (b < 0) return floorDiv(-a, -b);
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) q -= 1;
  else if (r >= b) q += 1;
  return q === 0 ? 0 : q; // never −0
}

/**
 * x0 = floor(−1 / (ratio · S)) for S = m·2^−k given as a dyadic number and a
 * rational slope ratio = num/den (1 for Shiftmax, 1.702 = 851/500 for ShiftGELU):
 * floor(−den·2^k / (num·m)), evaluated exactly in BigInt.
 * [ours] The published code evaluates floor(−1/S) in float32; we take the input
 * scale as a dyadic number (docs/integer-ops.md §1 form) and evaluate the floor exactly, so x0 is
 * a pure function of integers and never depends on float rounding.
 */
export function x0FromScale(scale: Dyadic, ratio: { readonly num: number; readonly den: number } = { num: 1, den: 1 }): number {
  const numerator = -BigInt(ratio.den) << BigInt(scale.shift);
  return Number(floorDivBig(numerator, BigInt(ratio.num) * BigInt(scale.multiplier)));
}

/** The float value m·2^−k of a dyadic number. */
export function dyadicValue(d: Dyadic): number {
  return d.multiplier / 2 ** d.shift;
}

/** x + floor(x/2) − floor(x/16): x · log2(e) ≈ x · 1.4375 (§3, first line of exp_shift). */
export function log2eScale(x: number): number {
  return x + roundShift(x, 1, "floor") - roundShift(x, 4, "floor");
}

/**
 * exp_shift(x, S, n) of §3 for an integer x ≤ 0 and x0 = floor(−1/S) ≤ −1:
 * e ≈ |x0|·2^n · e^(x·S), computed with shifts, one small division and no multiply
 * by S. Every intermediate stays below 2^33·|x0|: plain numbers are exact.
 */
export function expShift(x: number, x0: number, n: number): number {
  const scaled = log2eScale(x);
  const clamped = Math.max(scaled, n * x0);
  const q = floorDiv(clamped, x0); // 0 ≤ q ≤ n
  const r = clamped - x0 * q; // x0 < r ≤ 0
  return roundShift((r - 2 * x0) * 2 ** (n - q), 1, "floor");
}

/** Value range of each intermediate of expShift for arguments x ∈ [argLo, 0]. */
export interface ExpShiftRanges {
  readonly arg: IntRange; // x
  readonly scaled: IntRange; // x + floor(x/2) − floor(x/16)
  readonly clamped: IntRange; // max(scaled, n·x0)
  readonly quotient: IntRange; // q
  readonly remainder: IntRange; // r
  readonly mantissa: IntRange; // r − 2·x0
  readonly exp: IntRange; // e
}

/**
 * Ranges of exp_shift over x ∈ [argLo, 0]. `log2eScale` is non-decreasing (a step
 * of +1 in x adds 1 + {0,1} − {0,1} ≥ 0), and so are the clamp and e (within one q,
 * e grows with r; across a step of q it goes from |x0|·2^(n−q−1) to
 * floor((|x0|+1)·2^(n−q−1))), while q is non-increasing: those ranges are exact at
 * the two end points. r and r − 2·x0 are given their whole intervals (x0, 0] and
 * [|x0| + 1, 2|x0|] once q takes two values (a superset: safe for widths).
 */
export function expShiftRanges(argLo: number, x0: number, n: number): ExpShiftRanges {
  const scaledLo = log2eScale(argLo);
  const clampedLo = Math.max(scaledLo, n * x0);
  const qHi = floorDiv(clampedLo, x0);
  const rLo = qHi === 0 ? clampedLo : x0 + 1;
  const big = (lo: number, hi: number): IntRange => ({ lo: BigInt(lo), hi: BigInt(hi) });
  return {
    arg: big(argLo, 0),
    scaled: big(scaledLo, 0),
    clamped: big(clampedLo, 0),
    quotient: big(0, qHi),
    remainder: big(rLo, 0),
    mantissa: big(-2 * x0 + rLo, -2 * x0),
    exp: big(expShift(argLo, x0, n), expShift(0, x0, n)),
  };
}

/** Bit widths of the exp_shift intermediates (signed for ≤ 0 values, unsigned for ≥ 0 ones). */
export interface ExpShiftWidths {
  readonly argBits: number;
  readonly scaledBits: number;
  readonly clampedBits: number;
  readonly quotientBits: number;
  readonly remainderBits: number;
  readonly mantissaBits: number;
  /** Bits of the left-shifted mantissa (r − 2·x0)·2^(n − q) before the final >> 1. */
  readonly shiftedBits: number;
  readonly expBits: number;
}

export function expShiftWidths(r: ExpShiftRanges, n: number): ExpShiftWidths {
  return {
    argBits: signedBitsFor(r.arg),
    scaledBits: signedBitsFor(r.scaled),
    clampedBits: signedBitsFor(r.clamped),
    quotientBits: unsignedBitsFor(r.quotient.hi),
    remainderBits: signedBitsFor(r.remainder),
    mantissaBits: unsignedBitsFor(r.mantissa.hi),
    shiftedBits: unsignedBitsFor(r.mantissa.hi << BigInt(n)),
    expBits: unsignedBitsFor(r.exp.hi),
  };
}

/**
 * The integer ops of the non-engine layers (issue 3), one definition each,
 * shared by the golden kernels and the RTL parameter functions.
 */
import { roundShift, RoundingMode, saturate } from "./rounding.js";
import { addRanges, IntRange, mulRanges, pointRange, signedRange } from "./widths.js";

/** ReLU with zero point 0. */
export function relu(x: number): number {
  return x < 0 ? 0 : x;
}

/** max of two values of a pooled window; on ±1 tensors this is the OR of the bits. */
export function poolMax(a: number, b: number): number {
  return a > b ? a : b;
}

export interface ResidualAddParams {
  readonly multipliers: readonly [number, number];
  readonly shift: number;
  readonly rounding: RoundingMode;
  readonly outBits: number;
  readonly relu: boolean;
}

/**
 * Residual add, docs/integer-ops.md §1: both operands go to a common intermediate with ONE
 * shared k — round_k(a·m_a) and round_k(b·m_b) — then they are added,
 * saturated to outBits, and ReLU'd when enabled. Each operand is rounded on its
 * own (not the sum), so ties round per operand.
 * Bound: |a|,|b| < 2^16 and m < 2^31 keep a·m below 2^47: plain numbers are exact.
 */
export function residualAdd(a: number, b: number, p: ResidualAddParams): number {
  const y = saturate(roundShift(a * p.multipliers[0], p.shift, p.rounding) + roundShift(b * p.multipliers[1], p.shift, p.rounding), p.outBits);
  return p.relu && y < 0 ? 0 : y;
}

/** Range of one aligned operand round_k(x·m) for x in `bits` signed bits (rounding moves an end by at most 1). */
export function alignedOperandRange(bits: number, multiplier: number, shift: number): IntRange {
  const p = mulRanges(signedRange(bits), pointRange(multiplier));
  const k = BigInt(shift);
  // floor division bounds, widened by one for the rounding modes that round up
  const lo = (p.lo >> k) - 1n;
  const hi = (p.hi >> k) + 1n;
  return { lo, hi };
}

/** Range of the un-saturated sum of the two aligned operands (the adder's width comes from it). */
export function residualSumRange(aBits: number, bBits: number, p: Pick<ResidualAddParams, "multipliers" | "shift">): IntRange {
  return addRanges(alignedOperandRange(aBits, p.multipliers[0], p.shift), alignedOperandRange(bBits, p.multipliers[1], p.shift));
}

/** Range of a window sum of `count` values of `bits` bits (avg pooling accumulator). */
export function windowSumRange(bits: number, count: number): IntRange {
  const r = signedRange(bits);
  return { lo: r.lo * BigInt(count), hi: r.hi * BigInt(count) };
}

/** Index of the first maximum (numpy's argmax tie rule). */
export function argmaxIndex(values: ArrayLike<number>, start = 0, count = values.length - start): number {
  let best = 0;
  for (let i = 1; i < count; i++) if (values[start + i] > values[start + best]) best = i;
  return best;
}

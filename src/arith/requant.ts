/**
 * Dyadic requantization — docs/integer-ops.md §1:
 *   y = sat_b(round_k(acc · m, mode) + zp), then ReLU as y = max(y, zp) when enabled.
 */
import { roundShift, roundShiftBig, RoundingMode, saturate, signedMax, signedMin } from "./rounding.js";
import { IntRange, mulRanges, pointRange } from "./widths.js";
import { QuantrtlError } from "../util/errors.js";

export interface RequantParams {
  readonly multiplier: number; // m ≥ 0, an integer of multiplierBits bits
  readonly multiplierBits: number;
  readonly shift: number; // k ≥ 0
  readonly rounding: RoundingMode;
  readonly outBits: number;
  readonly zeroPoint: number;
  readonly relu: boolean;
}

export const DEFAULT_MULTIPLIER_BITS = 16; // [ours] docs/integer-ops.md §1 default

/** Requantizes one accumulator value. Uses BigInt only when acc·m leaves ±2^53. */
export function requantize(acc: number, p: RequantParams): number {
  const product = acc * p.multiplier;
  let rounded: number;
  if (Math.abs(product) <= Number.MAX_SAFE_INTEGER) {
    rounded = roundShift(product, p.shift, p.rounding);
  } else {
    rounded = Number(roundShiftBig(BigInt(acc) * BigInt(p.multiplier), p.shift, p.rounding));
  }
  const y = saturate(rounded + p.zeroPoint, p.outBits);
  return p.relu && y < p.zeroPoint ? p.zeroPoint : y;
}

/** Range of acc · m for an accumulator range and a fixed multiplier. */
export function productRange(acc: IntRange, multiplier: number): IntRange {
  return mulRanges(acc, pointRange(multiplier));
}

/** Output range after saturation and the optional ReLU. */
export function requantOutputRange(p: RequantParams): IntRange {
  const lo = p.relu ? Math.max(signedMin(p.outBits), p.zeroPoint) : signedMin(p.outBits);
  return { lo: BigInt(lo), hi: BigInt(signedMax(p.outBits)) };
}

/**
 * Turns a real ratio r = s_in / s_out into (m, k): the largest k such that
 * round(r · 2^k) < 2^mBits (§1). k is capped at 62 to keep acc·m·2 within a
 * 128-bit datapath even for wide accumulators.
 */
export function multiplierFromRatio(ratio: number, multiplierBits: number): { multiplier: number; shift: number } {
  if (!(ratio > 0) || !Number.isFinite(ratio)) {
    throw new QuantrtlError(
      undefined,
      "requant.ratio",
      `scale ratio ${ratio} is not a positive finite number`,
      "check the calibration ranges (both scales must be > 0)",
    );
  }
  const limit = 2 ** multiplierBits;
  if (Math.round(ratio) >= limit) {
    throw new QuantrtlError(
      undefined,
      "requant.ratio",
      `scale ratio ${ratio} needs more than ${multiplierBits} multiplier bits`,
      `use a wider multiplier or a larger output scale`,
    );
  }
  let shift = 0;
  while (shift < 62 && Math.round(ratio * 2 ** (shift + 1)) < limit) shift++;
  const multiplier = Math.round(ratio * 2 ** shift);
  if (multiplier === 0) {
    throw new QuantrtlError(
      undefined,
      "requant.ratio",
      `scale ratio ${ratio} is below 2^-63: every output would be the zero point`,
      "check the calibration ranges (the output scale is far larger than the accumulator scale)",
    );
  }
  return { multiplier, shift };
}

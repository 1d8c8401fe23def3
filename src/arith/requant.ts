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
  return saturateRequant(rounded, p);
}

/** requantize for an accumulator beyond ±2^53 (a reduction too long or too wide for exact float64 sums). */
export function requantizeBig(acc: bigint, p: RequantParams): number {
  const rounded = roundShiftBig(acc * BigInt(p.multiplier), p.shift, p.rounding);
  const hi = BigInt(signedMax(p.outBits)) - BigInt(p.zeroPoint);
  const lo = BigInt(signedMin(p.outBits)) - BigInt(p.zeroPoint);
  // clamp before Number(): the saturation below gives the same result for anything beyond the range
  return saturateRequant(Number(rounded > hi ? hi + 1n : rounded < lo ? lo - 1n : rounded), p);
}

/** + zp, sat_b, then the optional ReLU max(y, zp) (§1). */
function saturateRequant(rounded: number, p: RequantParams): number {
  const y = saturate(rounded + p.zeroPoint, p.outBits);
  return p.relu && y < p.zeroPoint ? p.zeroPoint : y;
}

/**
 * requantize (above) over a whole tensor, with the loop-invariant parts hoisted:
 * out[i] = requantize(acc[i], p with multiplier multipliers[i mod channels]).
 * The same op, evaluated inline when |v| = |acc·m| ≤ 2^52, 1 ≤ k ≤ 52 and |zp| ≤ 2^31
 * (any other element goes through requantize itself; tests prove the two equal for
 * every rounding mode). There every step is exact in float64: v·2^−k is v scaled
 * (|v·2^−k| ≤ 2^51), and
 *   floor      floor(v·2^−k)
 *   half_up    floor((v + 2^(k−1))·2^−k)            (|v| + 2^(k−1) < 2^53)
 *   half_away  sign(v)·floor((|v| + 2^(k−1))·2^−k)
 *   half_even  (v·2^−k + 1.5·2^52) − 1.5·2^52        (float64 addition rounds half to even
 *              at unit spacing, which [2^52, 2^53) has; the result is an integer)
 * and the clamps max(a, b) = (a + b + |a − b|)/2, min(a, b) = (a + b − |a − b|)/2 are
 * exact (operands and results below 2^53): no data-dependent branch in the loop.
 */
export function requantizeTensor(acc: Float64Array, p: RequantParams, multipliers: ArrayLike<number> | undefined, out: Int32Array): void {
  const k = p.shift;
  const inversePow = 2 ** -k;
  const half = 2 ** (k - 1);
  const mode = ROUNDING_CODE[p.rounding];
  const zp = p.zeroPoint;
  // sat_b then ReLU max(·, zp) as one clamp: max(min(hi, max(lo, x)), zp) = min(max(hi, zp), max(lo, zp, x))
  const bottom = p.relu ? Math.max(signedMin(p.outBits), zp) : signedMin(p.outBits);
  const top = p.relu ? Math.max(signedMax(p.outBits), zp) : signedMax(p.outBits);
  // one element kind in the loop whatever the caller passes (number[] or a typed array)
  const m = multipliers ? Float64Array.from(multipliers) : Float64Array.of(p.multiplier);
  const channels = m.length;
  if (!(k >= 1 && k <= 52 && Math.abs(zp) <= 2 ** 31)) {
    for (let i = 0, c = 0; i < acc.length; i++, c = c + 1 === channels ? 0 : c + 1) out[i] = requantize(acc[i], withMultiplier(p, m[c]));
    return;
  }
  const EVEN = 1.5 * 2 ** 52;
  let wide = false;
  for (let i = 0, c = 0; i < acc.length; i++) {
    const v = acc[i] * m[c];
    if (++c === channels) c = 0;
    // |v| > 2^52 (or NaN): left to requantize in the second pass below
    if (!(Math.abs(v) <= 2 ** 52)) wide = true;
    let rounded: number;
    if (mode === 3) rounded = v * inversePow + EVEN - EVEN;
    else if (mode === 1) rounded = Math.floor((v + half) * inversePow);
    else if (mode === 0) rounded = Math.floor(v * inversePow);
    else rounded = Math.sign(v) * Math.floor((Math.abs(v) + half) * inversePow);
    const x = rounded + zp;
    const y = (bottom + x + Math.abs(x - bottom)) * 0.5;
    out[i] = (top + y - Math.abs(y - top)) * 0.5;
  }
  if (!wide) return;
  for (let i = 0, c = 0; i < acc.length; i++, c = c + 1 === channels ? 0 : c + 1)
    if (!(Math.abs(acc[i] * m[c]) <= 2 ** 52)) out[i] = requantize(acc[i], withMultiplier(p, m[c]));
}

function withMultiplier(p: RequantParams, multiplier: number): RequantParams {
  return multiplier === p.multiplier ? p : { ...p, multiplier };
}

const ROUNDING_CODE: Record<RoundingMode, number> = { floor: 0, half_up: 1, half_away: 2, half_even: 3 };

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

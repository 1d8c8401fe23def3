/**
 * The integer op of the ViT token embedding (src/ir/model.ts TokenEmbedLayer), defined
 * once for the golden kernel and the RTL parameter functions: the residual add of
 * docs/integer-ops.md §1 where the second operand, the embedding E, is already on the output scale:
 *   y = sat_b(round_k(x·m) + e)      (x = 0 for the class-token row)
 */
import { RequantParams } from "./requant.js";
import { roundShift, roundShiftBig, saturate } from "./rounding.js";
import { addRanges, IntRange, mulRanges, pointRange, rangeOfValues, signedBitsFor, signedRange } from "./widths.js";

/** Bound: |x| < 2^16 and m < 2^32 keep x·m below 2^48, so plain numbers are exact. */
export function embedToken(x: number, e: number, p: RequantParams): number {
  return saturate(roundShift(x * p.multiplier, p.shift, p.rounding) + e, p.outBits);
}

/** Value ranges of the token-embedding datapath for `inBits`-bit tokens and the table `embedding`. */
export interface TokenEmbedRanges {
  /** x·m (x = 0 included: the class row). */
  readonly product: IntRange;
  /** round_k(x·m). */
  readonly rescaled: IntRange;
  readonly embedding: IntRange;
  /** round_k(x·m) + e, before the saturation. */
  readonly sum: IntRange;
}

export function tokenEmbedRanges(inBits: number, p: RequantParams, embedding: ArrayLike<number>): TokenEmbedRanges {
  const product = mulRanges(signedRange(inBits), pointRange(p.multiplier));
  // every rounding mode is monotone: the ends of the product give the ends of round_k
  const rescaled = { lo: roundShiftBig(product.lo, p.shift, p.rounding), hi: roundShiftBig(product.hi, p.shift, p.rounding) };
  const table = rangeOfValues(embedding);
  return { product, rescaled, embedding: table, sum: addRanges(rescaled, table) };
}

/** Bits of the saturating sum (at least outBits + 1, so the clamp compares against both ends). */
export function tokenEmbedSumBits(r: TokenEmbedRanges, outBits: number): number {
  return Math.max(signedBitsFor(r.sum), outBits + 1);
}

/** Parameter checks at the edge of the integer ViT ops (docs/design.md "Errors": check at the edge, trust inside). */
import { QuantrtlError } from "../../util/errors.js";
import { Dyadic, RECIPROCAL_NUMERATOR } from "./expshift.js";

export function checkInt(path: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new QuantrtlError(undefined, path, `${path} = ${v} is not an integer in [${lo}, ${hi}]`, `use an integer from ${lo} to ${hi}`);
  }
}

export function checkScale(path: string, s: Dyadic): void {
  if (!Number.isInteger(s.multiplier) || s.multiplier < 1 || !Number.isInteger(s.shift) || s.shift < 0 || s.shift > 1000) {
    throw new QuantrtlError(
      undefined,
      path,
      `scale ${s.multiplier}·2^-${s.shift} is not a positive dyadic number`,
      "give the scale as { multiplier ≥ 1, shift ≥ 0 } integers (multiplierFromRatio makes one)",
    );
  }
}

/**
 * The bound the exp_shift users need: terms·|x0|·2^n ≤ 2^31 − 1, so that the sum of
 * `terms` exp_shift values (each at most e(0) = |x0|·2^n) stays below the reciprocal
 * numerator 2^31 − 1 (terms = 1 for Shiftmax's single value, 2 for ShiftGELU's a + c).
 */
export function checkExpShiftBound(path: string, scale: Dyadic, x0: number, n: number, terms = 1): void {
  if (terms * -x0 * 2 ** n <= RECIPROCAL_NUMERATOR) return;
  const maxN = Math.floor(Math.log2(RECIPROCAL_NUMERATOR / (terms * -x0)));
  const factor = terms === 1 ? "" : `${terms}·`;
  throw new QuantrtlError(
    undefined,
    path,
    `input scale ${scale.multiplier}·2^-${scale.shift} gives x0 = ${x0}, and ${factor}|x0|·2^n = ${factor}${-x0}·2^${n} exceeds 2^31 − 1`,
    maxN >= 0
      ? `use n ≤ ${maxN}, or a larger input scale (|x0| ≤ ${Math.floor(RECIPROCAL_NUMERATOR / (terms * 2 ** n))} at n = ${n})`
      : "use a larger input scale",
  );
}

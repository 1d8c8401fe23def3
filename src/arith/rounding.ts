/**
 * Rounding division by a power of two and saturation — docs/integer-ops.md §1.
 * The one definition every golden kernel uses; the requant template implements
 * the same operation through the addend form in `roundingAddend` (tested equal).
 */
export type RoundingMode = "floor" | "half_up" | "half_away" | "half_even";
export const ROUNDING_MODES: readonly RoundingMode[] = ["floor", "half_up", "half_away", "half_even"];

/**
 * round_k(v, mode): v / 2^k rounded by `mode` (§1). Exact for |v| < 2^53:
 * division by a power of two is exact in binary floating point, so
 * `Math.floor(v / 2^k)` and the remainder below are exact integers.
 */
export function roundShift(v: number, k: number, mode: RoundingMode): number {
  if (k === 0) return v;
  // beyond these bounds |v| + 2^(k−1) or the remainder may round: take the exact path
  if (k > 52 || Math.abs(v) > 2 ** 52) return Number(roundShiftBig(BigInt(v), k, mode));
  const pow = 2 ** k;
  const half = pow / 2;
  const q = Math.floor(v / pow);
  const r = v - q * pow; // 0 <= r < 2^k
  switch (mode) {
    case "floor":
      return q;
    case "half_up":
      return r >= half ? q + 1 : q;
    case "half_away": {
      // sign(v) · floor((|v| + 2^(k−1)) / 2^k)  (TFLite RoundingDivideByPOT)
      const mag = Math.floor((Math.abs(v) + half) / pow);
      return v < 0 && mag !== 0 ? -mag : mag; // never −0
    }
    case "half_even":
      if (r > half) return q + 1;
      if (r < half) return q;
      return q % 2 === 0 ? q : q + 1;
  }
}

/** round_k on BigInt, for products that can exceed 2^53 (same definition as roundShift). */
export function roundShiftBig(v: bigint, k: number, mode: RoundingMode): bigint {
  if (k === 0) return v;
  const pow = 1n << BigInt(k);
  const half = pow >> 1n;
  const q = floorDivBig(v, pow);
  const r = v - q * pow;
  switch (mode) {
    case "floor":
      return q;
    case "half_up":
      return r >= half ? q + 1n : q;
    case "half_away": {
      const mag = ((v < 0n ? -v : v) + half) / pow;
      return v < 0n ? -mag : mag;
    }
    case "half_even":
      if (r > half) return q + 1n;
      if (r < half) return q;
      return (q & 1n) === 0n ? q : q + 1n;
  }
}

/** round_half_even(n / d) for BigInt, d > 0, exactly (the rational case of round_k: ONNX's QLinear requant). */
export function roundHalfEvenDivBig(n: bigint, d: bigint): bigint {
  const q = floorDivBig(n, d);
  const twice = 2n * (n - q * d);
  return twice > d || (twice === d && (q & 1n) !== 0n) ? q + 1n : q;
}

/** Mathematical floor(a / b) for BigInt, b > 0 (BigInt `/` truncates toward zero). */
export function floorDivBig(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/**
 * The hardware form of round_k used by the requant template: add an addend that
 * depends on the mode (and, for half_away, the sign of v; for half_even, bit k of
 * v), then arithmetic-shift right by k. `roundShiftByAddend` evaluates this form so
 * a test can prove it equal to `roundShift` for every mode.
 *   floor:     0
 *   half_up:   2^(k−1)
 *   half_away: v ≥ 0 → 2^(k−1);  v < 0 → 2^(k−1) − 1
 *   half_even: 2^(k−1) − 1 + bit_k(v)
 */
export function roundingAddend(mode: RoundingMode, k: number, negative: boolean, bitK: 0 | 1): bigint {
  if (k === 0) return 0n;
  const half = 1n << BigInt(k - 1);
  switch (mode) {
    case "floor":
      return 0n;
    case "half_up":
      return half;
    case "half_away":
      return negative ? half - 1n : half;
    case "half_even":
      return half - 1n + BigInt(bitK);
  }
}

export function roundShiftByAddend(v: bigint, k: number, mode: RoundingMode): bigint {
  const bitK = ((v >> BigInt(k)) & 1n) === 1n ? 1 : 0;
  return (v + roundingAddend(mode, k, v < 0n, bitK)) >> BigInt(k);
}

/** sat_b(v): clamp to the signed range of b bits (§1). */
export function saturate(v: number, bits: number): number {
  const hi = 2 ** (bits - 1) - 1;
  const lo = -(2 ** (bits - 1));
  return v > hi ? hi : v < lo ? lo : v;
}

/** usat_b(v): clamp to [0, 2^b − 1] (§1). */
export function saturateUnsigned(v: number, bits: number): number {
  const hi = 2 ** bits - 1;
  return v > hi ? hi : v < 0 ? 0 : v;
}

export function signedMin(bits: number): number {
  return -(2 ** (bits - 1));
}
export function signedMax(bits: number): number {
  return 2 ** (bits - 1) - 1;
}

/** Nearest integer to a real value, ties to even (torch.round / numpy.round): used to quantize floats. */
export function roundHalfEvenReal(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f === 0 ? 0 : f; // never −0
  return f % 2 === 0 ? f : f + 1;
}

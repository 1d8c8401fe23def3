/**
 * The reduction datapaths — docs/integer-ops.md §2. Each per-element term is
 * defined here once; golden kernels call these, and the PE templates implement
 * the same terms (the RTL tests prove them equal).
 */
import { addRanges, IntRange, scaleRange, signedBitsFor, signedRange, unionRanges } from "./widths.js";

export type Datapath = "mac" | "adder" | "xnor" | "shift";
export const DATAPATHS: readonly Datapath[] = ["mac", "adder", "xnor", "shift"];

/** MAC term x·w (§2). */
export function macTerm(x: number, w: number): number {
  return x * w;
}

/** AdderNet term −|x − w| with x and w on one shared scale (§2). */
export function adderTerm(x: number, w: number): number {
  return -Math.abs(x - w);
}

/**
 * Shift term (§2, comparison datapath): the weight is w = σ·2^q as an integer
 * (σ ∈ {−1, 0, +1}, 0 ≤ q ≤ P, i.e. the float weight σ·2^(q−P) on scale 2^−P),
 * and the term is σ·(x << q) — a shift and a sign, no multiplier.
 */
export function shiftTerm(x: number, w: number): number {
  if (w === 0) return 0;
  const shifted = x * 2 ** shiftAmount(w); // x << q, exact for |x| < 2^31 and q ≤ 14
  return w < 0 ? -shifted : shifted;
}

/** q of a shift weight ±2^q. */
export function shiftAmount(w: number): number {
  return Math.round(Math.log2(Math.abs(w)));
}

/** Largest q of a shift layer: ±2^q must fit the signed weightBits (P = weightBits − 2). */
export function maxShift(weightBits: number): number {
  return weightBits - 2;
}

/** Whether w is a valid shift weight: 0 or ±2^q with 0 ≤ q ≤ P. */
export function isShiftWeight(w: number, weightBits: number): boolean {
  if (w === 0) return true;
  const a = Math.abs(w);
  return Number.isInteger(a) && (a & (a - 1)) === 0 && a <= 2 ** maxShift(weightBits);
}

/** The shift weight nearest to an integer w in log scale: sign(w)·2^round(log2|w|), q clipped to [0, P]. */
export function nearestShiftWeight(w: number, weightBits: number): number {
  if (w === 0) return 0;
  const q = Math.min(maxShift(weightBits), Math.max(0, Math.round(Math.log2(Math.abs(w)))));
  return Math.sign(w) * 2 ** q;
}

/** XNOR on ±1 values packed as bits (1 ↔ +1, 0 ↔ −1): 1 when the signs agree. */
export function xnorBit(xBit: number, wBit: number): number {
  return xBit === wBit ? 1 : 0;
}

/** dot = 2·popcount(xnor(x, w)) − K (§2). */
export function xnorDot(popcount: number, reductionLength: number): number {
  return 2 * popcount - reductionLength;
}

/** Threshold output of a binary layer: dot ≥ τ, or dot ≤ τ when the folded BN scale is negative (§2). */
export type ThresholdDirection = "ge" | "le";
export function thresholdBit(dot: number, tau: number, direction: ThresholdDirection): number {
  return (direction === "ge" ? dot >= tau : dot <= tau) ? 1 : 0;
}

/** ±1 value ↔ bit (1 ↔ +1, 0 ↔ −1). */
export function bitOfSign(v: number): number {
  return v > 0 ? 1 : 0;
}
export function signOfBit(b: number): number {
  return b ? 1 : -1;
}

/** Range of one term for operands of the given widths. xnor terms are ±1 in the dot domain. */
export function termRange(datapath: Datapath, activationBits: number, weightBits: number): IntRange {
  switch (datapath) {
    case "mac": {
      const x = signedRange(activationBits);
      const w = signedRange(weightBits);
      const products = [x.lo * w.lo, x.lo * w.hi, x.hi * w.lo, x.hi * w.hi];
      return {
        lo: products.reduce((a, b) => (b < a ? b : a)),
        hi: products.reduce((a, b) => (b > a ? b : a)),
      };
    }
    case "adder": {
      // |x − w| ≤ 2^b − 1 when x and w share b bits (§2); activationBits = weightBits is checked at load.
      const maxAbsDiff = (1n << BigInt(activationBits)) - 1n;
      return { lo: -maxAbsDiff, hi: 0n };
    }
    case "xnor":
      return { lo: -1n, hi: 1n };
    case "shift": {
      // σ·(x << q), |x| ≤ 2^(bx−1), q ≤ P
      const m = (1n << BigInt(activationBits - 1)) << BigInt(maxShift(weightBits));
      return { lo: -m, hi: m };
    }
  }
}

/** Accumulator range over a reduction of `reductionLength` terms plus the bias values (if any). */
export function accRange(datapath: Datapath, activationBits: number, weightBits: number, reductionLength: number, biasRange?: IntRange): IntRange {
  const sum = scaleRange(termRange(datapath, activationBits, weightBits), reductionLength);
  return biasRange ? addRanges(sum, unionRanges(biasRange, { lo: 0n, hi: 0n })) : sum;
}

/** Accumulator width: computed from the range, never assumed (docs/design.md). */
export function accBits(datapath: Datapath, activationBits: number, weightBits: number, reductionLength: number, biasRange?: IntRange): number {
  return signedBitsFor(accRange(datapath, activationBits, weightBits, reductionLength, biasRange));
}

/**
 * Value of a padded input position. mac/adder: 0, the zero point of symmetric
 * activations (AdderNet pads the unfolded input with zeros, so a padded tap adds
 * −|w|). xnor: +1 [ours] — a ±1 datapath has no zero; +1 matches sign(0) = +1 of
 * the usual binarizer applied before padding.
 */
export function paddingValue(datapath: Datapath): number {
  return datapath === "xnor" ? 1 : 0;
}

/*
 * The same terms summed over a whole reduction, for the golden kernels' inner loops
 * (§2). Operands are typed arrays at offsets, the loops carry no closure and no
 * branch on the datapath; tests prove each equal to the per-term sum above. The
 * callers keep the sums inside ±2^53 (they check accBits ≤ 53), so float64
 * accumulation is exact: every partial sum is an integer of at most accBits bits.
 */

/** Σ x[i]·w[i] over `length` terms: the MAC term summed (§2); the shift datapath too, with w = shiftCoefficient(w). */
export function macSum(x: Float64Array, xOffset: number, w: Float64Array, wOffset: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  // two partial sums: exact reassociation (integers), shorter dependency chains
  for (; i + 1 < length; i += 2) {
    s0 += x[xOffset + i] * w[wOffset + i];
    s1 += x[xOffset + i + 1] * w[wOffset + i + 1];
  }
  if (i < length) s0 += x[xOffset + i] * w[wOffset + i];
  return s0 + s1;
}

/** −Σ |x[i] − w[i]|: the AdderNet term summed (§2). */
export function adderSum(x: Float64Array, xOffset: number, w: Float64Array, wOffset: number, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < length; i += 2) {
    s0 -= Math.abs(x[xOffset + i] - w[wOffset + i]);
    s1 -= Math.abs(x[xOffset + i + 1] - w[wOffset + i + 1]);
  }
  if (i < length) s0 -= Math.abs(x[xOffset + i] - w[wOffset + i]);
  return s0 + s1;
}

/**
 * macSum for four weight rows at once (w rows at wOffset + r·length, r = 0…3): one
 * read of x serves four sums. Writes them to out[outOffset + r], each plus bias[r]'s value.
 */
export function macSum4(
  x: Float64Array,
  xOffset: number,
  w: Float64Array,
  wOffset: number,
  length: number,
  bias: Float64Array,
  biasOffset: number,
  out: Float64Array,
  outOffset: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const w1 = wOffset + length;
  const w2 = w1 + length;
  const w3 = w2 + length;
  for (let i = 0; i < length; i++) {
    const v = x[xOffset + i];
    s0 += v * w[wOffset + i];
    s1 += v * w[w1 + i];
    s2 += v * w[w2 + i];
    s3 += v * w[w3 + i];
  }
  out[outOffset] = s0 + bias[biasOffset];
  out[outOffset + 1] = s1 + bias[biasOffset + 1];
  out[outOffset + 2] = s2 + bias[biasOffset + 2];
  out[outOffset + 3] = s3 + bias[biasOffset + 3];
}

/** adderSum for four weight rows at once, as macSum4. */
export function adderSum4(
  x: Float64Array,
  xOffset: number,
  w: Float64Array,
  wOffset: number,
  length: number,
  bias: Float64Array,
  biasOffset: number,
  out: Float64Array,
  outOffset: number,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const w1 = wOffset + length;
  const w2 = w1 + length;
  const w3 = w2 + length;
  for (let i = 0; i < length; i++) {
    const v = x[xOffset + i];
    s0 -= Math.abs(v - w[wOffset + i]);
    s1 -= Math.abs(v - w[w1 + i]);
    s2 -= Math.abs(v - w[w2 + i]);
    s3 -= Math.abs(v - w[w3 + i]);
  }
  out[outOffset] = s0 + bias[biasOffset];
  out[outOffset + 1] = s1 + bias[biasOffset + 1];
  out[outOffset + 2] = s2 + bias[biasOffset + 2];
  out[outOffset + 3] = s3 + bias[biasOffset + 3];
}

/**
 * The shift term is linear in x — σ·(x << q) = x·(σ·2^q) — so a shift layer sums
 * x·c with c = shiftTerm(1, w), the coefficient of its weight.
 */
export function shiftCoefficient(w: number): number {
  return shiftTerm(1, w);
}

/** Number of set bits of a 32-bit word (SWAR). */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) | 0;
}

/** Words of a packed ±1 vector of `length` values (32 per word). */
export function packedWords(length: number): number {
  return (length + 31) >>> 5;
}

/** Packs sign bits: bit i of the vector is bitOfSign(x[i]), at word i >> 5, bit i & 31; the tail of the last word is 0. */
export function packSigns(x: ArrayLike<number>, xOffset: number, length: number, out: Int32Array, outOffset: number): void {
  const words = packedWords(length);
  for (let j = 0; j < words; j++) out[outOffset + j] = 0;
  for (let i = 0; i < length; i++) if (x[xOffset + i] > 0) out[outOffset + (i >>> 5)] |= 1 << (i & 31);
}

/**
 * popcount(xnor(x, w)) over `length` packed values (§2): the tails of both last
 * words are 0, so the agreeing bits are length − popcount(x ⊕ w).
 */
export function xnorPopcount(x: Int32Array, xOffset: number, w: Int32Array, wOffset: number, words: number, length: number): number {
  let differ = 0;
  for (let j = 0; j < words; j++) differ += popcount32(x[xOffset + j] ^ w[wOffset + j]);
  return length - differ;
}

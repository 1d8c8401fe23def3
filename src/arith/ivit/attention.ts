/**
 * Integer multi-head attention — docs/integer-ops.md §6 — for one head of one row:
 *   s[j] = Σ_c q[c]·k[j][c]            (int8 × int8 → int32 over the head dim d)
 *   p    = shiftmax(s) with x0 = floor(−1/S), S = s_q·s_k/sqrt(d)   (§3; 1/sqrt(d) only in S)
 *   a[c] = Σ_j p[j]·v[j][c]            (uint7 on 1/128 × int8 → int32), then requantized (§1)
 * The value ranges below give every width of the attention unit.
 */
import { IntRange, mulRanges, scaleRange, signedBitsFor, signedRange } from "../widths.js";
import { ShiftmaxParams, shiftmax } from "./shiftmax.js";

/** Q, K and V are int8 (§6). */
export const ATTENTION_INPUT_BITS = 8;

/** q·k of one head-dim lane: [−2^(b−1)·(2^(b−1) − 1), 2^(2b−2)]. */
export function attentionProductRange(bits: number): IntRange {
  return mulRanges(signedRange(bits), signedRange(bits));
}

/** A score s[j]: `lanes` products summed (lanes = d for a whole score, SIMD for one cycle's dot). */
export function attentionScoreRange(lanes: number, bits: number): IntRange {
  return scaleRange(attentionProductRange(bits), lanes);
}

export function attentionScoreBits(headDim: number, bits: number): number {
  return signedBitsFor(attentionScoreRange(headDim, bits));
}

/** Shiftmax output p ∈ [0, 2^(b−1) − 1]. */
export function attentionProbRange(p: ShiftmaxParams): IntRange {
  return { lo: 0n, hi: (1n << BigInt(p.outBits - 1)) - 1n };
}

/** a[c] = Σ over `tokens` of p·v. */
export function attentionAccRange(tokens: number, p: ShiftmaxParams, bits: number): IntRange {
  return scaleRange(mulRanges(attentionProbRange(p), signedRange(bits)), tokens);
}

/**
 * One head of one row: `q` the row's head slice (d values), `keys` / `values` the
 * head slices of every token (T rows of d, row-major). Returns the d accumulators
 * a[c] before the requant. |a| ≤ T·127·128 and |s| ≤ d·2^14: plain numbers are exact.
 */
export function attentionHead(q: ArrayLike<number>, keys: Int32Array, values: Int32Array, tokens: number, headDim: number, p: ShiftmaxParams): Float64Array {
  const scores = new Int32Array(tokens);
  for (let j = 0; j < tokens; j++) {
    let s = 0;
    for (let c = 0; c < headDim; c++) s += q[c] * keys[j * headDim + c];
    scores[j] = s;
  }
  const probs = shiftmax(scores, p);
  const acc = new Float64Array(headDim);
  for (let j = 0; j < tokens; j++) {
    const pj = probs[j];
    if (pj === 0) continue;
    for (let c = 0; c < headDim; c++) acc[c] += pj * values[j * headDim + c];
  }
  return acc;
}

/**
 * I-LayerNorm — I-ViT's integer LayerNorm over the channel axis of one token,
 * docs/integer-ops.md §5 (N channels):
 *   mean = round_half_even(Σ x / N);  y[i] = x[i] − mean;  var = Σ y[i]²
 *   std = newtonSqrt(var) (k = 2^16, ten Newton steps, or the count the IR records);  f = floor((2^31 − 1) / std)
 *   z[i] = floor(y[i]·f / 2) + bias_int[i]
 * Output scale (sqrt(N)/2^30)·gamma[i], folded into the next requantization.
 */
import { QuantrtlError } from "../../util/errors.js";
import { roundShift } from "../rounding.js";
import { addRanges, counterBits, IntRange, scaleRange, signedBitsFor, signedRange, unsignedBitsFor } from "../widths.js";
import { checkInt } from "./check.js";
import { floorDiv, RECIPROCAL_NUMERATOR } from "./expshift.js";
import { isqrtFloor, NEWTON_ITERATIONS, NEWTON_ITERATIONS_MAX, NEWTON_START, newtonSqrt } from "./isqrt.js";

export interface LayerNormConfig {
  /** Signed width of the input integers. */
  readonly inputBits: number;
  /** N: channels of one token. */
  readonly channels: number;
  /** bias_int[i] = floor(beta[i]/gamma[i] / (sqrt(N)/2^30)) (layerNormBiasInt). */
  readonly biasInt: ArrayLike<number>;
  /** Newton steps from 2^16 (default §5's ten; at most NEWTON_ITERATIONS_MAX). */
  readonly newtonIterations?: number;
}

export interface LayerNormParams {
  readonly inputBits: number;
  readonly channels: number;
  readonly biasInt: Int32Array;
  /**
   * [ours] Newton steps when not §5's ten (absent = 10): §5 lets "the iteration count
   * [be] raised and recorded in the IR". Ten steps from 2^16 leave std above sqrt(var)
   * for var below ~1.4·10^5 (std = 64 at var ≤ 4096); 16 steps end within
   * floor(sqrt(var)) + 1 for every var ≥ 1.
   */
  readonly newtonIterations?: number;
}

/** The Newton step count of an I-LayerNorm (§5's ten unless the IR records another). */
export function layerNormIterations(p: Pick<LayerNormParams, "newtonIterations">): number {
  return p.newtonIterations ?? NEWTON_ITERATIONS;
}

/**
 * Largest var = Σ (x − mean)² over N values in [lo, hi], hi − lo = 2^B − 1:
 * Σ (x − mean)² = Σ (x − μ)² + N·(μ − mean)² with μ the exact mean; the first term is
 * at most N·(hi − lo)²/4 (Popoviciu), the second at most N/4 (|μ − mean| ≤ 1/2).
 */
export function layerNormVarianceMax(inputBits: number, channels: number): bigint {
  const span = (1n << BigInt(inputBits)) - 1n;
  return (BigInt(channels) * (span * span + 1n)) / 4n;
}

/**
 * Builds and checks I-LayerNorm parameters.
 * [ours] §5: "a larger var (wide inputs) must be rejected at quantization time with
 * a clear error, or the iteration count raised": we reject. The largest var the
 * input width and N allow (layerNormVarianceMax) must be below 2^32; the iteration
 * count stays ten and the start 2^16, as §5 states.
 * [ours] z = floor(y·f/2) + bias_int is not saturated (§5 has no saturation); its
 * range [−2^30 + min bias, 2^30 − 1 + max bias] must fit 32 bits, or we reject.
 */
export function makeLayerNormParams(c: LayerNormConfig): LayerNormParams {
  checkInt("layernorm.inputBits", c.inputBits, 2, 32);
  checkInt("layernorm.channels", c.channels, 1, 2 ** 20);
  if (c.newtonIterations !== undefined) checkInt("layernorm.newtonIterations", c.newtonIterations, 1, NEWTON_ITERATIONS_MAX);
  if (c.biasInt.length !== c.channels) {
    throw new QuantrtlError(
      undefined,
      "layernorm.biasInt",
      `biasInt has ${c.biasInt.length} values for ${c.channels} channels`,
      "give one bias_int per channel",
    );
  }
  const biasInt = new Int32Array(c.channels);
  for (let i = 0; i < c.channels; i++) {
    const b = c.biasInt[i];
    if (!Number.isInteger(b) || b < -(2 ** 31) || b >= 2 ** 31) {
      throw new QuantrtlError(
        undefined,
        `layernorm.biasInt/${i}`,
        `bias_int ${b} is not a 32-bit integer`,
        "bias_int = floor(beta/gamma / (sqrt(N)/2^30)) must fit 32 bits",
      );
    }
    biasInt[i] = b;
  }
  const varMax = layerNormVarianceMax(c.inputBits, c.channels);
  if (varMax >= 1n << 32n) {
    let bits = c.inputBits;
    while (bits > 2 && layerNormVarianceMax(bits, c.channels) >= 1n << 32n) bits--;
    throw new QuantrtlError(
      undefined,
      "layernorm.inputBits",
      `${c.inputBits}-bit inputs over ${c.channels} channels allow var up to ${varMax} ≥ 2^32, where ten Newton steps from 2^16 are not defined to converge`,
      `requantize the LayerNorm input to at most ${bits} bits`,
    );
  }
  const p: LayerNormParams = {
    inputBits: c.inputBits,
    channels: c.channels,
    biasInt,
    ...(c.newtonIterations !== undefined && c.newtonIterations !== NEWTON_ITERATIONS ? { newtonIterations: c.newtonIterations } : {}),
  };
  const outBits = layerNormWidths(p).outBits;
  if (outBits > 32) {
    throw new QuantrtlError(
      undefined,
      "layernorm.biasInt",
      `z = floor(y·f/2) + bias_int needs ${outBits} bits, more than 32`,
      "keep every bias_int within [−2^30, 2^30], i.e. |beta/gamma| ≤ sqrt(N)",
    );
  }
  return p;
}

/** bias_int[i] = floor(beta[i]/gamma[i] / (sqrt(N)/2^30)) (§5), from float affine parameters. */
export function layerNormBiasInt(beta: ArrayLike<number>, gamma: ArrayLike<number>): Int32Array {
  const n = beta.length;
  const unit = Math.sqrt(n) / 2 ** 30;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(beta[i] / gamma[i] / unit);
  return out;
}

/** Per-channel output scale (sqrt(N)/2^30)·gamma[i] (§5). */
export function layerNormOutputScale(gamma: ArrayLike<number>): Float64Array {
  const unit = Math.sqrt(gamma.length) / 2 ** 30;
  return Float64Array.from({ length: gamma.length }, (_, i) => unit * gamma[i]);
}

/** round_half_even(a / b) for integers, b > 0 (torch.round semantics on the exact quotient). */
export function divRoundHalfEven(a: number, b: number): number {
  const q = floorDiv(a, b);
  const twiceRem = 2 * (a - q * b);
  if (twiceRem > b) return q + 1;
  if (twiceRem < b) return q;
  return q % 2 === 0 ? q : q + 1;
}

/** Every intermediate of one token, for tests and for the hardware vectors. */
export interface LayerNormStages {
  readonly sum: number;
  readonly mean: number;
  readonly diffs: Int32Array;
  readonly variance: number;
  readonly std: number;
  readonly factor: number;
  /** floor(y·f/2), before the bias. */
  readonly normalized: Int32Array;
  readonly out: Int32Array;
}

/**
 * §5 on one token of N = p.channels values. With var < 2^32 (makeLayerNormParams)
 * every value is exact in plain numbers: |y·f| ≤ 2^31 − 1 because std ≥ floor(sqrt var)
 * ≥ |y[i]| (y[i]² ≤ var) and f ≤ (2^31 − 1)/std.
 */
export function layerNormStages(x: Int32Array, p: LayerNormParams): LayerNormStages {
  const n = p.channels;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += x[i];
  const mean = divRoundHalfEven(sum, n);
  const diffs = new Int32Array(n);
  let variance = 0;
  for (let i = 0; i < n; i++) {
    diffs[i] = x[i] - mean;
    variance += diffs[i] * diffs[i];
  }
  const std = newtonSqrt(variance, NEWTON_START, layerNormIterations(p));
  const factor = floorDiv(RECIPROCAL_NUMERATOR, std);
  const normalized = new Int32Array(n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    normalized[i] = roundShift(diffs[i] * factor, 1, "floor");
    out[i] = normalized[i] + p.biasInt[i];
  }
  return { sum, mean, diffs, variance, std, factor, normalized, out };
}

export function layerNorm(x: Int32Array, p: LayerNormParams): Int32Array {
  return layerNormStages(x, p).out;
}

/** I-LayerNorm over every token of a row-major [tokens, N] tensor. */
export function layerNormRows(x: Int32Array, p: LayerNormParams): Int32Array {
  const out = new Int32Array(x.length);
  for (let start = 0; start < x.length; start += p.channels) out.set(layerNorm(x.subarray(start, start + p.channels), p), start);
  return out;
}

/** Value ranges and widths of every I-LayerNorm intermediate. */
export interface LayerNormWidths {
  readonly inputBits: number;
  readonly sum: IntRange;
  readonly sumBits: number;
  readonly mean: IntRange;
  readonly meanBits: number;
  /** y = x − mean: |y| ≤ min(2^B − 1, floor(sqrt(varMax))). */
  readonly diff: IntRange;
  readonly diffBits: number;
  readonly square: IntRange;
  readonly squareBits: number;
  readonly variance: IntRange;
  readonly varianceBits: number;
  /** Newton iterate k ∈ [2^16 / 2^steps, 2^16] (steps = 10 by default). */
  readonly newton: IntRange;
  readonly newtonBits: number;
  /** floor(var / k): inside the steps k ≥ 2^16 / 2^(steps − 1) (128 for ten). */
  readonly newtonQuotient: IntRange;
  readonly newtonQuotientBits: number;
  /** k + floor(var / k), before the halving. */
  readonly newtonSumBits: number;
  readonly newtonIterations: number;
  readonly factor: IntRange;
  readonly factorBits: number;
  /** y·f ∈ [−(2^31 − 1), 2^31 − 1] (see layerNormStages). */
  readonly product: IntRange;
  readonly productBits: number;
  /** floor(y·f / 2). */
  readonly normalized: IntRange;
  readonly normalizedBits: number;
  readonly bias: IntRange;
  readonly biasBits: number;
  readonly out: IntRange;
  readonly outBits: number;
  readonly channelCounterBits: number;
}

export function layerNormWidths(p: LayerNormParams): LayerNormWidths {
  const B = p.inputBits;
  const varMax = layerNormVarianceMax(B, p.channels);
  const sum = scaleRange(signedRange(B), p.channels);
  const span = (1n << BigInt(B)) - 1n;
  const rootMax = isqrtFloor(varMax);
  const diffMax = span < rootMax ? span : rootMax;
  const diff: IntRange = { lo: -diffMax, hi: diffMax };
  const iterations = layerNormIterations(p);
  const newtonLo = BigInt(NEWTON_START >> iterations);
  const newtonHi = BigInt(NEWTON_START);
  const divisorLo = BigInt(NEWTON_START >> (iterations - 1));
  const C = BigInt(RECIPROCAL_NUMERATOR);
  const factor: IntRange = { lo: C / newtonHi, hi: C / newtonLo };
  const product: IntRange = { lo: -C, hi: C };
  const normalized: IntRange = { lo: -(C + 1n) / 2n, hi: C / 2n };
  let biasLo = 0;
  let biasHi = 0;
  for (const b of p.biasInt) {
    if (b < biasLo) biasLo = b;
    if (b > biasHi) biasHi = b;
  }
  const bias: IntRange = { lo: BigInt(biasLo), hi: BigInt(biasHi) };
  const out = addRanges(normalized, bias);
  const newtonQuotient: IntRange = { lo: 0n, hi: varMax / divisorLo };
  return {
    inputBits: B,
    sum,
    sumBits: signedBitsFor(sum),
    mean: signedRange(B),
    meanBits: B,
    diff,
    diffBits: signedBitsFor(diff),
    square: { lo: 0n, hi: diffMax * diffMax },
    squareBits: unsignedBitsFor(diffMax * diffMax),
    variance: { lo: 0n, hi: varMax },
    varianceBits: unsignedBitsFor(varMax),
    newton: { lo: newtonLo, hi: newtonHi },
    newtonBits: unsignedBitsFor(newtonHi),
    newtonQuotient,
    newtonQuotientBits: unsignedBitsFor(newtonQuotient.hi),
    newtonSumBits: unsignedBitsFor(newtonHi + newtonQuotient.hi),
    newtonIterations: iterations,
    factor,
    factorBits: unsignedBitsFor(factor.hi),
    product,
    productBits: signedBitsFor(product),
    normalized,
    normalizedBits: signedBitsFor(normalized),
    bias,
    biasBits: signedBitsFor(bias),
    out,
    outBits: signedBitsFor(out),
    channelCounterBits: counterBits(p.channels),
  };
}

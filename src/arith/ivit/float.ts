/**
 * Float references of the integer ViT ops (docs/integer-ops.md §3–§5), in plain JS
 * Math: computed in double precision and rounded to float32 at the end, standing in
 * for the FP32 model the integer ops approximate. For SQNR and error-bound tests.
 */

/** softmax over one row, shifted by the row max (the FP32 model's form). */
export function softmaxFloat(x: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  const out = new Float64Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = Math.exp(x[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < x.length; i++) out[i] = Math.fround(out[i] / sum);
  return out;
}

/**
 * erf(x), from the Chebyshev fit of erfc in Numerical Recipes (3rd ed., §6.2.2):
 * fractional error below 1.2e−7 for every x, below float32 resolution.
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const erfcAbs =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfcAbs : erfcAbs - 1;
}

/** The exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)). */
export function geluFloat(x: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: x.length }, (_, i) => Math.fround(0.5 * x[i] * (1 + erf(x[i] / Math.SQRT2))));
}

/** The sigmoid form ShiftGELU approximates (§4): x·σ(1.702·x). */
export function geluSigmoidFloat(x: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: x.length }, (_, i) => Math.fround(x[i] / (1 + Math.exp(-1.702 * x[i]))));
}

/** LayerNorm over one token: (x − μ)/sqrt(σ² + eps)·gamma + beta, σ² the biased variance. */
export function layerNormFloat(x: ArrayLike<number>, gamma: ArrayLike<number>, beta: ArrayLike<number>, eps = 1e-6): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (x[i] - mean) ** 2;
  variance /= n;
  const inv = 1 / Math.sqrt(variance + eps);
  return Float64Array.from({ length: n }, (_, i) => Math.fround((x[i] - mean) * inv * gamma[i] + beta[i]));
}

/**
 * Signal-to-quantization-noise ratio in dB: 10·log10(Σ ref² / Σ (ref − approx)²).
 * +Infinity when the two are equal.
 */
export function sqnrDb(ref: Float64Array, approx: Float64Array): number {
  if (ref.length !== approx.length) throw new RangeError(`sqnrDb: ${ref.length} reference values, ${approx.length} approximations`);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < ref.length; i++) {
    signal += ref[i] * ref[i];
    noise += (ref[i] - approx[i]) ** 2;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

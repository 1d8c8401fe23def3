/**
 * Post-training quantization of a float conv layer to the IR's JSON form.
 * - adder: ONE scale s shared by activations and weights (AdderNet hardware,
 *   arXiv 2103.00112): s = max(max|W|, clip_X) / (2^(b−1) − 1) (docs/integer-ops.md §2 [ours]),
 *   so x − w is meaningful; the accumulator is on scale s.
 * - mac: per-tensor scales s_x = clip_X / (2^(b−1) − 1), s_w = max|W| / (2^(b−1) − 1);
 *   the accumulator is on s_x · s_w.
 * Output: dyadic requant (m, k) of s_acc / s_out (docs/integer-ops.md §1), bias rounded to the
 * accumulator scale. The chosen scales are written into the layer.
 */
import { FloatConvSpec } from "./float/conv2d.js";
import { DEFAULT_MULTIPLIER_BITS, multiplierFromRatio } from "../arith/requant.js";
import { roundHalfEvenReal, RoundingMode, saturate, signedMax } from "../arith/rounding.js";
import { QuantrtlError } from "../util/errors.js";

export interface Calibration {
  /** Activation clipping range |x| ≤ clip (e.g. max |x| over calibration inputs). */
  readonly inputClip: number;
  /** Largest |y| of the float layer output over calibration inputs. */
  readonly outputClip: number;
}

export interface QuantizeOptions {
  readonly name: string;
  readonly bits: 8 | 16;
  readonly outBits: 8 | 16;
  readonly rounding?: RoundingMode;
  readonly multiplierBits?: number;
  readonly relu?: boolean;
}

export interface QuantizedConv {
  /** The layer in the model-file form (loadable by parseModel). */
  readonly layer: Record<string, unknown>;
  readonly scales: { readonly input: number; readonly weight: number; readonly output: number; readonly accumulator: number; readonly shared?: number };
}

/** Quantizes one float conv layer to integer weights and a requantization stage from calibrated clips. */
export function quantizeConv(spec: FloatConvSpec, calib: Calibration, opts: QuantizeOptions): QuantizedConv {
  for (const key of ["inputClip", "outputClip"] as const) {
    const v = calib[key];
    if (!(v > 0) || !Number.isFinite(v)) {
      throw new QuantrtlError(undefined, `calibration.${key}`, `${key} ${v} is not a positive finite number`, "calibrate on inputs that are not all zero");
    }
  }
  const qmax = signedMax(opts.bits);
  let maxW = 0;
  for (const w of spec.weights) maxW = Math.max(maxW, Math.abs(w));
  let sx: number;
  let sw: number;
  let shared: number | undefined;
  if (spec.datapath === "adder") {
    shared = Math.max(maxW, calib.inputClip) / qmax;
    sx = shared;
    sw = shared;
  } else {
    sx = calib.inputClip / qmax;
    sw = (maxW || 1) / qmax;
  }
  const sAcc = spec.datapath === "adder" ? shared! : sx * sw;
  const sOut = calib.outputClip / signedMax(opts.outBits);
  const mBits = opts.multiplierBits ?? DEFAULT_MULTIPLIER_BITS;
  const { multiplier, shift } = multiplierFromRatio(sAcc / sOut, mBits);
  const weights = Array.from(spec.weights, (w) => saturate(roundHalfEvenReal(w / sw), opts.bits));
  const bias = spec.bias ? Array.from(spec.bias, (b) => saturate(roundHalfEvenReal(b / sAcc), 32)) : undefined;
  const layer: Record<string, unknown> = {
    type: "conv2d",
    name: opts.name,
    datapath: spec.datapath,
    outChannels: spec.outChannels,
    kernelSize: [spec.kernel[0], spec.kernel[1]],
    stride: [spec.stride[0], spec.stride[1]],
    padding: [spec.padding[0], spec.padding[1]],
    weightBits: opts.bits,
    activationBits: opts.bits,
    weights,
    ...(bias ? { bias } : {}),
    requant: { multiplier, multiplierBits: mBits, shift, rounding: opts.rounding ?? "half_even", outBits: opts.outBits, zeroPoint: 0 },
    ...(opts.relu ? { relu: true } : {}),
    scales: shared !== undefined ? { input: sx, weight: sw, output: sOut, shared } : { input: sx, weight: sw, output: sOut },
  };
  return { layer, scales: { input: sx, weight: sw, output: sOut, accumulator: sAcc, shared } };
}

/**
 * Per-channel dyadic requant (docs/integer-ops.md §1, per-channel [ours]) of a real
 * pre-activation a_c·acc + c_c onto the output scale s_out: one shift k for the
 * layer, chosen from the largest |a_c|/s_out, m_c = round(a_c/s_out · 2^k) (negative
 * where a_c < 0, e.g. a batch-norm γ < 0), and the bias in accumulator units
 * round(c_c/a_c), saturated to 32 bits. Undefined when every a_c is 0.
 */
export function perChannelRequant(
  accScale: ArrayLike<number>,
  realBias: ArrayLike<number>,
  outScale: number,
  multiplierBits = DEFAULT_MULTIPLIER_BITS,
): { multipliers: number[]; shift: number; bias: number[] } | undefined {
  const ratios = Array.from(accScale, (v) => v / outScale);
  const maxRatio = ratios.reduce((m, r) => Math.max(m, Math.abs(r)), 0);
  if (!(maxRatio > 0)) return undefined;
  const { shift } = multiplierFromRatio(maxRatio, multiplierBits);
  const multipliers = ratios.map((r) => Math.round(r * 2 ** shift));
  const bias = Array.from(realBias, (cv, o) => {
    const b = accScale[o] === 0 ? 0 : Math.round(cv / accScale[o]);
    return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, b));
  });
  return { multipliers, shift, bias };
}

/** Quantizes a float tensor to b bits on scale s (round half to even, saturate). */
export function quantizeTensor(x: Float64Array, scale: number, bits: number): Int32Array {
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = saturate(roundHalfEvenReal(x[i] / scale), bits);
  return out;
}

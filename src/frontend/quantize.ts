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

/** Quantizes a float tensor to b bits on scale s (round half to even, saturate). */
export function quantizeTensor(x: Float64Array, scale: number, bits: number): Int32Array {
  const out = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = saturate(roundHalfEvenReal(x[i] / scale), bits);
  return out;
}

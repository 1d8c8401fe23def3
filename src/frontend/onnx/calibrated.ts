/**
 * Post-training quantization inside the ONNX lowering (`quantrtl import --calibrate`):
 * a float ONNX model has no Quant nodes, so the lowering asks this plan instead —
 * float weights become per-output-channel symmetric integers (int8, or int16 with
 * --bits 16; the shift datapath rounds them to ±2^q), and every activation an
 * engine layer hands on gets a calibrated symmetric scale max|x| / (2^(b−1) − 1)
 * with a per-channel dyadic requant (docs/integer-ops.md §1; the same
 * perChannelRequant as the float-model PTQ, frontend/ptq.ts). Batch-norm and
 * bias Adds have already folded into the accumulator's α, β by then (lower.ts).
 */
import { QuantrtlError } from "../../util/errors.js";
import { nearestShiftWeight } from "../../arith/datapath.js";
import { roundHalfEvenReal, signedMax } from "../../arith/rounding.js";
import { perChannelRequant } from "../quantize.js";
import type { ConstTensor } from "./tensor.js";
import type { AccValue, ConstValue, InputQuantizer, IntValue } from "./values.js";
import { layerShape } from "./values.js";

export type PtqDatapath = "mac" | "shift";
export const PTQ_DATAPATHS: readonly PtqDatapath[] = ["mac", "shift"];

/** The integer logits of the last layer [ours, as frontend/ptq.ts]: 16 bits, so close logits do not tie. */
const LOGIT_BITS = 16;

/** One IR layer whose output reproduces an ONNX tensor: for the per-layer SQNR. */
export interface CalibratedLayer {
  readonly layer: string;
  /** The ONNX tensor (NCHW or [1, N]) the layer's output stands for. */
  readonly tensor: string;
  /** Real value of one output step. */
  readonly scale: number;
}

export interface PtqPlan {
  readonly bits: 8 | 16;
  readonly datapath: PtqDatapath;
  /** Calibrated max |x| of an ONNX tensor (over the calibration images), undefined when it was not observed. */
  readonly maxAbs: (tensor: string) => number | undefined;
  /** Filled by the lowering: which layer reproduces which tensor. */
  readonly layers: CalibratedLayer[];
}

/**
 * Per-output-channel symmetric weights along `axis`: s_c = max|W_c| / (2^(b−1) − 1) and
 * q = round_half_even(w / s_c) (mac); shift weights use s_c = max|W_c| / 2^P and the
 * nearest σ·2^q, q ∈ [0, P], P = b − 2 (docs/integer-ops.md §2), |w/s_c| < 1/2 → 0.
 */
export function quantizeWeights(t: ConstTensor, axis: number, plan: PtqPlan): ConstValue {
  const channels = t.dims[axis];
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => Math.floor(i / inner) % channels;
  const maxAbs = new Float64Array(channels);
  t.data.forEach((w, i) => (maxAbs[channelOf(i)] = Math.max(maxAbs[channelOf(i)], Math.abs(w))));
  const top = plan.datapath === "shift" ? 2 ** (plan.bits - 2) : signedMax(plan.bits);
  const scaleOf = Float64Array.from(maxAbs, (m) => (m > 0 ? m : 1) / top);
  const q = new Float64Array(t.data.length);
  const scale = new Float64Array(t.data.length);
  t.data.forEach((w, i) => {
    const s = scaleOf[channelOf(i)];
    const r = w / s;
    q[i] = plan.datapath === "shift" ? (Math.abs(r) < 0.5 ? 0 : nearestShiftWeight(r, plan.bits)) : roundHalfEvenReal(r);
    scale[i] = s;
  });
  return {
    kind: "const",
    t: { dims: t.dims, data: q.map((v, i) => v * scale[i]) },
    quant: { q, scale, zeroPoint: new Float64Array(q.length), bits: plan.bits },
  };
}

/** The calibrated input quantizer: symmetric signed b bits on max|x| / (2^(b−1) − 1), round half to even. */
export function calibratedInputQuantizer(maxAbs: number, bits: 8 | 16): InputQuantizer {
  return { scale: (maxAbs > 0 ? maxAbs : 1) / signedMax(bits), zeroPoint: 0, bits, signed: true, narrow: false, rounding: "ROUND" };
}

/**
 * An engine layer ending on a calibrated scale: y = sat_b(round_k((acc + B_c)·m_c)) (half even),
 * with ReLU as the requant's max(y, 0). A ReLU may follow the folded affine part; a Clip(0, hi)
 * is a ReLU whose range is also cut at hi. Anything after the ReLU is refused.
 */
export function calibratedEngine(
  acc: AccValue,
  tensor: string,
  plan: PtqPlan,
  options: { logits: boolean; where: string; file?: string },
): { layer: Record<string, unknown>; value: IntValue } {
  let relu = false;
  let hi = Infinity;
  for (const op of acc.post) {
    if (op.kind === "relu" && !relu) relu = true;
    else if (op.kind === "clip" && op.lo === 0 && !relu) {
      relu = true;
      hi = op.hi;
    } else
      throw new QuantrtlError(
        options.file,
        options.where,
        op.kind === "affine"
          ? "has a Mul/Add after its ReLU"
          : `has a ${op.kind === "clip" ? `Clip(${op.lo}, ${op.hi})` : "second ReLU"} the calibrated requant cannot express`,
        "post-training quantization folds Conv/MatMul → bias/BatchNormalization/Mul/Add → Relu (or Clip(0, hi)) into one layer",
      );
  }
  const measured = plan.maxAbs(tensor);
  if (measured === undefined)
    throw new QuantrtlError(
      options.file,
      options.where,
      `its output "${tensor}" was not observed in calibration`,
      "an internal error: report it with the model",
    );
  const outBits = options.logits ? LOGIT_BITS : plan.bits;
  const range = Math.min(measured, hi);
  const outScale = (range > 0 ? range : 1) / signedMax(outBits);
  const requant = perChannelRequant(acc.alpha, acc.beta, outScale);
  if (!requant) throw new QuantrtlError(options.file, options.where, "every output channel's scale is 0", "the layer's output is constant");
  const K = acc.reduction;
  // stored input = q + offset: Σ w·(q + O) = Σ w·q + O·Σw, removed in the bias
  const bias = requant.bias.map((b, c) => {
    let sumW = 0;
    for (let k = 0; k < K; k++) sumW += acc.weights[c * K + k];
    return b - acc.input.offset * sumW;
  });
  const layer: Record<string, unknown> = {
    type: acc.layerKind,
    name: acc.name,
    inputs: [acc.input.layer],
    datapath: plan.datapath,
    ...layerShape(acc),
    weightBits: acc.weightBits,
    activationBits: acc.input.spec.bits,
    weights: Array.from(acc.weights),
    bias,
    requant: { multipliers: requant.multipliers, shift: requant.shift, rounding: "half_even", outBits, zeroPoint: 0 },
    relu,
  };
  plan.layers.push({ layer: acc.name, tensor, scale: outScale });
  const spec =
    acc.layerKind === "dense"
      ? { height: 1, width: 1, channels: acc.outChannels, bits: outBits }
      : { height: acc.dims[2], width: acc.dims[3], channels: acc.outChannels, bits: outBits };
  const qmax = signedMax(outBits);
  const value: IntValue = { kind: "int", layer: acc.name, dims: acc.dims, spec, scale: outScale, zeroPoint: 0, qmin: relu ? 0 : -qmax - 1, qmax, offset: 0 };
  return { layer, value };
}

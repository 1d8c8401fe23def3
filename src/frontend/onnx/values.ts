/** What the lowering knows about each ONNX tensor name while it walks the graph. */
import type { ConstTensor } from "./tensor.js";
import type { TensorSpec } from "../../ir/model.js";
import type { QonnxRounding } from "./qonnx.js";

/** A constant; `quant` when it came out of a Quant node (weights, biases): q, and its scale per element. */
export interface ConstValue {
  readonly kind: "const";
  readonly t: ConstTensor;
  readonly quant?: { readonly q: Float64Array; readonly scale: Float64Array; readonly zeroPoint: Float64Array; readonly bits: number };
}

/** The model's float input after scalar affine steps: value = a·x + b. */
export interface FloatValue {
  readonly kind: "float";
  readonly dims: readonly number[];
  /** The graph input's own shape (the IR input is its HWC form). */
  readonly inputDims: readonly number[];
  readonly a: number;
  readonly b: number;
}

/**
 * A quantized activation held by an IR tensor: real = scale·(q − zeroPoint),
 * stored integer = q + offset ([ours]: the offset lets sat_b and the requant's
 * ReLU-at-zero-point realise the quantizer's clip to [qmin, qmax]; the next
 * layer subtracts it in its bias).
 */
export interface IntValue {
  readonly kind: "int";
  readonly layer: string;
  readonly dims: readonly number[];
  readonly spec: TensorSpec;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly qmin: number;
  readonly qmax: number;
  readonly offset: number;
  /** For a flattened tensor: perm[onnxFlatIndex] = position in the IR's HWC stream. */
  readonly perm?: Int32Array;
}

export type PostOp =
  | { readonly kind: "affine"; readonly a: Float64Array; readonly b: Float64Array }
  | { readonly kind: "relu" }
  | { readonly kind: "clip"; readonly lo: number; readonly hi: number };

/**
 * The integer accumulator of a pending engine layer: per output channel c,
 * real value = post(alpha[c]·acc + beta[c]) with acc = Σ w_q·q_in (the QONNX
 * integers, before any offset).
 */
export interface AccValue {
  readonly kind: "acc";
  readonly name: string;
  readonly layerKind: "dense" | "conv2d";
  readonly input: IntValue;
  /** [out][K], K in the IR's stream order (OHWI for conv). */
  readonly weights: Float64Array;
  readonly weightBits: number;
  readonly outChannels: number;
  readonly reduction: number;
  /** padValue: the stored integer of a padded tap, when it is not 0 (the input's zero point + offset). */
  readonly conv?: { readonly kernel: [number, number]; readonly stride: [number, number]; readonly padding: [number, number]; readonly padValue?: number };
  readonly dims: readonly number[];
  readonly alpha: Float64Array;
  readonly beta: Float64Array;
  readonly post: readonly PostOp[];
}

/** The accumulator passed through an output-only op (Softmax: dropped, top-1 unchanged; ArgMax: an argmax layer). */
export interface OutputValue {
  readonly kind: "output";
  readonly from: AccValue | IntValue;
  readonly argmax: boolean;
  readonly dropped: readonly string[];
}

/**
 * A residual Add of two quantized tensors not yet requantized (pool-add.ts): real = real_a + real_b,
 * then ReLU when `relu`. A Quant after it becomes one add layer; any other reader, an exact sum.
 */
export interface SumValue {
  readonly kind: "sum";
  readonly a: IntValue;
  readonly b: IntValue;
  readonly relu: boolean;
  readonly dims: readonly number[];
}

/**
 * AveragePool / GlobalAveragePool of a quantized tensor not yet requantized: real =
 * gain·scale·(Σ_window q / count − zeroPoint). A Quant or Trunc after it becomes one
 * avgpool layer; any other reader, the exact window sum on scale·gain/count.
 */
export interface PoolValue {
  readonly kind: "pool";
  readonly input: IntValue;
  readonly count: number;
  /** undefined: global average pool. */
  readonly window?: { readonly kernel: [number, number]; readonly stride: [number, number] };
  readonly gain: number;
  readonly dims: readonly number[];
  readonly name: string;
}

export type Value = ConstValue | FloatValue | IntValue | AccValue | OutputValue | SumValue | PoolValue;

export interface InputQuantizer {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly bits: number;
  readonly signed: boolean;
  readonly narrow: boolean;
  readonly rounding: QonnxRounding;
  /** The part of zeroPoint added after rounding (ONNX QuantizeLinear's zero point; qonnx.ts QuantParams). */
  readonly zeroPointAfterRounding?: number;
}

/** The IR layer's shape fields: outFeatures (dense), or kernel, stride, padding and a pad value ≠ 0 (conv2d). */
export function layerShape(acc: AccValue): Record<string, unknown> {
  if (acc.layerKind === "dense") return { outFeatures: acc.outChannels };
  const { kernel, stride, padding, padValue } = acc.conv!;
  return { outChannels: acc.outChannels, kernelSize: kernel, stride, padding, ...(padValue ? { padValue } : {}) };
}

/** The accumulator value followed by a per-channel affine a·x + b (folded into alpha/beta while nothing follows). */
export function withAffine(v: AccValue, a: Float64Array, b: Float64Array): AccValue {
  if (v.post.length === 0) return { ...v, alpha: v.alpha.map((x, c) => x * a[c]), beta: v.beta.map((x, c) => x * a[c] + b[c]) };
  return { ...v, post: [...v.post, { kind: "affine", a, b }] };
}

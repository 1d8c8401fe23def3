/**
 * The ViT of a float description (vit-model.ts) in tfjs float32, batched: the
 * same code trains (parameters as tf.Variables, train-vit.ts) and runs a loaded
 * description (parameters as constants). Every layer takes [N, ...inputShape]
 * tensors and returns [N, ...outputShape].
 *
 * The patch embedding (kernel = stride, valid) runs as patchify + matMul rather
 * than a strided conv2d: the same sums, and the wasm backend then needs no
 * conv2d gradient.
 */
import * as tf from "@tensorflow/tfjs";
import { GELU_SIGMOID_SLOPE } from "../../arith/ivit/shiftgelu.js";
import { QuantrtlError } from "../../util/errors.js";
import { byKind, type ByKind } from "./by-kind.js";
import { initTf } from "./tfjs.js";
import { VIT_INPUT, type FloatVitModel, type GeluForm, type VitLayer } from "./vit-model.js";

/** One layer's parameters: conv/linear/dense `kernel` [in, out] + `bias`; `cls` [C] + `pos` [T, C]; `gamma` + `beta`. */
export type VitParams = Readonly<Record<string, tf.Tensor>>;
export type VitTensors = ReadonlyMap<string, VitParams>;

/** The slope of the sigmoid GELU, x·σ(1.702·x) (Hendrycks & Gimpel): the one ShiftGELU approximates. */
export const GELU_SIGMOID_SLOPE_FLOAT = GELU_SIGMOID_SLOPE.num / GELU_SIGMOID_SLOPE.den;

/**
 * The parameters of every layer as tensors, in the layouts runVitLayer uses.
 * `trainable`: tf.Variables (named `<layer>/<param>`) for training.
 */
export function vitTensors(layers: readonly VitLayer[], trainable = false): Map<string, VitParams> {
  const make: MakeTensor = (layer, param, values, shape) => {
    const t = tf.tensor(values instanceof Float32Array ? values : Float32Array.from(values), shape, "float32");
    if (!trainable) return t;
    const v = tf.variable(t, true, `${layer}/${param}`);
    t.dispose();
    return v;
  };
  const out = new Map<string, VitParams>();
  for (const l of layers) {
    const params = byKind(VIT_TENSORS, l, make);
    if (params) out.set(l.name, params);
  }
  return out;
}

/** Makes one parameter tensor (a tf.Variable when training) of `values` in `shape`. */
type MakeTensor = (layer: string, param: string, values: readonly number[] | Float32Array, shape: number[]) => tf.Tensor;

/** [in, out] `kernel` + `bias` of a linear or dense layer. */
const rowsParams = (l: Extract<VitLayer, { kind: "linear" | "dense" }>, make: MakeTensor): VitParams => ({
  kernel: make(l.name, "kernel", transposed(l.weights, l.outFeatures, l.inFeatures), [l.inFeatures, l.outFeatures]),
  ...(l.bias ? { bias: make(l.name, "bias", l.bias, [l.outFeatures]) } : {}),
});
const noParams = () => undefined;

/** Per kind: the layer's parameters (undefined for the kinds without any). */
const VIT_TENSORS: ByKind<VitLayer, [MakeTensor], VitParams | undefined> = {
  conv2d: (l, make) => {
    // OHWI [out][ky][kx][in] → [ky·kx·in, out], the patch vector's order
    const K = l.kernel[0] * l.kernel[1] * l.inChannels;
    return {
      kernel: make(l.name, "kernel", transposed(l.weights, l.outChannels, K), [K, l.outChannels]),
      ...(l.bias ? { bias: make(l.name, "bias", l.bias, [l.outChannels]) } : {}),
    };
  },
  linear: rowsParams,
  dense: rowsParams,
  token_embed: (l, make) => {
    const C = l.inputShape[1];
    return { cls: make(l.name, "cls", l.cls, [C]), pos: make(l.name, "pos", l.pos, [l.outputShape[0], C]) };
  },
  layernorm: (l, make) => ({ gamma: make(l.name, "gamma", l.gamma, [l.gamma.length]), beta: make(l.name, "beta", l.beta, [l.beta.length]) }),
  attention: noParams,
  add: noParams,
  gelu: noParams,
  token_select: noParams,
};

export function disposeVitTensors(tensors: VitTensors): void {
  for (const p of tensors.values()) for (const t of Object.values(p)) t.dispose();
}

/** [rows][cols] → [cols][rows], float32. */
export function transposed(m: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

/** x [..., in] · kernel [in, out] + bias, on the last axis. */
function rowsTimes(x: tf.Tensor, p: VitParams): tf.Tensor {
  const inF = x.shape[x.shape.length - 1];
  const y = tf.matMul(tf.reshape(x, [-1, inF]) as tf.Tensor2D, p.kernel as tf.Tensor2D);
  const biased = p.bias ? tf.add(y, p.bias) : y;
  return tf.reshape(biased, [...x.shape.slice(0, -1), p.kernel.shape[1]!]);
}

/** LayerNorm over the last axis, biased variance. */
export function layerNormRows(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, epsilon: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon))), gamma), beta);
}

/** [N, T, 3·H·d] fused QKV → [N, T, H·d]: per head softmax(Q Kᵀ/√d) V, heads side by side. */
export function multiHeadAttention(qkv: tf.Tensor, heads: number, dHead: number): tf.Tensor {
  const [N, T] = qkv.shape;
  const C = heads * dHead;
  const part = (which: number) => tf.transpose(tf.reshape(tf.slice(qkv, [0, 0, which * C], [N, T, C]), [N, T, heads, dHead]), [0, 2, 1, 3]);
  const [q, k, v] = [part(0), part(1), part(2)];
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dHead));
  const context = tf.matMul(tf.softmax(scores), v); // [N, H, T, d]
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [N, T, C]);
}

export function gelu(x: tf.Tensor, form: GeluForm): tf.Tensor {
  return form === "erf" ? tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) : tf.mul(x, tf.sigmoid(tf.mul(x, GELU_SIGMOID_SLOPE_FLOAT)));
}

/** One layer on [N, ...inputShape] inputs (in the order of `layer.inputs`). */
export function runVitLayer(layer: VitLayer, p: VitParams | undefined, inputs: readonly tf.Tensor[], form: GeluForm): tf.Tensor {
  const N = inputs[0].shape[0];
  const x = tf.reshape(inputs[0], [N, ...layer.inputShape]);
  return byKind(VIT_OPS, layer, { N, x, p, inputs, form });
}

/** What a layer runs on: batch size N, its first input `x` as [N, ...inputShape], its parameters, all its inputs, the GELU form. */
interface VitStep {
  readonly N: number;
  readonly x: tf.Tensor;
  readonly p: VitParams | undefined;
  readonly inputs: readonly tf.Tensor[];
  readonly form: GeluForm;
}

/** Per kind: the layer on one batch. */
const VIT_OPS: ByKind<VitLayer, [VitStep], tf.Tensor> = {
  conv2d: (layer, { N, x, p }) => {
    // patch (py, px) = [ky][kx][c], the OHWI order of one output channel's weights
    const [H, W, C] = layer.inputShape;
    const [KH, KW] = layer.kernel;
    const [PH, PW] = [H / KH, W / KW];
    const patches = tf.transpose(tf.reshape(x, [N, PH, KH, PW, KW * C]), [0, 1, 3, 2, 4]);
    return tf.reshape(rowsTimes(tf.reshape(patches, [N, PH * PW, KH * KW * C]), p!), [N, PH, PW, layer.outChannels]);
  },
  token_embed: (layer, { N, x, p }) => {
    const [P, C] = layer.inputShape;
    const cls = tf.add(tf.zeros([N, 1, C]), p!.cls);
    return tf.add(tf.concat([cls, x], 1), tf.reshape(p!.pos, [P + 1, C]));
  },
  layernorm: (layer, { x, p }) => layerNormRows(x, p!.gamma, p!.beta, layer.epsilon),
  linear: (_layer, { x, p }) => rowsTimes(x, p!),
  attention: (layer, { x }) => multiHeadAttention(x, layer.heads, layer.dHead),
  add: (layer, { N, x, inputs }) => tf.add(x, tf.reshape(inputs[1], [N, ...layer.inputShape])),
  gelu: (_layer, { x, form }) => gelu(x, form),
  token_select: (layer, { N, x }) => {
    const [, C] = layer.inputShape;
    return tf.reshape(tf.slice(x, [0, layer.index, 0], [N, 1, C]), [N, C]);
  },
  dense: (layer, { N, x, p }) => rowsTimes(tf.reshape(x, [N, layer.inFeatures]), p!),
};

/**
 * Runs the graph on `input` ([N, ...] of the input shape). Returns the last
 * layer's output and, for every name in `keep`, that layer's output. Call inside
 * tf.tidy (or dispose what it returns); intermediate tensors are not disposed here.
 */
export function runVitGraph(
  layers: readonly VitLayer[],
  tensors: VitTensors,
  input: tf.Tensor,
  form: GeluForm,
  keep: readonly string[] = [],
): { output: tf.Tensor; kept: Map<string, tf.Tensor> } {
  const values = new Map<string, tf.Tensor>([[VIT_INPUT, input]]);
  for (const layer of layers)
    values.set(
      layer.name,
      runVitLayer(
        layer,
        tensors.get(layer.name),
        layer.inputs.map((n) => values.get(n)!),
        form,
      ),
    );
  return { output: values.get(layers[layers.length - 1].name)!, kept: new Map(keep.map((n) => [n, values.get(n)!])) };
}

/** Images per tfjs call. */
const FORWARD_BATCH = 250;

/**
 * The described ViT on `images` (count × H × W × C network inputs, already
 * scaled), float32. Returns count × classes logits; with `keep`, also the
 * named layers' outputs, concatenated over images.
 */
export async function vitForwardImages(
  desc: FloatVitModel,
  images: Float32Array,
  keep: readonly string[] = [],
): Promise<{ logits: Float32Array; kept: Map<string, Float32Array> }> {
  await initTf();
  const [H, W, C] = desc.input.shape;
  const perImage = H * W * C;
  const count = images.length / perImage;
  if (!Number.isInteger(count))
    throw new QuantrtlError(undefined, "images", `${images.length} values is not a whole number of ${H}×${W}×${C} images`, `a multiple of ${perImage}`);
  const sizeOf = (name: string) => {
    const layer = desc.layers.find((l) => l.name === name);
    if (!layer) throw new QuantrtlError(undefined, "keep", `no layer "${name}"`, "a layer name of the description");
    return layer.outputShape.reduce((a, b) => a * b, 1);
  };
  const logits = new Float32Array(count * desc.classes);
  const kept = new Map(keep.map((n) => [n, new Float32Array(count * sizeOf(n))]));
  const tensors = vitTensors(desc.layers);
  try {
    for (let start = 0; start < count; start += FORWARD_BATCH) {
      const n = Math.min(FORWARD_BATCH, count - start);
      const outs = tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(start * perImage, (start + n) * perImage), [n, H, W, C]);
        const r = runVitGraph(desc.layers, tensors, x, desc.training.gelu, keep);
        return [r.output, ...keep.map((k) => r.kept.get(k)!)];
      });
      logits.set(outs[0].dataSync(), start * desc.classes);
      keep.forEach((k, i) => kept.get(k)!.set(outs[i + 1].dataSync(), start * sizeOf(k)));
      tf.dispose(outs);
    }
  } finally {
    disposeVitTensors(tensors);
  }
  return { logits, kept };
}

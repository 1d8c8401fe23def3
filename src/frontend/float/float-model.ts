/**
 * The float model description: a trained network as plain JSON, the hand-off
 * from training (tfjs) to post-training quantization (which needs no tfjs).
 *
 * File: `models/float/<name>.json`, written by `npm run train`.
 *
 * ```jsonc
 * {
 *   "format": "quantrtl-float", "version": 1,
 *   "name": "mnist-adder", "topology": "lenet", "variant": "mac" | "adder" | "xnor",
 *   "input": { "shape": [28, 28, 1], "layout": "HWC", "scale": 1/255,
 *              "encoding": "uint8 MNIST pixel p → float p/255 in [0, 1]" },
 *   "classes": 10,
 *   "layers": [ … in execution order, see below … ],
 *   "training": { "epochs", "batchSize", "seed", "optimizer": "adam", "lr", "lrSchedule",
 *                 "adderOptimizer": { "kind": "sgd-momentum", "lr", "momentum", "eta" } (adder only),
 *                 "trainImages", "trainSeconds", "finalTrainAcc" },
 *   "accuracy": { "floatTop1Test": 0.98…, "testImages": 10000 }
 * }
 * ```
 *
 * Every layer has `kind`, `name` and the per-image `inputShape` / `outputShape`
 * ([H, W, C] for feature maps, [features] after flatten). Layer kinds:
 * - `conv2d`: `datapath` ("mac" Σx·w, "adder" −Σ|x−w|, "xnor" Σ sign(x)·sign(w)),
 *   `inChannels`, `outChannels`, `kernel` [KH, KW], `stride` [1, 1],
 *   `padding` "valid" | "same" (zeros; tfjs puts the odd extra row/column at the
 *   bottom/right), `weights` OHWI = [out][ky][kx][in] flattened, `bias?` [out].
 * - `dense`: `datapath`, `inFeatures`, `outFeatures`, `weights` [out][in] where
 *   `in` is the HWC flatten index (y·W + x)·C + c of the previous feature map,
 *   `bias?` [out].
 * - `batchnorm` (inference form, per channel = last axis): `channels`, `gamma`,
 *   `beta`, `mean`, `variance`, `epsilon`:
 *   y = gamma·(x − mean)/√(variance + epsilon) + beta.
 * - `relu`: max(x, 0).  `sign`: +1 if x ≥ 0 else −1 (sign(0) = +1).
 * - `maxpool`: `pool` [2, 2], `stride` [2, 2], valid.  `flatten`: `order` "HWC".
 *
 * "xnor" layers hold the latent float weights the network was trained with:
 * the network uses only their sign (sign(0) = +1), and the sign of its input,
 * so inputs and weights are exactly ±1. A "mac" conv in the xnor variant
 * (conv1) takes the real-valued image. The adder layers have no bias; their
 * outputs (all ≤ 0) are recentred by the batchnorm that follows every one.
 * Numbers are float32 values printed with 9 significant digits, which
 * round-trips exactly through Math.fround.
 *
 * `"topology": "vit"` descriptions (a graph of conv2d / token_embed / layernorm /
 * linear / attention / add / gelu / token_select / dense layers, no `variant`)
 * are specified and checked in vit-model.ts and run by vit.ts; readFloatModel,
 * checkFloatModel, floatForward and floatTop1 take either topology.
 */
import * as tf from "@tensorflow/tfjs";
import { readFileSync } from "node:fs";
import { QuantrtlError } from "../../util/errors.js";
import { adderConv2d, adderProduct, type Padding } from "./adder-layers.js";
import { signPlusOne } from "./binary-layers.js";
import { byKind, isKindIn, type ByKind } from "./by-kind.js";
import { initTf } from "./tfjs.js";
import { vitForwardImages } from "./vit.js";
import { checkVitModel, type FloatVitModel } from "./vit-model.js";

export type FloatDatapath = "mac" | "adder" | "xnor";

interface FloatLayerBase {
  readonly name: string;
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
}

export interface FloatConv2d extends FloatLayerBase {
  readonly kind: "conv2d";
  readonly datapath: FloatDatapath;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: Padding;
  /** OHWI: [out][ky][kx][in]. */
  readonly weights: readonly number[];
  readonly bias?: readonly number[];
}

export interface FloatDense extends FloatLayerBase {
  readonly kind: "dense";
  readonly datapath: FloatDatapath;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [out][in], `in` in HWC flatten order. */
  readonly weights: readonly number[];
  readonly bias?: readonly number[];
}

export interface FloatBatchNorm extends FloatLayerBase {
  readonly kind: "batchnorm";
  readonly channels: number;
  readonly gamma: readonly number[];
  readonly beta: readonly number[];
  readonly mean: readonly number[];
  readonly variance: readonly number[];
  readonly epsilon: number;
}

export interface FloatRelu extends FloatLayerBase {
  readonly kind: "relu";
}
export interface FloatSign extends FloatLayerBase {
  readonly kind: "sign";
}
export interface FloatMaxPool extends FloatLayerBase {
  readonly kind: "maxpool";
  readonly pool: readonly [number, number];
  readonly stride: readonly [number, number];
}
export interface FloatFlatten extends FloatLayerBase {
  readonly kind: "flatten";
  readonly order: "HWC";
}

export type FloatLayer = FloatConv2d | FloatDense | FloatBatchNorm | FloatRelu | FloatSign | FloatMaxPool | FloatFlatten;

export interface FloatTraining {
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  /** Optimizer of every parameter except adder kernels. */
  readonly optimizer: "adam";
  readonly lr: number;
  readonly lrSchedule: string;
  /** Adder variant: the adder kernels' optimizer (SGD with momentum on α-scaled gradients). */
  readonly adderOptimizer?: { readonly kind: "sgd-momentum"; readonly lr: number; readonly momentum: number; readonly eta: number };
  readonly trainImages: number;
  readonly trainSeconds: number;
  readonly finalTrainAcc: number;
}

export interface FloatModel {
  readonly format: "quantrtl-float";
  readonly version: 1;
  readonly name: string;
  readonly topology: "lenet";
  readonly variant: FloatDatapath;
  readonly input: { readonly shape: readonly [number, number, number]; readonly layout: "HWC"; readonly scale: number; readonly encoding: string };
  readonly classes: number;
  readonly layers: readonly FloatLayer[];
  readonly training: FloatTraining;
  readonly accuracy: { readonly floatTop1Test: number; readonly testImages: number };
}

/** A float description of either topology. */
export type FloatDescription = FloatModel | FloatVitModel;

/** float32 value → shortest decimal that round-trips through Math.fround. */
export function f32(v: number): number {
  return Number(Math.fround(v).toPrecision(9));
}

// ---------------------------------------------------------------- describe

/** The layer list of a trained tfjs Sequential built from tfjs + quantrtl layers. */
export function describeLayers(model: tf.LayersModel): FloatLayer[] {
  return model.layers.map((layer) => {
    const inputShape = perImage((layer.input as tf.SymbolicTensor).shape);
    const outputShape = perImage(layer.outputShape as (number | null)[]);
    const base = { name: layer.name, inputShape, outputShape };
    const className = layer.getClassName();
    const values = layer.getWeights().map((w) => Array.from(w.dataSync(), f32));
    if (!Object.hasOwn(DESCRIBE_CLASS, className)) throw new Error(`${layer.name}: layer class ${className} has no float description`);
    return DESCRIBE_CLASS[className](layer, base, values, className);
  });
}

/** One tfjs layer class → its float description, given its per-image shapes and float32 weight values. */
type Describe = (layer: tf.layers.Layer, base: FloatLayerBase, values: number[][], className: string) => FloatLayer;

/** The datapath of each engine class. */
const DATAPATH_OF_CLASS: Readonly<Record<string, FloatDatapath>> = {
  Conv2D: "mac",
  AdderConv2D: "adder",
  BinaryConv2D: "xnor",
  Dense: "mac",
  AdderDense: "adder",
  BinaryDense: "xnor",
};

const describeConv: Describe = (layer, base, values, className) => {
  const shape = layer.getWeights()[0].shape; // HWIO
  const [KH, KW, C, O] = shape;
  const config = layer.getConfig();
  const strides = config.strides as number[] | undefined;
  if (strides && strides.some((s) => s !== 1)) throw new Error(`${layer.name}: only stride 1 is described`);
  return {
    kind: "conv2d",
    ...base,
    datapath: DATAPATH_OF_CLASS[className],
    inChannels: C,
    outChannels: O,
    kernel: [KH, KW],
    stride: [1, 1],
    padding: ((config.padding as string | undefined) ?? "valid") as Padding,
    weights: hwioToOhwi(values[0], KH, KW, C, O),
    ...(values[1] ? { bias: values[1] } : {}),
  };
};

const describeDense: Describe = (layer, base, values, className) => {
  const [I, O] = layer.getWeights()[0].shape;
  return {
    kind: "dense",
    ...base,
    datapath: DATAPATH_OF_CLASS[className],
    inFeatures: I,
    outFeatures: O,
    weights: transpose(values[0], I, O),
    ...(values[1] ? { bias: values[1] } : {}),
  };
};

const DESCRIBE_CLASS: Readonly<Record<string, Describe>> = {
  Conv2D: describeConv,
  AdderConv2D: describeConv,
  BinaryConv2D: describeConv,
  Dense: describeDense,
  AdderDense: describeDense,
  BinaryDense: describeDense,
  BatchNormalization: (layer, base, values) => {
    const config = layer.getConfig();
    if (config.center === false || config.scale === false) throw new Error(`${layer.name}: batchnorm without center/scale is not described`);
    const [gamma, beta, mean, variance] = values;
    return { kind: "batchnorm", ...base, channels: gamma.length, gamma, beta, mean, variance, epsilon: config.epsilon as number };
  },
  ReLU: (_layer, base) => ({ kind: "relu", ...base }),
  SignActivation: (_layer, base) => ({ kind: "sign", ...base }),
  MaxPooling2D: (layer, base) => {
    const config = layer.getConfig();
    return { kind: "maxpool", ...base, pool: pair(config.poolSize), stride: pair(config.strides ?? config.poolSize) };
  },
  Flatten: (_layer, base) => ({ kind: "flatten", ...base, order: "HWC" }),
};

function perImage(shape: (number | null)[]): number[] {
  return shape.slice(1).map((d) => d as number);
}

function pair(v: unknown): [number, number] {
  return Array.isArray(v) ? [v[0] as number, v[1] as number] : [v as number, v as number];
}

function hwioToOhwi(hwio: number[], KH: number, KW: number, C: number, O: number): number[] {
  const out = new Array<number>(hwio.length);
  for (let o = 0; o < O; o++)
    for (let ky = 0; ky < KH; ky++)
      for (let kx = 0; kx < KW; kx++) for (let c = 0; c < C; c++) out[((o * KH + ky) * KW + kx) * C + c] = hwio[((ky * KW + kx) * C + c) * O + o];
  return out;
}

function ohwiToHwio(ohwi: readonly number[], KH: number, KW: number, C: number, O: number): Float32Array {
  const out = new Float32Array(ohwi.length);
  for (let o = 0; o < O; o++)
    for (let ky = 0; ky < KH; ky++)
      for (let kx = 0; kx < KW; kx++) for (let c = 0; c < C; c++) out[((ky * KW + kx) * C + c) * O + o] = ohwi[((o * KH + ky) * KW + kx) * C + c];
  return out;
}

/** [rows][cols] → [cols][rows]. */
function transpose(m: readonly number[], rows: number, cols: number): number[] {
  const out = new Array<number>(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = m[r * cols + c];
  return out;
}

// ---------------------------------------------------------------- read

/**
 * Reads and checks a float description (shapes and array lengths), LeNet or
 * ViT; with `topology`, only a description of that topology is accepted.
 */
export function readFloatModel(file: string, topology: "lenet"): FloatModel;
export function readFloatModel(file: string, topology: "vit"): FloatVitModel;
export function readFloatModel(file: string, topology?: "lenet" | "vit"): FloatDescription;
export function readFloatModel(file: string, topology?: "lenet" | "vit"): FloatDescription {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new QuantrtlError(
      file,
      "",
      `cannot read a float model: ${e instanceof Error ? e.message : String(e)}`,
      "train one with `npm run train -- mnist-adder|mnist-xnor|mnist-mac|mnist-vit`",
    );
  }
  checkFloatModel(parsed, file);
  if (topology !== undefined && parsed.topology !== topology)
    throw new QuantrtlError(file, "/topology", `is "${parsed.topology}"`, `a "${topology}" float model here`);
  return parsed;
}

export function checkFloatModel(value: unknown, file?: string): asserts value is FloatDescription {
  const fail = (path: string, problem: string, hint: string): never => {
    throw new QuantrtlError(file, path, problem, hint);
  };
  const m = value as Partial<FloatModel>;
  if (typeof m !== "object" || m === null || m.format !== "quantrtl-float" || m.version !== 1)
    fail("/format", "not a quantrtl float model", 'expected "format": "quantrtl-float", "version": 1');
  if ((m as { topology?: string }).topology === "vit") {
    checkVitModel(m, file);
    return;
  }
  if (!Array.isArray(m.layers) || m.layers.length === 0) fail("/layers", "no layers", "a non-empty array of layers");
  const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  m.layers!.forEach((layer, i) => {
    const at = `/layers/${i}`;
    const expectLength: ExpectLength = (field, actual, length) => {
      if (!Array.isArray(actual) || actual.length !== length)
        fail(`${at}/${field}`, `${field} has ${Array.isArray(actual) ? actual.length : "no"} values`, `${length} values`);
    };
    if (i > 0 && count(layer.inputShape) !== count(m.layers![i - 1].outputShape))
      fail(`${at}/inputShape`, `input shape [${layer.inputShape}] does not follow [${m.layers![i - 1].outputShape}]`, "the output shape of the previous layer");
    if (!isKindIn(SIZED_ARRAYS, layer.kind))
      fail(`${at}/kind`, `unknown layer kind "${(layer as { kind: string }).kind}"`, "conv2d, dense, batchnorm, relu, sign, maxpool or flatten");
    byKind(SIZED_ARRAYS, layer, expectLength);
  });
}

type ExpectLength = (field: string, actual: readonly number[] | undefined, length: number) => void;

/** Per kind: the arrays whose lengths its sizes fix. */
const SIZED_ARRAYS: ByKind<FloatLayer, [ExpectLength], void> = {
  conv2d: (layer, expectLength) => {
    expectLength("weights", layer.weights, layer.outChannels * layer.kernel[0] * layer.kernel[1] * layer.inChannels);
    if (layer.bias) expectLength("bias", layer.bias, layer.outChannels);
  },
  dense: (layer, expectLength) => {
    expectLength("weights", layer.weights, layer.outFeatures * layer.inFeatures);
    if (layer.bias) expectLength("bias", layer.bias, layer.outFeatures);
  },
  batchnorm: (layer, expectLength) => {
    for (const f of ["gamma", "beta", "mean", "variance"] as const) expectLength(f, layer[f], layer.channels);
  },
  relu: () => {},
  sign: () => {},
  maxpool: () => {},
  flatten: () => {},
};

// ---------------------------------------------------------------- run

export { mnistInput } from "./mnist.js";

/** Images per tfjs call: bounds the adder layers' [rows, out, k] temporaries. */
const FORWARD_BATCH = 250;

/**
 * Runs the described network in tfjs, inference mode (batchnorm with its
 * moving statistics, xnor layers on sign(x)·sign(w); a ViT through vit.ts). `images` holds
 * count × H × W × C network inputs (already scaled, see `mnistInput`);
 * returns count × classes logits.
 */
export async function floatForward(desc: FloatDescription, images: Float32Array, onBatch?: (done: number) => void): Promise<Float32Array> {
  if (desc.topology === "vit") return (await vitForwardImages(desc, images)).logits;
  await initTf();
  const [H, W, C] = desc.input.shape;
  const perImage = H * W * C;
  const count = images.length / perImage;
  if (!Number.isInteger(count))
    throw new QuantrtlError(undefined, "images", `${images.length} values is not a whole number of ${H}×${W}×${C} images`, `a multiple of ${perImage}`);
  const last = desc.layers[desc.layers.length - 1];
  const classes = last.outputShape.reduce((a, b) => a * b, 1);
  const logits = new Float32Array(count * classes);
  const params = desc.layers.map(layerTensors);
  try {
    for (let start = 0; start < count; start += FORWARD_BATCH) {
      const n = Math.min(FORWARD_BATCH, count - start);
      const y = tf.tidy(() => {
        let x: tf.Tensor = tf.tensor4d(images.subarray(start * perImage, (start + n) * perImage), [n, H, W, C]);
        desc.layers.forEach((layer, i) => (x = runLayer(layer, params[i], x)));
        return x;
      });
      logits.set(y.dataSync(), start * classes);
      y.dispose();
      onBatch?.(start + n);
      // between batches the event loop runs: progress lines go out and a Ctrl-C is handled
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    params.forEach((p) => Object.values(p).forEach((t) => t.dispose()));
  }
  return logits;
}

/** Index of the largest logit of each image. */
export function argmaxRows(logits: Float32Array, classes: number): Uint8Array {
  const count = logits.length / classes;
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Top-1 accuracy of the described network on `images` with `labels`. */
export async function floatTop1(desc: FloatDescription, images: Float32Array, labels: Uint8Array): Promise<{ correct: number; count: number; top1: number }> {
  const predicted = argmaxRows(await floatForward(desc, images), desc.classes);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) correct++;
  return { correct, count: labels.length, top1: correct / labels.length };
}

type LayerTensors = Record<string, tf.Tensor>;

const noTensors = (): LayerTensors => ({});

/** Per kind: its parameters as tensors, in the layouts FLOAT_OPS uses. */
const LAYER_TENSORS: ByKind<FloatLayer, [], LayerTensors> = {
  conv2d: (layer): LayerTensors => {
    const [KH, KW] = layer.kernel;
    const kernel = tf.tensor4d(ohwiToHwio(layer.weights, KH, KW, layer.inChannels, layer.outChannels), [KH, KW, layer.inChannels, layer.outChannels]);
    return layer.bias ? { kernel, bias: tf.tensor1d(Float32Array.from(layer.bias)) } : { kernel };
  },
  dense: (layer): LayerTensors => {
    const kernel = tf.tensor2d(Float32Array.from(transpose(layer.weights, layer.outFeatures, layer.inFeatures)), [layer.inFeatures, layer.outFeatures]);
    return layer.bias ? { kernel, bias: tf.tensor1d(Float32Array.from(layer.bias)) } : { kernel };
  },
  batchnorm: (layer) => ({
    gamma: tf.tensor1d(Float32Array.from(layer.gamma)),
    beta: tf.tensor1d(Float32Array.from(layer.beta)),
    mean: tf.tensor1d(Float32Array.from(layer.mean)),
    variance: tf.tensor1d(Float32Array.from(layer.variance)),
  }),
  relu: noTensors,
  sign: noTensors,
  maxpool: noTensors,
  flatten: noTensors,
};

function layerTensors(layer: FloatLayer): LayerTensors {
  return byKind(LAYER_TENSORS, layer);
}

/** Per kind: the layer on a batch `x`, given its tensors `p`. */
const FLOAT_OPS: ByKind<FloatLayer, [LayerTensors, tf.Tensor], tf.Tensor> = {
  conv2d: (layer, p, x) => {
    if (layer.stride[0] !== 1 || layer.stride[1] !== 1) throw new QuantrtlError(undefined, layer.name, "only stride 1 is supported", "stride [1, 1]");
    const x4 = x as tf.Tensor4D;
    const k = p.kernel as tf.Tensor4D;
    let y: tf.Tensor4D;
    if (layer.datapath === "adder") y = adderConv2d(x4, k, layer.padding);
    else if (layer.datapath === "xnor") y = tf.conv2d(signPlusOne(x4), signPlusOne(k), 1, layer.padding);
    else y = tf.conv2d(x4, k, 1, layer.padding);
    return p.bias ? tf.add(y, p.bias) : y;
  },
  dense: (layer, p, x) => {
    const x2 = x as tf.Tensor2D;
    const k = p.kernel as tf.Tensor2D;
    let y: tf.Tensor2D;
    if (layer.datapath === "adder") y = adderProduct(x2, k);
    else if (layer.datapath === "xnor") y = tf.matMul(signPlusOne(x2), signPlusOne(k));
    else y = tf.matMul(x2, k);
    return p.bias ? tf.add(y, p.bias) : y;
  },
  batchnorm: (layer, p, x) => tf.batchNorm(x, p.mean as tf.Tensor1D, p.variance as tf.Tensor1D, p.beta as tf.Tensor1D, p.gamma as tf.Tensor1D, layer.epsilon),
  relu: (_layer, _p, x) => tf.relu(x),
  sign: (_layer, _p, x) => signPlusOne(x),
  maxpool: (layer, _p, x) => tf.maxPool(x as tf.Tensor4D, [layer.pool[0], layer.pool[1]], [layer.stride[0], layer.stride[1]], "valid"),
  flatten: (_layer, _p, x) => tf.reshape(x, [x.shape[0], -1]),
};

function runLayer(layer: FloatLayer, p: LayerTensors, x: tf.Tensor): tf.Tensor {
  return byKind(FLOAT_OPS, layer, p, x);
}

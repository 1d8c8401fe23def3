/**
 * The float ViT description (`"topology": "vit"`), the hand-off from training
 * (vit.ts, train-vit.ts) to integer-only post-training quantization; this file
 * has the types, the seeded initial network and the validator, and no tfjs.
 *
 * Same envelope as the LeNet descriptions (float-model.ts), minus `variant`.
 * Layers form a GRAPH in execution order: every layer has `name`, `kind`,
 * `inputs` (names of earlier layers; "input" = the image), and the per-image
 * `inputShape` / `outputShape`. Token tensors are [T, C], row-major (token t,
 * channel c at t·C + c). A layer reads its input(s) as `inputShape`: only the
 * element count must match the producer's `outputShape` (the patch embedding's
 * [H/7, W/7, C] feature map is read as [H·W/49, C] tokens, patch (py, px) =
 * token py·(W/7) + px).
 * - `conv2d` (the patch embedding): `datapath` "mac", kernel = stride, padding
 *   "valid", OHWI `weights`, `bias` [out].
 * - `token_embed`: `cls` [C], `pos` [(P+1)·C]; row 0 = cls + pos[0], row t ≥ 1 = x[t−1] + pos[t].
 * - `layernorm`: `gamma` [C], `beta` [C], `epsilon`, over the channels of each token
 *   (biased variance).
 * - `linear`: `inFeatures`, `outFeatures`, `weights` [out][in], `bias` [out], on each
 *   token row. The QKV linear's outputs are [Q | K | V], each heads·dHead wide,
 *   head h = channels h·dHead … (h+1)·dHead − 1 of each part.
 * - `attention`: `heads`, `dHead`; [T, 3C] → [T, C], concat over heads of
 *   softmax(Q_h K_hᵀ / √dHead) V_h (the projection is the following `linear`).
 * - `add`: two inputs, elementwise sum.  `gelu`: the form named by
 *   `training.gelu`: "sigmoid-1.702" = x·σ(1.702·x) (what I-ViT's ShiftGELU
 *   approximates), "erf" = x·Φ(x).
 * - `token_select`: `index`; [T, C] → [C], the row `index` (0 = class token).
 * - `dense` (the head): `datapath` "mac", `weights` [out][in], `bias` [out].
 */
import { rng } from "../../ir/inputs.js";
import { QuantrtlError } from "../../util/errors.js";
import { byKind, isKindIn, type ByKind } from "./by-kind.js";
import type { FloatConv2d, FloatDense, FloatTraining } from "./float-model.js";

interface VitLayerBase {
  readonly name: string;
  /** Names of the layers this one reads ("input" = the image), in the order the kind documents. */
  readonly inputs: readonly string[];
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
}

export type VitConv2d = FloatConv2d & { readonly inputs: readonly string[] };
export type VitDense = FloatDense & { readonly inputs: readonly string[] };
export interface VitTokenEmbed extends VitLayerBase {
  readonly kind: "token_embed";
  readonly cls: readonly number[];
  /** [(P+1)][C], row 0 for the class token. */
  readonly pos: readonly number[];
}
export interface VitLayerNorm extends VitLayerBase {
  readonly kind: "layernorm";
  readonly gamma: readonly number[];
  readonly beta: readonly number[];
  readonly epsilon: number;
}
export interface VitLinear extends VitLayerBase {
  readonly kind: "linear";
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [out][in]. */
  readonly weights: readonly number[];
  readonly bias: readonly number[];
}
export interface VitAttention extends VitLayerBase {
  readonly kind: "attention";
  readonly heads: number;
  readonly dHead: number;
}
export interface VitAdd extends VitLayerBase {
  readonly kind: "add";
}
export interface VitGelu extends VitLayerBase {
  readonly kind: "gelu";
}
export interface VitTokenSelect extends VitLayerBase {
  readonly kind: "token_select";
  readonly index: number;
}

export type VitLayer = VitConv2d | VitTokenEmbed | VitLayerNorm | VitLinear | VitAttention | VitAdd | VitGelu | VitTokenSelect | VitDense;

/** "sigmoid-1.702": x·σ(1.702·x) (I-ViT ShiftGELU's target); "erf": x·Φ(x) = x/2·(1 + erf(x/√2)). */
export type GeluForm = "sigmoid-1.702" | "erf";
export const GELU_FORMS: readonly GeluForm[] = ["sigmoid-1.702", "erf"];

export type FloatVitTraining = Omit<FloatTraining, "adderOptimizer"> & {
  readonly gelu: GeluForm;
  /** Steps of linear learning-rate warm-up before the cosine decay. */
  readonly warmupSteps?: number;
  /** Training-time augmentation, in words ("none" if none). */
  readonly augmentation?: string;
};

export interface FloatVitModel {
  readonly format: "quantrtl-float";
  readonly version: 1;
  readonly name: string;
  readonly topology: "vit";
  readonly input: { readonly shape: readonly [number, number, number]; readonly layout: "HWC"; readonly scale: number; readonly encoding: string };
  readonly classes: number;
  readonly layers: readonly VitLayer[];
  readonly training: FloatVitTraining;
  readonly accuracy: { readonly floatTop1Test: number; readonly testImages: number };
}

/** The name every graph uses for the network input. */
export const VIT_INPUT = "input";

// ---------------------------------------------------------------- architecture

export interface VitConfig {
  /** [H, W, C] of the image. */
  readonly image: readonly [number, number, number];
  readonly patch: number;
  readonly dim: number;
  readonly heads: number;
  readonly depth: number;
  readonly mlp: number;
  readonly classes: number;
  readonly epsilon: number;
}

/** The MNIST ViT: 7×7 patches → 16 tokens + class token = 17, dim 64, 4 heads of 16, 2 blocks, MLP 128. */
export const MNIST_VIT: VitConfig = { image: [28, 28, 1], patch: 7, dim: 64, heads: 4, depth: 2, mlp: 128, classes: 10, epsilon: 1e-6 };

/** The layers of one pre-norm encoder block `b<index>` reading `from`, as in the description (weights given). */
export function vitBlockLayers(
  prefix: string,
  from: string,
  shape: { readonly tokens: number; readonly dim: number; readonly heads: number; readonly mlp: number; readonly epsilon: number },
  p: { ln1: Norm; qkv: Dense; proj: Dense; ln2: Norm; fc1: Dense; fc2: Dense },
): VitLayer[] {
  const { tokens: T, dim: C, heads, mlp } = shape;
  const tc = [T, C];
  const linear = (name: string, input: string, inFeatures: number, outFeatures: number, d: Dense): VitLinear => ({
    kind: "linear",
    name: `${prefix}.${name}`,
    inputs: [input],
    inputShape: [T, inFeatures],
    outputShape: [T, outFeatures],
    inFeatures,
    outFeatures,
    weights: d.weights,
    bias: d.bias,
  });
  const norm = (name: string, input: string, n: Norm): VitLayerNorm => ({
    kind: "layernorm",
    name: `${prefix}.${name}`,
    inputs: [input],
    inputShape: tc,
    outputShape: tc,
    gamma: n.gamma,
    beta: n.beta,
    epsilon: shape.epsilon,
  });
  const at = (name: string) => `${prefix}.${name}`;
  return [
    norm("ln1", from, p.ln1),
    linear("qkv", at("ln1"), C, 3 * C, p.qkv),
    { kind: "attention", name: at("attn"), inputs: [at("qkv")], inputShape: [T, 3 * C], outputShape: tc, heads, dHead: C / heads },
    linear("proj", at("attn"), C, C, p.proj),
    { kind: "add", name: at("add1"), inputs: [from, at("proj")], inputShape: tc, outputShape: tc },
    norm("ln2", at("add1"), p.ln2),
    linear("fc1", at("ln2"), C, mlp, p.fc1),
    { kind: "gelu", name: at("gelu"), inputs: [at("fc1")], inputShape: [T, mlp], outputShape: [T, mlp] },
    linear("fc2", at("gelu"), mlp, C, p.fc2),
    { kind: "add", name: at("add2"), inputs: [at("add1"), at("fc2")], inputShape: tc, outputShape: tc },
  ];
}

interface Dense {
  readonly weights: readonly number[];
  readonly bias: readonly number[];
}
interface Norm {
  readonly gamma: readonly number[];
  readonly beta: readonly number[];
}

/**
 * The whole network with seeded initial weights [ours]: Xavier-uniform kernels
 * (as the JAX ViT), zero biases and class token, position embedding N(0, 0.02²),
 * LayerNorm gamma 1, beta 0. Values are float32-representable.
 */
export function vitLayers(config: VitConfig, seed: number): VitLayer[] {
  const next = rng(seed);
  const f = Math.fround;
  const xavier = (fanIn: number, fanOut: number, count: number) => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    return Array.from({ length: count }, () => f((2 * next() - 1) * limit));
  };
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const zeros = (n: number) => new Array<number>(n).fill(0);
  const dense = (inF: number, outF: number): Dense => ({ weights: xavier(inF, outF, inF * outF), bias: zeros(outF) });
  const norm = (n: number): Norm => ({ gamma: new Array<number>(n).fill(1), beta: zeros(n) });

  const [H, W, Cin] = config.image;
  const { patch: K, dim: C, mlp, classes } = config;
  const [PH, PW] = [H / K, W / K];
  if (!Number.isInteger(PH) || !Number.isInteger(PW))
    throw new QuantrtlError(undefined, "patch", `a ${H}×${W} image is not a whole number of ${K}×${K} patches`, "a patch size that divides the image");
  const P = PH * PW;
  const T = P + 1;
  const layers: VitLayer[] = [
    {
      kind: "conv2d",
      name: "patch_embed",
      inputs: [VIT_INPUT],
      inputShape: [H, W, Cin],
      outputShape: [PH, PW, C],
      datapath: "mac",
      inChannels: Cin,
      outChannels: C,
      kernel: [K, K],
      stride: [K, K],
      padding: "valid",
      ...dense(K * K * Cin, C),
    },
    {
      kind: "token_embed",
      name: "embed",
      inputs: ["patch_embed"],
      inputShape: [P, C],
      outputShape: [T, C],
      cls: zeros(C),
      pos: Array.from({ length: T * C }, () => f(0.02 * gaussian())),
    },
  ];
  let from = "embed";
  for (let b = 1; b <= config.depth; b++) {
    const shape = { tokens: T, dim: C, heads: config.heads, mlp, epsilon: config.epsilon };
    layers.push(
      ...vitBlockLayers(`b${b}`, from, shape, { ln1: norm(C), qkv: dense(C, 3 * C), proj: dense(C, C), ln2: norm(C), fc1: dense(C, mlp), fc2: dense(mlp, C) }),
    );
    from = `b${b}.add2`;
  }
  layers.push(
    { kind: "layernorm", name: "final_ln", inputs: [from], inputShape: [T, C], outputShape: [T, C], ...norm(C), epsilon: config.epsilon },
    { kind: "token_select", name: "select", inputs: ["final_ln"], inputShape: [T, C], outputShape: [C], index: 0 },
    {
      kind: "dense",
      name: "head",
      inputs: ["select"],
      inputShape: [C],
      outputShape: [classes],
      datapath: "mac",
      inFeatures: C,
      outFeatures: classes,
      ...dense(C, classes),
    },
  );
  return layers;
}

// ---------------------------------------------------------------- validate

/** The checks of one layer's own fields: `at` its JSON path, `inShape` its input shape, `last` that shape's last size. */
interface VitCheck {
  readonly at: string;
  readonly fail: (path: string, problem: string, hint: string) => never;
  readonly positiveInt: (field: string, v: unknown) => void;
  readonly expectLength: (field: string, actual: unknown, length: number) => void;
  readonly expectShape: (field: "inputShape" | "outputShape", expected: readonly number[]) => void;
  readonly inShape: readonly number[];
  readonly last: number;
}

/** Per kind: its shapes and array lengths. */
const VIT_CHECKS: ByKind<VitLayer, [VitCheck], void> = {
  conv2d: (layer, { at, fail, positiveInt, expectLength, expectShape, inShape }) => {
    if (layer.datapath !== "mac") fail(`${at}/datapath`, `datapath "${layer.datapath}" in a ViT`, '"mac"');
    if (inShape.length !== 3 || layer.inChannels !== inShape[2])
      fail(`${at}/inChannels`, `${layer.inChannels} input channels for input [${inShape}]`, "[H, W, inChannels]");
    positiveInt("outChannels", layer.outChannels);
    const [KH, KW] = layer.kernel ?? [];
    positiveInt("kernel/0", KH);
    positiveInt("kernel/1", KW);
    if (!layer.stride || layer.stride[0] !== KH || layer.stride[1] !== KW)
      fail(`${at}/stride`, `stride [${layer.stride}] differs from the kernel`, `[${KH}, ${KW}] (a patch embedding)`);
    if (layer.padding !== "valid") fail(`${at}/padding`, `padding "${layer.padding}"`, '"valid"');
    if (inShape[0] % KH !== 0 || inShape[1] % KW !== 0)
      fail(`${at}/kernel`, `${inShape[0]}×${inShape[1]} is not a whole number of ${KH}×${KW} patches`, "a kernel that divides the input");
    expectShape("outputShape", [inShape[0] / KH, inShape[1] / KW, layer.outChannels]);
    expectLength("weights", layer.weights, layer.outChannels * KH * KW * layer.inChannels);
    if (layer.bias !== undefined) expectLength("bias", layer.bias, layer.outChannels);
  },
  token_embed: (layer, { at, fail, expectLength, expectShape, inShape, last }) => {
    if (inShape.length !== 2) fail(`${at}/inputShape`, `[${inShape}] is not [tokens, channels]`, "[P, C]");
    expectShape("outputShape", [inShape[0] + 1, last]);
    expectLength("cls", layer.cls, last);
    expectLength("pos", layer.pos, (inShape[0] + 1) * last);
  },
  layernorm: (layer, { at, fail, expectLength, expectShape, inShape, last }) => {
    expectShape("outputShape", inShape);
    expectLength("gamma", layer.gamma, last);
    expectLength("beta", layer.beta, last);
    if (typeof layer.epsilon !== "number" || !(layer.epsilon > 0))
      fail(`${at}/epsilon`, `epsilon is ${JSON.stringify(layer.epsilon)}`, "a positive number, e.g. 1e-6");
  },
  linear: (layer, { at, fail, positiveInt, expectLength, expectShape, inShape, last }) => {
    positiveInt("inFeatures", layer.inFeatures);
    positiveInt("outFeatures", layer.outFeatures);
    if (last !== layer.inFeatures) fail(`${at}/inFeatures`, `${layer.inFeatures} input features for input [${inShape}]`, `${last}`);
    expectShape("outputShape", [...inShape.slice(0, -1), layer.outFeatures]);
    expectLength("weights", layer.weights, layer.outFeatures * layer.inFeatures);
    expectLength("bias", layer.bias, layer.outFeatures);
  },
  attention: (layer, { at, fail, positiveInt, expectShape, inShape, last }) => {
    positiveInt("heads", layer.heads);
    positiveInt("dHead", layer.dHead);
    if (inShape.length !== 2 || last !== 3 * layer.heads * layer.dHead)
      fail(`${at}/inputShape`, `[${inShape}] is not [T, 3·heads·dHead] = [T, ${3 * layer.heads * layer.dHead}]`, "the fused [Q | K | V] output of a linear");
    expectShape("outputShape", [inShape[0], layer.heads * layer.dHead]);
  },
  add: (_layer, { expectShape, inShape }) => expectShape("outputShape", inShape),
  gelu: (_layer, { expectShape, inShape }) => expectShape("outputShape", inShape),
  token_select: (layer, { at, fail, expectShape, inShape, last }) => {
    if (inShape.length !== 2) fail(`${at}/inputShape`, `[${inShape}] is not [tokens, channels]`, "[T, C]");
    if (!Number.isInteger(layer.index) || layer.index < 0 || layer.index >= inShape[0])
      fail(`${at}/index`, `index ${JSON.stringify(layer.index)}`, `an integer in 0..${inShape[0] - 1}`);
    expectShape("outputShape", [last]);
  },
  dense: (layer, { at, fail, positiveInt, expectLength, expectShape, inShape }) => {
    if (layer.datapath !== "mac") fail(`${at}/datapath`, `datapath "${layer.datapath}" in a ViT`, '"mac"');
    if (layer.inFeatures !== count(inShape)) fail(`${at}/inFeatures`, `${layer.inFeatures} input features for input [${inShape}]`, `${count(inShape)}`);
    positiveInt("outFeatures", layer.outFeatures);
    expectShape("outputShape", [layer.outFeatures]);
    expectLength("weights", layer.weights, layer.outFeatures * layer.inFeatures);
    if (layer.bias !== undefined) expectLength("bias", layer.bias, layer.outFeatures);
  },
};

/** Elements of a tensor of `shape`. */
function count(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The kinds, in the order the hint lists them. */
const LAYER_KINDS = Object.keys(VIT_CHECKS);

/**
 * Checks a `"topology": "vit"` description: the graph (names, inputs that name
 * earlier layers, input element counts), each kind's shapes and array lengths,
 * and `training.gelu`. Errors carry the file and the JSON path.
 */
export function checkVitModel(value: unknown, file?: string): asserts value is FloatVitModel {
  const fail = (path: string, problem: string, hint: string): never => {
    throw new QuantrtlError(file, path, problem, hint);
  };
  const m = value as Partial<FloatVitModel>;
  const isShape = (s: unknown): s is number[] => Array.isArray(s) && s.length > 0 && s.every((d) => Number.isInteger(d) && d > 0);
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  if (!m.input || !isShape(m.input.shape) || m.input.shape.length !== 3) fail("/input/shape", "no [H, W, C] input shape", "e.g. [28, 28, 1]");
  if (!GELU_FORMS.includes(m.training?.gelu as GeluForm))
    fail("/training/gelu", `GELU form ${JSON.stringify(m.training?.gelu)} is not known`, `one of ${GELU_FORMS.map((g) => `"${g}"`).join(", ")}`);
  if (!Array.isArray(m.layers) || m.layers.length === 0) fail("/layers", "no layers", "a non-empty array of layers");
  const shapes = new Map<string, readonly number[]>([[VIT_INPUT, m.input!.shape]]);

  m.layers!.forEach((layer, i) => {
    const at = `/layers/${i}`;
    const positiveInt = (field: string, v: unknown) => {
      if (!Number.isInteger(v) || (v as number) <= 0) fail(`${at}/${field}`, `${field} is ${JSON.stringify(v)}`, "a positive integer");
    };
    const expectLength = (field: string, actual: unknown, length: number) => {
      if (!Array.isArray(actual) || actual.length !== length || !actual.every((v) => typeof v === "number" && Number.isFinite(v)))
        fail(
          `${at}/${field}`,
          `${field} has ${Array.isArray(actual) ? actual.length : "no"} values${Array.isArray(actual) && actual.length === length ? ", not all finite numbers" : ""}`,
          `${length} finite numbers`,
        );
    };
    const expectShape = (field: "inputShape" | "outputShape", expected: readonly number[]) => {
      if (!same(layer[field], expected)) fail(`${at}/${field}`, `${field} is [${layer[field]}]`, `[${expected}]`);
    };
    if (typeof layer !== "object" || layer === null) fail(at, "not a layer object", "an object with name, kind, inputs, inputShape, outputShape");
    if (typeof layer.name !== "string" || layer.name === "" || layer.name === VIT_INPUT)
      fail(`${at}/name`, `name ${JSON.stringify(layer.name)} is not usable`, `a non-empty string other than "${VIT_INPUT}"`);
    if (shapes.has(layer.name)) fail(`${at}/name`, `a second layer is named "${layer.name}"`, "unique layer names");
    if (!isKindIn(VIT_CHECKS, layer.kind)) fail(`${at}/kind`, `unknown layer kind "${(layer as { kind: string }).kind}"`, LAYER_KINDS.join(", "));
    if (!isShape(layer.inputShape)) fail(`${at}/inputShape`, "not a shape", "an array of positive integers");
    if (!isShape(layer.outputShape)) fail(`${at}/outputShape`, "not a shape", "an array of positive integers");
    const arity = layer.kind === "add" ? 2 : 1;
    if (!Array.isArray(layer.inputs) || layer.inputs.length !== arity)
      fail(`${at}/inputs`, `${Array.isArray(layer.inputs) ? layer.inputs.length : "no"} inputs`, `${arity} input name${arity > 1 ? "s" : ""}`);
    layer.inputs.forEach((from, j) => {
      const produced = shapes.get(from);
      if (!produced) fail(`${at}/inputs/${j}`, `"${String(from)}" is not an earlier layer`, `"${VIT_INPUT}" or the name of a layer before this one`);
      if (count(produced!) !== count(layer.inputShape))
        fail(`${at}/inputShape`, `[${layer.inputShape}] does not hold the [${produced}] output of "${from}"`, `${count(produced!)} elements`);
    });
    byKind(VIT_CHECKS, layer, {
      at,
      fail,
      positiveInt,
      expectLength,
      expectShape,
      inShape: layer.inputShape,
      last: layer.inputShape[layer.inputShape.length - 1],
    });
    shapes.set(layer.name, layer.outputShape);
  });
  const output = m.layers![m.layers!.length - 1].outputShape;
  if (count(output) !== m.classes)
    fail(`/layers/${m.layers!.length - 1}/outputShape`, `the last layer gives [${output}], not ${m.classes} class scores`, `[${m.classes}] (or fix "classes")`);
}

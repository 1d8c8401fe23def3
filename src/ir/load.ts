/**
 * Loads a model file: JSON parse, schema (validate.ts), weight files beside the
 * model, then the checks that relate fields to each other. Produces the
 * normalized, trusted IR (model.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { validateModelDocument } from "./validate.js";
import {
  AddLayer,
  ArgmaxLayer,
  AvgPoolLayer,
  Conv2dLayer,
  convOutputSize,
  DenseLayer,
  Folding,
  GlobalAvgPoolLayer,
  Layer,
  MaxPoolLayer,
  Model,
  MODEL_INPUT,
  OutputStage,
  TensorSpec,
} from "./model.js";
import type { RequantParams } from "../arith/requant.js";
import type { Datapath, ThresholdDirection } from "../arith/datapath.js";
import { DEFAULT_MULTIPLIER_BITS } from "../arith/requant.js";
import type { RoundingMode } from "../arith/rounding.js";
import { signedMax, signedMin } from "../arith/rounding.js";
import { isShiftWeight, maxShift } from "../arith/datapath.js";
import { QuantrtlError } from "../util/errors.js";
import { parseIvitLayer } from "./load-ivit.js";
import { parseTokenLayer } from "./load-tokens.js";
import { checkModelFile, MAX_MODEL_FILE_BYTES, readExactly, resolveWeightFile } from "./load-files.js";
import { checkModelMemory, defaultMemoryBudget, formatBytes, MAX_TENSOR_ELEMENTS, MemoryBudget, Workload } from "./budget.js";

export interface LoadOptions {
  /** Folder that weight-file paths are relative to (default: the model file's folder). */
  readonly baseDir?: string;
  /** Accept layers whose output no later layer reads (model-building scripts calibrating a graph layer by layer). */
  readonly allowUnused?: boolean;
  /** Folding applied to every layer, overriding the model's `arch` (CLI --pe / --simd). */
  readonly arch?: Partial<Folding>;
  /** Memory the model may take (budget.ts; default: half the free memory, at most 4 GiB). */
  readonly memoryBudget?: MemoryBudget;
  /** What the caller will run (default: one vector through the golden model). */
  readonly workload?: Workload;
  /** Where a deprecation warning goes (default: one line on stderr). */
  readonly onWarning?: (message: string) => void;
}

/** A JSON file's text without a leading UTF-8 byte-order mark (editors on Windows write one; JSON.parse rejects it with an invisible character in the message). */
function readJsonText(file: string): string {
  return stripBom(readFileSync(file, "utf8"));
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Reads, validates and parses a model file (JSON; weights inline or in files beside it).
 * @param file - path of the model JSON; weight files are resolved relative to its folder
 * @param options - folding override (`arch`), memory budget, deprecation-warning sink
 * @returns the integer model with its content hash
 * @throws QuantrtlError naming the file, the JSON path and a hint, for any invalid input
 */
export function loadModel(file: string, options: LoadOptions = {}): Model {
  const memoryBudget = options.memoryBudget ?? defaultMemoryBudget();
  checkModelFile(file, memoryBudget);
  options = { ...options, memoryBudget };
  let doc: unknown;
  try {
    doc = JSON.parse(readJsonText(file));
  } catch (err) {
    throw new QuantrtlError(file, "", `is not valid JSON (${(err as Error).message})`, "fix the JSON syntax");
  }
  return parseModel(doc, { ...options, file, baseDir: options.baseDir ?? dirname(resolve(file)) });
}

export interface RawRequant {
  multiplier?: number;
  multiplierBits?: number;
  shift?: number;
  multipliers?: number[];
  rounding: RoundingMode;
  outBits: number;
  zeroPoint?: number;
}

/** Fields of every raw layer type (the schema allows each only on the types that use it). */
export interface RawLayer {
  type: "conv2d" | "dense" | "relu" | "maxpool" | "avgpool" | "global_avgpool" | "add" | "flatten" | "argmax" | "linear" | "layernorm" | "gelu" | "softmax" | "attention" | "token_embed" | "token_select";
  name: string;
  inputs?: string[];
  kernel: Datapath;
  /** The new name of `kernel` (normaliseDatapath copies it there). */
  datapath?: Datapath;
  outChannels: number;
  outFeatures: number;
  kernelSize: number | number[];
  stride?: number | number[];
  padding?: number | number[];
  weightBits: number;
  activationBits: number;
  weights: number[] | { file: string };
  bias?: number[] | { file: string };
  requant?: RawRequant;
  relu?: boolean;
  multipliers?: [number, number];
  shift?: number;
  rounding?: RoundingMode;
  outBits?: number;
  thresholds?: number[];
  thresholdDirections?: ThresholdDirection[];
  arch?: Partial<Folding>;
  scales?: Record<string, number>;
  biasInt?: number[] | { file: string };
  x0?: number;
  n?: number;
  sigmoidBits?: number;
  heads?: number;
  embedding?: number[] | { file: string };
  newtonIterations?: number;
  index?: number;
}

interface RawModel {
  quantrtl: 1;
  name: string;
  description?: string;
  metadata?: Record<string, unknown>;
  input: TensorSpec;
  layers: RawLayer[];
}

/**
 * An engine's "datapath" as the parsers read it (`kernel`): "datapath" is copied there; the
 * old name "kernel" still reads, with one warning per model; both must agree.
 */
function normaliseDatapath(raw: RawModel, file: string | undefined, onWarning: (m: string) => void = (m) => void process.stderr.write(`warning: ${m}\n`)): RawModel {
  let old: string | undefined;
  const layers = raw.layers.map((l, i) => {
    if (l.datapath !== undefined && l.kernel !== undefined && l.datapath !== l.kernel) {
      throw new QuantrtlError(file, `/layers/${i}/kernel`, `"${l.kernel}" differs from "datapath": "${l.datapath}" ("kernel" is its old name)`, 'remove "kernel"');
    }
    if (l.kernel !== undefined && l.datapath === undefined) old ??= `/layers/${i}`;
    return l.datapath !== undefined && l.kernel === undefined ? { ...l, kernel: l.datapath } : l;
  });
  if (old) onWarning(`${file ?? "model"} ${old}: "kernel" is the old name of "datapath"; write "datapath" (the model reads the same)`);
  return { ...raw, layers };
}

/**
 * Validates and parses a model document already in memory (the JSON of a model file).
 * @param doc - the parsed JSON document
 * @param options - as {@link loadModel}, plus `file` for error messages; weight files resolve against `baseDir` (default: the working folder)
 * @throws QuantrtlError naming the JSON path and a hint
 */
export function parseModel(doc: unknown, options: LoadOptions & { file?: string } = {}): Model {
  const file = options.file;
  validateModelDocument(doc, file);
  const raw = normaliseDatapath(doc as RawModel, file, options.onWarning);
  const baseDir = options.baseDir ?? process.cwd();
  const memoryBudget = options.memoryBudget ?? defaultMemoryBudget();
  const tensors = new Map<string, TensorSpec>([[MODEL_INPUT, raw.input]]);
  const layers: Layer[] = [];
  const consumers = new Map<string, number>();
  raw.layers.forEach((rawLayer, i) => {
    const at = `/layers/${i}`;
    if (rawLayer.name === MODEL_INPUT) {
      throw new QuantrtlError(file, `${at}/name`, `"${MODEL_INPUT}" names the model input`, "give the layer another name");
    }
    if (tensors.has(rawLayer.name)) {
      throw new QuantrtlError(file, `${at}/name`, `layer name "${rawLayer.name}" is used twice`, "give every layer a unique name");
    }
    const previous = i === 0 ? MODEL_INPUT : raw.layers[i - 1].name;
    const inputs = rawLayer.inputs ?? [previous];
    const arity = rawLayer.type === "add" ? 2 : 1;
    if (inputs.length !== arity) {
      throw new QuantrtlError(file, `${at}/inputs`, `has ${inputs.length} name(s); a ${rawLayer.type} layer takes ${arity}`, arity === 2 ? 'name the two operands, e.g. ["conv2", "pool1"]' : "name one earlier layer");
    }
    const specs = inputs.map((n, j) => {
      const spec = tensors.get(n);
      if (!spec) {
        throw new QuantrtlError(file, `${at}/inputs/${j}`, `"${n}" is not an earlier layer`, `use "${MODEL_INPUT}" or the name of a layer listed before this one`);
      }
      consumers.set(n, (consumers.get(n) ?? 0) + 1);
      return spec;
    });
    const ctx: Ctx = { file, at, baseDir, arch: options.arch, memoryBudget };
    const layer = parseLayer(rawLayer, inputs, specs, ctx);
    layers.push(layer);
    tensors.set(layer.name, layer.output);
  });
  // every layer but the last must feed something: a dangling branch would stall the hardware stream
  layers.slice(0, -1).forEach((l, i) => {
    if (!options.allowUnused && !consumers.has(l.name)) {
      throw new QuantrtlError(file, `/layers/${i}`, `the output of layer "${l.name}" is not used by any later layer`, "remove the layer or name it in a later layer's inputs (the last layer is the model output)");
    }
  });
  const model = { name: raw.name, description: raw.description, metadata: raw.metadata, file, input: raw.input, layers };
  // before the hash: its canonical text of every weight is itself bounded by V8's string length
  checkModelMemory(model, memoryBudget, options.workload ?? { vectors: 1 }, file);
  return { ...model, hash: hashModel(model) };
}

export interface Ctx {
  file?: string;
  at: string;
  baseDir: string;
  arch?: Partial<Folding>;
  memoryBudget: MemoryBudget;
}

function parseLayer(raw: RawLayer, inputs: readonly string[], specs: readonly TensorSpec[], ctx: Ctx): Layer {
  const input = specs[0];
  const base = { name: raw.name, inputs, input };
  const fail = (path: string, problem: string, hint: string): never => {
    throw new QuantrtlError(ctx.file, `${ctx.at}${path}`, problem, hint);
  };
  switch (raw.type) {
    case "conv2d":
      return parseConv2d(raw, inputs, input, ctx);
    case "dense":
      return parseDense(raw, inputs, input, ctx);
    case "linear":
      // a linear layer on [T, 1, D] tokens is the 1×1 conv: the engine applied per token
      return parseConv2d({ ...raw, type: "conv2d", outChannels: raw.outFeatures, kernelSize: 1, stride: 1, padding: 0 }, inputs, input, ctx, "outFeatures");
    case "layernorm":
    case "gelu":
    case "softmax":
    case "attention":
      return parseIvitLayer(raw, base, ctx);
    case "token_embed":
    case "token_select":
      return parseTokenLayer(raw, base, ctx);
    case "relu":
      if (input.bits === 1) fail("", "relu of a binary (±1) tensor is not defined", "remove the relu or apply it before the threshold");
      return { kind: "relu", ...base, output: input };
    case "flatten":
      return { kind: "flatten", ...base, output: { height: 1, width: 1, channels: input.height * input.width * input.channels, bits: input.bits } };
    case "maxpool":
    case "avgpool": {
      const kernel = pairOf(raw.kernelSize, 1);
      const stride = pairOf(raw.stride, kernel[0]);
      const stridePair: [number, number] = raw.stride === undefined ? [kernel[0], kernel[1]] : stride;
      for (const axis of [0, 1] as const) {
        const size = axis === 0 ? input.height : input.width;
        if (kernel[axis] > size) fail("/kernelSize", `kernel ${axis === 0 ? "height" : "width"} ${kernel[axis]} is larger than the input (${size})`, `use at most ${size}`);
      }
      const spatial = { height: convOutputSize(input.height, kernel[0], stridePair[0], 0), width: convOutputSize(input.width, kernel[1], stridePair[1], 0) };
      if (raw.type === "maxpool") {
        const layer: MaxPoolLayer = { kind: "maxpool", ...base, output: { ...spatial, channels: input.channels, bits: input.bits }, kernel, stride: stridePair };
        return layer;
      }
      if (input.bits === 1) fail("", "average pooling of a binary (±1) tensor is not supported", "pool before the threshold, or use maxpool");
      const requant = parsePoolRequant(raw.requant!, "/requant", ctx);
      const layer: AvgPoolLayer = { kind: "avgpool", ...base, output: { ...spatial, channels: input.channels, bits: requant.outBits }, kernel, stride: stridePair, requant };
      return layer;
    }
    case "global_avgpool": {
      if (input.bits === 1) fail("", "average pooling of a binary (±1) tensor is not supported", "pool before the threshold");
      const requant = parsePoolRequant(raw.requant!, "/requant", ctx);
      const layer: GlobalAvgPoolLayer = { kind: "global_avgpool", ...base, output: { height: 1, width: 1, channels: input.channels, bits: requant.outBits }, requant };
      return layer;
    }
    case "add": {
      const [a, b] = specs;
      if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
        fail("/inputs", `the operands have shapes ${a.height}×${a.width}×${a.channels} and ${b.height}×${b.width}×${b.channels}`, "add tensors of the same shape");
      }
      if (a.bits === 1 || b.bits === 1) fail("/inputs", "a residual add of binary (±1) tensors is not supported", "add integer tensors");
      const layer: AddLayer = {
        kind: "add",
        ...base,
        output: { height: a.height, width: a.width, channels: a.channels, bits: raw.outBits! },
        multipliers: [raw.multipliers![0], raw.multipliers![1]],
        shift: raw.shift!,
        rounding: raw.rounding!,
        relu: raw.relu ?? false,
      };
      for (const j of [0, 1]) {
        if (layer.multipliers[j] >= 2 ** 31) fail(`/multipliers/${j}`, `${layer.multipliers[j]} does not fit 31 bits`, "use a multiplier below 2^31");
      }
      return layer;
    }
    case "argmax": {
      const n = input.height * input.width * input.channels;
      const outBits = raw.outBits ?? (n <= 128 ? 8 : 16);
      if (n > 2 ** (outBits - 1)) fail("/outBits", `${outBits} bits cannot hold an index up to ${n - 1}`, "use 16");
      if (input.height !== 1 || input.width !== 1) fail("/inputs", `argmax takes a 1×1×C tensor (logits); the input is ${input.height}×${input.width}×${input.channels}`, "put a dense or global_avgpool layer before it");
      const layer: ArgmaxLayer = { kind: "argmax", ...base, output: { height: 1, width: 1, channels: 1, bits: outBits } };
      return layer;
    }
  }
}

export function parsePoolRequant(rq: RawRequant, path: string, ctx: Ctx): RequantParams {
  const multiplierBits = rq.multiplierBits ?? DEFAULT_MULTIPLIER_BITS;
  if (rq.multiplier! >= 2 ** multiplierBits) {
    throw new QuantrtlError(ctx.file, `${ctx.at}${path}/multiplier`, `${rq.multiplier} does not fit in multiplierBits = ${multiplierBits}`, `use a multiplier below ${2 ** multiplierBits} or raise multiplierBits`);
  }
  return { multiplier: rq.multiplier!, multiplierBits, shift: rq.shift!, rounding: rq.rounding, outBits: rq.outBits, zeroPoint: 0, relu: false };
}

function parseDense(raw: RawLayer, inputs: readonly string[], input: TensorSpec, ctx: Ctx): DenseLayer {
  const n = input.height * input.width * input.channels;
  const conv = parseConv2d(
    { ...raw, type: "conv2d", outChannels: raw.outFeatures, kernelSize: 1, stride: 1, padding: 0 },
    inputs,
    { height: 1, width: 1, channels: n, bits: input.bits },
    ctx,
    "outFeatures",
  );
  const { kind: _kind, kernel: _k, stride: _s, padding: _p, input: _i, ...rest } = conv;
  return { ...rest, kind: "dense", input };
}

function pairOf(v: number | number[] | undefined, fallback: number): [number, number] {
  if (v === undefined) return [fallback, fallback];
  return typeof v === "number" ? [v, v] : [v[0], v[1]];
}

function parseConv2d(raw: RawLayer, inputs: readonly string[], input: TensorSpec, ctx: Ctx, outField = "outChannels"): Conv2dLayer {
  const { file, at } = ctx;
  const fail = (path: string, problem: string, hint: string): never => {
    throw new QuantrtlError(file, `${at}${path}`, problem, hint);
  };
  const datapath = raw.kernel;
  const binary = datapath === "xnor";
  if (raw.activationBits !== input.bits) {
    fail("/activationBits", `is ${raw.activationBits} but the incoming tensor has ${input.bits}-bit values`, `set activationBits to ${input.bits}`);
  }
  if (binary) {
    if (raw.weightBits !== 1) fail("/weightBits", `is ${raw.weightBits}; an xnor layer has 1-bit (±1) weights`, "set weightBits to 1");
    if (raw.activationBits !== 1) fail("/activationBits", `is ${raw.activationBits}; an xnor layer takes 1-bit (±1) activations`, "set activationBits to 1 (and the input bits to 1)");
    // an xnor layer either thresholds to signs (hidden layers) or requantizes to integers (the last layer's logits)
    if (raw.requant && raw.thresholds) fail("/requant", 'an xnor layer has either "thresholds" (±1 outputs) or "requant" (integer outputs), not both', 'remove one of them');
    if (!raw.requant && !raw.thresholds) fail("", 'missing field "thresholds"', 'give one integer threshold per output channel (or "requant" for integer outputs)');
    if (!raw.requant && raw.relu) fail("/relu", "an xnor layer with thresholds outputs signs; relu does not apply", 'remove "relu"');
    if (!raw.requant && raw.bias) fail("/bias", "an xnor layer with thresholds folds its bias into the thresholds", 'remove "bias"');
  } else {
    if (raw.weightBits === 1) fail("/weightBits", `1-bit weights need kernel "xnor"`, "use 8 or 16");
    if (raw.activationBits === 1) fail("/activationBits", `1-bit activations need kernel "xnor"`, "use 8 or 16");
    if (datapath === "adder" && raw.weightBits !== raw.activationBits) {
      fail("/weightBits", `is ${raw.weightBits} but activationBits is ${raw.activationBits}; an adder layer needs one shared scale and width for x and w`, `set both to ${raw.activationBits}`);
    }
    // thresholds binarize the output (the int8 first layer of a binary network, FINN-style)
    if (raw.requant && raw.thresholds) fail("/thresholds", 'a layer has either "requant" (integer outputs) or "thresholds" (±1 outputs), not both', 'remove one of them');
    if (!raw.requant && !raw.thresholds) fail("", 'missing field "requant"', 'give {multiplier, shift, rounding, outBits} (or "thresholds" for ±1 outputs)');
    if (raw.thresholds && raw.relu) fail("/relu", "a thresholded layer outputs signs; relu does not apply", 'remove "relu"');
  }
  if (raw.thresholdDirections && !raw.thresholds) fail("/thresholdDirections", "threshold directions need thresholds", 'remove "thresholdDirections" or give "thresholds"');

  const kernel = pairOf(raw.kernelSize, 1);
  const stride = pairOf(raw.stride, 1);
  const padding = pairOf(raw.padding, 0);
  for (const axis of [0, 1] as const) {
    const name = axis === 0 ? "height" : "width";
    if (padding[axis] >= kernel[axis]) fail("/padding", `padding ${padding[axis]} is not smaller than the kernel ${name} ${kernel[axis]}`, `use padding below ${kernel[axis]}`);
    const inSize = axis === 0 ? input.height : input.width;
    if (inSize + 2 * padding[axis] < kernel[axis]) fail("/kernelSize", `kernel ${name} ${kernel[axis]} is larger than the padded input ${name} ${inSize + 2 * padding[axis]}`, "use a smaller kernel or more padding");
  }
  const output: TensorSpec = {
    height: convOutputSize(input.height, kernel[0], stride[0], padding[0]),
    width: convOutputSize(input.width, kernel[1], stride[1], padding[1]),
    channels: raw.outChannels,
    bits: raw.requant ? raw.requant.outBits : 1,
  };
  const reduction = kernel[0] * kernel[1] * input.channels;

  const weightCount = raw.outChannels * reduction;
  const shape = outField === "outChannels" ? `outChannels ${raw.outChannels} × ${kernel[0]} × ${kernel[1]} × inChannels ${input.channels} (OHWI order)` : `outFeatures ${raw.outChannels} × ${input.channels} inputs ([out][in], inputs in HWC order)`;
  const weightValues = readInts(raw.weights, "/weights", raw.weightBits, ctx, { count: weightCount, shape });
  if (weightValues.length !== weightCount) {
    fail("/weights", `has ${weightValues.length} values; expected ${weightCount} = ${shape}`, `give exactly ${weightCount} integers`);
  }
  const weights = checkValues(weightValues, "/weights", binary ? [-1, 1] : [signedMin(raw.weightBits), signedMax(raw.weightBits)], binary, ctx);
  if (datapath === "shift") {
    const bad = weights.findIndex((w) => !isShiftWeight(w, raw.weightBits));
    if (bad >= 0) {
      fail(`/weights/${bad}`, `value ${weights[bad]} is not a shift weight`, `use 0 or ±2^q with q ≤ ${maxShift(raw.weightBits)} (a power of two that fits ${raw.weightBits} bits)`);
    }
  }

  let bias: Int32Array | undefined;
  if (raw.bias) {
    const biasValues = readInts(raw.bias, "/bias", 32, ctx, { count: raw.outChannels, shape: "one per output channel" });
    if (biasValues.length !== raw.outChannels) fail("/bias", `has ${biasValues.length} values; expected one per output channel (${raw.outChannels})`, `give ${raw.outChannels} integers`);
    bias = checkValues(biasValues, "/bias", [signedMin(32), signedMax(32)], false, ctx);
  }

  let out: OutputStage;
  if (raw.thresholds) {
    const thresholdValues = raw.thresholds!;
    if (thresholdValues.length !== raw.outChannels) fail("/thresholds", `has ${thresholdValues.length} values; expected one per output channel (${raw.outChannels})`, `give ${raw.outChannels} integers`);
    const thresholds = checkValues(thresholdValues, "/thresholds", [signedMin(32), signedMax(32)], false, ctx);
    const directions = raw.thresholdDirections ?? new Array<ThresholdDirection>(raw.outChannels).fill("ge");
    if (directions.length !== raw.outChannels) fail("/thresholdDirections", `has ${directions.length} values; expected ${raw.outChannels}`, `give one "ge" or "le" per output channel`);
    out = { kind: "threshold", thresholds, directions };
  } else {
    out = parseEngineRequant(raw.requant!, raw.outChannels, raw.relu ?? false, fail);
  }

  const arch = chooseFolding(raw, reduction, ctx);
  return {
    kind: "conv2d",
    name: raw.name,
    inputs,
    datapath,
    input,
    output,
    kernel,
    stride,
    padding,
    weightBits: raw.weightBits,
    weights,
    bias,
    out,
    arch,
    scales: raw.scales,
  };
}

export function parseEngineRequant(rq: RawRequant, channels: number, relu: boolean, fail: (path: string, problem: string, hint: string) => never): OutputStage {
  const multiplierBits = rq.multiplierBits ?? DEFAULT_MULTIPLIER_BITS;
  const zeroPoint = rq.zeroPoint ?? 0;
  if (zeroPoint < signedMin(rq.outBits) || zeroPoint > signedMax(rq.outBits)) fail("/requant/zeroPoint", `${zeroPoint} is outside the ${rq.outBits}-bit output range`, `use a value in [${signedMin(rq.outBits)}, ${signedMax(rq.outBits)}]`);
  const tensorForm = rq.multiplier !== undefined;
  const channelForm = rq.multipliers !== undefined;
  if (tensorForm === channelForm) {
    fail("/requant", tensorForm ? 'has both "multiplier" (per tensor) and "multipliers" (per channel)' : 'has neither "multiplier" nor "multipliers"', "give either multiplier, or multipliers with one value per output channel");
  }
  const limit = 2 ** multiplierBits;
  if (tensorForm) {
    if (rq.multiplier! >= limit) fail("/requant/multiplier", `${rq.multiplier} does not fit in multiplierBits = ${multiplierBits}`, `use a multiplier below ${limit} or raise multiplierBits`);
    return { kind: "requant", params: { multiplier: rq.multiplier!, multiplierBits, shift: rq.shift!, rounding: rq.rounding, outBits: rq.outBits, zeroPoint, relu } };
  }
  const multipliers = rq.multipliers!;
  if (multipliers.length !== channels) fail("/requant/multipliers", `has ${multipliers.length} values; expected one per output channel (${channels})`, `give ${channels} integers`);
  multipliers.forEach((m, oc) => {
    if (Math.abs(m) >= limit) fail(`/requant/multipliers/${oc}`, `${m} does not fit in multiplierBits = ${multiplierBits} (plus sign)`, `use |multiplier| below ${limit} or raise multiplierBits`);
  });
  return {
    kind: "requant",
    params: { multiplier: multipliers[0], multiplierBits, shift: rq.shift!, rounding: rq.rounding, outBits: rq.outBits, zeroPoint, relu },
    perChannel: { multipliers: Int32Array.from(multipliers) },
  };
}

/** Default folding [ours]: up to 4 PEs and 16 SIMD lanes; the model's arch and then the caller's override win. */
export function defaultFolding(outChannels: number, reduction: number): Folding {
  return { pe: Math.min(outChannels, 4), simd: Math.min(reduction, 16) };
}

function chooseFolding(raw: RawLayer, reduction: number, ctx: Ctx): Folding {
  const d = defaultFolding(raw.outChannels, reduction);
  const pe = ctx.arch?.pe ?? raw.arch?.pe ?? d.pe;
  const simd = ctx.arch?.simd ?? raw.arch?.simd ?? d.simd;
  const where = ctx.arch?.pe !== undefined ? "--pe" : `${ctx.at}/arch/pe`;
  if (!Number.isInteger(pe) || pe < 1 || pe > raw.outChannels) {
    throw new QuantrtlError(ctx.file, where, `pe = ${pe} is not between 1 and outChannels (${raw.outChannels})`, `use 1 … ${raw.outChannels}`);
  }
  const whereSimd = ctx.arch?.simd !== undefined ? "--simd" : `${ctx.at}/arch/simd`;
  if (!Number.isInteger(simd) || simd < 1 || simd > reduction) {
    throw new QuantrtlError(ctx.file, whereSimd, `simd = ${simd} is not between 1 and the reduction length (${reduction} = kh·kw·inChannels)`, `use 1 … ${reduction}`);
  }
  return { pe, simd };
}

/** How many integers a field must hold, and why, for the size check of its file. */
export interface ExpectedCount {
  readonly count: number;
  /** "outChannels 3 × 3 × 3 × inChannels 2 (OHWI order)" */
  readonly shape: string;
}

/** A JSON weight file's ceiling: each integer with its comma and some layout ("  -2147483648,\n" is 15 characters). */
const JSON_BYTES_PER_VALUE = 24;

/**
 * Reads integers inline or from a file beside the model; values are range-checked by the caller
 * before they become an Int32Array. A file's kind, place and size are checked before it is read.
 */
export function readInts(src: number[] | { file: string }, path: string, bits: number, ctx: Ctx, expected: ExpectedCount): ArrayLike<number> {
  if (Array.isArray(src)) return src;
  const at = `${ctx.at}${path}/file`;
  const fail = (problem: string, hint: string): never => {
    throw new QuantrtlError(ctx.file, at, problem, hint);
  };
  const { count, shape } = expected;
  if (count > MAX_TENSOR_ELEMENTS) fail(`${count} values (${shape}) are more than a typed array holds (2^31 − 1 = ${MAX_TENSOR_ELEMENTS})`, "use a smaller layer");
  const width = bits <= 8 ? 1 : bits <= 16 ? 2 : 4;
  const json = src.file.endsWith(".json");
  if (!json && !src.file.endsWith(".bin")) fail(`"${src.file}" has an unknown extension`, "use .json (array of integers) or .bin (little-endian int8/int16)");
  const valid = json ? `a regular file holding a JSON array of ${count} integers` : `a regular file of ${count * width} bytes: ${count} little-endian int${width * 8}`;
  const { real, size } = resolveWeightFile(ctx.file, at, ctx.baseDir, src.file, valid);
  const overBudget = (need: number): never =>
    fail(`reading "${src.file}" (${count} values, ${shape}) needs ${formatBytes(need)}, above the memory budget ${formatBytes(ctx.memoryBudget.bytes)} (${ctx.memoryBudget.source})`, "a smaller layer, or more --max-memory");
  if (json) {
    const cap = Math.min(count * JSON_BYTES_PER_VALUE + 4096, MAX_MODEL_FILE_BYTES);
    if (size > cap) fail(`"${src.file}" is ${size} bytes, more than ${count} integers (${shape}) take as JSON (at most ${cap} bytes here)`, `write ${count} integers as one flat JSON array, or use a .bin file`);
    // the text, a JS array of numbers (8 bytes a slot) and the Int32Array it becomes
    if (size + count * 12 > ctx.memoryBudget.bytes) overBudget(size + count * 12);
    let values: unknown;
    try {
      values = JSON.parse(stripBom(readExactly(ctx.file, at, src.file, real, size).toString("utf8")));
    } catch (err) {
      if (err instanceof QuantrtlError) throw err;
      // V8's message quotes the text; name only the position so a file's bytes never reach the terminal
      const position = /position (\d+)/.exec((err as Error).message)?.[1];
      fail(`"${src.file}" is not valid JSON${position ? ` (at character ${position})` : ""}`, "fix the JSON syntax of the weight file");
    }
    if (!Array.isArray(values) || !values.every((v) => Number.isInteger(v))) {
      fail(`"${src.file}" must hold one flat JSON array of integers`, "write the values in OHWI order as one array");
    }
    return values as number[];
  }
  const bytes = count * width;
  if (size !== bytes) {
    fail(`"${src.file}" is ${size} bytes; expected ${bytes} bytes = ${count} values (${shape}) × ${width} (little-endian int${width * 8})`, `write exactly ${count} int${width * 8} values`);
  }
  // the file, the decoded Int32Array and its range-checked copy
  if (bytes + count * 8 > ctx.memoryBudget.bytes) overBudget(bytes + count * 8);
  const buffer = readExactly(ctx.file, at, src.file, real, bytes);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = width === 1 ? buffer.readInt8(i) : width === 2 ? buffer.readInt16LE(i * 2) : buffer.readInt32LE(i * 4);
  }
  return out;
}

export function checkValues(values: ArrayLike<number>, path: string, [lo, hi]: [number, number], binary: boolean, ctx: Ctx): Int32Array {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const bad = binary ? v !== -1 && v !== 1 : v < lo || v > hi;
    if (bad) {
      throw new QuantrtlError(ctx.file, `${ctx.at}${path}/${i}`, `value ${v} is out of range`, binary ? "binary weights are -1 or +1" : `use integers in [${lo}, ${hi}]`);
    }
  }
  return Int32Array.from(values);
}

/** sha256 over a canonical rendering of the normalized model (typed arrays as lists). */
export function hashModel(model: Omit<Model, "hash" | "file">): string {
  const canonical = JSON.stringify({ name: model.name, input: model.input, layers: model.layers }, (_k, v) =>
    ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v,
  );
  return createHash("sha256").update(canonical).digest("hex");
}

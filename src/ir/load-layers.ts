/**
 * One raw layer to its IR layer: a parser per layer type (the ViT and token layers
 * in load-ivit.ts and load-tokens.ts), each relating the layer's fields to its input.
 */
import {
  AddLayer,
  ArgmaxLayer,
  AvgPoolLayer,
  Conv2dLayer,
  convOutputSize,
  DenseLayer,
  GlobalAvgPoolLayer,
  Layer,
  MaxPoolLayer,
  OutputStage,
  TensorSpec,
} from "./model.js";
import type { ThresholdDirection } from "../arith/datapath.js";
import { signedMax, signedMin } from "../arith/rounding.js";
import { isShiftWeight, maxShift } from "../arith/datapath.js";
import { QuantrtlError } from "../util/errors.js";
import { parseIvitLayer } from "./load-ivit.js";
import { parseTokenLayer } from "./load-tokens.js";
import { checkValues, chooseFolding, Ctx, pairOf, parseEngineRequant, parsePoolRequant, RawLayer, readInts } from "./load-common.js";

interface ParseArgs {
  readonly base: { readonly name: string; readonly inputs: readonly string[]; readonly input: TensorSpec };
  readonly input: TensorSpec;
  readonly specs: readonly TensorSpec[];
  readonly ctx: Ctx;
  readonly fail: (path: string, problem: string, hint: string) => never;
}

type Parser = (raw: RawLayer, args: ParseArgs) => Layer;

const parseConv2dRaw: Parser = (raw, { base, input, ctx }) => {
  return parseConv2d(raw, base.inputs, input, ctx);
};

const parseDenseRaw: Parser = (raw, { base, input, ctx }) => {
  return parseDense(raw, base.inputs, input, ctx);
};

const parseLinear: Parser = (raw, { base, input, ctx }) => {
  // a linear layer on [T, 1, D] tokens is the 1×1 conv: the engine applied per token
  return parseConv2d({ ...raw, type: "conv2d", outChannels: raw.outFeatures, kernelSize: 1, stride: 1, padding: 0 }, base.inputs, input, ctx, "outFeatures");
};

const parseIvit: Parser = (raw, { base, ctx }) => {
  return parseIvitLayer(raw, base, ctx);
};

const parseToken: Parser = (raw, { base, ctx }) => {
  return parseTokenLayer(raw, base, ctx);
};

const parseRelu: Parser = (_raw, { base, input, fail }) => {
  if (input.bits === 1) fail("", "relu of a binary (±1) tensor is not defined", "remove the relu or apply it before the threshold");
  return { kind: "relu", ...base, output: input };
};

const parseFlatten: Parser = (_raw, { base, input }) => {
  return { kind: "flatten", ...base, output: { height: 1, width: 1, channels: input.height * input.width * input.channels, bits: input.bits } };
};

const parsePool: Parser = (raw, { base, input, ctx, fail }) => {
  const kernel = pairOf(raw.kernelSize, 1);
  const stride = pairOf(raw.stride, kernel[0]);
  const stridePair: [number, number] = raw.stride === undefined ? [kernel[0], kernel[1]] : stride;
  for (const axis of [0, 1] as const) {
    const size = axis === 0 ? input.height : input.width;
    if (kernel[axis] > size)
      fail("/kernelSize", `kernel ${axis === 0 ? "height" : "width"} ${kernel[axis]} is larger than the input (${size})`, `use at most ${size}`);
  }
  const spatial = { height: convOutputSize(input.height, kernel[0], stridePair[0], 0), width: convOutputSize(input.width, kernel[1], stridePair[1], 0) };
  if (raw.type === "maxpool") {
    const layer: MaxPoolLayer = { kind: "maxpool", ...base, output: { ...spatial, channels: input.channels, bits: input.bits }, kernel, stride: stridePair };
    return layer;
  }
  if (input.bits === 1) fail("", "average pooling of a binary (±1) tensor is not supported", "pool before the threshold, or use maxpool");
  const requant = parsePoolRequant(raw.requant!, "/requant", ctx);
  const layer: AvgPoolLayer = {
    kind: "avgpool",
    ...base,
    output: { ...spatial, channels: input.channels, bits: requant.outBits },
    kernel,
    stride: stridePair,
    requant,
  };
  return layer;
};

const parseGlobalAvgPool: Parser = (raw, { base, input, ctx, fail }) => {
  if (input.bits === 1) fail("", "average pooling of a binary (±1) tensor is not supported", "pool before the threshold");
  const requant = parsePoolRequant(raw.requant!, "/requant", ctx);
  const layer: GlobalAvgPoolLayer = {
    kind: "global_avgpool",
    ...base,
    output: { height: 1, width: 1, channels: input.channels, bits: requant.outBits },
    requant,
  };
  return layer;
};

const parseAdd: Parser = (raw, { base, specs, fail }) => {
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
};

const parseArgmax: Parser = (raw, { base, input, fail }) => {
  const n = input.height * input.width * input.channels;
  const outBits = raw.outBits ?? (n <= 128 ? 8 : 16);
  if (n > 2 ** (outBits - 1)) fail("/outBits", `${outBits} bits cannot hold an index up to ${n - 1}`, "use 16");
  if (input.height !== 1 || input.width !== 1)
    fail(
      "/inputs",
      `argmax takes a 1×1×C tensor (logits); the input is ${input.height}×${input.width}×${input.channels}`,
      "put a dense or global_avgpool layer before it",
    );
  const layer: ArgmaxLayer = { kind: "argmax", ...base, output: { height: 1, width: 1, channels: 1, bits: outBits } };
  return layer;
};

/** One parser per raw layer type. */
const PARSERS: Readonly<Record<RawLayer["type"], Parser>> = {
  conv2d: parseConv2dRaw,
  dense: parseDenseRaw,
  linear: parseLinear,
  layernorm: parseIvit,
  gelu: parseIvit,
  softmax: parseIvit,
  attention: parseIvit,
  token_embed: parseToken,
  token_select: parseToken,
  relu: parseRelu,
  flatten: parseFlatten,
  maxpool: parsePool,
  avgpool: parsePool,
  global_avgpool: parseGlobalAvgPool,
  add: parseAdd,
  argmax: parseArgmax,
};

export function parseLayer(raw: RawLayer, inputs: readonly string[], specs: readonly TensorSpec[], ctx: Ctx): Layer {
  const input = specs[0];
  const fail = (path: string, problem: string, hint: string): never => {
    throw new QuantrtlError(ctx.file, `${ctx.at}${path}`, problem, hint);
  };
  return PARSERS[raw.type](raw, { base: { name: raw.name, inputs, input }, input, specs, ctx, fail });
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
  const { kind: _kind, kernel: _k, stride: _s, padding: _p, padValue: _v, input: _i, ...rest } = conv;
  return { ...rest, kind: "dense", input };
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
    if (raw.activationBits !== 1)
      fail("/activationBits", `is ${raw.activationBits}; an xnor layer takes 1-bit (±1) activations`, "set activationBits to 1 (and the input bits to 1)");
    // an xnor layer either thresholds to signs (hidden layers) or requantizes to integers (the last layer's logits)
    if (raw.requant && raw.thresholds)
      fail("/requant", 'an xnor layer has either "thresholds" (±1 outputs) or "requant" (integer outputs), not both', "remove one of them");
    if (!raw.requant && !raw.thresholds)
      fail("", 'missing field "thresholds"', 'give one integer threshold per output channel (or "requant" for integer outputs)');
    if (!raw.requant && raw.relu) fail("/relu", "an xnor layer with thresholds outputs signs; relu does not apply", 'remove "relu"');
    if (!raw.requant && raw.bias) fail("/bias", "an xnor layer with thresholds folds its bias into the thresholds", 'remove "bias"');
  } else {
    if (raw.weightBits === 1) fail("/weightBits", `1-bit weights need kernel "xnor"`, "use 2 to 16 (8 or 16 usually)");
    if (raw.activationBits === 1) fail("/activationBits", `1-bit activations need kernel "xnor"`, "use 2 to 16 (8 or 16 usually)");
    if (datapath === "adder" && raw.weightBits !== raw.activationBits) {
      fail(
        "/weightBits",
        `is ${raw.weightBits} but activationBits is ${raw.activationBits}; an adder layer needs one shared scale and width for x and w`,
        `set both to ${raw.activationBits}`,
      );
    }
    // thresholds binarize the output (the int8 first layer of a binary network, FINN-style)
    if (raw.requant && raw.thresholds)
      fail("/thresholds", 'a layer has either "requant" (integer outputs) or "thresholds" (±1 outputs), not both', "remove one of them");
    if (!raw.requant && !raw.thresholds) fail("", 'missing field "requant"', 'give {multiplier, shift, rounding, outBits} (or "thresholds" for ±1 outputs)');
    if (raw.thresholds && raw.relu) fail("/relu", "a thresholded layer outputs signs; relu does not apply", 'remove "relu"');
  }
  if (raw.thresholdDirections && !raw.thresholds)
    fail("/thresholdDirections", "threshold directions need thresholds", 'remove "thresholdDirections" or give "thresholds"');

  const kernel = pairOf(raw.kernelSize, 1);
  const stride = pairOf(raw.stride, 1);
  const padding = pairOf(raw.padding, 0);
  for (const axis of [0, 1] as const) {
    const name = axis === 0 ? "height" : "width";
    if (padding[axis] >= kernel[axis])
      fail("/padding", `padding ${padding[axis]} is not smaller than the kernel ${name} ${kernel[axis]}`, `use padding below ${kernel[axis]}`);
    const inSize = axis === 0 ? input.height : input.width;
    if (inSize + 2 * padding[axis] < kernel[axis])
      fail(
        "/kernelSize",
        `kernel ${name} ${kernel[axis]} is larger than the padded input ${name} ${inSize + 2 * padding[axis]}`,
        "use a smaller kernel or more padding",
      );
  }
  // a pad value is a stored input integer (within the input's signed range); the xnor window pads with a bit
  if (raw.padValue !== undefined) {
    if (binary) fail("/padValue", "an xnor layer pads its ±1 input with +1", 'remove "padValue"');
    if (raw.padValue < signedMin(raw.activationBits) || raw.padValue > signedMax(raw.activationBits))
      fail(
        "/padValue",
        `${raw.padValue} is outside the ${raw.activationBits}-bit input range`,
        `an integer in [${signedMin(raw.activationBits)}, ${signedMax(raw.activationBits)}]`,
      );
  }
  const output: TensorSpec = {
    height: convOutputSize(input.height, kernel[0], stride[0], padding[0]),
    width: convOutputSize(input.width, kernel[1], stride[1], padding[1]),
    channels: raw.outChannels,
    bits: raw.requant ? raw.requant.outBits : 1,
  };
  const reduction = kernel[0] * kernel[1] * input.channels;

  const weightCount = raw.outChannels * reduction;
  const shape =
    outField === "outChannels"
      ? `outChannels ${raw.outChannels} × ${kernel[0]} × ${kernel[1]} × inChannels ${input.channels} (OHWI order)`
      : `outFeatures ${raw.outChannels} × ${input.channels} inputs ([out][in], inputs in HWC order)`;
  const weightValues = readInts(raw.weights, "/weights", raw.weightBits, ctx, { count: weightCount, shape });
  if (weightValues.length !== weightCount) {
    fail("/weights", `has ${weightValues.length} values; expected ${weightCount} = ${shape}`, `give exactly ${weightCount} integers`);
  }
  const weights = checkValues(weightValues, "/weights", binary ? [-1, 1] : [signedMin(raw.weightBits), signedMax(raw.weightBits)], binary, ctx);
  if (datapath === "shift") {
    const bad = weights.findIndex((w) => !isShiftWeight(w, raw.weightBits));
    if (bad >= 0) {
      fail(
        `/weights/${bad}`,
        `value ${weights[bad]} is not a shift weight`,
        `use 0 or ±2^q with q ≤ ${maxShift(raw.weightBits)} (a power of two that fits ${raw.weightBits} bits)`,
      );
    }
  }

  let bias: Int32Array | undefined;
  if (raw.bias) {
    const biasValues = readInts(raw.bias, "/bias", 32, ctx, { count: raw.outChannels, shape: "one per output channel" });
    if (biasValues.length !== raw.outChannels)
      fail("/bias", `has ${biasValues.length} values; expected one per output channel (${raw.outChannels})`, `give ${raw.outChannels} integers`);
    bias = checkValues(biasValues, "/bias", [signedMin(32), signedMax(32)], false, ctx);
  }

  let out: OutputStage;
  if (raw.thresholds) {
    const thresholdValues = raw.thresholds!;
    if (thresholdValues.length !== raw.outChannels)
      fail("/thresholds", `has ${thresholdValues.length} values; expected one per output channel (${raw.outChannels})`, `give ${raw.outChannels} integers`);
    const thresholds = checkValues(thresholdValues, "/thresholds", [signedMin(32), signedMax(32)], false, ctx);
    const directions = raw.thresholdDirections ?? new Array<ThresholdDirection>(raw.outChannels).fill("ge");
    if (directions.length !== raw.outChannels)
      fail("/thresholdDirections", `has ${directions.length} values; expected ${raw.outChannels}`, `give one "ge" or "le" per output channel`);
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
    ...(raw.padValue !== undefined ? { padValue: raw.padValue } : {}),
    weightBits: raw.weightBits,
    weights,
    bias,
    out,
    arch,
    scales: raw.scales,
  };
}

/**
 * JSON Schema of a quantrtl model file (draft-07, validated with ajv).
 * Structural checks live here; checks that relate fields to each other (counts,
 * ranges that depend on bits, chaining of tensor shapes) live in load.ts.
 */
const pair = (min: number) => ({
  anyOf: [
    { type: "integer", minimum: min },
    { type: "array", items: { type: "integer", minimum: min }, minItems: 2, maxItems: 2 },
  ],
});

const intArrayOrFile = {
  anyOf: [
    { type: "array", items: { type: "integer" } },
    {
      type: "object",
      required: ["file"],
      additionalProperties: false,
      properties: { file: { type: "string", minLength: 1 } },
    },
  ],
};

import { NEWTON_ITERATIONS_MAX } from "../arith/ivit/isqrt.js";

export const LAYER_NAME_PATTERN = "^[A-Za-z][A-Za-z0-9_]{0,31}$";

const nameSchema = { type: "string", pattern: LAYER_NAME_PATTERN };
/** Producers of a layer's input(s): earlier layer names or "input"; default = the previous layer. */
const inputsSchema = { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, maxItems: 2 };
const roundingSchema = { enum: ["floor", "half_up", "half_away", "half_even"] };

const requantSchema = {
  type: "object",
  required: ["shift", "rounding", "outBits"],
  additionalProperties: false,
  properties: {
    multiplier: { type: "integer", minimum: 0 },
    multiplierBits: { type: "integer", minimum: 1, maximum: 32 },
    shift: { type: "integer", minimum: 0, maximum: 62 },
    /** Per output channel (batch-norm folded): one multiplier per channel (may be negative), the layer's one shift. */
    multipliers: { type: "array", items: { type: "integer" }, minItems: 1 },
    rounding: roundingSchema,
    /** 8 or 16; an imported engine's narrow activations 2…16 (the levels its quantizer has). */
    outBits: { type: "integer", minimum: 2, maximum: 16 },
    zeroPoint: { type: "integer" },
  },
};

/** Requant of a pooling sum: one multiplier and shift for the tensor. */
const poolRequantSchema = {
  type: "object",
  required: ["multiplier", "shift", "rounding", "outBits"],
  additionalProperties: false,
  properties: {
    multiplier: { type: "integer", minimum: 0 },
    multiplierBits: { type: "integer", minimum: 1, maximum: 32 },
    shift: { type: "integer", minimum: 0, maximum: 62 },
    rounding: roundingSchema,
    outBits: { enum: [8, 16] },
  },
};

const engineProperties = {
  name: nameSchema,
  inputs: inputsSchema,
  datapath: { enum: ["adder", "mac", "xnor", "shift"], description: "the arithmetic of the engine's processing elements" },
  kernel: { enum: ["adder", "mac", "xnor", "shift"], description: 'deprecated alias of "datapath" (read with a warning)' },
  /** 1 (±1, xnor), else 2…16 signed (8 and 16 the usual; narrower from QONNX imports). */
  weightBits: { type: "integer", minimum: 1, maximum: 16 },
  activationBits: { type: "integer", minimum: 1, maximum: 16 },
  weights: intArrayOrFile,
  bias: intArrayOrFile,
  requant: requantSchema,
  relu: { type: "boolean" },
  thresholds: { type: "array", items: { type: "integer" } },
  thresholdDirections: { type: "array", items: { enum: ["ge", "le"] } },
  arch: {
    type: "object",
    additionalProperties: false,
    properties: {
      pe: { type: "integer", minimum: 1 },
      simd: { type: "integer", minimum: 1 },
    },
  },
  scales: {
    type: "object",
    additionalProperties: false,
    properties: {
      input: { type: "number", exclusiveMinimum: 0 },
      weight: { type: "number", exclusiveMinimum: 0 },
      output: { type: "number", exclusiveMinimum: 0 },
      shared: { type: "number", exclusiveMinimum: 0 },
    },
  },
};

/** "datapath" is required unless the layer still names it by its old name "kernel". */
const datapathRequired = {
  if: { not: { properties: { kernel: true }, required: ["kernel"] } },
  then: { properties: { datapath: true }, required: ["datapath"] },
};

const conv2dSchema = {
  type: "object",
  required: ["type", "name", "outChannels", "kernelSize", "weightBits", "activationBits", "weights"],
  ...datapathRequired,
  additionalProperties: false,
  properties: {
    type: { const: "conv2d" },
    ...engineProperties,
    outChannels: { type: "integer", minimum: 1, maximum: 4096 },
    kernelSize: pair(1),
    stride: pair(1),
    padding: pair(0),
    padValue: { type: "integer" },
  },
};

const denseSchema = {
  type: "object",
  required: ["type", "name", "outFeatures", "weightBits", "activationBits", "weights"],
  ...datapathRequired,
  additionalProperties: false,
  properties: {
    type: { const: "dense" },
    ...engineProperties,
    outFeatures: { type: "integer", minimum: 1, maximum: 65536 },
  },
};

/** A linear layer on token sequences [T, 1, D]: parses to conv2d with kernelSize 1 (the engine applied per token). */
const linearSchema = {
  type: "object",
  required: ["type", "name", "outFeatures", "weightBits", "activationBits", "weights"],
  ...datapathRequired,
  additionalProperties: false,
  properties: {
    type: { const: "linear" },
    ...engineProperties,
    outFeatures: { type: "integer", minimum: 1, maximum: 4096 },
  },
};

/** x0 = floor(−1/S) of an exp_shift (docs/integer-ops.md §3), an integer ≤ −1, and n. */
const x0Schema = { type: "integer", maximum: -1, minimum: -(2 ** 31) };
const expShiftNSchema = { type: "integer", minimum: 0, maximum: 30 };

const simple = (type: string, extra: Record<string, unknown> = {}, required: string[] = []) => ({
  type: "object",
  required: ["type", "name", ...required],
  additionalProperties: false,
  properties: { type: { const: type }, name: nameSchema, inputs: inputsSchema, ...extra },
});

const layerSchema = {
  type: "object",
  required: ["type"],
  properties: { type: { type: "string" } },
  discriminator: { propertyName: "type" },
  oneOf: [
    conv2dSchema,
    denseSchema,
    simple("relu"),
    simple("maxpool", { kernelSize: pair(1), stride: pair(1) }, ["kernelSize"]),
    simple("avgpool", { kernelSize: pair(1), stride: pair(1), requant: poolRequantSchema }, ["kernelSize", "requant"]),
    simple("global_avgpool", { requant: poolRequantSchema }, ["requant"]),
    simple(
      "add",
      {
        multipliers: { type: "array", items: { type: "integer", minimum: 0 }, minItems: 2, maxItems: 2 },
        shift: { type: "integer", minimum: 0, maximum: 62 },
        rounding: roundingSchema,
        outBits: { enum: [8, 16] },
        relu: { type: "boolean" },
      },
      ["inputs", "multipliers", "shift", "rounding", "outBits"],
    ),
    simple("flatten"),
    simple("argmax", { outBits: { enum: [8, 16] } }),
    linearSchema,
    simple(
      "layernorm",
      { biasInt: intArrayOrFile, newtonIterations: { type: "integer", minimum: 1, maximum: NEWTON_ITERATIONS_MAX }, requant: requantSchema },
      ["requant"],
    ),
    simple("gelu", { x0: x0Schema, n: expShiftNSchema, sigmoidBits: { type: "integer", minimum: 2, maximum: 16 }, requant: poolRequantSchema }, [
      "x0",
      "requant",
    ]),
    simple("softmax", { x0: x0Schema, n: expShiftNSchema, outBits: { enum: [8, 16] } }, ["x0"]),
    simple(
      "attention",
      {
        heads: { type: "integer", minimum: 1, maximum: 256 },
        x0: x0Schema,
        n: expShiftNSchema,
        requant: poolRequantSchema,
        arch: { type: "object", additionalProperties: false, properties: { simd: { type: "integer", minimum: 1 } } },
      },
      ["heads", "x0", "requant"],
    ),
    /** ViT token embedding: y = sat(round_k(x·m) + E) per element, row 0 the class token (model.ts TokenEmbedLayer). */
    simple("token_embed", { embedding: intArrayOrFile, requant: poolRequantSchema }, ["embedding", "requant"]),
    simple("token_select", { index: { type: "integer", minimum: 0 } }, ["index"]),
  ],
};

/** The layer types a model may use (the discriminator's values). */
export const LAYER_TYPES = [
  "conv2d",
  "dense",
  "relu",
  "maxpool",
  "avgpool",
  "global_avgpool",
  "add",
  "flatten",
  "argmax",
  "linear",
  "layernorm",
  "gelu",
  "softmax",
  "attention",
  "token_embed",
  "token_select",
] as const;

export const modelSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "https://quantrtl.dev/schema/model-v1.json",
  title: "quantrtl model",
  type: "object",
  required: ["quantrtl", "name", "input", "layers"],
  additionalProperties: false,
  properties: {
    quantrtl: { const: 1 },
    name: { type: "string", minLength: 1, maxLength: 64 },
    description: { type: "string" },
    /** Free-form facts about the model (input scale, the float model it came from, measured accuracy). Not hashed. */
    metadata: {
      type: "object",
      properties: {
        inputScale: { type: "number", exclusiveMinimum: 0 },
        floatModel: { type: "string", minLength: 1 },
      },
    },
    input: {
      type: "object",
      required: ["height", "width", "channels", "bits"],
      additionalProperties: false,
      properties: {
        height: { type: "integer", minimum: 1, maximum: 4096 },
        width: { type: "integer", minimum: 1, maximum: 4096 },
        channels: { type: "integer", minimum: 1, maximum: 4096 },
        bits: { type: "integer", minimum: 1, maximum: 16 },
      },
    },
    layers: { type: "array", minItems: 1, items: layerSchema },
  },
} as const;

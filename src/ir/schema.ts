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

export const LAYER_NAME_PATTERN = "^[A-Za-z][A-Za-z0-9_]{0,31}$";

const conv2dSchema = {
  type: "object",
  required: ["type", "name", "kernel", "outChannels", "kernelSize", "weightBits", "activationBits", "weights"],
  additionalProperties: false,
  properties: {
    type: { const: "conv2d" },
    name: { type: "string", pattern: LAYER_NAME_PATTERN },
    kernel: { enum: ["adder", "mac", "xnor", "shift"] },
    outChannels: { type: "integer", minimum: 1, maximum: 4096 },
    kernelSize: pair(1),
    stride: pair(1),
    padding: pair(0),
    weightBits: { enum: [1, 8, 16] },
    activationBits: { enum: [1, 8, 16] },
    weights: intArrayOrFile,
    bias: intArrayOrFile,
    requant: {
      type: "object",
      required: ["multiplier", "shift", "rounding", "outBits"],
      additionalProperties: false,
      properties: {
        multiplier: { type: "integer", minimum: 0 },
        multiplierBits: { type: "integer", minimum: 1, maximum: 32 },
        shift: { type: "integer", minimum: 0, maximum: 62 },
        rounding: { enum: ["floor", "half_up", "half_away", "half_even"] },
        outBits: { enum: [8, 16] },
        zeroPoint: { type: "integer" },
      },
    },
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
  },
};

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
    input: {
      type: "object",
      required: ["height", "width", "channels", "bits"],
      additionalProperties: false,
      properties: {
        height: { type: "integer", minimum: 1, maximum: 4096 },
        width: { type: "integer", minimum: 1, maximum: 4096 },
        channels: { type: "integer", minimum: 1, maximum: 4096 },
        bits: { enum: [1, 8, 16] },
      },
    },
    layers: { type: "array", minItems: 1, items: conv2dSchema },
  },
} as const;

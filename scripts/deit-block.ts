/**
 * One DeiT encoder block (pre-norm: x + proj(attn(qkv(LN1 x))), then + fc2(GELU(fc1(LN2 ·))))
 * with seeded float64 weights, its float64 reference forward, and its integer-only
 * quantization (I-ViT ops, docs/integer-ops.md §1–§6) into a quantrtl model document.
 * Every requant is calibrated from the golden accumulators of one seeded random
 * int8 input (as scripts/make-resnet20.ts does): max |real value| → 127.
 * Used by scripts/make-deit-block.ts (the model file), bench/deit-block-sqnr.ts
 * (per-op SQNR) and the RTL test of a small block.
 *
 * [ours] Seeded weights, not trained ones: W ~ N(0, 1/fan_in), biases ~ N(0, 0.02²),
 * LayerNorm gamma ~ 1 + N(0, 0.1²), beta ~ N(0, 0.1²); weights int8 per output
 * channel (symmetric, max-abs), biases int32 on the accumulator scale. A model for
 * bit-exactness, cycles and the error of the integer ops — not for accuracy.
 */
import { parseModel } from "../src/ir/load.js";
import { IntTensor, Model, MODEL_INPUT } from "../src/ir/model.js";
import { conv2dAccumulators } from "../src/hw/golden/conv2d.js";
import { runLayer } from "../src/hw/golden/network.js";
import { randomTensor, rng } from "../src/ir/inputs.js";
import { VitDocBuilder } from "../src/frontend/vit-calibrate.js";
import { geluFloat, layerNormFloat, softmaxFloat } from "../src/arith/ivit/float.js";

type Doc = Record<string, unknown>;

export interface DeitBlockConfig {
  readonly name: string;
  readonly tokens: number;
  readonly dim: number;
  readonly heads: number;
  readonly mlp: number;
  /** Seed of the float weights. */
  readonly seed: number;
  /** Seed of the int8 calibration input (randomTensor). */
  readonly calibrationSeed: number;
  /** Real value of one input step. */
  readonly inputScale: number;
  /** Folding of the linear layers (clipped to each layer's shape). */
  readonly linearArch: { readonly pe: number; readonly simd: number };
}

/** DeiT-Tiny: 197 tokens (196 patches + class), dim 192, 3 heads of 64, MLP 768. */
export const DEIT_TINY: DeitBlockConfig = {
  name: "deit-tiny-block",
  tokens: 197,
  dim: 192,
  heads: 3,
  mlp: 768,
  seed: 2021,
  calibrationSeed: 101,
  inputScale: 1 / 32,
  linearArch: { pe: 4, simd: 16 },
};

/** The block's layers in order, with their inputs (layer names; "input" = the block input). */
export const BLOCK_OPS = ["ln1", "qkv", "attn", "proj", "add1", "ln2", "fc1", "gelu", "fc2", "add2"] as const;
export type BlockOp = (typeof BLOCK_OPS)[number];
export const OP_INPUTS: Record<BlockOp, readonly string[]> = {
  ln1: [MODEL_INPUT],
  qkv: ["ln1"],
  attn: ["qkv"],
  proj: ["attn"],
  add1: ["proj", MODEL_INPUT],
  ln2: ["add1"],
  fc1: ["ln2"],
  gelu: ["fc1"],
  fc2: ["gelu"],
  add2: ["fc2", "add1"],
};

interface Linear {
  /** [out][in] */
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  readonly inFeatures: number;
  readonly outFeatures: number;
}
interface Norm {
  readonly gamma: Float64Array;
  readonly beta: Float64Array;
}
export interface FloatBlock {
  readonly config: DeitBlockConfig;
  readonly ln1: Norm;
  readonly qkv: Linear;
  readonly proj: Linear;
  readonly ln2: Norm;
  readonly fc1: Linear;
  readonly fc2: Linear;
}

function gaussian(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

export function makeFloatBlock(config: DeitBlockConfig): FloatBlock {
  const next = rng(config.seed);
  const linear = (inFeatures: number, outFeatures: number): Linear => ({
    inFeatures,
    outFeatures,
    weights: Float64Array.from({ length: inFeatures * outFeatures }, () => gaussian(next) / Math.sqrt(inFeatures)),
    bias: Float64Array.from({ length: outFeatures }, () => gaussian(next) * 0.02),
  });
  const norm = (n: number): Norm => ({
    gamma: Float64Array.from({ length: n }, () => 1 + gaussian(next) * 0.1),
    beta: Float64Array.from({ length: n }, () => gaussian(next) * 0.1),
  });
  const { dim: D, mlp: M } = config;
  return { config, ln1: norm(D), qkv: linear(D, 3 * D), proj: linear(D, D), ln2: norm(D), fc1: linear(D, M), fc2: linear(M, D) };
}

// ---------------------------------------------------------------- float64 reference

function linearFloat(l: Linear, x: Float64Array): Float64Array {
  const T = x.length / l.inFeatures;
  const y = new Float64Array(T * l.outFeatures);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < l.outFeatures; o++) {
      let s = l.bias[o];
      for (let i = 0; i < l.inFeatures; i++) s += l.weights[o * l.inFeatures + i] * x[t * l.inFeatures + i];
      y[t * l.outFeatures + o] = s;
    }
  }
  return y;
}

function layerNormRowsFloat(n: Norm, x: Float64Array): Float64Array {
  const D = n.gamma.length;
  const y = new Float64Array(x.length);
  for (let s = 0; s < x.length; s += D) y.set(layerNormFloat(x.subarray(s, s + D), n.gamma, n.beta), s);
  return y;
}

/** softmax(q·kᵀ/sqrt(d))·v per head, heads side by side; qkv is [T][3D]. */
export function attentionFloat(qkv: Float64Array, tokens: number, dim: number, heads: number): Float64Array {
  const d = dim / heads;
  const out = new Float64Array(tokens * dim);
  const at = (t: number, part: number, h: number, c: number) => qkv[t * 3 * dim + part * dim + h * d + c];
  for (let h = 0; h < heads; h++) {
    for (let t = 0; t < tokens; t++) {
      const scores = new Float64Array(tokens);
      for (let j = 0; j < tokens; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += at(t, 0, h, c) * at(j, 1, h, c);
        scores[j] = s / Math.sqrt(d);
      }
      const p = softmaxFloat(scores);
      for (let c = 0; c < d; c++) {
        let a = 0;
        for (let j = 0; j < tokens; j++) a += p[j] * at(j, 2, h, c);
        out[t * dim + h * d + c] = a;
      }
    }
  }
  return out;
}

/** One op of the block in float64 on float inputs (in the order of OP_INPUTS). */
export function floatOp(b: FloatBlock, op: BlockOp, inputs: readonly Float64Array[]): Float64Array {
  const x = inputs[0];
  switch (op) {
    case "ln1":
      return layerNormRowsFloat(b.ln1, x);
    case "ln2":
      return layerNormRowsFloat(b.ln2, x);
    case "qkv":
    case "proj":
    case "fc1":
    case "fc2":
      return linearFloat(b[op], x);
    case "attn":
      return attentionFloat(x, b.config.tokens, b.config.dim, b.config.heads);
    case "gelu":
      return geluFloat(x);
    case "add1":
    case "add2":
      return x.map((v, i) => v + inputs[1][i]);
  }
}

/** The whole block in float64: every op's output. */
export function floatBlock(b: FloatBlock, x: Float64Array): Record<BlockOp, Float64Array> {
  const values = new Map<string, Float64Array>([[MODEL_INPUT, x]]);
  for (const op of BLOCK_OPS)
    values.set(
      op,
      floatOp(
        b,
        op,
        OP_INPUTS[op].map((n) => values.get(n)!),
      ),
    );
  return Object.fromEntries(BLOCK_OPS.map((op) => [op, values.get(op)!])) as Record<BlockOp, Float64Array>;
}

// ---------------------------------------------------------------- integer-only quantization

export interface QuantizedBlock {
  /** The model document, weights inline. */
  readonly doc: Doc;
  readonly model: Model;
  /** Real value of one output step of each layer; a list of parts of equal size (Q, K, V for qkv). */
  readonly scales: Record<BlockOp, number[]>;
}

/** Dequantizes a layer output with its part scales. */
export function dequantize(t: IntTensor, parts: readonly number[]): Float64Array {
  const C = t.shape[2];
  const per = C / parts.length;
  return Float64Array.from(t.data, (v, i) => v * parts[Math.floor((i % C) / per)]);
}

/** Quantizes the float block, calibrating every requant on the golden accumulators of one seeded int8 input (src/frontend/vit-calibrate.ts). */
export function quantizeBlock(b: FloatBlock): QuantizedBlock {
  const c = b.config;
  const { tokens: T, dim: D, heads: H, mlp: M } = c;
  const input = { height: T, width: 1, channels: D, bits: 8 };
  const calibration = randomTensor(input, c.calibrationSeed);
  const q = new VitDocBuilder(c.name, input, c.inputScale, [calibration], { runLayer, accumulators: conv2dAccumulators });
  const linear = (name: "qkv" | "proj" | "fc1" | "fc2", from: string, parts: number) => {
    const l = b[name];
    q.engine({ type: "linear", name, from, weights: l.weights, bias: l.bias, outChannels: l.outFeatures, reduction: l.inFeatures, parts, arch: c.linearArch });
  };
  q.layerNorm("ln1", MODEL_INPUT, b.ln1.gamma, b.ln1.beta);
  linear("qkv", "ln1", 3);
  q.attention("attn", "qkv", H);
  linear("proj", "attn", 1);
  q.residual("add1", "proj", MODEL_INPUT);
  q.layerNorm("ln2", "add1", b.ln2.gamma, b.ln2.beta);
  linear("fc1", "ln2", 1);
  q.gelu("gelu", "fc1");
  linear("fc2", "gelu", 1);
  q.residual("add2", "fc2", "add1");

  const scales = Object.fromEntries(BLOCK_OPS.map((op) => [op, q.scales(op)])) as Record<BlockOp, number[]>;
  const doc: Doc = {
    quantrtl: 1,
    name: c.name,
    description: `One DeiT encoder block (${T} tokens, dim ${D}, ${H} heads, MLP ${M}), integer-only (I-ViT ops): LN -> QKV linear -> attention -> proj -> add -> LN -> fc1 -> ShiftGELU -> fc2 -> add. Seeded weights, requants calibrated on one seeded int8 input; written by scripts/make-deit-block.ts.`,
    metadata: {
      inputScale: c.inputScale,
      block: { tokens: T, dim: D, heads: H, mlp: M, seed: c.seed, calibrationSeed: c.calibrationSeed },
      scales,
    },
    input,
    layers: q.layers,
  };
  const model = parseModel(doc);
  return { doc, model, scales };
}

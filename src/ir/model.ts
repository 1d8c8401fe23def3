/**
 * The quantized IR: plain, readonly data, validated once at the edge (load.ts)
 * and trusted inside. Tensors are HWC; weights OHWI ([oc][ky][kx][ic]) so that a
 * weight row lines up with the sliding window's element order.
 */
import { paddingValue } from "../arith/datapath.js";
import type { Datapath, ThresholdDirection } from "../arith/datapath.js";
import type { RequantParams } from "../arith/requant.js";
import type { RoundingMode } from "../arith/rounding.js";
import type { LayerNormParams } from "../arith/ivit/layernorm.js";
import type { ShiftGeluParams } from "../arith/ivit/shiftgelu.js";
import type { ShiftmaxParams } from "../arith/ivit/shiftmax.js";

export interface TensorSpec {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** 1 (binary, ±1), or 2…16 signed (8 and 16 usually; narrower from QONNX imports). */
  readonly bits: number;
}

/** Folding of a matrix-vector engine: PE output channels and SIMD reduction lanes per cycle. */
export interface Folding {
  readonly pe: number;
  readonly simd: number;
  /**
   * Where the weights live: a ROM initialised by the bitstream (absent, the default), or a
   * single-port RAM loaded after reset through the top's weight-load port ("spram": an iCE40
   * UltraPlus SB_SPRAM256KA, which the bitstream cannot initialise). Chosen per board (flows/spram.ts).
   */
  readonly weightMemory?: "spram";
}

/**
 * Per-output-channel requant (batch-norm folded into the requant, issue 3):
 * channel oc uses multipliers[oc] in place of params.multiplier, with the
 * layer's one shift k [ours: one k per layer keeps the hardware free of a
 * per-channel barrel shifter; k is chosen for the largest |ratio|].
 * A multiplier may be negative here (a BN with γ < 0).
 */
export interface ChannelRequant {
  readonly multipliers: Int32Array;
}

export type OutputStage =
  | { readonly kind: "requant"; readonly params: RequantParams; readonly perChannel?: ChannelRequant }
  | {
      readonly kind: "threshold";
      readonly thresholds: Int32Array;
      readonly directions: readonly ThresholdDirection[];
    };

/** Scales chosen at quantization time (real value = scale · integer). */
export interface LayerScales {
  readonly input?: number;
  readonly weight?: number;
  readonly output?: number;
  /** AdderNet: one scale shared by activations and weights (arXiv 2103.00112). */
  readonly shared?: number;
}

/** Fields every layer has. `inputs` names the producing layers ("input" = the model input). */
export interface LayerBase {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly input: TensorSpec;
  readonly output: TensorSpec;
}

/** The name a layer uses to refer to the model's input tensor. */
export const MODEL_INPUT = "input";

export interface Conv2dLayer extends LayerBase {
  readonly kind: "conv2d";
  readonly datapath: Datapath;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  /**
   * The stored input integer of a padded tap (absent: the datapath's, paddingValue): an imported
   * layer whose input stores real zero as zero point + offset ≠ 0 pads with that integer, as ONNX does.
   */
  readonly padValue?: number;
  readonly weightBits: number;
  /** OHWI, length outChannels · kh · kw · inChannels; xnor weights are ±1. */
  readonly weights: Int32Array;
  readonly bias?: Int32Array;
  readonly out: OutputStage;
  readonly arch: Folding;
  readonly scales?: LayerScales;
}

/**
 * Fully connected: the input tensor (any shape) is read in its HWC stream order
 * as one vector of N = H·W·C values; weights are [out][N]. Output 1×1×out.
 * It is a 1×1 conv on a 1×1×N tensor (denseAsConv), and golden, RTL and cycle
 * model all use that view.
 */
export interface DenseLayer extends LayerBase {
  readonly kind: "dense";
  readonly datapath: Datapath;
  readonly weightBits: number;
  readonly weights: Int32Array;
  readonly bias?: Int32Array;
  readonly out: OutputStage;
  readonly arch: Folding;
  readonly scales?: LayerScales;
}

/** y = max(x, 0) on a signed tensor (zero point 0). */
export interface ReluLayer extends LayerBase {
  readonly kind: "relu";
}

/** Max over a kh×kw window per channel, no padding. On binary (±1) tensors max = OR of the bits. */
export interface MaxPoolLayer extends LayerBase {
  readonly kind: "maxpool";
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  /** Channels the pool reads per cycle (P, a divisor of C); absent: poolLanes(C). A board short of block RAM takes 1 (flows/spram.ts). */
  readonly lanes?: number;
}

/** Window sum per channel, then the dyadic requant (m/2^k ≈ s_in / (kh·kw·s_out)), docs/integer-ops.md §1. No padding. */
export interface AvgPoolLayer extends LayerBase {
  readonly kind: "avgpool";
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly requant: RequantParams;
  /** As MaxPoolLayer.lanes. */
  readonly lanes?: number;
}

/** Sum over all H·W pixels per channel, then the dyadic requant. Output 1×1×C. */
export interface GlobalAvgPoolLayer extends LayerBase {
  readonly kind: "global_avgpool";
  readonly requant: RequantParams;
}

/**
 * Residual add, docs/integer-ops.md §1: y = sat_b(round_k(a·m_a) + round_k(b·m_b)) with one
 * shared k, then ReLU (max(y, 0)) when enabled. inputs = [a, b].
 */
export interface AddLayer extends LayerBase {
  readonly kind: "add";
  readonly multipliers: readonly [number, number];
  readonly shift: number;
  readonly rounding: RoundingMode;
  readonly relu: boolean;
}

/** HWC → 1×1×(H·W·C): the stream order is unchanged, so this costs nothing in hardware. */
export interface FlattenLayer extends LayerBase {
  readonly kind: "flatten";
}

/** Index of the largest of the C values of a 1×1×C tensor (the first one on ties). Output 1×1×1. */
export interface ArgmaxLayer extends LayerBase {
  readonly kind: "argmax";
}

/*
 * Integer-only ViT layers (I-ViT, docs/integer-ops.md §3–§6). A token sequence is
 * a tensor of height = tokens, width = 1, channels = dim: one token is one stream
 * row (its channels in order), so "per token" = per pixel over the channels.
 * The linear layers of a ViT block are conv2d with kernelSize 1 (the JSON type
 * "linear" parses to exactly that): the matrix-vector engine applied per token.
 */

/** A requant output stage (per-tensor or per-channel multipliers, one shift). */
export type RequantStage = Extract<OutputStage, { kind: "requant" }>;

/**
 * I-LayerNorm over the channels of each token (docs/integer-ops.md §5), then the per-channel
 * requant of z to the output: gamma[i] is folded into the channel's multiplier
 * (output scale (sqrt(N)/2^30)·gamma[i] / s_out, sign included) and beta into
 * params.biasInt (floor(beta/gamma / (sqrt(N)/2^30))) — gamma and beta as integers.
 * Consequence of §5 kept as the contract: ten Newton steps from 2^16 end at k ≥ 64, so
 * a token with var = Σy² below about 2^12 gets std > sqrt(var) and an output smaller
 * by sqrt(var)/std (a constant token, var = 0, gives std = 64 and z = bias_int).
 * [ours] A layer may record more steps (params.newtonIterations, JSON `newtonIterations`,
 * up to 16 — §5: "or the iteration count raised and recorded in the IR"); 16 steps end
 * within floor(sqrt(var)) + 1 for every var ≥ 1.
 */
export interface LayerNormLayer extends LayerBase {
  readonly kind: "layernorm";
  readonly params: LayerNormParams;
  readonly out: RequantStage;
}

/**
 * ShiftGELU over each token row (docs/integer-ops.md §4): y = x·sig on scale S/2^(b−1)
 * (b = params.outBits, the sigmoid's bits), then the dyadic requant of y to the
 * output. params.x0 = floor(−1/(1.702·S)) is stored, never S.
 */
export interface GeluLayer extends LayerBase {
  readonly kind: "gelu";
  readonly params: ShiftGeluParams;
  readonly requant: RequantParams;
}

/** Shiftmax over the channels of each token row (docs/integer-ops.md §3); output y ∈ [0, 2^(b−1) − 1] on scale 1/2^(b−1), b = output bits. */
export interface SoftmaxLayer extends LayerBase {
  readonly kind: "softmax";
  readonly params: ShiftmaxParams;
}

/**
 * Multi-head self-attention (docs/integer-ops.md §6) on one input [T, 1, 3·D] whose channels
 * are [Q | K | V] (the output of one fused QKV linear, as timm's qkv), D = heads · headDim.
 * [ours] One fused input rather than three streams: Q·Kᵀ of any row needs every
 * key, so the unit must hold K and V (and hence Q, which arrives interleaved with
 * them) before its first output; one input keeps the dataflow graph a chain with
 * no FIFO of a whole tensor in front of a three-way join.
 * Per row t and head h: s[j] = Σ_c q[t,h,c]·k[j,h,c] (int8·int8 → int32), Shiftmax
 * over j with x0 = floor(−1/S), S = s_q·s_k/sqrt(headDim) (the 1/sqrt(d) folded
 * into S, never computed in hardware), acc[c] = Σ_j p[j]·v[j,h,c] (uint7·int8 → int32),
 * requantized; heads concatenated along the channels. Output [T, 1, D].
 * [ours] The loader bounds one e ≤ |x0|·2^n ≤ 2^31 − 1 (§3); whether Σe over T tokens
 * can reach §3's clamp min(Σe, 2^31 − 1) — where the probabilities stop summing to 1 —
 * is left to the quantizer's choice of n (scripts/deit-block.ts keeps T·|x0|·2^n ≤ 2^31 − 1).
 */
export interface AttentionLayer extends LayerBase {
  readonly kind: "attention";
  readonly heads: number;
  readonly headDim: number;
  /** Shiftmax of the scores; params.inputBits = the width of a score. */
  readonly softmax: ShiftmaxParams;
  readonly requant: RequantParams;
  /** simd: head-dim lanes per cycle in Q·Kᵀ and A·V (divides headDim). */
  readonly arch: { readonly simd: number };
}

/**
 * ViT token embedding. The input [H, W, C] is read as T = H·W token rows in its HWC
 * stream order (a patch-embedding conv's [4, 4, C] output is the 16 tokens
 * py·4 + px, [T, 1, C] passes unchanged); the output [T + 1, 1, C] prepends the
 * class token and adds the position embedding.
 * Integer form [ours], the residual add of docs/integer-ops.md §1 with the embedding as the second
 * operand: "each operand is first requantized to a common intermediate … then added
 * and saturated". The embedding is stored as integers already on the output scale
 * (its rescale is the identity, E = round(pos / s_out)), the incoming token is
 * rescaled on its own by the dyadic multiplier m/2^k ≈ s_in / s_out:
 *   row 0:      y[0][c] = sat_b(E[0][c])                        E[0] = round((cls + pos[0]) / s_out)
 *   row t ≥ 1:  y[t][c] = sat_b(round_k(x[t−1][c]·m) + E[t][c])  E[t] = round(pos[t] / s_out)
 * i.e. the requant y = sat_b(round_k(acc·m) + zp) of §1 with a zero point per element
 * (and acc = 0 for the class row). The widths of the sum come from the ranges of x,
 * m and E (src/arith/tokens.ts).
 */
export interface TokenEmbedLayer extends LayerBase {
  readonly kind: "token_embed";
  /** m, k, rounding and outBits of the token's rescale (zeroPoint 0, no ReLU). */
  readonly requant: RequantParams;
  /** E, (T + 1)·C integers on the output scale, row-major (row 0 = the class token). */
  readonly embedding: Int32Array;
}

/** Keeps token row `index` of a token sequence [T, 1, C] (0 = the class token): output [1, 1, C], the input of a dense head. */
export interface TokenSelectLayer extends LayerBase {
  readonly kind: "token_select";
  readonly index: number;
}

export type IvitLayer = LayerNormLayer | GeluLayer | SoftmaxLayer | AttentionLayer;

export type Layer =
  | Conv2dLayer
  | DenseLayer
  | ReluLayer
  | MaxPoolLayer
  | AvgPoolLayer
  | GlobalAvgPoolLayer
  | AddLayer
  | FlattenLayer
  | ArgmaxLayer
  | LayerNormLayer
  | GeluLayer
  | SoftmaxLayer
  | AttentionLayer
  | TokenEmbedLayer
  | TokenSelectLayer;

/** Layers computed by a matrix-vector engine. */
export type EngineLayer = Conv2dLayer | DenseLayer;

export function isEngineLayer(layer: Layer): layer is EngineLayer {
  return layer.kind === "conv2d" || layer.kind === "dense";
}

/** The 1×1 conv on a 1×1×N tensor that a dense layer is (weights [out][N] are OHWI with H = W = 1). */
export function denseAsConv(layer: DenseLayer): Conv2dLayer {
  const n = layer.input.height * layer.input.width * layer.input.channels;
  return {
    kind: "conv2d",
    name: layer.name,
    inputs: layer.inputs,
    datapath: layer.datapath,
    input: { height: 1, width: 1, channels: n, bits: layer.input.bits },
    output: layer.output,
    kernel: [1, 1],
    stride: [1, 1],
    padding: [0, 0],
    weightBits: layer.weightBits,
    weights: layer.weights,
    bias: layer.bias,
    out: layer.out,
    arch: layer.arch,
    scales: layer.scales,
  };
}

/** The conv view of an engine layer (identity for conv2d). */
export function engineConv(layer: EngineLayer): Conv2dLayer {
  return layer.kind === "dense" ? denseAsConv(layer) : layer;
}

/** The requant of output channel oc (per-channel values replace the tensor's m, k). */
export function channelRequantParams(stage: Extract<OutputStage, { kind: "requant" }>, oc: number): RequantParams {
  if (!stage.perChannel) return stage.params;
  return { ...stage.params, multiplier: stage.perChannel.multipliers[oc] };
}

export function tensorSize(t: TensorSpec): number {
  return t.height * t.width * t.channels;
}

export interface ModelMetadata {
  /** Real value of one input step: a dataset's float input x enters as round(x / inputScale). */
  readonly inputScale?: number;
  /** The float model description this model was quantized from, relative to the model file. */
  readonly floatModel?: string;
  readonly [key: string]: unknown;
}

export interface Model {
  readonly name: string;
  readonly description?: string;
  /** Free-form facts: inputScale (real value of one input step), floatModel (path beside the model file), accuracy. */
  readonly metadata?: ModelMetadata;
  /** Path of the model file, when loaded from one (for error messages). */
  readonly file?: string;
  /** sha256 of the normalized model: written into every generated file's header. */
  readonly hash: string;
  readonly input: TensorSpec;
  readonly layers: readonly Layer[];
}

/** An integer tensor in HWC order. Binary tensors hold ±1. */
export interface IntTensor {
  readonly shape: readonly [number, number, number];
  readonly bits: number;
  readonly data: Int32Array;
}

export function reductionLength(layer: Conv2dLayer): number {
  return layer.kernel[0] * layer.kernel[1] * layer.input.channels;
}

export function outputPixels(layer: Conv2dLayer): number {
  return layer.output.height * layer.output.width;
}

/** The stored integer a conv layer's padded taps hold (golden and sliding-window unit alike). */
export function convPadValue(layer: Conv2dLayer): number {
  return layer.padValue ?? paddingValue(layer.datapath);
}

export function convOutputSize(inSize: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((inSize + 2 * padding - kernel) / stride) + 1;
}

/** The conv views of the model's engine layers (conv2d and dense), in layer order. */
export function engineLayers(model: Model): Conv2dLayer[] {
  return model.layers.filter(isEngineLayer).map(engineConv);
}

/**
 * Cycle models of the integer ViT layers (src/hw/layers/ivit.ts): each is its
 * unit's model (ivit_layernorm.ts, ivit_gelu.ts, ivit_shiftmax.ts, ivit_attention.ts)
 * followed by the requant's registered stage, and the closed forms of their frames.
 */
import { AttentionLayer, GeluLayer, LayerNormLayer, SoftmaxLayer, tensorSize } from "../../ir/model.js";
import { ivitLayerNormParams } from "../units/ivit-layernorm/params.js";
import { attentionDivider, attentionShape } from "../units/ivit-attention/params.js";
import { layerNormIterations } from "../../arith/ivit/layernorm.js";
import { RegisteredStage, TimedUnit } from "../units/stream/timing.js";
import { RECIPROCAL_BITS } from "../units/ivit-divider/timing.js";
import { LayerNormTiming } from "../units/ivit-layernorm/timing.js";
import { ShiftmaxTiming } from "../units/ivit-shiftmax/timing.js";
import { GeluTiming } from "../units/ivit-gelu/timing.js";
import { AttentionTiming } from "../units/ivit-attention/timing.js";

export { DividerTiming } from "../units/ivit-divider/timing.js";

function rowsOf(layer: { input: { height: number; width: number } }): number {
  return layer.input.height * layer.input.width;
}

export function layerNormTiming(layer: LayerNormLayer): TimedUnit[] {
  const NW = ivitLayerNormParams({ module: "ln", params: layer.params }, "ln_div", "").NW;
  return [new LayerNormTiming(layer.params.channels, NW, layerNormIterations(layer.params)), new RegisteredStage()];
}

export function geluTiming(layer: GeluLayer): TimedUnit[] {
  return [new GeluTiming(layer.input.channels), new RegisteredStage()];
}

export function softmaxTiming(layer: SoftmaxLayer): TimedUnit[] {
  return [new ShiftmaxTiming(layer.input.channels)];
}

export function attentionTiming(layer: AttentionLayer): TimedUnit[] {
  return [new AttentionTiming(layer), new RegisteredStage()];
}

/**
 * Cycles of one frame of an integer ViT layer alone, first input to last output,
 * source and sink never stalling — the closed forms of the phase lengths above
 * (a division takes NW + 2 cycles from its start to the phase change; the requant
 * stage after LayerNorm, GELU and attention adds one):
 *   layernorm  rows·(3N + 3 + (s + 2)·(NW + 2)) + 1  (mean, s Newton steps — ten unless the IR records another —, reciprocal)
 *   gelu       rows·(N + 1 + N·(NW + 4)) + 1        (CEXP, then READ, START, the division, EMIT per element)
 *   softmax    rows·(3N + 3 + (NW + 2))
 *   attention  T·3D + T·H·(T·G + 1 + 2(T + 1) + (NW + 2) + G·(T + S + 2)) + 1
 * Consecutive frames do not overlap (every unit holds its input until it has emitted).
 */
export function ivitFrameCycles(layer: LayerNormLayer | GeluLayer | SoftmaxLayer | AttentionLayer): number {
  const division = (dividendBits: number) => Math.max(2, dividendBits) + 2;
  switch (layer.kind) {
    case "layernorm": {
      const N = layer.params.channels;
      const NW = ivitLayerNormParams({ module: "ln", params: layer.params }, "ln_div", "").NW;
      return rowsOf(layer) * (3 * N + 3 + (layerNormIterations(layer.params) + 2) * division(NW)) + 1;
    }
    case "gelu": {
      const N = layer.input.channels;
      return rowsOf(layer) * (N + 1 + N * (division(RECIPROCAL_BITS) + 2)) + 1;
    }
    case "softmax": {
      const N = layer.input.channels;
      return rowsOf(layer) * (3 * N + 3 + division(RECIPROCAL_BITS));
    }
    case "attention": {
      const { tokens: T, heads: H, groups: G, simd: S } = attentionShape(layer);
      const perHead = T * G + 1 + 2 * (T + 1) + division(attentionDivider(layer).dividendBits) + G * (T + S + 2);
      return tensorSize(layer.input) + T * H * perHead + 1;
    }
  }
}

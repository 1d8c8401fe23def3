/** The cycle model of each layer kind's module, as a chain of TimedUnits (one input, one output). */
import { engineConv, Layer } from "../../ir/model.js";
import { RegisteredStage, TimedUnit } from "../units/stream/timing.js";
import { SwuTiming } from "../units/swu/timing.js";
import { MvuTiming } from "../units/mvu/timing.js";
import { SerializerTiming } from "../units/serializer/timing.js";
import { globalAvgPoolTiming, poolTiming } from "../units/pool/timing.js";
import { reluTiming } from "../units/relu/timing.js";
import { argmaxTiming } from "../units/argmax/timing.js";
import { tokenEmbedTiming } from "../units/token-embed/timing.js";
import { tokenSelectTiming } from "../units/token-select/timing.js";
import { attentionTiming, geluTiming, ivitFrameCycles, layerNormTiming, softmaxTiming } from "./ivit-timing.js";

export function layerTiming(layer: Layer): TimedUnit[] {
  switch (layer.kind) {
    case "conv2d":
    case "dense": {
      const conv = engineConv(layer);
      return [new SwuTiming(conv), new MvuTiming(conv), new RegisteredStage(), new SerializerTiming(conv)];
    }
    case "maxpool":
    case "avgpool":
      return poolTiming(layer);
    case "global_avgpool":
      return globalAvgPoolTiming(layer);
    case "relu":
      return reluTiming(layer);
    case "argmax":
      return argmaxTiming(layer);
    case "layernorm":
      return layerNormTiming(layer);
    case "gelu":
      return geluTiming(layer);
    case "softmax":
      return softmaxTiming(layer);
    case "attention":
      return attentionTiming(layer);
    case "token_embed":
      return tokenEmbedTiming(layer);
    case "token_select":
      return tokenSelectTiming(layer);
    default:
      throw new Error(`no cycle model for ${layer.kind} layers yet`);
  }
}

/**
 * Cycles one frame takes in a unit that needs many cycles per element (the integer
 * ViT units: row buffers, sequential dividers, the attention unit's loops), from
 * their phase lengths; undefined for the layers that stream about one element per cycle.
 */
export function unitFrameCycles(layer: Layer): number | undefined {
  switch (layer.kind) {
    case "layernorm":
    case "gelu":
    case "softmax":
    case "attention":
      return ivitFrameCycles(layer);
    default:
      return undefined;
  }
}

/** One emitter per layer kind; each returns the name of the layer's top module (standard stream ports, `add`: two inputs a_/b_). */
import { denseAsConv, Layer } from "../../ir/model.js";
import { EmitContext } from "./context.js";
import { emitTokenEmbedLayer, emitTokenSelectLayer } from "./tokens.js";
import { emitConvLayer } from "./conv.js";
import { emitPoolLayer, emitGlobalAvgPoolLayer } from "./pool.js";
import { emitReluLayer, emitArgmaxLayer } from "./elementwise.js";
import { emitAddLayer } from "./add.js";
import { emitAttentionLayer, emitGeluLayer, emitLayerNormLayer, emitSoftmaxLayer } from "./ivit.js";

/** Layers that are wires in hardware (no module): the stream passes through unchanged. */
export function isWireLayer(layer: Layer): boolean {
  return layer.kind === "flatten";
}

export function emitLayer(ctx: EmitContext, layer: Layer): string {
  switch (layer.kind) {
    case "conv2d":
      return emitConvLayer(ctx, layer);
    case "dense":
      return emitConvLayer(ctx, denseAsConv(layer));
    case "maxpool":
    case "avgpool":
      return emitPoolLayer(ctx, layer);
    case "global_avgpool":
      return emitGlobalAvgPoolLayer(ctx, layer);
    case "relu":
      return emitReluLayer(ctx, layer);
    case "argmax":
      return emitArgmaxLayer(ctx, layer);
    case "add":
      return emitAddLayer(ctx, layer);
    case "layernorm":
      return emitLayerNormLayer(ctx, layer);
    case "gelu":
      return emitGeluLayer(ctx, layer);
    case "softmax":
      return emitSoftmaxLayer(ctx, layer);
    case "attention":
      return emitAttentionLayer(ctx, layer);
    case "token_embed":
      return emitTokenEmbedLayer(ctx, layer);
    case "token_select":
      return emitTokenSelectLayer(ctx, layer);
    case "flatten":
      throw new Error("flatten is a wire: the top connects its input stream straight through");
  }
}

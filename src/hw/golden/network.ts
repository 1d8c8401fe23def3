/** Runs the golden reference through every layer of the graph, keeping each layer's output (for per-layer vectors). */
import { IntTensor, Layer, Model, MODEL_INPUT } from "../../ir/model.js";
import { conv2dGolden, denseGolden } from "./conv2d.js";
import { avgPoolGolden, globalAvgPoolGolden, maxPoolGolden } from "./pool.js";
import { addGolden, argmaxGolden, flattenGolden, reluGolden } from "./elementwise.js";
import { geluGolden, layerNormGolden, softmaxGolden } from "./ivit.js";
import { attentionGolden } from "./attention.js";
import { tokenEmbedGolden, tokenSelectGolden } from "./tokens.js";

export interface GoldenTrace {
  readonly input: IntTensor;
  /** Output of each layer, in layer order. */
  readonly layers: readonly IntTensor[];
}

/** One layer on its input tensors (in the order of layer.inputs). */
export function runLayer(layer: Layer, inputs: readonly IntTensor[]): IntTensor {
  const x = inputs[0];
  switch (layer.kind) {
    case "conv2d":
      return conv2dGolden(layer, x);
    case "dense":
      return denseGolden(layer, x);
    case "relu":
      return reluGolden(layer, x);
    case "maxpool":
      return maxPoolGolden(layer, x);
    case "avgpool":
      return avgPoolGolden(layer, x);
    case "global_avgpool":
      return globalAvgPoolGolden(layer, x);
    case "add":
      return addGolden(layer, x, inputs[1]);
    case "flatten":
      return flattenGolden(layer, x);
    case "argmax":
      return argmaxGolden(layer, x);
    case "layernorm":
      return layerNormGolden(layer, x);
    case "gelu":
      return geluGolden(layer, x);
    case "softmax":
      return softmaxGolden(layer, x);
    case "attention":
      return attentionGolden(layer, x);
    case "token_embed":
      return tokenEmbedGolden(layer, x);
    case "token_select":
      return tokenSelectGolden(layer, x);
  }
}

export function runGolden(model: Model, input: IntTensor): GoldenTrace {
  const byName = new Map<string, IntTensor>([[MODEL_INPUT, input]]);
  const outputs: IntTensor[] = [];
  for (const layer of model.layers) {
    const y = runLayer(layer, layer.inputs.map((n) => byName.get(n)!));
    byName.set(layer.name, y);
    outputs.push(y);
  }
  return { input, layers: outputs };
}

/** The model's final output tensor for one input. */
export function goldenOutput(model: Model, input: IntTensor): IntTensor {
  const trace = runGolden(model, input);
  return trace.layers[trace.layers.length - 1];
}

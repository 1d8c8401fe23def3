/** Runs the golden reference through every layer, keeping each layer's output (for per-layer vectors). */
import { IntTensor, Model } from "../../ir/model.js";
import { conv2dGolden } from "./conv2d.js";

export interface GoldenTrace {
  readonly input: IntTensor;
  /** Output of each layer, in layer order. */
  readonly layers: readonly IntTensor[];
}

export function runGolden(model: Model, input: IntTensor): GoldenTrace {
  const outputs: IntTensor[] = [];
  let x = input;
  for (const layer of model.layers) {
    x = conv2dGolden(layer, x);
    outputs.push(x);
  }
  return { input, layers: outputs };
}

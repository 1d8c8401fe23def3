/** Runs the golden reference through every layer of the graph, keeping each layer's output (for per-layer vectors). */
import { IntTensor, Model, MODEL_INPUT } from "../../ir/model.js";
import { runLayer } from "../layers/index.js";

export { runLayer };

export interface GoldenTrace {
  readonly input: IntTensor;
  /** Output of each layer, in layer order. */
  readonly layers: readonly IntTensor[];
}

/**
 * The golden (bit-exact reference) model: runs one input through every layer in integers.
 * @returns every layer's output tensor, in model order
 */
export function runGolden(model: Model, input: IntTensor): GoldenTrace {
  const byName = new Map<string, IntTensor>([[MODEL_INPUT, input]]);
  const outputs: IntTensor[] = [];
  for (const layer of model.layers) {
    const y = runLayer(
      layer,
      layer.inputs.map((n) => byName.get(n)!),
    );
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

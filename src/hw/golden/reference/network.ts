/**
 * The golden reference as it was before the fast kernels: runGolden (../network.ts)
 * with the first conv/dense and pooling kernels (conv2d.ts, pool.ts here). The oracle
 * the tests hold the fast kernels to on every bundled model, and bench/golden.ts's
 * baseline. Layers whose kernel did not change run through the registry.
 */
import { IntTensor, Layer, Model, MODEL_INPUT } from "../../../ir/model.js";
import { runLayer } from "../../layers/index.js";
import { GoldenTrace } from "../network.js";
import { conv2dGoldenReference, denseGoldenReference } from "./conv2d.js";
import { avgPoolGoldenReference, globalAvgPoolGoldenReference, maxPoolGoldenReference } from "./pool.js";

function runReferenceLayer(layer: Layer, inputs: readonly IntTensor[]): IntTensor {
  if (layer.kind === "conv2d") return conv2dGoldenReference(layer, inputs[0]);
  if (layer.kind === "dense") return denseGoldenReference(layer, inputs[0]);
  if (layer.kind === "maxpool") return maxPoolGoldenReference(layer, inputs[0]);
  if (layer.kind === "avgpool") return avgPoolGoldenReference(layer, inputs[0]);
  if (layer.kind === "global_avgpool") return globalAvgPoolGoldenReference(layer, inputs[0]);
  return runLayer(layer, inputs);
}

/** Every layer's output with the reference kernels, in model order. */
export function runGoldenReference(model: Model, input: IntTensor): GoldenTrace {
  const byName = new Map<string, IntTensor>([[MODEL_INPUT, input]]);
  const layers: IntTensor[] = [];
  for (const layer of model.layers) {
    const y = runReferenceLayer(
      layer,
      layer.inputs.map((n) => byName.get(n)!),
    );
    byName.set(layer.name, y);
    layers.push(y);
  }
  return { input, layers };
}

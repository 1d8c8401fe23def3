/**
 * Golden conv throughput (not a test: prints figures, asserts nothing).
 * Operations = output elements × K (one multiply-accumulate, |x−w| accumulate or
 * xnor-popcount step each). Baseline measured in the same run: the plain float
 * conv (src/frontend/float/conv2d.ts) on the same shape — the same loop nest in float64.
 * Run: npm run bench
 */
import { loadModel } from "../src/ir/load.js";
import { conv2dGolden } from "../src/hw/golden/conv2d.js";
import { floatConv2d } from "../src/frontend/float/conv2d.js";
import { randomTensor } from "../src/ir/inputs.js";
import { outputPixels, reductionLength, engineLayers } from "../src/ir/model.js";

function timeIt(fn: () => void, minMs = 1000): { perRunMs: number; runs: number } {
  fn(); // warm-up (JIT)
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    fn();
    runs++;
    elapsed = performance.now() - start;
  }
  return { perRunMs: elapsed / runs, runs };
}

const models = process.argv.slice(2).length
  ? process.argv.slice(2)
  : ["models/conv3x3-adder-int8.json", "models/conv3x3-mac-int8.json", "models/conv3x3-adder-int16.json", "models/conv3x3-xnor.json"];
console.log("golden conv throughput (ops = output elements x K)");
for (const file of models) {
  const model = loadModel(file);
  const layer = engineLayers(model)[0];
  const input = randomTensor(model.input, 1);
  const ops = outputPixels(layer) * layer.output.channels * reductionLength(layer);
  const golden = timeIt(() => conv2dGolden(layer, input));
  const floatSpec = {
    datapath: layer.datapath === "adder" ? ("adder" as const) : ("mac" as const),
    input: layer.input,
    outChannels: layer.output.channels,
    kernel: layer.kernel,
    stride: layer.stride,
    padding: layer.padding,
    weights: Float64Array.from(layer.weights),
  };
  const xf = Float64Array.from(input.data);
  const base = timeIt(() => floatConv2d(floatSpec, xf));
  const gops = ops / (golden.perRunMs / 1000);
  const bops = ops / (base.perRunMs / 1000);
  console.log(
    `${file}: ${ops} ops, golden ${golden.perRunMs.toFixed(2)} ms = ${(gops / 1e6).toFixed(1)} Mops/s; ` +
      `float baseline ${base.perRunMs.toFixed(2)} ms = ${(bops / 1e6).toFixed(1)} Mops/s; ratio ${(gops / bops).toFixed(2)}x`,
  );
}

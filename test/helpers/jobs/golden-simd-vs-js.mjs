// Job for test/hw/golden/wasm/simd.test.ts (run by test/helpers/worker.ts runJob): every
// layer's output of the golden with the SIMD kernels (the default) against the same golden
// with the JS kernels only, on a few seeded inputs of each model file; and the evaluation
// each engine layer's sums took.
import { parentPort, workerData } from "node:worker_threads";
import { loadModel } from "../../../dist/src/ir/load.js";
import { randomTensor } from "../../../dist/src/ir/inputs.js";
import { engineLayers } from "../../../dist/src/ir/model.js";
import { runGolden } from "../../../dist/src/hw/golden/network.js";
import { conv2dEvaluation, useSimdKernels } from "../../../dist/src/hw/golden/conv2d.js";

const results = [];
for (const { file, vectors } of workerData.models) {
  const model = loadModel(file);
  let compared = 0;
  const mismatches = [];
  for (let seed = 1; seed <= vectors; seed++) {
    const x = randomTensor(model.input, seed);
    useSimdKernels(true);
    const simd = runGolden(model, x).layers;
    useSimdKernels(false);
    const js = runGolden(model, x).layers;
    model.layers.forEach((layer, i) => {
      compared += simd[i].data.length;
      const a = simd[i].data;
      const b = js[i].data;
      const shapes = simd[i].shape.join("x") === js[i].shape.join("x") && a.length === b.length;
      const at = shapes ? a.findIndex((v, j) => v !== b[j]) : 0;
      if (at >= 0) mismatches.push({ seed, layer: layer.name, index: at, simd: a[at], js: b[at] });
    });
  }
  useSimdKernels(true);
  const engines = engineLayers(model);
  results.push({
    file,
    compared,
    evaluations: engines.map((l) => conv2dEvaluation(l)),
    datapaths: engines.map((l) => l.datapath),
    bits: engines.map((l) => l.input.bits),
    mismatches: mismatches.slice(0, 5),
  });
}
parentPort.postMessage(results);

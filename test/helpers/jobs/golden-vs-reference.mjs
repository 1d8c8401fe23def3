// Job for test/hw/golden/reference.test.ts (run by test/helpers/worker.ts runJob): every
// layer's output of the fast golden (hw/golden/network.ts) against the reference kernels
// (hw/golden/reference/network.ts) on a few seeded inputs of each model file.
import { parentPort, workerData } from "node:worker_threads";
import { loadModel } from "../../../dist/src/ir/load.js";
import { randomTensor } from "../../../dist/src/ir/inputs.js";
import { runGolden } from "../../../dist/src/hw/golden/network.js";
import { runGoldenReference } from "../../../dist/src/hw/golden/reference/network.js";

const results = [];
for (const { file, vectors } of workerData.models) {
  const model = loadModel(file);
  let compared = 0;
  const mismatches = [];
  for (let seed = 1; seed <= vectors; seed++) {
    const x = randomTensor(model.input, seed);
    const fast = runGolden(model, x).layers;
    const ref = runGoldenReference(model, x).layers;
    model.layers.forEach((layer, i) => {
      compared += fast[i].data.length;
      const a = fast[i].data;
      const b = ref[i].data;
      const shapes = fast[i].shape.join("x") === ref[i].shape.join("x") && fast[i].bits === ref[i].bits && a.length === b.length;
      const at = shapes ? a.findIndex((v, j) => v !== b[j]) : 0;
      if (at >= 0) mismatches.push({ seed, layer: layer.name, index: at, fast: a[at], reference: b[at] });
    });
  }
  results.push({ file, layers: model.layers.length, compared, mismatches: mismatches.slice(0, 5) });
}
parentPort.postMessage(results);

/**
 * The three trained MNIST LeNets (adder, xnor, mac; committed in models/) in
 * RTL: 3 real test images each, every layer's tap and the output bit-exact in
 * Verilator with back-pressure, the RTL's class equal to the golden class.
 */
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/ir/load.js";
import { loadDataset } from "../../src/frontend/dataset.js";
import { predictedClass } from "../../src/flows/accuracy.js";
import { goldenOutput } from "../../src/hw/golden/network.js";
import { verifyModel } from "../../src/verify/index.js";
import { expectExact } from "../helpers/rtl.js";

describe("trained MNIST LeNets in RTL on real test images", () => {
  for (const name of ["mnist-adder", "mnist-xnor", "mnist-mac"]) {
    test(`${name}: 3 test images bit-exact at every layer`, async () => {
      const model = loadModel(`models/${name}.json`);
      const data = loadDataset(model, "mnist-test", 3);
      const r = await verifyModel(model, { inputs: data.inputs, backpressure: 0.2, seed: 3 });
      expectExact(r);
      for (const l of r.layers) if (model.layers.find((m) => m.name === l.name)!.kind !== "flatten") expect(l.matched, l.name).toBe(l.compared);
      expect(r.outputs).toHaveLength(3);
      r.outputs!.forEach((words, i) =>
        expect(predictedClass(model, { data: Int32Array.from(words) })).toBe(predictedClass(model, goldenOutput(model, data.inputs[i]))),
      );
    });
  }
});

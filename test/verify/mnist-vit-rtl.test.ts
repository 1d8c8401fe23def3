/**
 * The MNIST ViT (models/mnist-vit.json: patch conv 7×7/7 → token embedding → two
 * integer-only encoder blocks → LayerNorm → class token → dense → argmax, quantized
 * by `npm run quantize -- mnist-vit`) on real MNIST test images in RTL: every
 * layer's tap bit-exact in Verilator, the measured cycles equal to the streaming
 * model's prediction, the RTL's classes those of the labels; and one image in Icarus.
 * One Verilator build serves every Verilator case (same design).
 */
import { expect, test } from "vitest";
import { loadModel } from "../../src/ir/load.js";
import { loadDataset } from "../../src/frontend/dataset.js";
import { predictedClass } from "../../src/flows/accuracy.js";
import { verifyModel, VerifyReport } from "../../src/verify/index.js";
import { expectExact } from "../helpers/rtl.js";

const model = loadModel("models/mnist-vit.json");
// test images 0, 1, 2 are a 7, a 2 and a 1
const data = loadDataset(model, "mnist-test", 3);

function expectEveryTap(r: VerifyReport): void {
  expectExact(r);
  for (const l of r.layers) {
    expect(l.tapped, l.name).toBe(true);
    expect(l.compared, l.name).toBeGreaterThan(0);
    expect(l.matched, l.name).toBe(l.compared);
  }
}

test("3 MNIST test images in Verilator: every layer bit-exact, cycles predicted exactly, the labels' classes", async () => {
  const r = await verifyModel(model, { sim: "verilator", inputs: data.inputs, seed: 1, backpressure: 0 });
  expectEveryTap(r);
  expect(r.cycles).toBe(r.predicted.cycles);
  expect(r.frameCycles).toEqual(r.predicted.frameCycles);
  expect(r.outputs!.map((words) => predictedClass(model, { data: Int32Array.from(words) }))).toEqual(Array.from(data.labels!));
  // the same build under random back-pressure on both ends
  expectEveryTap(await verifyModel(model, { sim: "verilator", inputs: data.inputs.slice(0, 1), seed: 2, backpressure: 0.3 }));
});

test("Icarus agrees on one image", async () => {
  expectEveryTap(await verifyModel(model, { sim: "icarus", inputs: data.inputs.slice(0, 1), seed: 3, backpressure: 0 }));
});

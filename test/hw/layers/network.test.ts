/**
 * A small classifier using every single-input layer of this folder in one stream:
 * conv -> maxpool -> conv -> relu -> avgpool -> global_avgpool -> dense -> argmax. Every
 * layer's stream is tapped and compared; Verilator and Icarus agree, and the
 * streaming model predicts the measured cycles exactly at backpressure 0.
 */
import { expect, test } from "vitest";
import { verifyModel } from "../../../src/verify/index.js";
import { randomTensor } from "../../../src/ir/inputs.js";
import { expectExact } from "../../helpers/rtl.js";
import { convLayer, denseLayer, networkModel } from "../../helpers/network-models.js";

const input = { height: 8, width: 8, channels: 2, bits: 8 } as const;
const model = networkModel("tiny_cnn", input, [
  convLayer("conv1", input, { kernel: "mac", outChannels: 4, pe: 2, simd: 6, relu: true, seed: 21 }),
  { type: "maxpool", name: "pool1", kernelSize: 2 },
  convLayer(
    "conv2",
    { height: 4, width: 4, channels: 4, bits: 8 },
    { kernel: "mac", outChannels: 6, pe: 3, simd: 4, seed: 22, bias: [0, 5000, -5000, 0, 100, -100] },
  ),
  { type: "relu", name: "relu2" },
  { type: "avgpool", name: "pool2", kernelSize: 2, stride: 1, requant: { multiplier: 1, shift: 2, rounding: "half_even", outBits: 8 } },
  { type: "global_avgpool", name: "gap", requant: { multiplier: 4096, shift: 16, rounding: "half_away", outBits: 8 } },
  denseLayer("fc", 6, { outFeatures: 5, seed: 23, requant: { multiplier: 1, shift: 8, rounding: "half_up", outBits: 8 }, pe: 5, simd: 3 }),
  { type: "argmax", name: "argmax" },
]);

test("conv -> maxpool -> conv -> relu -> avgpool -> global_avgpool -> dense -> argmax: every layer bit-exact in Verilator and Icarus", async () => {
  const inputs = [1, 2, 3].map((s) => randomTensor(input, s));
  const vl = await verifyModel(model, { sim: "verilator", inputs, seed: 2, backpressure: 0.3 });
  expectExact(vl);
  expect(vl.layers.every((l) => l.tapped && l.matched === l.compared && l.compared > 0)).toBe(true);
  const ic = await verifyModel(model, { sim: "icarus", inputs, seed: 2, backpressure: 0.3 });
  expectExact(ic);
  expect(ic.cycles).toBe(vl.cycles);
});

test("the streaming model predicts the classifier's cycles exactly at backpressure 0", async () => {
  const r = await verifyModel(model, { sim: "verilator", vectors: 3, seed: 5, backpressure: 0 });
  expectExact(r);
  expect(r.cycles).toBe(r.predicted.cycles);
  expect(r.frameCycles).toEqual(r.predicted.frameCycles);
});

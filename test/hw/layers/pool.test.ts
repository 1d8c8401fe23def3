/**
 * Max pool RTL (src/hw/layers/pool.ts: sliding window -> pool reducer ->
 * serializer), verified bit-exact in Verilator against the golden reference with
 * every intermediate layer tapped, and its cycles predicted exactly by the
 * streaming model at backpressure 0. Binary (±1) tensors pool with OR.
 */
import { expect, test } from "vitest";
import { verifyModel } from "../../../src/verify/index.js";
import { constantTensor, randomTensor } from "../../../src/ir/inputs.js";
import { expectExact, expectExactAndPredicted } from "../../helpers/rtl.js";
import { convLayer, networkModel } from "../../helpers/network-models.js";
import type { MaxPoolLayer } from "../../../src/ir/model.js";
import { poolLanes } from "../../../src/hw/units/pool/params.js";

test("6×6×3 int8 -> conv (mac, requant, relu) -> maxpool 2×2 is bit-exact with back-pressure and exactly predicted", async () => {
  const input = { height: 6, width: 6, channels: 3, bits: 8 } as const;
  const model = networkModel("mp_mac", input, [
    convLayer("conv", input, { kernel: "mac", outChannels: 4, pe: 2, simd: 9, relu: true, seed: 3, bias: [300, -200, 0, 1000] }),
    { type: "maxpool", name: "pool", kernelSize: 2 },
  ]);
  const r = await verifyModel(model, { sim: "verilator", vectors: 3, seed: 2, backpressure: 0.3 });
  expectExact(r);
  expect(r.layers.map((l) => l.matched)).toEqual([6 * 6 * 4 * 3, 3 * 3 * 4 * 3]);
  await expectExactAndPredicted(model, 3, 5);
});

test("binary: 6×6×3 ±1 -> conv (xnor, threshold) -> maxpool 2×2 (OR of the bits) -> maxpool 2×2 stride 1 are bit-exact", async () => {
  const input = { height: 6, width: 6, channels: 3, bits: 1 } as const;
  const model = networkModel("mp_xnor", input, [
    convLayer("conv", input, { kernel: "xnor", outChannels: 5, pe: 5, simd: 9, seed: 4 }),
    { type: "maxpool", name: "pool", kernelSize: 2 },
    { type: "maxpool", name: "pool2", kernelSize: 2, stride: 1 },
  ]);
  const r = await verifyModel(model, { sim: "verilator", vectors: 3, seed: 3, backpressure: 0.3 });
  expectExact(r);
  await expectExactAndPredicted(model, 3, 6);
});

test("20 channels in 2 groups of P = 10 lanes, 16-bit, kernel 3×2 stride 2×1: bit-exact and exactly predicted", async () => {
  const spec = { height: 7, width: 5, channels: 20, bits: 16 } as const;
  const model = networkModel("mp_groups", spec, [{ type: "maxpool", name: "pool", kernelSize: [3, 2], stride: [2, 1] }]);
  const pool = model.layers[0] as MaxPoolLayer;
  expect(poolLanes(pool.input.channels)).toBe(10);
  const inputs = [constantTensor(spec, -32768), constantTensor(spec, 32767), randomTensor(spec, 8)];
  const r = await verifyModel(model, { sim: "verilator", inputs, seed: 4, backpressure: 0.3 });
  expectExact(r);
  const r0 = await verifyModel(model, { sim: "verilator", inputs, seed: 4, backpressure: 0 });
  expectExact(r0);
  expect(r0.cycles).toBe(r0.predicted.cycles);
  expect(r0.frameCycles).toEqual(r0.predicted.frameCycles);
});

test("extreme inputs (all −128, all 127, random) straight into a 3×3 stride-2 maxpool on 17 channels (P = 1, no serializer)", async () => {
  const spec = { height: 7, width: 6, channels: 17, bits: 8 } as const;
  const model = networkModel("mp_edge", spec, [{ type: "maxpool", name: "pool", kernelSize: 3, stride: 2 }]);
  expect(poolLanes(17)).toBe(1);
  const inputs = [constantTensor(spec, -128), constantTensor(spec, 127), randomTensor(spec, 9)];
  const r = await verifyModel(model, { sim: "verilator", inputs, seed: 1, backpressure: 0.3 });
  expectExact(r);
  const r0 = await verifyModel(model, { sim: "verilator", inputs, seed: 1, backpressure: 0 });
  expectExact(r0);
  expect(r0.cycles).toBe(r0.predicted.cycles);
  expect(r0.frameCycles).toEqual(r0.predicted.frameCycles);
});

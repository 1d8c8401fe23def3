/**
 * ReLU and argmax RTL (src/hw/layers/elementwise.ts) in Verilator: bit-exact
 * against the golden reference (relu = max(x, 0); argmax = index of the FIRST
 * maximum) with every intermediate layer tapped, and exactly predicted at
 * backpressure 0 (relu H·W·C + 1, argmax C + 1 cycles per frame).
 */
import { expect, test } from "vitest";
import { constantTensor, randomTensor, rng } from "../../../src/ir/inputs.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import type { IntTensor, TensorSpec } from "../../../src/ir/model.js";
import { convLayer, denseLayer, expectVerified, networkModel } from "../../helpers/network-models.js";

const tensor = (spec: TensorSpec, values: number[]): IntTensor => ({
  shape: [spec.height, spec.width, spec.channels],
  bits: spec.bits,
  data: Int32Array.from(values),
});

test("relu on a conv output without relu (6×6×3 int8 -> conv mac -> relu) is bit-exact and exactly predicted", async () => {
  const input = { height: 6, width: 6, channels: 3, bits: 8 } as const;
  const model = networkModel("relu_conv", input, [
    convLayer("conv", input, { kernel: "mac", outChannels: 4, pe: 2, simd: 9, seed: 12, bias: [0, -3000, 2000, 0] }),
    { type: "relu", name: "relu" },
  ]);
  const inputs = [randomTensor(input, 1), randomTensor(input, 2)];
  // both signs reach the relu
  const convOut = inputs.flatMap((x) => Array.from(runGolden(model, x).layers[0].data));
  expect(convOut.some((v) => v < 0) && convOut.some((v) => v > 0)).toBe(true);
  await expectVerified(model, inputs, 11);
});

test("relu on 16-bit extremes (−32768, −1, 0, 32767) streamed straight in: H·W·C + 1 cycles per frame", async () => {
  const spec = { height: 2, width: 3, channels: 4, bits: 16 } as const;
  const model = networkModel("relu16", spec, [{ type: "relu", name: "relu" }]);
  const edge = tensor(
    spec,
    Array.from({ length: 24 }, (_, i) => [-32768, -1, 0, 32767][i % 4]),
  );
  const r0 = await expectVerified(model, [edge, constantTensor(spec, -32768), randomTensor(spec, 4)], 11);
  expect(r0.frameCycles[0]).toBe(24 + 1);
});

test("dense -> argmax with tied logits: the first maximum wins, bit-exact and exactly predicted", async () => {
  const input = { height: 2, width: 2, channels: 3, bits: 8 } as const;
  const N = 12;
  const next = rng(13);
  const row = () => Array.from({ length: N }, () => -128 + Math.floor(next() * 256));
  const shared = row();
  // logits 2 and 4 always tie (identical weight rows); a random row rarely comes near them
  const weights = [row(), row(), shared, row(), shared, row()].flat();
  const model = networkModel("argmax_dense", input, [
    denseLayer("fc", N, { outFeatures: 6, weights, requant: { multiplier: 1, shift: 10, rounding: "half_even", outBits: 8 }, pe: 2, simd: 4 }),
    { type: "argmax", name: "argmax" },
  ]);
  // an input along the shared row makes logits 2 and 4 the (tied) maximum
  const aligned = tensor(
    input,
    shared.map((w) => (w >= 0 ? 127 : -128)),
  );
  const inputs = [aligned, constantTensor(input, 0), randomTensor(input, 3), randomTensor(input, 4), randomTensor(input, 5)];
  const traces = inputs.map((x) => runGolden(model, x));
  const tiedAtMax = traces.filter((t) => {
    const logits = Array.from(t.layers[0].data);
    return logits.filter((v) => v === Math.max(...logits)).length >= 2;
  });
  expect(tiedAtMax.length).toBeGreaterThanOrEqual(2);
  expect(traces[0].layers[1].data[0]).toBe(2); // the first of the tied pair, not 4
  expect(traces[1].layers[1].data[0]).toBe(0); // all logits 0: index 0
  await expectVerified(model, inputs, 11);
});

test("argmax on 16-bit logits and on ±1 bits, streamed straight in, with ties, extremes and the maximum last: C + 1 cycles", async () => {
  const spec16 = { height: 1, width: 1, channels: 10, bits: 16 } as const;
  const m16 = networkModel("argmax16", spec16, [{ type: "argmax", name: "argmax" }]);
  const logits = [
    [5, -7, 32767, 0, 32767, 1, 2, 3, 4, 32767],
    [-32768, -32768, -32768, -32768, -32768, -32768, -32768, -32768, -32768, -32768],
    [-32768, -3, -3, -3, -3, -3, -3, -3, -3, -2],
    [0, -1, -1, -1, -1, -1, -1, -1, -1, 0],
  ];
  const r16 = await expectVerified(m16, [...logits.map((v) => tensor(spec16, v)), randomTensor(spec16, 8)], 11);
  expect(r16.frameCycles[0]).toBe(10 + 1);

  const specB = { height: 1, width: 1, channels: 9, bits: 1 } as const;
  const mB = networkModel("argmax_bin", specB, [{ type: "argmax", name: "argmax" }]);
  const signs = [
    [-1, -1, -1, -1, -1, -1, -1, -1, -1],
    [-1, -1, -1, 1, -1, 1, 1, -1, -1],
    [-1, -1, -1, -1, -1, -1, -1, -1, 1],
    [1, 1, 1, 1, 1, 1, 1, 1, 1],
  ];
  await expectVerified(mB, [...signs.map((v) => tensor(specB, v)), randomTensor(specB, 9)], 11);
});

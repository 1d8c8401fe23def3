/**
 * A small integer-only DeiT block (8 tokens, dim 16, 2 heads, MLP 32; built by
 * scripts/deit-block.ts like models/deit-tiny-block.json: LN -> QKV linear ->
 * attention -> proj -> add -> LN -> fc1 -> ShiftGELU -> fc2 -> add) in Verilator:
 * every layer's tap bit-exact with back-pressure, and at backpressure 0 the measured
 * cycles equal the streaming model's prediction. Icarus agrees.
 */
import { expect, test } from "vitest";
import { verifyModel } from "../../src/verify/index.js";
import { randomTensor } from "../../src/ir/inputs.js";
import { expectExact, expectExactAndPredicted } from "../helpers/rtl.js";
import { DEIT_TINY, makeFloatBlock, quantizeBlock } from "../../scripts/deit-block.js";

const small = quantizeBlock(
  makeFloatBlock({ ...DEIT_TINY, name: "deit_small", tokens: 8, dim: 16, heads: 2, mlp: 32, seed: 7, calibrationSeed: 8, linearArch: { pe: 2, simd: 4 } }),
).model;

test("the small block has the DeiT layer sequence, with the residual adds on the block input and on add1", () => {
  expect(small.layers.map((l) => `${l.name}:${l.kind}`)).toEqual([
    "ln1:layernorm",
    "qkv:conv2d",
    "attn:attention",
    "proj:conv2d",
    "add1:add",
    "ln2:layernorm",
    "fc1:conv2d",
    "gelu:gelu",
    "fc2:conv2d",
    "add2:add",
  ]);
  expect(small.layers[4].inputs).toEqual(["proj", "input"]);
  expect(small.layers[9].inputs).toEqual(["fc2", "add1"]);
});

test("8 tokens, dim 16, 2 heads, MLP 32: every layer bit-exact with back-pressure; cycles predicted exactly without", async () => {
  const r = await verifyModel(small, { sim: "verilator", vectors: 2, seed: 5, backpressure: 0.3 });
  expectExact(r);
  for (const l of r.layers) {
    expect(l.tapped, l.name).toBe(true);
    expect(l.matched, l.name).toBe(l.compared);
    expect(l.compared, l.name).toBeGreaterThan(0);
  }
  await expectExactAndPredicted(small, 2, 6);
});

test("Icarus agrees on the small block, with back-pressure", async () => {
  const inputs = [randomTensor(small.input, 31), { ...randomTensor(small.input, 32), data: new Int32Array(8 * 16).fill(-128) }];
  expectExact(await verifyModel(small, { sim: "icarus", inputs, seed: 9, backpressure: 0.2 }));
});

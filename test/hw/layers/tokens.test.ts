/**
 * The ViT token layers in RTL (templates/verilog/token-embed.v.hbs, token-select.v.hbs)
 * and the patch embedding in front of them (conv2d 7×7 stride 7 on the sliding-window
 * unit, its [4, 4, C] map read as 16 tokens): bit-exact against the golden reference
 * in Verilator (with back-pressure, and without it with the cycles the streaming
 * model predicts) and in Icarus, on extreme and random tokens, with a table that
 * saturates both ways.
 */
import { expect, test } from "vitest";
import { verifyModel } from "../../../src/verify/index.js";
import { parseModel } from "../../../src/ir/load.js";
import type { IntTensor, Model } from "../../../src/ir/model.js";
import { constantTensor, randomTensor, rng } from "../../../src/ir/inputs.js";
import { expectExact } from "../../helpers/rtl.js";
import { expectVerified, convLayer } from "../../helpers/network-models.js";
import { tokenInputs } from "../../helpers/ivit-models.js";

async function verifyBoth(model: Model, inputs: IntTensor[], seed: number): Promise<void> {
  const r0 = await expectVerified(model, inputs, seed);
  for (const l of r0.layers) expect([l.name, l.tapped, l.matched > 0]).toEqual([l.name, true, true]);
  expectExact(await verifyModel(model, { sim: "icarus", inputs, seed, backpressure: 0.3 }));
}

/** A table of (T + 1)·C values in [−span, span] with the extremes at both ends of row 0. */
function table(rows: number, channels: number, span: number, seed: number): number[] {
  const next = rng(seed);
  const t = Array.from({ length: rows * channels }, () => Math.round((next() * 2 - 1) * span));
  t[0] = span;
  t[rows * channels - 1] = -span;
  return t;
}

test("int8: 5 tokens of 6 -> class row + positions (m = 40000, k = 16, half_even, table beyond +-127) -> keep token 2", async () => {
  const model = parseModel({
    quantrtl: 1,
    name: "tok8",
    input: { height: 5, width: 1, channels: 6, bits: 8 },
    layers: [
      { type: "token_embed", name: "embed", embedding: table(6, 6, 300, 1), requant: { multiplier: 40000, shift: 16, rounding: "half_even", outBits: 8 } },
      { type: "token_select", name: "sel", index: 2 },
    ],
  });
  await verifyBoth(model, tokenInputs(model.input, 3, 2), 3);
});

test("int16, one channel, no shift (m = 3, floor) to 16 bits, then keep the class token", async () => {
  const model = parseModel({
    quantrtl: 1,
    name: "tok16",
    input: { height: 3, width: 1, channels: 1, bits: 16 },
    layers: [
      { type: "token_embed", name: "embed", embedding: [-5, 20000, -20000, 7], requant: { multiplier: 3, shift: 0, rounding: "floor", outBits: 16 } },
      { type: "token_select", name: "sel", index: 0 },
    ],
  });
  await verifyBoth(model, tokenInputs(model.input, 2, 4), 5);
});

test("patch embedding: conv2d 7x7 stride 7 on 28x28x1 -> [4, 4, 8] read as 16 tokens -> embed (17 rows) -> keep token 0", async () => {
  const input = { height: 28, width: 28, channels: 1, bits: 8 as const };
  const model = parseModel({
    quantrtl: 1,
    name: "patch",
    input,
    layers: [
      convLayer("patch", input, {
        kernel: "mac",
        outChannels: 8,
        kernelSize: 7,
        stride: 7,
        padding: 0,
        pe: 2,
        simd: 7,
        seed: 21,
        bias: [100, -2000, 0, 5, 6, 7, 8, 9],
        requant: { multiplier: 30000, shift: 21, rounding: "half_even", outBits: 8 },
      }),
      { type: "token_embed", name: "embed", embedding: table(17, 8, 60, 6), requant: { multiplier: 50000, shift: 16, rounding: "half_away", outBits: 8 } },
      { type: "token_select", name: "sel", index: 0 },
    ],
  });
  expect(model.layers.map((l) => [l.output.height, l.output.width, l.output.channels])).toEqual([
    [4, 4, 8],
    [17, 1, 8],
    [1, 1, 8],
  ]);
  await verifyBoth(model, [constantTensor(input, -128), constantTensor(input, 127), randomTensor(input, 7)], 8);
});

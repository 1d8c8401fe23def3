/**
 * The multi-head attention layer in RTL (templates/verilog/ivit-attention.v.hbs ->
 * requant) alone: Q, K and V of every token held on chip, bit-exact against the
 * golden reference in Verilator (with and without back-pressure, cycles predicted
 * exactly) and Icarus, on random and extreme tokens, over SIMD widths that cover
 * one lane, all lanes and a middle folding, and a Shiftmax whose sum clamps.
 */
import { expect, test } from "vitest";
import { verifyModel } from "../../../src/verify/index.js";
import { parseModel } from "../../../src/ir/load.js";
import type { IvitLayer, Model } from "../../../src/ir/model.js";
import { ivitFrameCycles } from "../../../src/hw/layers/ivit.js";
import { expectExact } from "../../helpers/rtl.js";
import { expectVerified } from "../../helpers/network-models.js";
import { attentionDoc, tokenDoc, tokenInputs } from "../../helpers/ivit-models.js";

async function verifyBoth(model: Model, randomRows: number, seed: number): Promise<void> {
  const inputs = tokenInputs(model.input, randomRows, seed);
  const r0 = await expectVerified(model, inputs, seed);
  expect(r0.frameCycles).toEqual(inputs.map(() => ivitFrameCycles(model.layers[0] as IvitLayer)));
  expectExact(await verifyModel(model, { sim: "icarus", inputs, seed, backpressure: 0.3 }));
}

test("5 tokens, 2 heads of 6, SIMD 3 (x0 = -3000, n = 10)", async () => {
  await verifyBoth(parseModel(tokenDoc("att_a", 5, 36, [attentionDoc("attn", 2, -3000, 3, { n: 10 })])), 3, 11);
});

test("3 tokens, 3 heads of 2, one lane; 4 tokens, one head of 8 in one word (half_away requant to int16)", async () => {
  await verifyBoth(parseModel(tokenDoc("att_b", 3, 18, [attentionDoc("attn", 3, -700, 1)])), 2, 12);
  const wide = attentionDoc("attn", 1, -20000, 8, { n: 14, requant: { multiplier: 3, shift: 7, rounding: "half_away", outBits: 16 } });
  await verifyBoth(parseModel(tokenDoc("att_c", 4, 24, [wide])), 2, 13);
});

test("a Shiftmax sum that clamps at 2^31 - 1 (|x0|·2^15 near 2^31, 6 tokens)", async () => {
  await verifyBoth(parseModel(tokenDoc("att_d", 6, 12, [attentionDoc("attn", 2, -65000, 2)])), 2, 14);
});

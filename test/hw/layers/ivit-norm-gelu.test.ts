/**
 * I-LayerNorm and ShiftGELU layers in RTL (src/hw/layers/ivit.ts: the ivit unit
 * -> requant) alone on token sequences: bit-exact against the golden reference in
 * Verilator (with back-pressure, and without it with the cycles predicted exactly by
 * src/hw/units/ivit-<unit>/timing.ts) and in Icarus, on random rows and the extremes
 * (all min, all max, zero, alternating, one outlier per token).
 */
import { expect, test } from "vitest";
import { verifyModel } from "../../../src/verify/index.js";
import { parseModel } from "../../../src/ir/load.js";
import type { IvitLayer, Model } from "../../../src/ir/model.js";
import { ivitFrameCycles } from "../../../src/hw/layers/ivit.js";
import { expectExact } from "../../helpers/rtl.js";
import { expectVerified } from "../../helpers/network-models.js";
import { geluDoc, layerNormDoc, tokenDoc, tokenInputs } from "../../helpers/ivit-models.js";

async function verifyBoth(model: Model, randomRows: number, seed: number): Promise<void> {
  const inputs = tokenInputs(model.input, randomRows, seed);
  const r0 = await expectVerified(model, inputs, seed);
  expect(r0.frameCycles).toEqual(inputs.map(() => ivitFrameCycles(model.layers[0] as IvitLayer)));
  expectExact(await verifyModel(model, { sim: "icarus", inputs, seed, backpressure: 0.3 }));
}

test("layernorm: 5 tokens of 12 int8 channels, bias_int up to ±2^29, per-channel multipliers of both signs (half_away); 3 tokens of 7, one multiplier", async () => {
  const doc = layerNormDoc("ln", 12, 5);
  (doc.requant as Record<string, unknown>).rounding = "half_away";
  await verifyBoth(parseModel(tokenDoc("ln12", 5, 12, [doc])), 3, 4);
  // one multiplier for the tensor (no ROM), 16-bit output, an odd channel count
  const flat = layerNormDoc("ln", 7, 6, { requant: { multiplier: 51234, shift: 27, rounding: "floor", outBits: 16 } });
  await verifyBoth(parseModel(tokenDoc("ln7", 3, 7, [flat])), 2, 5);
});

test("gelu: int8 rows of 12 (x0' = -10, n = 23) and int16 rows of 7 (x0' = -100, n = 20, 6-bit sigmoid)", async () => {
  await verifyBoth(parseModel(tokenDoc("gelu8", 4, 12, [geluDoc("gelu", -10)])), 3, 5);
  const g16 = geluDoc("gelu", -100, { n: 20, sigmoidBits: 6, requant: { multiplier: 3, shift: 14, rounding: "half_up", outBits: 16 } });
  await verifyBoth(parseModel(tokenDoc("gelu16", 3, 7, [g16], 16)), 2, 6);
});

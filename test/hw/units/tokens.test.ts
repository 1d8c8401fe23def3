/**
 * Widths of the ViT token units (src/hw/units/token-embed/params.ts, token_select.ts),
 * computed by hand from the value ranges here.
 */
import { expect, test } from "vitest";
import { parseModel } from "../../../src/ir/load.js";
import type { TokenEmbedLayer, TokenSelectLayer } from "../../../src/ir/model.js";
import { tokenEmbedParams } from "../../../src/hw/units/token-embed/params.js";
import { tokenSelectParams } from "../../../src/hw/units/token-select/params.js";

const embed = (bits: number, embedding: number[], requant: object) =>
  parseModel({ quantrtl: 1, name: "e", input: { height: 5, width: 1, channels: 6, bits }, layers: [{ type: "token_embed", name: "e", embedding, requant }] })
    .layers[0] as TokenEmbedLayer;

test("token_embed widths: x·m, the rounding, the table and the saturating sum", () => {
  const table = new Array(36).fill(0);
  table[0] = 300;
  table[35] = -300;
  const p = tokenEmbedParams(embed(8, table, { multiplier: 40000, shift: 16, rounding: "half_even", outBits: 8 }), "u", "u.hex");
  // x·m ∈ [−128·40000, 127·40000] = [−5 120 000, 5 080 000]: 24 bits (2^22 < 5.12M ≤ 2^23)
  // + the addend 2^15 still within 24 bits; >> 16 leaves 8 bits
  // round_16: [−78, 78] (5 080 000/65536 = 77.5, a tie, to even 78); E ∈ [−300, 300]: 10 bits; sum ∈ [−378, 378]: 10 bits
  expect([p.PRODW, p.SUMW, p.QW, p.EW, p.SW, p.IW, p.N]).toEqual([24, 24, 8, 10, 10, 6, 36]);
  expect(p.rom.split("\n")[0]).toBe("12c"); // 300 in 10 bits
  expect(p.rom.split("\n")[35]).toBe("2d4"); // −300 in 10 bits
});

test("token_embed widths at k = 0 and m = 1: the token itself (16 bits), a small table, the sum at least outBits + 1", () => {
  const p = tokenEmbedParams(embed(16, new Array(36).fill(1), { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 }), "u", "u.hex");
  expect([p.PRODW, p.SUMW, p.QW, p.EW, p.SW, p.hasShift]).toEqual([16, 16, 16, 2, 17, false]);
});

test("token_select counters: 17 rows of 64 channels", () => {
  const l = parseModel({
    quantrtl: 1,
    name: "s",
    input: { height: 17, width: 1, channels: 64, bits: 8 },
    layers: [{ type: "token_select", name: "s", index: 3 }],
  }).layers[0] as TokenSelectLayer;
  const p = tokenSelectParams(l, "u");
  expect([p.RW, p.CW, p.lit.index, p.lit.rowLast, p.lit.colLast]).toEqual([5, 6, "5'h03", "5'h10", "6'h3f"]);
});

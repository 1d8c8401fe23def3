/**
 * Golden layernorm, gelu and softmax layers (src/hw/golden/ivit.ts): each token
 * row goes through its spec op (src/arith/ivit, tested on its own in
 * test/arith/ivit) and then the layer's requant — checked here on worked examples
 * and on rows at the extremes, with the requant recomputed by hand.
 */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../../src/ir/load.js";
import type { IntTensor, Layer } from "../../../src/ir/model.js";
import { runLayer } from "../../../src/hw/golden/network.js";
import { tokenDoc } from "../../helpers/ivit-models.js";

function one(channels: number, tokens: number, layer: Record<string, unknown>, bits: 8 | 16 = 8): Layer {
  return parseModel(tokenDoc("t", tokens, channels, [layer], bits)).layers[0];
}
const tensor = (tokens: number, channels: number, values: number[], bits = 8): IntTensor => ({
  shape: [tokens, 1, channels],
  bits,
  data: Int32Array.from(values),
});

describe("golden integer ViT layers", () => {
  test("softmax: each token row on its own; a row of equal values gives equal shares", () => {
    const layer = one(4, 2, { type: "softmax", name: "sm", x0: -1 });
    // S = 1 (x0 = −1), n = 15. Row 0: four equal values: e = 2^15 each, Σ = 2^17,
    // f = floor((2^31 − 1)/2^17) = 16383, y = floor(2^15·16383 / 2^24) = 31.
    // Row 1: x − m = −1 → 1 + floor(−1/2) − floor(−1/16) = −1, q = 1, r = 0, e = floor(2·2^14/2) = 2^14.
    const y = runLayer(layer, [tensor(2, 4, [5, 5, 5, 5, 0, 1, 1, 1])]);
    expect(Array.from(y.data.slice(0, 4))).toEqual([31, 31, 31, 31]);
    // row 1: e = [2^14, 2^15, 2^15, 2^15], Σ = 7·2^14, f = floor((2^31 − 1)/114688) = 18724,
    // y = floor(e·f/2^24): 2^14·18724/2^24 = 18.28 → 18, 2^15·18724/2^24 = 36.57 → 36
    expect(Array.from(y.data.slice(4))).toEqual([18, 36, 36, 36]);
    expect(y.bits).toBe(8);
  });

  test("layernorm: z per token, then per-channel requant (a negative multiplier flips the sign)", () => {
    // x = [−3, −1, 1, 3]: mean 0, var 20, Newton from 2^16 (ten steps) ends at 64 (2^16 / 2^10), not
    // floor(sqrt 20) = 4 — the §5 iteration does not converge for small variances (src/arith/ivit/isqrt.ts),
    // f = floor((2^31 − 1)/64) = 33554431, z = floor(y·f/2): −50331647, −16777216, 16777215, 50331646
    const layer = one(4, 1, {
      type: "layernorm",
      name: "ln",
      biasInt: [0, 0, 0, 1000],
      requant: { multipliers: [1, 1, -1, 1], shift: 24, rounding: "half_even", outBits: 8 },
    });
    const y = runLayer(layer, [tensor(1, 4, [-3, -1, 1, 3])]);
    // z·m/2^24 half_even: −3.0000001 → −3, −1 → −1, −(16777215/2^24) → −1, (50331646 + 1000)/2^24 = 3.00006 → 3
    expect(Array.from(y.data)).toEqual([-3, -1, -1, 3]);
  });

  test("layernorm: a constant token (var = 0) gives z = bias_int, requantized", () => {
    const layer = one(3, 2, {
      type: "layernorm",
      name: "ln",
      biasInt: [2 ** 20, -(2 ** 21), 0],
      requant: { multiplier: 1, shift: 18, rounding: "floor", outBits: 8 },
    });
    const y = runLayer(layer, [tensor(2, 3, [-128, -128, -128, 127, 127, 127])]);
    expect(Array.from(y.data)).toEqual([4, -8, 0, 4, -8, 0]);
  });

  test("gelu: y = x·sig per token, then requant; the max is clamped at 0 for an all-negative row", () => {
    // x0' = −1, n = 0: exp_shift of anything ≤ −1 after the log2e scaling is 0 or 1
    const layer = one(3, 2, { type: "gelu", name: "g", x0: -1, n: 0, requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 16 } });
    const y = runLayer(layer, [tensor(2, 3, [0, 0, 0, -5, -6, -7])]);
    // row 0: m = 0, a = c = e(0) = 1, f = floor((2^31 − 1)/2) = 2^30 − 1, sig = floor((2^30 − 1)/2^24) = 63, y = 0
    expect(Array.from(y.data.slice(0, 3))).toEqual([0, 0, 0]);
    // row 1: m = max(0, −5) = 0 [ours]; a = exp_shift(x) clamps at n·x0 = 0 → q = 0, r = 0, e = 1: sig = 63, y = 63·x
    expect(Array.from(y.data.slice(3))).toEqual([-315, -378, -441]);
  });

  test("gelu on 16-bit extremes: the requant to int8 saturates; beyond the exp_shift clamp σ sits at 1/2", () => {
    const layer = one(2, 2, { type: "gelu", name: "g", x0: -40, requant: { multiplier: 1, shift: 2, rounding: "half_even", outBits: 8 } }, 16);
    const y = runLayer(layer, [tensor(2, 2, [-32768, 32767, 32767, 32767], 16)]);
    // x = 32767 = the row max: a = e(0) = 40·2^23, c = exp_shift(−32767) clamps at n·x0' → e = |x0'| = 40,
    // sig = 127 (σ ≈ 1): 127·32767/4 saturates to 127
    expect(y.data[1]).toBe(127);
    // x = −32768: x − m and −m both pass the clamp n·x0' = −920, so a = c = |x0'| = 40 and
    // sig = floor(40·floor((2^31 − 1)/80)/2^24) = 63 — σ ≈ 1/2, not 0: a limit of §4 for inputs whose
    // range (×1.4375) exceeds n·|x0'|; −32768·63/4 saturates to −128
    expect(y.data[0]).toBe(-128);
    expect(Array.from(y.data.slice(2))).toEqual([127, 127]);
  });
});

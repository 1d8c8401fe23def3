/**
 * Shiftmax layer in RTL (src/hw/layers/ivit.ts) alone on token sequences:
 * bit-exact in Verilator (with and without back-pressure, cycles predicted exactly)
 * and Icarus, int8 and int16 rows, random and extreme.
 */
import { expect, test } from "vitest";
import { verifyModel } from "../../../src/verify/index.js";
import { parseModel } from "../../../src/ir/load.js";
import type { IvitLayer } from "../../../src/ir/model.js";
import { ivitFrameCycles } from "../../../src/hw/layers/ivit.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import { expectExact } from "../../helpers/rtl.js";
import { expectVerified } from "../../helpers/network-models.js";
import { tokenDoc, tokenInputs } from "../../helpers/ivit-models.js";

test("softmax: int8 rows of 10 (x0 = -12) and int16 rows of 9 (x0 = -300, n = 15, 16-bit output)", async () => {
  for (const [model, seed] of [
    [parseModel(tokenDoc("sm8", 4, 10, [{ type: "softmax", name: "sm", x0: -12 }])), 7],
    [parseModel(tokenDoc("sm16", 3, 9, [{ type: "softmax", name: "sm", x0: -300, outBits: 16 }], 16)), 8],
  ] as const) {
    const inputs = tokenInputs(model.input, 3, seed);
    // outputs on 1/2^(b−1): each in [0, 2^(b−1) − 1], a row sums to at most 2^(b−1)
    const b = model.layers[0].output.bits;
    for (const x of inputs) for (const v of runGolden(model, x).layers[0].data) expect(v >= 0 && v < 2 ** (b - 1)).toBe(true);
    const r0 = await expectVerified(model, inputs, seed);
    expect(r0.frameCycles[0]).toBe(ivitFrameCycles(model.layers[0] as IvitLayer));
    expectExact(await verifyModel(model, { sim: "icarus", inputs, seed, backpressure: 0.3 }));
  }
});

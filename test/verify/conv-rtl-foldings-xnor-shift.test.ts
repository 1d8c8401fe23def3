/**
 * Generated conv RTL in Verilator, xnor and shift: three foldings each (including
 * PE ∤ Cout and SIMD ∤ K), with back-pressure and without (where the streaming
 * model must predict the measured cycles exactly). Split by datapath so the
 * two test workers build designs in parallel.
 */
import { describe, expect, test } from "vitest";
import { verifyModel } from "../../src/verify/index.js";
import { convModel } from "../helpers/models.js";
import { expectExact, expectExactAndPredicted, FOLDINGS, WIDTHS } from "../helpers/rtl.js";

const title = "xnor and shift";
const widths = WIDTHS.filter((w) => w.kernel === "xnor" || w.kernel === "shift");

describe(`foldings: ${title}, three foldings, Verilator`, () => {
  for (const w of widths) {
    for (const f of FOLDINGS) {
      test(`${w.kernel}${w.bits ?? 1} pe=${f.pe} simd=${f.simd} is bit-exact over 2 vectors with back-pressure`, async () => {
        const model = convModel({ ...w, ...f, bias: w.kernel === "xnor" ? undefined : [5, -700, 12345, 0, -1], relu: w.kernel === "adder" });
        const r = await verifyModel(model, { sim: "verilator", vectors: 2, seed: 3, backpressure: 0.3 });
        expectExact(r);
        expect(r.vectors).toBe(2);
        await expectExactAndPredicted(model, 2, 4);
      });
    }
  }
});


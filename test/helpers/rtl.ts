/** Shared expectations of the RTL tests: bit-exact, lint-clean, and cycles predicted exactly. */
import { describe, expect, test } from "vitest";
import { convModel } from "./models.js";
import { verifyModel, VerifyReport } from "../../src/verify/index.js";
import type { Model } from "../../src/ir/model.js";

/** Bit-exact at back-pressure 0 too, and the streaming model predicts the measured cycles exactly. */
export async function expectExactAndPredicted(model: Model, vectors: number, seed: number): Promise<void> {
  const r = await verifyModel(model, { sim: "verilator", vectors, seed, backpressure: 0 });
  expectExact(r);
  expect(r.cycles).toBe(r.predicted.cycles);
  expect(r.frameCycles).toEqual(r.predicted.frameCycles);
}

export function expectExact(r: VerifyReport): void {
  expect(r.lint).toBe("");
  expect(r.mismatches).toEqual([]);
  expect(r.timeout).toBe(false);
  expect(r.compared).toBe(r.expectedWords);
  expect(r.matched).toBe(r.expectedWords);
  expect(r.bitExact).toBe(true);
}

export const FOLDINGS: { pe: number; simd: number }[] = [
  { pe: 1, simd: 1 }, // fully folded
  { pe: 2, simd: 4 }, // 5 channels / 2, K = 27 / 4: both non-divisible
  { pe: 5, simd: 27 }, // fully parallel
];

export type Width = { kernel: "mac" | "adder" | "xnor" | "shift"; bits?: 8 | 16 };
export const WIDTHS: Width[] = [
  { kernel: "mac", bits: 8 },
  { kernel: "mac", bits: 16 },
  { kernel: "adder", bits: 8 },
  { kernel: "adder", bits: 16 },
  { kernel: "xnor" },
  { kernel: "shift", bits: 8 },
  { kernel: "shift", bits: 16 },
];

/** The folding matrix for a subset of datapaths: bit-exact with back-pressure, and exactly predicted without. */
export function describeFoldings(title: string, widths: readonly Width[]): void {
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
}

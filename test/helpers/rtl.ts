/** Shared expectations of the RTL tests: bit-exact, lint-clean, and cycles predicted exactly. */
import { expect } from "vitest";
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


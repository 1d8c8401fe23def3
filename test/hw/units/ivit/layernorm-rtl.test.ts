/**
 * The I-LayerNorm unit (templates/verilog/ivit-layernorm.v.hbs) is bit-exact
 * against the golden src/arith/ivit/layernorm.ts in Icarus and Verilator, on
 * random tokens and the extremes of the input range (var = 0, the largest var,
 * ties of the mean), with and without back-pressure; and
 * `verilator --lint-only -Wall` is silent on it.
 */
import { describe, expect, test } from "vitest";
import { emitIvitLayerNorm } from "../../../../src/hw/units/ivit-layernorm/params.js";
import { layerNormRows, LayerNormParams, makeLayerNormParams } from "../../../../src/arith/ivit/layernorm.js";
import { IvitUnit } from "../../../../src/hw/units/ivit-unit/params.js";
import { BenchResult, lintUnit, runBench } from "./bench.js";
import { extremeRows, randomRows, rng, uniform } from "./rows.js";

interface Case {
  readonly name: string;
  readonly params: LayerNormParams;
  readonly spread: number;
}

function biases(n: number, magnitude: number, seed: number): number[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => (i === 0 ? magnitude : i === 1 ? -magnitude : uniform(next, -magnitude, magnitude)));
}

const CASES: Case[] = [
  // int8 tokens of 16 channels, biases up to ±2^30 (the widest 32-bit output)
  { name: "int8, 16 channels, |bias| <= 2^30", params: makeLayerNormParams({ inputBits: 8, channels: 16, biasInt: biases(16, 2 ** 30, 3) }), spread: 30 },
  // 13-bit tokens of 12 channels (var up to ~2^27.6, Newton converged), zero bias
  { name: "int13, 12 channels, zero bias", params: makeLayerNormParams({ inputBits: 13, channels: 12, biasInt: Array(12).fill(0) }), spread: 2000 },
];

function vectors(c: Case): { inputs: number[]; expected: number[] } {
  const n = c.params.channels;
  const rows = [...extremeRows(c.params.inputBits, n), ...randomRows(c.params.inputBits, n, 24, c.spread, 9)];
  // mean ties: Σx / N = k + 1/2
  rows.push([...Array(n - 1).fill(0), n / 2], [...Array(n - 1).fill(0), -n / 2], [...Array(n - 1).fill(1), 1 + n / 2]);
  const inputs = rows.flat();
  return { inputs, expected: Array.from(layerNormRows(Int32Array.from(inputs), c.params)) };
}

function expectExact(r: BenchResult, words: number): void {
  expect(r.mismatches).toEqual([]);
  expect(r.timeout).toBe(false);
  expect(r.compared).toBe(words);
  expect(r.matched).toBe(words);
}

describe("I-LayerNorm RTL is bit-exact (Icarus and Verilator)", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const unit: IvitUnit = emitIvitLayerNorm({ module: "ivit_layernorm_t", params: c.params });
      const v = vectors(c);

      test("verilator --lint-only -Wall is silent", async () => {
        expect(await lintUnit(unit)).toBe("");
      });

      test("Icarus: every word equal, with back-pressure", async () => {
        expectExact(await runBench({ unit, sim: "icarus", ...v, stall: 0.3, seed: 13 }), v.expected.length);
      });

      test("Verilator: every word equal, with and without back-pressure", async () => {
        expectExact(await runBench({ unit, sim: "verilator", ...v, stall: 0.3, seed: 13 }), v.expected.length);
        expectExact(await runBench({ unit, sim: "verilator", ...v, stall: 0, seed: 2 }), v.expected.length);
      });
    });
  }

  test("the checker can fail: a wrong expected word is reported at its index", async () => {
    const c = CASES[1];
    const unit = emitIvitLayerNorm({ module: "ivit_layernorm_t", params: c.params });
    const v = vectors(c);
    const expected = [...v.expected];
    expected[20] = expected[20] + 1;
    const r = await runBench({ unit, sim: "icarus", inputs: v.inputs, expected, stall: 0.2, seed: 5 });
    expect(r.mismatches.map((m) => m.index)).toEqual([20]);
    expect(r.matched).toBe(expected.length - 1);
  });
});

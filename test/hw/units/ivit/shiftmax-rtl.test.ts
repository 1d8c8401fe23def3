/**
 * The Shiftmax unit (templates/verilog/ivit-shiftmax.v.hbs) is bit-exact against
 * the golden src/arith/ivit/shiftmax.ts in Icarus and Verilator, on random rows
 * and the extremes of the input range, with and without back-pressure; and
 * `verilator --lint-only -Wall` is silent on it.
 */
import { describe, expect, test } from "vitest";
import { emitIvitShiftmax } from "../../../../src/hw/units/ivit-shiftmax/params.js";
import { makeShiftmaxParams, shiftmaxRows, ShiftmaxParams } from "../../../../src/arith/ivit/shiftmax.js";
import { IvitUnit } from "../../../../src/hw/units/ivit-unit/params.js";
import { BenchResult, lintUnit, runBench } from "./bench.js";
import { extremeRows, randomRows } from "./rows.js";

interface Case {
  readonly name: string;
  readonly params: ShiftmaxParams;
  readonly rowLength: number;
  readonly spread: number;
}

const CASES: Case[] = [
  // 32-bit Q·Kᵀ scores, S = 2^−10 (x0 = −1024), rows of 16
  {
    name: "int32 scores, x0 = -1024, 16 per row",
    params: makeShiftmaxParams({ inputBits: 32, scale: { multiplier: 1, shift: 10 } }),
    rowLength: 16,
    spread: 20000,
  },
  // 8-bit input, coarse scale S = 3/8 (x0 = −3), odd row length, 6-bit output, n = 12
  {
    name: "int8, x0 = -3, n = 12, b = 6, 5 per row",
    params: makeShiftmaxParams({ inputBits: 8, scale: { multiplier: 3, shift: 3 }, n: 12, outBits: 6 }),
    rowLength: 5,
    spread: 40,
  },
];

function vectors(c: Case): { inputs: number[]; expected: number[] } {
  const rows = [...extremeRows(c.params.inputBits, c.rowLength), ...randomRows(c.params.inputBits, c.rowLength, 40, c.spread, 7)];
  const inputs = rows.flat();
  return { inputs, expected: Array.from(shiftmaxRows(Int32Array.from(inputs), c.rowLength, c.params)) };
}

function expectExact(r: BenchResult, words: number): void {
  expect(r.mismatches).toEqual([]);
  expect(r.timeout).toBe(false);
  expect(r.compared).toBe(words);
  expect(r.matched).toBe(words);
}

describe("Shiftmax RTL is bit-exact (Icarus and Verilator)", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const unit: IvitUnit = emitIvitShiftmax({ module: "ivit_shiftmax_t", params: c.params, rowLength: c.rowLength });
      const v = vectors(c);

      test("verilator --lint-only -Wall is silent", async () => {
        expect(await lintUnit(unit)).toBe("");
      });

      test("Icarus: every word equal, with back-pressure", async () => {
        expectExact(await runBench({ unit, sim: "icarus", ...v, stall: 0.3, seed: 11 }), v.expected.length);
      });

      test("Verilator: every word equal, with and without back-pressure", async () => {
        expectExact(await runBench({ unit, sim: "verilator", ...v, stall: 0.3, seed: 11 }), v.expected.length);
        expectExact(await runBench({ unit, sim: "verilator", ...v, stall: 0, seed: 3 }), v.expected.length);
      });
    });
  }

  test("the checker can fail: a wrong expected word is reported at its index", async () => {
    const c = CASES[1];
    const unit = emitIvitShiftmax({ module: "ivit_shiftmax_t", params: c.params, rowLength: c.rowLength });
    const v = vectors(c);
    const expected = [...v.expected];
    expected[7] = (expected[7] + 1) % 2 ** (c.params.outBits - 1);
    const r = await runBench({ unit, sim: "icarus", inputs: v.inputs, expected, stall: 0.2, seed: 5 });
    expect(r.mismatches.map((m) => m.index)).toEqual([7]);
    expect(r.matched).toBe(expected.length - 1);
  });
});

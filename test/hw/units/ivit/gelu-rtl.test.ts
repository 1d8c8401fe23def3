/**
 * The ShiftGELU unit (templates/verilog/ivit-gelu.v.hbs) is bit-exact against
 * the golden src/arith/ivit/shiftgelu.ts in Icarus and Verilator, on random rows
 * and the extremes of the input range, with and without back-pressure; and
 * `verilator --lint-only -Wall` is silent on it.
 */
import { describe, expect, test } from "vitest";
import { emitIvitGelu } from "../../../../src/hw/units/ivit-gelu/params.js";
import { makeShiftGeluParams, shiftGelu, ShiftGeluParams } from "../../../../src/arith/ivit/shiftgelu.js";
import { IvitUnit } from "../../../../src/hw/units/ivit-unit/params.js";
import { BenchResult, lintUnit, runBench } from "./bench.js";
import { extremeRows, randomRows } from "./rows.js";

interface Case {
  readonly name: string;
  readonly params: ShiftGeluParams;
  readonly rowLength: number;
  readonly spread: number;
}

const CASES: Case[] = [
  // int8 GELU input, S = 1/16 (x0' = −10), n = 23, b = 8, rows of 12
  { name: "int8, x0' = -10, 12 per row", params: makeShiftGeluParams({ inputBits: 8, scale: { multiplier: 1, shift: 4 } }), rowLength: 12, spread: 60 },
  // int16 input, S = 2^−9 (x0' = −300), n = 20, b = 6, odd row length
  {
    name: "int16, x0' = -301, n = 20, b = 6, 7 per row",
    params: makeShiftGeluParams({ inputBits: 16, scale: { multiplier: 1, shift: 9 }, n: 20, outBits: 6 }),
    rowLength: 7,
    spread: 3000,
  },
];

function vectors(c: Case): { inputs: number[]; expected: number[] } {
  const rows = [...extremeRows(c.params.inputBits, c.rowLength), ...randomRows(c.params.inputBits, c.rowLength, 24, c.spread, 7)];
  // rows whose max is negative exercise [ours] m = max(0, max x)
  rows.push(
    Array.from({ length: c.rowLength }, (_, i) => -1 - i * 3),
    Array.from({ length: c.rowLength }, (_, i) => -(2 ** (c.params.inputBits - 1)) + i),
  );
  const inputs = rows.flat();
  const expected = rows.flatMap((r) => Array.from(shiftGelu(Int32Array.from(r), c.params)));
  return { inputs, expected };
}

function expectExact(r: BenchResult, words: number): void {
  expect(r.mismatches).toEqual([]);
  expect(r.timeout).toBe(false);
  expect(r.compared).toBe(words);
  expect(r.matched).toBe(words);
}

describe("ShiftGELU RTL is bit-exact (Icarus and Verilator)", () => {
  for (const c of CASES) {
    describe(c.name, () => {
      const unit: IvitUnit = emitIvitGelu({ module: "ivit_gelu_t", params: c.params, rowLength: c.rowLength });
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
    const unit = emitIvitGelu({ module: "ivit_gelu_t", params: c.params, rowLength: c.rowLength });
    const v = vectors(c);
    const expected = [...v.expected];
    expected[7] = expected[7] + 1;
    const r = await runBench({ unit, sim: "icarus", inputs: v.inputs, expected, stall: 0.2, seed: 5 });
    expect(r.mismatches.map((m) => m.index)).toEqual([7]);
    expect(r.matched).toBe(expected.length - 1);
  });
});

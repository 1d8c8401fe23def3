import { describe, expect, test } from "vitest";
import { vcdTimescale, vcdToggleRate } from "../../src/verify/toggles.js";
import { verifyModel } from "../../src/verify/index.js";
import { convModel } from "../helpers/models.js";

// two cycles of 10 time units; clk is excluded; a is 1 bit, b is 4 bits
const VCD = `$timescale 1ps $end
$scope module top $end
$var wire 1 ! clk $end
$var wire 1 " a $end
$var wire 4 # b [3:0] $end
$upscope $end
$enddefinitions $end
#0
$dumpvars
0!
0"
b0000 #
$end
#5
1!
1"
b0011 #
#10
0!
#15
1!
0"
b11 #
#20
`;

describe("toggle rate from a VCD", () => {
  test("counts bit changes per bit per cycle, without the clock (hand-computed)", () => {
    // a: 0→1→0 = 2 changes; b: 0000→0011 (2 bits) → 0011 (0 bits: "b11" is 0011) = 2 changes
    // 4 changes over 5 bits × 2 cycles = 0.4
    const t = vcdToggleRate(VCD, 10);
    expect(t).toEqual({ rate: 0.4, bits: 5, cycles: 2, changes: 4 });
    expect(vcdTimescale(VCD)).toBe(1e-12);
    expect(vcdTimescale("$timescale 1ns $end")).toBe(1e-9);
  });

  test("a real Verilator run of an XNOR engine gives a rate in (0, 1) over the simulated cycles", async () => {
    const r = await verifyModel(convModel({ kernel: "xnor", pe: 2, simd: 4 }), { sim: "verilator", backpressure: 0, measureToggles: true });
    expect(r.bitExact).toBe(true);
    expect(r.toggles!.rate).toBeGreaterThan(0);
    expect(r.toggles!.rate).toBeLessThan(1);
    // the trace spans the reset cycles and the run
    expect(r.toggles!.cycles).toBeGreaterThanOrEqual(r.cycles);
  });
});

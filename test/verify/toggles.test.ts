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
    // the whole run is in the trace: no size cut
    expect(r.toggles!.runCycles).toBeUndefined();
  });

  test("a size-bounded trace stops early: the rate covers its first cycles and says how many of the run's", async () => {
    const model = convModel({ kernel: "xnor", pe: 2, simd: 4 });
    const full = await verifyModel(model, { sim: "verilator", backpressure: 0, measureToggles: true });
    const cut = await verifyModel(model, { sim: "verilator", backpressure: 0, measureToggles: true, toggleVcdMaxBytes: 16 * 1024 });
    expect(cut.bitExact).toBe(true);
    // the run itself is the same length; the trace stops after ≥ 16 KiB (checked every 256 cycles)
    expect(full.toggles!.runCycles).toBeUndefined();
    expect(cut.toggles!.runCycles).toBeGreaterThanOrEqual(full.toggles!.cycles);
    expect(cut.toggles!.cycles).toBeLessThan(full.toggles!.cycles / 2);
    expect(cut.toggles!.cycles).toBeGreaterThanOrEqual(256);
    expect(cut.toggles!.rate).toBeGreaterThan(0);
  });
});

describe("VCD read line by line", () => {
  test("fileLines gives the same toggle figures as the whole text, across chunk boundaries", async () => {
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { testDir } = await import("../helpers/temp.js");
    const { fileLines, vcdToggleRate: rate } = await import("../../src/verify/toggles.js");
    // 3 signals, 300 000 cycles: a file of several MiB, so lines straddle the 1 MiB reads
    const lines = ["$timescale 1ps $end", "$var wire 1 ! clk $end", "$var wire 8 # d [7:0] $end", "$var wire 1 % v $end", "$enddefinitions $end"];
    for (let t = 0; t < 300000; t++) lines.push(`#${t * 10}`, `b${(t % 256).toString(2)} #`, `${t % 2}%`);
    const text = lines.join("\n") + "\n";
    const file = join(testDir("quantrtl-vcd-"), "a.vcd");
    writeFileSync(file, text);
    expect(rate(fileLines(file), 10)).toEqual(rate(text, 10));
  });
});

/**
 * Real Yosys (@yowasp/yosys, or yosys on PATH) on generated designs, one per
 * family. Expectations come from what the datapath must contain, not from the
 * counts themselves: an XNOR engine has no multiplier at all, a MAC engine has
 * one per lane, every design is latch-free and holds at least its accumulators.
 */
import { describe, expect, test } from "vitest";
import { loadBoard } from "../../src/ir/board.js";
import { parseYosysStat, synthesize } from "../../src/synth/index.js";
import { ToolError } from "../../src/util/errors.js";
import { countCells } from "../../src/synth/families.js";
import { layerAccBits } from "../../src/hw/units/mvu/params.js";
import { convModel, firstConv } from "../helpers/models.js";

describe("yosys synthesis", () => {
  test("xc7: a MAC engine maps its 2x4 lane multipliers to DSP48E1s, is latch-free and keeps its accumulators", async () => {
    const model = convModel({ kernel: "mac", bits: 8, pe: 2, simd: 4, name: "syn_mac" });
    const r = await synthesize(model, loadBoard("pynq-z2"));
    expect(r.latches).toBe(0);
    expect(r.dsp).toBeGreaterThanOrEqual(2 * 4);
    expect(r.cells.DSP48E1).toBe(r.dsp);
    expect(r.ff).toBeGreaterThanOrEqual(2 * layerAccBits(firstConv(model)));
    expect(r.lut).toBeGreaterThan(0);
    const again = await synthesize(model, loadBoard("pynq-z2"));
    expect(again.cached).toBe(true);
    expect(again.lut).toBe(r.lut);
  });

  test("ecp5: an XNOR engine uses no multiplier and no block RAM for its tiny ROMs", async () => {
    const model = convModel({ kernel: "xnor", pe: 2, simd: 4, name: "syn_xnor" });
    const r = await synthesize(model, loadBoard("ulx3s-85f"));
    expect(r.latches).toBe(0);
    expect(r.dsp).toBe(0);
    expect(r.lut).toBeGreaterThan(0);
    expect(r.ff).toBeGreaterThanOrEqual(2 * layerAccBits(firstConv(model)));
  });

  test("ice40: an adder engine has no lane multipliers; only the requant products can use SB_MAC16", async () => {
    const model = convModel({ kernel: "adder", bits: 8, pe: 2, simd: 4, name: "syn_adder" });
    const r = await synthesize(model, loadBoard("icebreaker"));
    expect(r.latches).toBe(0);
    // one acc × m product per PE; an adder lane is a subtract and an absolute value
    expect(r.dsp).toBeLessThanOrEqual(2 * 2);
    expect(r.lut).toBeGreaterThan(0);
    expect(r.carry).toBeGreaterThan(0);
  });
});

describe("cell counting", () => {
  test("maps each family's primitives to LUT / FF / carry / DSP / BRAM bits and finds latches", () => {
    const x = countCells(loadBoard("zcu104"), {
      LUT6: 10,
      LUT2: 3,
      FDRE: 7,
      FDCE: 1,
      CARRY8: 2,
      DSP48E2: 4,
      RAMB36E2: 1,
      RAMB18E2: 2,
      RAM64M: 1,
      LDCE: 1,
      BUFG: 1,
    });
    // 13 LUTs + a RAM64M (4 LUTs); 36 Kb + 2 × 18 Kb
    expect([x.lut, x.ff, x.carry, x.dsp, x.bramBits, x.latches]).toEqual([17, 8, 2, 4, 72 * 1024, 1]);
    expect(x.other).toEqual({ BUFG: 1 });
    const i = countCells(loadBoard("icebreaker"), { SB_LUT4: 5, SB_DFFE: 2, SB_DFF: 1, SB_CARRY: 3, SB_MAC16: 1, SB_RAM40_4K: 2 });
    expect([i.lut, i.ff, i.carry, i.dsp, i.bramBits]).toEqual([5, 3, 3, 1, 8192]);
    const e = countCells(loadBoard("ulx3s-85f"), { LUT4: 5, CCU2C: 2, TRELLIS_FF: 9, MULT18X18D: 1, DP16KD: 1 });
    // a CCU2C holds two LUT4s
    expect([e.lut, e.ff, e.carry, e.dsp, e.bramBits]).toEqual([9, 9, 2, 1, 18 * 1024]);
  });
});

describe("nextpnr-ice40", () => {
  test("places an XNOR engine on the iCE40UP5K and reports a positive Fmax and a critical path whose delays add up", async () => {
    const { placeAndRoute } = await import("../../src/synth/nextpnr.js");
    const model = convModel({ kernel: "xnor", pe: 2, simd: 4, name: "pnr_xnor" });
    const p = await placeAndRoute(model, loadBoard("icebreaker"));
    expect(p.device).toBe("--up5k --package sg48");
    expect(p.fmaxMHz).toBeGreaterThan(1);
    expect(p.constraintMHz).toBe(12);
    const sum = p.criticalPath.steps.reduce((s, x) => s + x.delayNs, 0);
    expect(p.criticalPath.delayNs).toBeCloseTo(sum, 9);
    expect(p.criticalPath.logicLevels).toBeGreaterThan(0);
    // a path of d ns cannot run faster than 1000/d MHz (nextpnr reports single-precision figures)
    expect(p.fmaxMHz).toBeLessThanOrEqual((1000 / p.criticalPath.delayNs) * (1 + 1e-6));
  });

  test("a MAC engine placed with its multipliers in logic (useDsp false): no SB_MAC16 anywhere on the critical path, which has logic levels", async () => {
    const { placeAndRoute } = await import("../../src/synth/nextpnr.js");
    const model = convModel({ kernel: "mac", bits: 8, pe: 1, simd: 2, name: "pnr_mac_nodsp" });
    const p = await placeAndRoute(model, loadBoard("icebreaker"), undefined, { useDsp: false });
    expect(p.fmaxMHz).toBeGreaterThan(1);
    expect(p.criticalPath.logicLevels).toBeGreaterThan(0);
    for (const s of p.criticalPath.steps) expect(`${s.from} ${s.to}`).not.toMatch(/SB_MAC16/);
  });

  test("only iCE40 boards can be placed: another family names --board", async () => {
    const { nextpnrDeviceArgs } = await import("../../src/synth/nextpnr.js");
    expect(nextpnrDeviceArgs(loadBoard("icebreaker"))).toEqual(["--up5k", "--package", "sg48"]);
    expect(() => nextpnrDeviceArgs(loadBoard("pynq-z2"))).toThrowError(/--board|iCE40/);
  });
});

describe("Yosys's stat -json output", () => {
  test("the cell counts are read; anything else is a tool failure naming stat.json, not a crash", () => {
    expect(parseYosysStat('{"design": {"num_cells_by_type": {"LUT6": 3, "FDRE": 2}}}', "s")).toEqual({ LUT6: 3, FDRE: 2 });
    expect(parseYosysStat('{"design": {}}', "s")).toEqual({});
    // binary garbage with spaces, as @yowasp/yosys 0.55 once wrote after a long run
    const garbage = "          \u0000\u0001 ilinx/lut_map.v \u00ff";
    expect(() => parseYosysStat(garbage, "s")).toThrow(ToolError);
    expect(() => parseYosysStat(garbage, "s")).toThrow(/unreadable stat\.json/);
    expect(() => parseYosysStat('{"modules": {}}', "s")).toThrow(/without its design section/);
    expect(() => parseYosysStat('{"design": {"num_cells_by_type": {"LUT6": "3"}}}', "s")).toThrow(/not numbers/);
  });
});

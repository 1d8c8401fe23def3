import { describe, expect, test } from "vitest";
import { firstConv } from "../helpers/models.js";
import { boardNames, loadBoard, parseBoard } from "../../src/ir/board.js";
import { parseModel } from "../../src/ir/load.js";
import { DEFAULT_TOGGLE_RATE, estimatePower, POWER_COEFFICIENTS, STATIC_POWER } from "../../src/estimate/power.js";
import { estimateEngine } from "../../src/estimate/resources.js";
import { QuantrtlError } from "../../src/util/errors.js";

// A small design: 1000 LUT, 100 CARRY4, 2000 FF, 4 DSP48E1, one RAMB36 (36 864 bits).
const design = { lut: 1000, ff: 2000, dsp: 4, bramBits: 36 * 1024, carry: 100 };

describe("FPGA power", () => {
  test("xc7 dynamic power is Σ count × ½CV² × f × toggle plus the clock tree, computed by hand", () => {
    const p = estimatePower(design, loadBoard("pynq-z2"), { clockMHz: 100 });
    // xc7: V = 1.0 V; ½·C·V² per MHz: LUT 1.2 pF → 0.6 µW/MHz, CARRY4 0.8 pF → 0.4, FF 0.6 pF → 0.3,
    // DSP 40 pF → 20, RAMB36 160 pF → 80 µW/MHz per block; clock C·V²: 0.015 pF/FF → 0.015 µW/MHz, global 10 pF → 10 µW/MHz.
    // activity = 100 MHz × 0.125 = 12.5
    expect(p.toggleRate).toBe(0.125);
    expect(p.toggleSource).toBe("default");
    expect(p.breakdown.logic).toBeCloseTo((1000 * 0.6e-6 + 100 * 0.4e-6) * 12.5, 12); // 8.0 mW
    expect(p.breakdown.ff).toBeCloseTo(2000 * 0.3e-6 * 12.5, 12); // 7.5 mW
    expect(p.breakdown.dsp).toBeCloseTo(4 * 20e-6 * 12.5, 12); // 1.0 mW
    expect(p.breakdown.bram).toBeCloseTo(1 * 80e-6 * 12.5, 12); // 1.0 mW
    expect(p.breakdown.clock).toBeCloseTo((2000 * 0.015e-6 + 10e-6) * 100, 12); // 4.0 mW
    expect(p.dynamicW).toBeCloseTo(0.008 + 0.0075 + 0.001 + 0.001 + 0.004, 12); // 21.5 mW
    expect(p.staticW).toBe(0.12);
    expect(p.totalW).toBeCloseTo(0.1415, 12);
  });

  test("dynamic power scales linearly with the clock; the data terms scale linearly with the toggle rate, the clock tree does not", () => {
    const board = loadBoard("pynq-z2");
    const at = (clockMHz: number, toggleRate: number) => estimatePower(design, board, { clockMHz, toggleRate });
    const base = at(100, 0.125);
    expect(at(200, 0.125).dynamicW).toBeCloseTo(2 * base.dynamicW, 12);
    expect(at(50, 0.125).dynamicW).toBeCloseTo(base.dynamicW / 2, 12);
    expect(at(200, 0.125).staticW).toBe(base.staticW);
    const data = (p: ReturnType<typeof at>) => p.dynamicW - p.breakdown.clock;
    expect(data(at(100, 0.25))).toBeCloseTo(2 * data(base), 12);
    expect(data(at(100, 0.5))).toBeCloseTo(4 * data(base), 12);
    expect(at(100, 0.5).breakdown.clock).toBeCloseTo(base.breakdown.clock, 12);
    // no toggling: only the clock tree is left
    expect(at(100, 0).dynamicW).toBeCloseTo(base.breakdown.clock, 12);
  });

  test("static power per device: the table's figure for each bundled board, the family figure for an unknown part", () => {
    const expected: Record<string, number> = {
      "pynq-z2": 0.12,
      "arty-a7-100t": 0.09,
      zcu104: 0.65,
      kv260: 0.45,
      icebreaker: 75e-6 * 1.2, // 90 µW
      "ulx3s-85f": 0.08,
    };
    for (const name of boardNames()) {
      const p = estimatePower({ lut: 0, ff: 0, dsp: 0, bramBits: 0 }, loadBoard(name));
      expect(p.staticW, name).toBeCloseTo(expected[name], 12);
      expect(p.coefficients.static.source.length, name).toBeGreaterThan(20);
    }
    // iCE40 leaks four orders of magnitude less than the 7-series part
    expect(estimatePower(design, loadBoard("icebreaker")).staticW).toBeLessThan(1e-3);
    const pynq = loadBoard("pynq-z2");
    const spartan = parseBoard({ quantrtlBoard: 1, ...pynq, name: "spartan", part: "xc7s50csga324-1" });
    const p = estimatePower(design, spartan);
    expect(p.staticW).toBe(0.1);
    expect(p.coefficients.static.source).toMatch(/family fallback/);
  });

  test("the board's clock is the default; a given toggle rate is reported as measured", () => {
    const ice = loadBoard("icebreaker");
    const p = estimatePower(design, ice);
    expect(p.clockMHz).toBe(12);
    expect(p.toggleNote).toMatch(/12\.5 %/);
    const m = estimatePower(design, ice, { toggleRate: 0.3 });
    expect(m.toggleSource).toBe("measured");
    expect(m.toggleRate).toBe(0.3);
    // iCE40: V = 1.2 V; LUT 0.4 pF → ½·0.4e-12·1.44·1e6 = 0.288 µW/MHz; 1000 LUT × 12 MHz × 0.3
    expect(m.breakdown.logic - 100 * POWER_COEFFICIENTS.ice40.carry.value * 12 * 0.3).toBeCloseTo(1000 * 0.288e-6 * 12 * 0.3, 12);
  });

  test("every coefficient states its value, unit and source; uncertain ones say [ours]", () => {
    expect(DEFAULT_TOGGLE_RATE).toBe(0.125);
    for (const fam of Object.values(POWER_COEFFICIENTS)) {
      for (const key of ["coreVolts", "lut", "ff", "carry", "dsp", "bramBit", "clockPerFf", "clockGlobal"] as const) {
        const c = fam[key];
        expect(c.value, `${fam.family}.${key}`).toBeGreaterThan(0);
        expect(c.unit.length).toBeGreaterThan(0);
        expect(c.source.length).toBeGreaterThan(10);
        if (key !== "coreVolts") expect(c.source).toMatch(/\[ours\]/);
      }
    }
    for (const s of STATIC_POWER) expect(s.source).toMatch(/\[ours\]|data sheet/);
  });

  test("takes the resource model's output directly", () => {
    const model = parseModel({
      quantrtl: 1,
      name: "t",
      input: { height: 4, width: 4, channels: 2, bits: 8 },
      layers: [
        {
          type: "conv2d",
          name: "c0",
          kernel: "mac",
          outChannels: 3,
          kernelSize: 3,
          weightBits: 8,
          activationBits: 8,
          weights: new Array(54).fill(1),
          requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 },
        },
      ],
    });
    const board = loadBoard("pynq-z2");
    const p = estimatePower(estimateEngine(firstConv(model), board), board);
    expect(p.dynamicW).toBeGreaterThan(0);
    expect(p.totalW).toBeGreaterThan(p.staticW);
  });

  test("a toggle rate outside [0, 1] or a non-positive clock is a QuantrtlError naming the parameter", () => {
    const board = loadBoard("pynq-z2");
    const expectError = (fn: () => unknown, path: string) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(QuantrtlError);
        expect((err as QuantrtlError).path).toBe(path);
        return;
      }
      throw new Error(`expected a QuantrtlError at ${path}`);
    };
    expectError(() => estimatePower(design, board, { toggleRate: 1.5 }), "toggleRate");
    expectError(() => estimatePower(design, board, { toggleRate: -0.01 }), "toggleRate");
    expectError(() => estimatePower(design, board, { toggleRate: Number.NaN }), "toggleRate");
    expectError(() => estimatePower(design, board, { clockMHz: 0 }), "clockMHz");
    expectError(() => estimatePower(design, board, { clockMHz: -100 }), "clockMHz");
    expectError(() => estimatePower({ ...design, lut: -1 }, board), "resources.lut");
    expectError(() => estimatePower(design, board, { toggleSource: "measured" }), "toggleSource");
    // the ends of the range are valid
    expect(estimatePower(design, board, { toggleRate: 0 }).toggleRate).toBe(0);
    expect(estimatePower(design, board, { toggleRate: 1 }).toggleRate).toBe(1);
  });
});

/**
 * Generated conv RTL is bit-exact against the golden reference in real
 * simulators (no mocks): strides, paddings, back-pressure, Icarus beside
 * Verilator, the extremes of every range, and a checker that can fail.
 * Lint (-Wall) must be silent on every design. The folding matrix of every
 * datapath is in conv-rtl-foldings-*.test.ts.
 */
import { describe, expect, test } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { verifyModel } from "../../src/verify/index.js";
import { expectExact, expectExactAndPredicted, WIDTHS } from "../helpers/rtl.js";
import { multiplierFromRatio } from "../../src/arith/requant.js";
import { accRange } from "../../src/arith/datapath.js";
import { constantTensor } from "../../src/ir/inputs.js";
import { generateDesign } from "../../src/codegen/design.js";
import { convModel, ConvCase } from "../helpers/models.js";
import { removeAfterTest, testDir } from "../helpers/temp.js";

describe("geometry: strides, rectangular kernels, no padding", () => {
  const cases: ConvCase[] = [
    { kernel: "mac", bits: 8, height: 9, width: 8, channels: 2, outChannels: 3, kernelSize: [3, 2], stride: [2, 3], padding: [1, 0], pe: 2, simd: 5 },
    { kernel: "adder", bits: 8, height: 7, width: 7, channels: 4, outChannels: 6, kernelSize: 5, stride: 2, padding: 2, pe: 4, simd: 7 },
    { kernel: "xnor", height: 8, width: 5, channels: 9, outChannels: 4, kernelSize: 1, stride: 1, padding: 0, pe: 3, simd: 4 },
    { kernel: "mac", bits: 16, height: 4, width: 4, channels: 1, outChannels: 2, kernelSize: 3, stride: 3, padding: 2, pe: 1, simd: 2 },
  ];
  for (const c of cases) {
    test(`${c.kernel} ${c.height}x${c.width}x${c.channels} k=${JSON.stringify(c.kernelSize)} s=${JSON.stringify(c.stride)} p=${JSON.stringify(c.padding)}`, async () => {
      const model = convModel(c);
      const r = await verifyModel(model, { sim: "verilator", vectors: 3, seed: 9, backpressure: 0.5 });
      expectExact(r);
      await expectExactAndPredicted(model, 3, 10);
    });
  }
});

describe("Icarus runs the same vectors", () => {
  for (const w of WIDTHS.filter((x) => x.bits !== 16)) {
    test(`${w.kernel} pe=2 simd=4 in Icarus, with the same cycle count as Verilator`, async () => {
      const model = convModel({ ...w, pe: 2, simd: 4 });
      const ic = await verifyModel(model, { sim: "icarus", vectors: 2, seed: 5, backpressure: 0.25 });
      expectExact(ic);
      const vl = await verifyModel(model, { sim: "verilator", vectors: 2, seed: 5, backpressure: 0.25 });
      expectExact(vl);
      // both harnesses drive the same xorshift stall pattern: the designs must agree cycle for cycle
      expect(ic.cycles).toBe(vl.cycles);
    });
  }
});

describe("extreme values prove the accumulator widths", () => {
  // all inputs and all weights at the minimum or maximum of their range
  const corners: [string, "min" | "max", "min" | "max"][] = [
    ["x=min w=min", "min", "min"],
    ["x=min w=max", "min", "max"],
    ["x=max w=min", "max", "min"],
    ["x=max w=max", "max", "max"],
  ];
  for (const w of WIDTHS) {
    test(`${w.kernel}${w.bits ?? 1}: every corner of the input and weight ranges`, async () => {
      const bits = w.kernel === "xnor" ? 1 : w.bits!;
      const lo = bits === 1 ? -1 : -(2 ** (bits - 1));
      const hi = bits === 1 ? 1 : 2 ** (bits - 1) - 1;
      // the extreme shift weights are ∓2^P, P = bits − 2
      const [wLo, wHi] = w.kernel === "shift" ? [-(2 ** (bits - 2)), 2 ** (bits - 2)] : [lo, hi];
      const K = 3 * 3 * 3;
      // a requant that maps the largest |acc| onto the output range without saturating,
      // so a wrapped accumulator would show as a wrong word
      const range = accRange(w.kernel, bits, bits, K);
      const maxAbs = Number(range.hi > -range.lo ? range.hi : -range.lo);
      const rq = bits === 1 ? undefined : multiplierFromRatio((2 ** (bits - 1) - 1) / maxAbs, 16);
      for (const [, xs, ws] of corners) {
        const weight = ws === "min" ? wLo : wHi;
        const model = convModel({
          ...w,
          name: `ext_${w.kernel}${bits}`,
          pe: 2,
          simd: 4,
          outChannels: 3,
          weights: new Array(3 * K).fill(weight),
          requant: rq ? { multiplier: rq.multiplier, shift: rq.shift, rounding: "half_away", outBits: bits as 8 | 16 } : undefined,
          thresholds: bits === 1 ? [K, -K, 0] : undefined,
        });
        const input = constantTensor(model.input, xs === "min" ? lo : hi);
        const r = await verifyModel(model, { sim: "verilator", inputs: [input, input], backpressure: 0.2 });
        expectExact(r);
      }
    });
  }

  test("mac16 with int32 bias extremes", async () => {
    const K = 27;
    for (const bias of [2147483647, -2147483648]) {
      const model = convModel({
        kernel: "mac",
        bits: 16,
        name: "ext_bias",
        pe: 2,
        simd: 4,
        outChannels: 2,
        weights: new Array(2 * K).fill(-32768),
        bias: [bias, -bias - 1],
        requant: { multiplier: 65535, shift: 40, rounding: "half_even", outBits: 16 },
      });
      const input = constantTensor(model.input, -32768);
      expectExact(await verifyModel(model, { sim: "verilator", inputs: [input], backpressure: 0 }));
    }
  });
});

describe("the checker can fail", () => {
  test("a wrong golden word is reported with layer, element, cycle, expected, actual and a VCD", async () => {
    const model = convModel({ kernel: "adder", bits: 8, pe: 2, simd: 4 });
    const out = join(testDir("quantrtl-test-"), "design");
    const target = 37; // element 37 of vector 0: pixel 7 (y 1, x 0), channel 2 (5 channels, width 7)
    const r = await verifyModel(model, {
      sim: "verilator",
      out,
      tamperExpected: (tensors) => {
        tensors[0].data[target] = tensors[0].data[target] === 5 ? 6 : 5;
        return tensors;
      },
    });
    expect(r.bitExact).toBe(false);
    expect(r.matched).toBe(r.compared - 1);
    expect(r.mismatches).toHaveLength(1);
    const m = r.mismatches[0];
    expect(m.layer).toBe("conv0");
    expect(m.vector).toBe(0);
    expect(m.index).toBe(target);
    expect(m.position).toEqual({ y: 1, x: 0, c: 2 });
    expect(m.cycle).toBeGreaterThan(0);
    expect(m.expected).not.toBe(m.actual);
    expect(m.vcd).toBeDefined();
    expect(existsSync(m.vcd!)).toBe(true);
    expect(readFileSync(m.vcd!, "utf8")).toContain("$enddefinitions");
  });

  test("Icarus reports the same mismatch", async () => {
    const model = convModel({ kernel: "xnor", pe: 2, simd: 4 });
    const r = await verifyModel(model, {
      sim: "icarus",
      tamperExpected: (tensors) => {
        tensors[0].data[3] = -tensors[0].data[3];
        return tensors;
      },
    });
    removeAfterTest(r.outDir); // a failed proof keeps its folder for the engineer; here it is only evidence
    expect(r.bitExact).toBe(false);
    expect(r.mismatches.map((m) => m.index)).toEqual([3]);
  });
});

describe("generated text", () => {
  test("an unsafe model name never reaches the Verilog, and the design still verifies", async () => {
    const model = convModel({ kernel: "mac", bits: 8, pe: 2, simd: 4, name: "a; initial $finish" });
    const design = generateDesign(model);
    expect(design.topModule).toBe("a_initial_finish_top");
    for (const f of design.files) {
      expect(f.content).not.toContain("$finish");
      expect(f.content.startsWith("// Generated by quantrtl")).toBe(true);
      expect(f.content).toContain(model.hash);
    }
    expectExact(await verifyModel(model, { sim: "verilator", vectors: 1 }));
  });

  test("--out leaves rtl/, vectors/ and sim/ with the report", async () => {
    const model = convModel({ kernel: "mac", bits: 8, pe: 1, simd: 1 });
    const out = join(testDir("quantrtl-test-"), "design");
    expectExact(await verifyModel(model, { sim: "verilator", out }));
    expect(readdirSync(out).sort()).toEqual([".quantrtl-out.json", "rtl", "sim", "vectors"]);
    expect(readFileSync(join(out, "rtl", "files.f"), "utf8")).toContain("t_mac8_top.v");
    expect(JSON.parse(readFileSync(join(out, "sim", "report.json"), "utf8")).bitExact).toBe(true);
  });
});

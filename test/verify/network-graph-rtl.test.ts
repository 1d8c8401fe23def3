/**
 * Whole-network RTL: residual adds (fork + FIFOs), per-channel requant (folded
 * batch-norm, negative multipliers), dense heads, per-layer taps and the
 * localisation of the first divergent layer. Real Verilator (and Icarus once).
 */
import { describe, expect, test } from "vitest";
import { verifyModel } from "../../src/verify/index.js";
import { runGolden } from "../../src/hw/golden/network.js";
import { MODEL_INPUT } from "../../src/ir/model.js";
import { convLayer, graphModel } from "../helpers/graph-models.js";
import { variantOf } from "../../src/flows/compare.js";
import { engineLayers } from "../../src/ir/model.js";
import { expectExact, expectExactAndPredicted } from "../helpers/rtl.js";
import { removeAfterTest } from "../helpers/temp.js";

const add = (name: string, inputs: [string, string], relu = true) => ({
  type: "add",
  name,
  inputs,
  multipliers: [3, 5],
  shift: 2,
  rounding: "half_even",
  outBits: 8,
  relu,
});

/** A ResNet basic block on the input (identity skip) followed by a downsampling block (1×1 stride-2 conv on the skip). */
function residualModel(kernel: "mac" | "adder") {
  return graphModel(`res_${kernel}`, { height: 6, width: 6, channels: 4 }, [
    convLayer({ name: "b1c1", kernel, inChannels: 4, outChannels: 4, seed: 11, relu: true, pe: 2, simd: 6 }),
    convLayer({ name: "b1c2", kernel, inChannels: 4, outChannels: 4, seed: 12, pe: 4, simd: 12 }),
    add("b1add", ["b1c2", MODEL_INPUT]),
    convLayer({ name: "b2c1", kernel, inChannels: 4, outChannels: 6, stride: 2, seed: 13, relu: true, pe: 3, simd: 4 }),
    convLayer({ name: "b2c2", kernel, inChannels: 6, outChannels: 6, seed: 14, pe: 2, simd: 9 }),
    convLayer({ name: "b2skip", kernel: "mac", inChannels: 4, outChannels: 6, kernelSize: 1, stride: 2, inputs: ["b1add"], seed: 15, pe: 6, simd: 4 }),
    add("b2add", ["b2c2", "b2skip"]),
  ]);
}

describe("residual networks in RTL (fork, FIFOs, join)", () => {
  for (const kernel of ["mac", "adder"] as const) {
    test(`${kernel}: two residual blocks are bit-exact at every layer's tap with back-pressure, and cycles are predicted exactly without`, async () => {
      const model = residualModel(kernel);
      const r = await verifyModel(model, { vectors: 2, seed: 5, backpressure: 0.3 });
      expectExact(r);
      // every layer was compared on its own stream (taps), not only through the output
      for (const l of r.layers) {
        expect(l.tapped, l.name).toBe(true);
        expect(l.compared, l.name).toBeGreaterThan(0);
        expect(l.matched, l.name).toBe(l.compared);
      }
      await expectExactAndPredicted(model, 2, 6);
    });
  }

  // quantrtl compare's xnor rebuild: a conv after a residual add reads the add's 8-bit sums and takes
  // their signs (x > 0 is +1, as bitOfSign), a padded tap is +1 (paddingValue), whatever the width
  test("the xnor rebuild of the residual network: convs reading 8-bit sums are bit-exact in Verilator and Icarus", async () => {
    const model = variantOf(residualModel("mac"), "xnor");
    const wide = engineLayers(model).filter((l) => l.datapath === "xnor" && l.input.bits > 1);
    expect(wide.map((l) => l.name)).toEqual(["b2c1", "b2skip"]);
    for (const sim of ["verilator", "icarus"] as const) {
      const r = await verifyModel(model, { sim, vectors: 2, seed: 6, backpressure: 0.3 });
      expectExact(r);
      for (const l of r.layers) expect(l.matched, `${sim} ${l.name}`).toBe(l.compared);
    }
  });

  test("Icarus agrees with Verilator on the residual network, cycle for cycle", async () => {
    const model = residualModel("mac");
    const v = await verifyModel(model, { sim: "verilator", vectors: 1, seed: 8, backpressure: 0.2 });
    const i = await verifyModel(model, { sim: "icarus", vectors: 1, seed: 8, backpressure: 0.2 });
    expectExact(v);
    expectExact(i);
    expect(i.cycles).toBe(v.cycles);
    expect(i.layers.map((l) => l.matched)).toEqual(v.layers.map((l) => l.matched));
  });

  test("residual add rounds each operand on its own: ties of half_even and half_away, worked by hand", async () => {
    // identity 1×1 convs pass the input through; the add sees a = b = x with m_a = 1, m_b = 3, k = 1:
    // x = 1: round(1/2) + round(3/2) -> half_even 0 + 2 = 2, half_away 1 + 2 = 3 (a rounding of the sum 4/2 would give 2 for both)
    const eye = (name: string, inputs?: string[]) => ({
      type: "conv2d",
      name,
      kernel: "mac",
      outChannels: 1,
      kernelSize: 1,
      weightBits: 8,
      activationBits: 8,
      weights: [1],
      requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 },
      ...(inputs ? { inputs } : {}),
    });
    for (const [rounding, want] of [
      ["half_even", [2, -2, 6, -6]],
      ["half_away", [3, -3, 7, -7]],
    ] as const) {
      const model = graphModel(`ties_${rounding}`, { height: 1, width: 4, channels: 1 }, [
        eye("p"),
        eye("q", [MODEL_INPUT]),
        { type: "add", name: "s", inputs: ["p", "q"], multipliers: [1, 3], shift: 1, rounding, outBits: 8 },
      ]);
      // x = 1, -1, 3, -3:  half_even: 0+2, 0-2, 2+4, -2-4;  half_away: 1+2, -1-2, 2+5, -2-5
      const x = { shape: [1, 4, 1] as const, bits: 8, data: Int32Array.of(1, -1, 3, -3) };
      expect(Array.from(runGolden(model, x).layers[2].data)).toEqual(want);
      const r = await verifyModel(model, { inputs: [x], backpressure: 0.2 });
      expectExact(r);
    }
  });
});

describe("per-channel requant (folded batch-norm) in RTL", () => {
  test("per-channel multipliers, some negative, with one shift: bit-exact over three foldings", async () => {
    for (const [pe, simd] of [
      [1, 1],
      [2, 4],
      [5, 27],
    ]) {
      const model = graphModel(`bn_${pe}_${simd}`, { height: 5, width: 4, channels: 3 }, [
        convLayer({
          name: "c",
          kernel: "adder",
          inChannels: 3,
          outChannels: 5,
          seed: 21,
          pe,
          simd,
          bias: true,
          relu: true,
          requant: { multipliers: [-9000, 21000, 0, 65535, -65535], shift: 18, rounding: "half_away", outBits: 8 },
        }),
      ]);
      await expectExactAndPredicted(model, 2, 9);
      const r = await verifyModel(model, { vectors: 1, seed: 2, backpressure: 0.3 });
      expectExact(r);
    }
  });
});

describe("dense layers in RTL", () => {
  for (const kernel of ["mac", "adder", "xnor"] as const) {
    test(`${kernel}: conv -> flatten -> dense -> dense is bit-exact`, async () => {
      const bits = kernel === "xnor" ? 1 : 8;
      const n = 3 * 3 * 4;
      const dense = (name: string, inN: number, out: number, seed: number, last: boolean) => {
        const next = Array.from({ length: out * inN }, (_, i) => ((i * 7919 + seed * 104729) % 13) - 6);
        const layer: Record<string, unknown> = {
          type: "dense",
          name,
          kernel,
          outFeatures: out,
          weightBits: bits,
          activationBits: bits,
          arch: { pe: Math.min(3, out), simd: 4 },
        };
        layer.weights = bits === 1 ? next.map((w) => (w < 0 ? -1 : 1)) : next;
        // binary hidden layers threshold to ±1; the last layer requantizes its integer logits
        if (bits === 1 && !last) layer.thresholds = Array.from({ length: out }, (_, i) => (i % 3) - 1);
        else layer.requant = { multiplier: 20000 + seed, shift: bits === 1 ? 12 : 16, rounding: "half_up", outBits: 8 };
        return layer;
      };
      const layers = [
        convLayer({
          name: "c",
          kernel: kernel === "xnor" ? "xnor" : kernel,
          bits: bits as 1 | 8,
          inChannels: 2,
          outChannels: 4,
          stride: 2,
          seed: 31,
          relu: kernel !== "xnor",
        }),
        { type: "flatten", name: "f" },
        dense("d1", n, 6, 1, false),
        dense("d2", 6, 5, 2, true),
      ];
      const model = graphModel(`dense_${kernel}`, { height: 6, width: 6, channels: 2, bits }, layers);
      const r = await verifyModel(model, { vectors: 3, seed: 4, backpressure: 0.25 });
      expectExact(r);
      await expectExactAndPredicted(model, 2, 1);
    });
  }
});

describe("localisation", () => {
  test("a wrong word in an intermediate layer's golden output is reported at that layer, before any later one", async () => {
    const model = residualModel("mac");
    const r = await verifyModel(model, {
      vectors: 1,
      seed: 5,
      backpressure: 0,
      tamperLayer: 1,
      tamperExpected: (ts) => {
        ts[0].data[7] += 1;
        return ts;
      },
    });
    removeAfterTest(r.outDir); // a failed proof keeps its folder for the engineer; here it is only evidence
    expect(r.bitExact).toBe(false);
    expect(r.mismatches[0].layer).toBe("b1c2");
    expect(r.mismatches[0].index).toBe(7);
    // element 7 of a 6×6×4 tensor: pixel 1 (y 0, x 1), channel 3
    expect(r.mismatches[0].position).toEqual({ y: 0, x: 1, c: 3 });
    expect(r.mismatches[0].vcd).toMatch(/mismatch\.vcd$/);
    // the later layers still match: the design is right, the golden word was wrong
    expect(r.layers.find((l) => l.name === "b2add")!.matched).toBe(r.layers.find((l) => l.name === "b2add")!.compared);
  });
});

describe("thresholded int8 first layer (binary networks)", () => {
  test("a mac conv with thresholds far outside ±K (its accumulator range is wider) feeds an xnor conv, bit-exact", async () => {
    // K = 27 but |acc| reaches ~27·128·100: thresholds of ±3000 must not be clamped to ±(K+1)
    const first = convLayer({ name: "c1", kernel: "mac", inChannels: 3, outChannels: 4, seed: 41, pe: 2, simd: 9 });
    delete first.requant;
    first.thresholds = [3000, -2500, 120, 0];
    first.thresholdDirections = ["ge", "le", "ge", "le"];
    const model = graphModel("thr_mac", { height: 6, width: 6, channels: 3 }, [
      first,
      convLayer({ name: "c2", kernel: "xnor", bits: 1, inChannels: 4, outChannels: 3, seed: 42, pe: 3, simd: 12 }),
    ]);
    const r = await verifyModel(model, { vectors: 3, seed: 7, backpressure: 0.25 });
    expectExact(r);
    // the thresholds matter: channel 0 is not constant over the vectors
    const out0 = runGolden(model, { shape: [6, 6, 3], bits: 8, data: Int32Array.from({ length: 108 }, (_, i) => ((i * 37) % 255) - 127) }).layers[0].data;
    expect(new Set(Array.from(out0).filter((_, i) => i % 4 === 0)).size).toBe(2);
    await expectExactAndPredicted(model, 2, 8);
  });
});

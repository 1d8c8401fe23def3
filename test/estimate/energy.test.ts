import { describe, expect, test } from "vitest";
import { firstConv } from "../helpers/models.js";
import { parseModel } from "../../src/ir/load.js";
import type { Model } from "../../src/ir/model.js";
import {
  compareDatapathEnergy,
  countLayerOps,
  energyPerInference,
  HOROWITZ_45NM,
  intAddEnergy,
  intMultiplyEnergy,
  withDatapath,
} from "../../src/estimate/energy.js";

/** 4×4×2 input, 3×3 kernel, stride 1, no padding → 2×2×3 output; K = 3·3·2 = 18, 12 output elements. */
function tinyModel(kernel: "mac" | "adder" | "xnor"): Model {
  const bits = kernel === "xnor" ? 1 : 8;
  const layer: Record<string, unknown> = {
    type: "conv2d",
    name: "c0",
    kernel,
    outChannels: 3,
    kernelSize: 3,
    stride: 1,
    padding: 0,
    weightBits: bits,
    activationBits: bits,
    weights: Array.from({ length: 3 * 18 }, (_, i) => (kernel === "xnor" ? (i % 2 ? 1 : -1) : (i % 7) - 3)),
  };
  if (kernel === "xnor") layer.thresholds = [0, 0, 0];
  else layer.requant = { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 };
  return parseModel({ quantrtl: 1, name: "t", input: { height: 4, width: 4, channels: 2, bits }, layers: [layer] });
}

describe("45 nm op energies", () => {
  test("table figures are Horowitz's; the 16-bit multiply is derived quadratically between 8 and 32 bits", () => {
    expect(intMultiplyEnergy(8)).toMatchObject({ pJ: 0.2, derived: false });
    expect(intMultiplyEnergy(32)).toMatchObject({ pJ: 3.1, derived: false });
    // E = a + b·w²: b = (3.1 − 0.2)/(32² − 8²) = 2.9/960; E(16) = 0.2 + (256 − 64)·2.9/960 = 0.2 + 0.58 = 0.78 pJ
    const m16 = intMultiplyEnergy(16);
    expect(m16.pJ).toBeCloseTo(0.78, 12);
    expect(m16.derived).toBe(true);
    expect(HOROWITZ_45NM.intMultiply[16].derived).toBe(true);
    expect(m16.source).toMatch(/derived/);
    expect(intAddEnergy(8).pJ).toBe(0.03);
    expect(intAddEnergy(16).pJ).toBe(0.05);
    expect(intAddEnergy(32).pJ).toBe(0.1);
    // linear in width between points: 20 bits = 0.05 + 0.05·4/16 = 0.0625; 1 bit = 0.03/8
    expect(intAddEnergy(20)).toMatchObject({ pJ: 0.0625, derived: true });
    expect(intAddEnergy(1).pJ).toBeCloseTo(0.00375, 12);
    expect(HOROWITZ_45NM.dramRead64.low.pJ).toBe(1300);
    expect(HOROWITZ_45NM.dramRead64.high.pJ).toBe(2600);
    expect([HOROWITZ_45NM.floatAdd[16].pJ, HOROWITZ_45NM.floatAdd[32].pJ, HOROWITZ_45NM.floatMultiply[16].pJ, HOROWITZ_45NM.floatMultiply[32].pJ]).toEqual([
      0.4, 0.9, 1.1, 3.7,
    ]);
    expect([HOROWITZ_45NM.sramRead64["8KB"].pJ, HOROWITZ_45NM.sramRead64["32KB"].pJ, HOROWITZ_45NM.sramRead64["1MB"].pJ]).toEqual([10, 20, 100]);
  });
});

describe("energy per inference", () => {
  test("a 1-layer mac model: op counts, SRAM and DRAM bytes and pJ computed by hand", () => {
    const r = energyPerInference(tinyModel("mac"));
    // K = 18, outputs = 4 pixels × 3 channels = 12 → 216 MAC terms.
    // acc: products in [−128·127, (−128)²] = [−16256, 16384], × 18 → [−292608, 294912] → 20-bit signed.
    // requant multiply: max(acc 20, multiplierBits 16 + 1) = 20 bits, one per output.
    expect(r.ops.multiplies).toBe(216 + 12);
    expect(r.ops.multipliesByWidth).toEqual({ 8: 216, 20: 12 });
    expect(r.ops.adds).toBe(216);
    expect(r.ops.addsByWidth).toEqual({ 20: 216 });
    expect(r.ops.xnorPopcounts).toBe(0);
    // compute: 216 × 0.2 + 12 × E(20) + 216 × 0.0625,
    // E(20) = 0.2 + (400 − 64)·2.9/960 = 0.2 + 1.015 = 1.215 pJ → 43.2 + 14.58 + 13.5 = 71.28 pJ
    expect(r.energyPicojoules.compute).toBeCloseTo(71.28, 9);
    // SRAM: fold pe = 3, simd = 16 → nf = 1, sf = 2; ROM = 1·2·3·16·8 = 768 bits = 96 B, read once per pixel: 4 × 96 = 384 B.
    // activations: P × K = 4 × 18 = 72 B. Both buffers ≤ 8 KB → 10 pJ per 8 B: 48·10 + 9·10 = 570 pJ.
    expect(r.sramBytes).toBe(384 + 72);
    expect(r.layers[0].weightBuffer).toBe("8KB");
    expect(r.energyPicojoules.sram).toBeCloseTo(570, 9);
    // DRAM: input 4·4·2 = 32 B in, output 2·2·3 = 12 B out → 44 B = 5.5 words; the 54 B of
    // weights sit in on-chip ROM (charged above as SRAM reads), never fetched from DRAM
    expect(r.dramBytes).toBe(44);
    expect(r.energyPicojoules.dramRange.low).toBeCloseTo(5.5 * 1300, 9); // 7150
    expect(r.energyPicojoules.dramRange.high).toBeCloseTo(5.5 * 2600, 9); // 14300
    expect(r.energyPicojoules.dram).toBeCloseTo(7150, 9);
    expect(r.energyPicojoules.total).toBeCloseTo(71.28 + 570 + 7150, 9);
    expect(energyPerInference(tinyModel("mac"), { dram: "high" }).energyPicojoules.total).toBeCloseTo(71.28 + 570 + 14300, 9);
    // a fixed, larger SRAM figure: 57 words × 100 pJ
    expect(energyPerInference(tinyModel("mac"), { sram: "1MB" }).energyPicojoules.sram).toBeCloseTo(5700, 9);
    expect(r.perOp.multiply8.pJ).toBe(0.2);
    expect(r.assumptions.length).toBeGreaterThan(4);
  });

  test("adder: K subtracts + K abs + K accumulates per output, each an add", () => {
    const ops = countLayerOps(firstConv(tinyModel("adder")));
    // |x − w| ≤ 255, × 18 → [−4590, 0] → 14-bit acc; requant multiply max(14, 17) = 17 bits
    expect(ops.addsByKind).toEqual({ accumulate: 216, subtract: 216, abs: 216, bias: 0, compare: 0, shift: 0 });
    expect(ops.addsByWidth).toEqual({ 8: 432, 14: 216 });
    expect(ops.multipliesByWidth).toEqual({ 17: 12 });
    // 432 × 0.03 + 216 × (0.03 + 0.02·6/8 = 0.045) + 12 × (0.2 + (289 − 64)·2.9/960 = 0.8796875)
    // = 12.96 + 9.72 + 10.55625 = 33.23625 pJ
    expect(energyPerInference(tinyModel("adder")).energyPicojoules.compute).toBeCloseTo(33.23625, 9);
  });

  test("xnor: K gates and a K-bit popcount (K one-bit adds) per output, plus the threshold compare", () => {
    const r = energyPerInference(tinyModel("xnor"));
    // dot ∈ [−18, 18] → 6-bit acc; compare = one 6-bit add = 0.03·6/8 = 0.0225 pJ
    expect(r.ops.xnorGates).toBe(216);
    expect(r.ops.popcountBitAdds).toBe(216);
    expect(r.ops.xnorPopcounts).toBe(12);
    expect(r.ops.multiplies).toBe(0);
    expect(r.ops.addsByWidth).toEqual({ 6: 12 });
    // 216 × 0.00375 × 2 + 12 × 0.0225 = 1.62 + 0.27 = 1.89 pJ
    expect(r.energyPicojoules.compute).toBeCloseTo(1.89, 9);
    // SRAM bytes are bits / 8: ROM 2·3·16 = 96 bits = 12 B per pixel → 48 B; activations 4·18/8 = 9 B
    expect(r.sramBytes).toBe(48 + 9);
  });

  test("same shapes, adder datapath: less compute energy than mac (the AdderNet direction), xnor far less", () => {
    const cmp = compareDatapathEnergy(tinyModel("mac"));
    expect(cmp.mac.energyPicojoules.compute).toBeCloseTo(71.28, 9);
    expect(cmp.adder.energyPicojoules.compute).toBeCloseTo(33.23625, 9);
    expect(cmp.xnor.energyPicojoules.compute).toBeCloseTo(1.89, 9);
    expect(cmp.adderOverMacCompute).toBeCloseTo(33.23625 / 71.28, 9);
    expect(cmp.adderOverMacCompute).toBeLessThan(1);
    expect(cmp.xnorOverMacCompute).toBeLessThan(cmp.adderOverMacCompute);
    // rebuilding from any datapath gives the same three answers
    const fromXnor = compareDatapathEnergy(tinyModel("xnor"));
    expect(fromXnor.adder.ops.addsByWidth).toEqual(cmp.adder.ops.addsByWidth);
    expect(fromXnor.mac.ops.multipliesByWidth).toEqual({ 8: 216, 20: 12 });
    expect(withDatapath(tinyModel("mac"), "xnor").input.bits).toBe(1);
  });

  test("multi-layer models sum per layer and pay DRAM only for the model's input and output", () => {
    const model = parseModel({
      quantrtl: 1,
      name: "two",
      input: { height: 4, width: 4, channels: 2, bits: 8 },
      layers: [
        {
          type: "conv2d",
          name: "a",
          kernel: "mac",
          outChannels: 3,
          kernelSize: 3,
          padding: 1,
          weightBits: 8,
          activationBits: 8,
          weights: new Array(54).fill(1),
          requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 },
        },
        {
          type: "conv2d",
          name: "b",
          kernel: "mac",
          outChannels: 1,
          kernelSize: 1,
          weightBits: 8,
          activationBits: 8,
          weights: [1, 2, 3],
          bias: [5],
          requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 },
        },
      ],
    });
    const r = energyPerInference(model);
    // layer a: 16 pixels × 3 channels × K 18 = 864 MACs; layer b: 16 × 1 × 3 = 48 MACs, plus 16 bias adds
    expect(r.ops.multipliesByWidth["8"]).toBe(864 + 48);
    expect(r.ops.addsByKind.bias).toBe(16);
    expect(r.layers.map((l) => l.layer)).toEqual(["a", "b"]);
    // DRAM: input 4·4·2 = 32 B + output 4·4·1 = 16 B; the 57 B of weights and the 4×4×3 intermediate stay on chip
    expect(r.dramBytes).toBe(32 + 16);
  });
});

/** Sample reports for the writer tests: one with every section, one with only the required ones. */
import type { QuantrtlReport } from "../../src/report/types.js";
import { ADDERNET_PUBLISHED } from "../../src/report/types.js";

/** Every optional section present; figures chosen so expected text is easy to compute by hand. */
export function fullReport(): QuantrtlReport {
  return {
    generator: "quantrtl 0.1.0",
    createdAt: "2025-01-02T03:04:05.000Z",
    model: { name: "tiny-adder", hash: "3f9a0c12d4e5b6a7", layers: 2 },
    board: {
      name: "arty-a7-100t",
      title: "Digilent Arty A7-100T",
      part: "xc7a100tcsg324-1",
      clockMHz: 100,
      resources: { lut: 63400, ff: 126800, dsp: 240, bramBits: 4976640 },
    },
    verification: { sim: "verilator", vectors: 3, compared: 4096, matched: 4096, bitExact: true, cycles: 12872, predictedCycles: 12800 },
    performance: {
      layers: [
        { name: "conv1", datapath: "adder", pe: 4, simd: 3, idealCycles: 6272, fillCycles: 70, latencyCycles: 6400, intervalCycles: 6300, utilization: 0.9956 },
        {
          name: "conv2",
          datapath: "adder",
          pe: 8,
          simd: 8,
          idealCycles: 4608,
          fillCycles: 130,
          latencyCycles: 4800,
          intervalCycles: 4700,
          utilization: 0.9804,
        },
      ],
      total: { latencyCycles: 12800, intervalCycles: 6300, latencyUs: 128, framesPerSecond: 15873.0159, utilization: 0.87 },
    },
    resources: {
      estimate: { lut: 1200, ff: 900, dsp: 0, bramBits: 36864 },
      synthesis: { lut: 1000, ff: 1000, dsp: 0, bramBits: 36864, carry: 150, latches: 0, yosys: "Yosys 0.55" },
    },
    power: {
      staticW: 0.1,
      dynamicW: 0.05,
      totalW: 0.15,
      breakdown: { logic: 0.02, ff: 0.01, dsp: 0, bram: 0.005, clock: 0.015 },
      toggleRate: 0.125,
      toggleSource: "default 12.5 %",
    },
    energy: { totalPicojoules: 2_000_000, computePicojoules: 1_000_000, sramPicojoules: 600_000, dramPicojoules: 400_000 },
    roofline: [
      { name: "conv1", intensity: 2, performance: 1.5, peak: 2.4, bandwidth: 2.67 },
      { name: "conv2", intensity: 16, performance: 2.2, peak: 2.4, bandwidth: 2.67 },
    ],
    comparison: {
      kernels: {
        mac: {
          lut: 2000,
          ff: 1500,
          dsp: 16,
          bram_bits: 36864,
          fmax_mhz: 100,
          power_w: 0.2,
          energy_j: 2e-6,
          cycles: 12800,
          source: "synthesis",
          estimate: { lut: 2300, ff: 1400, dsp: 16, bram_bits: 36864 },
        },
        adder: {
          lut: 600,
          ff: 1400,
          dsp: 0,
          bram_bits: 36864,
          fmax_mhz: 116,
          power_w: 0.1,
          energy_j: 1e-6,
          cycles: 12800,
          source: "synthesis",
          estimate: { lut: 450, ff: 1500, dsp: 0, bram_bits: 36864 },
        },
        xnor: { lut: 300, ff: 800, dsp: 0, bram_bits: 4608, fmax_mhz: null, power_w: 0.05, energy_j: 0.5e-6, cycles: 12800, source: "estimate" },
      },
      published: ADDERNET_PUBLISHED,
    },
  };
}

/** Only the required sections: no verification, synthesis, power, energy, roofline or comparison. */
export function minimalReport(): QuantrtlReport {
  const full = fullReport();
  return {
    generator: full.generator,
    createdAt: full.createdAt,
    model: full.model,
    board: full.board,
    performance: full.performance,
    resources: { estimate: full.resources.estimate },
  };
}

export const HOSTILE_NAME = `<script>alert(1)</script> & "x"`;

/** A report whose every free-text field carries markup. */
export function hostileReport(): QuantrtlReport {
  const full = fullReport();
  return {
    ...full,
    generator: HOSTILE_NAME,
    model: { ...full.model, name: HOSTILE_NAME },
    board: { ...full.board, title: HOSTILE_NAME, part: HOSTILE_NAME },
    verification: { ...full.verification!, sim: HOSTILE_NAME },
    performance: { ...full.performance, layers: full.performance.layers.map((l) => ({ ...l, name: HOSTILE_NAME, datapath: HOSTILE_NAME })) },
    power: { ...full.power!, toggleSource: HOSTILE_NAME },
    roofline: full.roofline!.map((p) => ({ ...p, name: HOSTILE_NAME })),
    comparison: { ...full.comparison!, kernels: { ...full.comparison!.kernels, [HOSTILE_NAME]: full.comparison!.kernels.adder } },
  };
}

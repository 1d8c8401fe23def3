/**
 * The ARRAY model end to end (src/perf/array/model.ts): hand-computed
 * small cases on a 2×2 array for both dataflows, monotonicity in bandwidth and
 * array size, DeiT-Tiny token pruning, report consistency, errors and speed.
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { QuantrtlError } from "../../../src/util/errors.js";
import { alexnetConv1, deitTiny, resnet20Cifar, simulateArray, type ArrayArch, type Workload, type WorkloadLayer } from "../../../src/perf/array/index.js";
import { keptTokens } from "../../../src/perf/array/workloads.js";

const KB64 = 64 * 1024;
function arch(over: Partial<ArrayArch> = {}): ArrayArch {
  return {
    rows: 32,
    cols: 32,
    datapath: "mac",
    dataflow: "ws",
    ifmapBufferBytes: KB64,
    weightBufferBytes: KB64,
    ofmapBufferBytes: KB64,
    dramBytesPerCycle: 16,
    clockMHz: 200,
    ...over,
  };
}
const single = (layer: WorkloadLayer): Workload => ({ name: layer.name, datapath: "mac", layers: [layer] });
const tiny = single({ kind: "matmul", name: "tiny", M: 4, K: 3, N: 2 });
const tinyArch = (dataflow: "ws" | "os", dramBytesPerCycle: number) =>
  arch({ rows: 2, cols: 2, dataflow, dramBytesPerCycle, ifmapBufferBytes: 1024, weightBufferBytes: 1024, ofmapBufferBytes: 1024 });

describe("hand-computed: M=4, K=3, N=2 on a 2×2 array (24 MACs)", () => {
  test("ws, ample bandwidth: 2 folds × 8 + prologue 1 + epilogue 1 = 18 cycles", () => {
    // One tile holds the whole GEMM. Folds: ceil(3/2) row folds × ceil(2/2) column
    // folds = 2, each 2R + C + M − 2 = 4 + 2 + 4 − 2 = 8 cycles → 16.
    // DRAM: A 4·3 = 12 B + B 3·2 = 6 B read, C 4·2 = 8 B written (int8);
    // at 1000 B/cycle: prologue ceil(18/1000) = 1, epilogue ceil(8/1000) = 1.
    const layer = simulateArray(tiny, tinyArch("ws", 1000)).layers[0];
    expect(layer.macs).toBe(24);
    expect(layer.computeCycles).toBe(16);
    expect(layer.totalCycles).toBe(18);
    expect(layer.stallCycles).toBe(2);
    expect(layer.utilization).toBeCloseTo(24 / (4 * 18), 12);
    expect(layer.dramReadBytes).toBe(18);
    expect(layer.dramWriteBytes).toBe(8);
    expect(layer.arithmeticIntensity).toBeCloseTo(24 / 26, 12);
    expect(layer.tiling).toMatchObject({ tileM: 4, tileK: 3, tileN: 2, steps: 1, folds: 2 });
    // SRAM, array side (bits): weights 6·8 + A 12·8 + partial read-back 8·32 = 400 read,
    // 2 folds × 8 partials × 32 = 512 written; plus 8 B drained and 18 B filled.
    expect(layer.bufferReadBytes).toBe(400 / 8 + 8);
    expect(layer.bufferWriteBytes).toBe(512 / 8 + 18);
    expect(layer.roofline).toMatchObject({ peak: 4, bandwidth: 1000, bound: "compute" });
    expect(layer.roofline.performance).toBeCloseTo(24 / 18, 12);
  });

  test("os, ample bandwidth: 2 folds × 5 + 1 + 1 = 12 cycles", () => {
    // Folds: ceil(4/2) × ceil(2/2) = 2, each R + C + K − 2 = 2 + 2 + 3 − 2 = 5 → 10.
    const layer = simulateArray(tiny, tinyArch("os", 1000)).layers[0];
    expect(layer.computeCycles).toBe(10);
    expect(layer.totalCycles).toBe(12);
    expect(layer.utilization).toBeCloseTo(24 / (4 * 12), 12);
    expect(layer.dramReadBytes).toBe(18);
    expect(layer.dramWriteBytes).toBe(8);
    // SRAM: A 12·8 once, B 6·8 once per row fold (2), outputs 8·32 drained once.
    expect(layer.bufferReadBytes).toBe((96 + 96) / 8 + 8);
    expect(layer.bufferWriteBytes).toBe(256 / 8 + 18);
  });

  test("ws at 2 B/cycle: splitting K shortens the exposed prologue, 26 instead of 29 cycles", () => {
    // Whole GEMM as one tile: max(16, 26 B / 2 = 13) + prologue 18/2 = 9 + epilogue 8/2 = 4 = 29.
    // K tiles of 2 (+1), outputs kept on chip (k innermost):
    //   k tile 0: A 4·2 = 8 B + B 2·2 = 4 B → 6 cycles, one fold of 8 cycles → 8
    //   k tile 1: A 4·1 = 4 B + B 1·2 = 2 B + final C 8 B → 7 cycles, one fold of 8 → 8
    //   prologue 12/2 = 6, epilogue 8/2 = 4 → 8 + 8 + 6 + 4 = 26.
    const layer = simulateArray(tiny, tinyArch("ws", 2)).layers[0];
    expect(layer.totalCycles).toBe(26);
    expect(layer.computeCycles).toBe(16);
    expect(layer.stallCycles).toBe(10);
    expect(layer.tiling).toMatchObject({ tileM: 4, tileK: 2, tileN: 2, steps: 2 });
    expect(layer.roofline.bound).toBe("memory"); // 24/26 MAC/B · 2 B/cycle < 4 MAC/cycle
  });
});

describe("monotonicity", () => {
  const reference = [
    ...alexnetConv1().layers,
    ...resnet20Cifar().layers.filter((_, i) => i % 4 === 0),
    ...deitTiny().layers.slice(0, 7),
    deitTiny().layers[73],
  ];

  test("more DRAM bandwidth never increases cycles (reference layers, both dataflows)", () => {
    for (const dataflow of ["ws", "os"] as const) {
      for (const layer of reference) {
        let previous = Infinity;
        for (const bw of [1, 2, 4, 8, 16, 32, 128, 1e6]) {
          const cycles = simulateArray(single(layer), arch({ dataflow, dramBytesPerCycle: bw })).total.totalCycles;
          expect(cycles, `${layer.name} ${dataflow} at ${bw} B/cycle`).toBeLessThanOrEqual(previous);
          previous = cycles;
        }
      }
    }
  });

  test("more DRAM bandwidth never increases cycles (random GEMMs and arrays)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 16 }),
        fc.constantFrom("ws" as const, "os" as const),
        fc.double({ min: 0.25, max: 64, noNaN: true }),
        fc.double({ min: 1, max: 8, noNaN: true }),
        (M, K, N, rows, cols, dataflow, bw, factor) => {
          const w = single({ kind: "matmul", name: "g", M, K, N });
          const a = arch({ rows, cols, dataflow, ifmapBufferBytes: 8192, weightBufferBytes: 8192, ofmapBufferBytes: 8192 });
          const slow = simulateArray(w, { ...a, dramBytesPerCycle: bw }).total.totalCycles;
          const fast = simulateArray(w, { ...a, dramBytesPerCycle: bw * factor }).total.totalCycles;
          expect(fast).toBeLessThanOrEqual(slow);
        },
      ),
      { numRuns: 200 },
    );
  });

  test("a bigger array never increases compute cycles of large layers (4×4 … 32×32, 64 KB buffers)", () => {
    const deit = deitTiny().layers;
    const large = [
      alexnetConv1().layers[0],
      deit[0], // patch embedding
      ...deit.filter((l) => /^blk0\.(qkv|fc1|fc2)$/.test(l.name)),
      ...resnet20Cifar().layers.filter((l) => /^s[23]b2\.conv1$/.test(l.name)),
    ];
    for (const dataflow of ["ws", "os"] as const) {
      for (const layer of large) {
        let previous = Infinity;
        for (const side of [4, 8, 16, 32]) {
          const cycles = simulateArray(single(layer), arch({ rows: side, cols: side, dataflow })).total.computeCycles;
          expect(cycles, `${layer.name} ${dataflow} on ${side}×${side}`).toBeLessThanOrEqual(previous);
          previous = cycles;
        }
      }
    }
  });

  test("doubling the array never increases compute cycles of random GEMMs much larger than it", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 256, max: 2048 }),
        fc.integer({ min: 256, max: 2048 }),
        fc.integer({ min: 256, max: 2048 }),
        fc.constantFrom(4, 8, 16, 32),
        fc.constantFrom("ws" as const, "os" as const),
        (M, K, N, side, dataflow) => {
          const w = single({ kind: "matmul", name: "g", M, K, N });
          const a = arch({ dataflow, dramBytesPerCycle: 1e6, ifmapBufferBytes: 1 << 20, weightBufferBytes: 1 << 20, ofmapBufferBytes: 1 << 20 });
          const small = simulateArray(w, { ...a, rows: side, cols: side }).total.computeCycles;
          const big = simulateArray(w, { ...a, rows: 2 * side, cols: 2 * side }).total.computeCycles;
          expect(big).toBeLessThanOrEqual(small);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("DeiT-Tiny token pruning", () => {
  const full = deitTiny();
  const half = deitTiny({ keepRatio: new Array(12).fill(0.5) });
  const tokenRatio = keptTokens(197, 0.5) / 197; // 99 / 197 ≈ 0.503

  test.each(["ws", "os"] as const)("keep 0.5 cuts token-linear layers ≈ in proportion and attention faster (%s)", (dataflow) => {
    const a = simulateArray(full, arch({ dataflow }));
    const b = simulateArray(half, arch({ dataflow }));
    for (let i = 0; i < a.layers.length; i++) {
      const ratio = b.layers[i].totalCycles / a.layers[i].totalCycles;
      const name = a.layers[i].name;
      if (name === "patch_embed" || name === "head") {
        expect(ratio, name).toBe(1); // not token-dependent
      } else if (/q_kT|a_v/.test(name)) {
        // tokens² MACs: at least the quadratic ratio, at most the linear one
        expect(ratio, name).toBeGreaterThan(tokenRatio ** 2 - 0.05);
        expect(ratio, name).toBeLessThan(tokenRatio + 0.05);
      } else {
        // fill / drain overhead per fold does not shrink with the tokens: allow a little above
        expect(ratio, name).toBeGreaterThan(tokenRatio - 0.05);
        expect(ratio, name).toBeLessThan(tokenRatio + 0.15);
      }
    }
    const total = b.total.totalCycles / a.total.totalCycles;
    expect(total).toBeGreaterThan(tokenRatio - 0.05);
    expect(total).toBeLessThan(tokenRatio + 0.1);
  });

  test("keep 0.7 from block 4 on leaves blocks 1–3 untouched and shrinks the rest", () => {
    const pruned = deitTiny({ keepRatio: [1, 1, 1, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7] });
    const a = simulateArray(full, arch());
    const b = simulateArray(pruned, arch());
    const cycles = (r: typeof a, prefix: string) => r.layers.filter((l) => l.name.startsWith(prefix)).reduce((s, l) => s + l.totalCycles, 0);
    for (const blk of ["blk0.", "blk1.", "blk2."]) expect(cycles(b, blk)).toBe(cycles(a, blk));
    for (const blk of ["blk3.", "blk11."]) {
      const ratio = cycles(b, blk) / cycles(a, blk);
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(0.8);
    }
    expect(b.total.macs).toBeLessThan(a.total.macs);
  });
});

describe("report", () => {
  test("totals are the sums of the layers; utilisation and latency follow from cycles", () => {
    const a = arch({ dataflow: "os", clockMHz: 250 });
    const r = simulateArray(resnet20Cifar(), a);
    expect(r.layers).toHaveLength(22);
    const total = (key: "macs" | "totalCycles" | "computeCycles" | "stallCycles" | "dramReadBytes" | "dramWriteBytes") =>
      r.layers.reduce((s, l) => s + l[key], 0);
    expect(r.total.macs).toBe(40_813_184);
    for (const key of ["totalCycles", "computeCycles", "stallCycles", "dramReadBytes", "dramWriteBytes"] as const) expect(r.total[key]).toBe(total(key));
    expect(r.total.utilization).toBeCloseTo(r.total.macs / (32 * 32 * r.total.totalCycles), 12);
    expect(r.total.latencyMs).toBeCloseTo(r.total.totalCycles / 250_000, 12);
    for (const l of r.layers) {
      expect(l.totalCycles).toBe(l.computeCycles + l.stallCycles);
      expect(l.stallCycles).toBeGreaterThanOrEqual(0);
      expect(l.utilization).toBeGreaterThan(0);
      expect(l.utilization).toBeLessThanOrEqual(1);
      expect(l.roofline.performance).toBeLessThanOrEqual(l.roofline.attainable + 1e-9);
      // final outputs are written at least once, at 8 bits
      expect(l.dram.ofmapWrite).toBe(l.gemm.M * l.gemm.N * l.gemm.batch);
    }
  });

  test("an XNOR network moves an eighth of the operand bytes of an int8 one", () => {
    const mac = simulateArray(alexnetConv1("mac"), arch()).layers[0];
    const xnor = simulateArray(alexnetConv1("xnor"), arch({ datapath: "xnor" })).layers[0];
    expect(xnor.dram.ofmapWrite).toBe(Math.ceil(mac.dram.ofmapWrite / 8));
    expect(xnor.dramReadBytes).toBeLessThan(mac.dramReadBytes / 4);
  });
});

describe("errors", () => {
  test("invalid architecture parameters are named", () => {
    const pathOf = (a: ArrayArch) => {
      try {
        simulateArray(tiny, a);
      } catch (e) {
        if (e instanceof QuantrtlError) return e.path;
        throw e;
      }
      return "(valid)";
    };
    expect(pathOf(arch({ rows: 0 }))).toBe("rows");
    expect(pathOf(arch({ cols: 3.5 }))).toBe("cols");
    expect(pathOf(arch({ dramBytesPerCycle: -1 }))).toBe("dramBytesPerCycle");
    expect(pathOf(arch({ ofmapBufferBytes: 0 }))).toBe("ofmapBufferBytes");
    expect(pathOf(arch({ dataflow: "rs" as never }))).toBe("dataflow");
    expect(pathOf(arch({ datapath: "adder" }))).toBe("datapath"); // an adder array cannot run a MAC workload
    expect(pathOf(arch({ rows: 2, cols: 2, ifmapBufferBytes: 1 }))).toBe("ifmapBufferBytes");
  });

  test("invalid workloads point at the layer field", () => {
    expect(() => simulateArray(single({ kind: "matmul", name: "bad", M: 0, K: 1, N: 1 }), arch())).toThrow(/bad/);
  });
});

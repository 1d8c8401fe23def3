/**
 * Mapping cost and search (src/perf/array/footprint.ts, tiling.ts,
 * search.ts): ifmap footprints by hand, a hand-computed tiling with partial-sum
 * spills, the closed form against a tile-by-tile walk of the loop nest written
 * here, and the search against exhaustive evaluation.
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import type { ArrayArch } from "../../../src/perf/array/arch.js";
import { tileComputeCycles } from "../../../src/perf/array/fold.js";
import { ifmapTileElements } from "../../../src/perf/array/footprint.js";
import { searchTiling, tileCandidates } from "../../../src/perf/array/search.js";
import { evaluateTiling, LOOP_ORDERS, tileGroups, tilingLowerBound, type LoopOrder, type Tiling } from "../../../src/perf/array/tiling.js";
import { lowerToGemm, type ElementBits, type Gemm } from "../../../src/perf/array/workload.js";
import { alexnetConv1 } from "../../../src/perf/array/workloads.js";
import { QuantrtlError } from "../../../src/util/errors.js";

const BITS: ElementBits = { activation: 8, weight: 8, accumulator: 32, output: 8 };

function arch(over: Partial<ArrayArch> = {}): ArrayArch {
  return {
    rows: 2,
    cols: 2,
    datapath: "mac",
    dataflow: "ws",
    ifmapBufferBytes: 1 << 20,
    weightBufferBytes: 1 << 20,
    ofmapBufferBytes: 1 << 20,
    dramBytesPerCycle: 4,
    clockMHz: 100,
    ...over,
  };
}

const matrix = (M: number, K: number, N: number, batch = 1): Gemm => ({ M, K, N, batch, ifmap: { kind: "matrix" } });

describe("ifmap footprint of a tile", () => {
  const alex = lowerToGemm(alexnetConv1().layers[0]);

  test("AlexNet conv1: one output row needs 11 input rows, not 55 im2col rows", () => {
    expect(ifmapTileElements(alex, 55, 363)).toBe(11 * 227 * 3);
    // two output rows: (2 − 1)·4 + 11 = 15 input rows
    expect(ifmapTileElements(alex, 110, 363)).toBe(15 * 227 * 3);
    // 8 pixels of one row: 11 rows × ((8 − 1)·4 + 11 = 39) columns
    expect(ifmapTileElements(alex, 8, 363)).toBe(11 * 39 * 3);
    // all 55 rows: (54·4 + 11 = 227) rows, the whole image
    expect(ifmapTileElements(alex, 3025, 363)).toBe(227 * 227 * 3);
    // a third of the reduction: a third of the channels
    expect(ifmapTileElements(alex, 55, 121)).toBe(11 * 227 * 1);
  });

  test("a 1×1 stride-2 projection fetches only the pixels it reads", () => {
    const proj = lowerToGemm({ kind: "conv", name: "p", inH: 32, inW: 32, inC: 16, outC: 32, kH: 1, kW: 1, stride: 2, pad: 0 });
    // one output row of 16 pixels × 16 channels = 256, not 31 input columns × 16
    expect(ifmapTileElements(proj, 16, 16)).toBe(256);
  });

  test("a matrix needs m·k", () => {
    expect(ifmapTileElements(matrix(10, 7, 3), 4, 5)).toBe(20);
  });
});

describe("tile groups", () => {
  test("first / middle / last, the last one the remainder", () => {
    expect(tileGroups(10, 4)).toEqual([
      { first: true, last: false, size: 4, count: 1 },
      { first: false, last: false, size: 4, count: 1 },
      { first: false, last: true, size: 2, count: 1 },
    ]);
    expect(tileGroups(8, 8)).toEqual([{ first: true, last: true, size: 8, count: 1 }]);
    expect(tileGroups(8, 2)).toEqual([
      { first: true, last: false, size: 2, count: 1 },
      { first: false, last: false, size: 2, count: 2 },
      { first: false, last: true, size: 2, count: 1 },
    ]);
  });
});

describe("cost of a tiling, by hand", () => {
  test("k-outer order spills partial sums: M=4, K=4, N=2, 2×2×2 tiles, order k,m,n, ws 2×2, 4 B/cycle", () => {
    // Steps (k, m): (0,0) (0,1) (1,0) (1,1); n has one tile. The output tile (m, n)
    // changes every step, so each step reads back (k = 1) and writes (k = 0:
    // partial, 32-bit; k = 1: final, 8-bit) its 2×2 outputs.
    //   (0,0): A 4 + B 4 + partial write 16 = 24 B → 6 cycles
    //   (0,1): A 4 (B unchanged)  + partial write 16 = 20 B → 5
    //   (1,0): A 4 + B 4 + partial read 16 + final write 4 = 28 B → 7
    //   (1,1): A 4 + partial read 16 + final write 4 = 24 B → 6
    // compute per step: one fold of 2·2 + 2 + 2 − 2 = 6 cycles → 24 in all
    // per-step max(6, transfer): 6 + 6 + 7 + 6 = 25; prologue (4 + 4)/4 = 2;
    // epilogue 4/4 = 1 → 28.
    const cost = evaluateTiling(matrix(4, 4, 2), BITS, arch(), { tileM: 2, tileK: 2, tileN: 2, order: ["k", "m", "n"] });
    expect(cost.dram).toEqual({ ifmapRead: 16, weightRead: 8, psumRead: 32, ofmapWrite: 8, psumWrite: 32 });
    expect(cost.steps).toBe(4);
    expect(cost.computeCycles).toBe(24);
    expect(cost.prologueCycles).toBe(2);
    expect(cost.epilogueCycles).toBe(1);
    expect(cost.totalCycles).toBe(28);
  });

  test("the same tiles with k innermost keep the outputs on chip", () => {
    // Steps (m, k): A changes every step (4 B each), B every step (4 B each),
    // outputs written once per m tile, final: 2 × 4 B. No partial traffic.
    const cost = evaluateTiling(matrix(4, 4, 2), BITS, arch(), { tileM: 2, tileK: 2, tileN: 2, order: ["m", "n", "k"] });
    expect(cost.dram).toEqual({ ifmapRead: 16, weightRead: 16, psumRead: 0, ofmapWrite: 8, psumWrite: 0 });
  });
});

interface WalkResult {
  steps: number;
  computeCycles: number;
  totalCycles: number;
  dram: { ifmapRead: number; weightRead: number; psumRead: number; ofmapWrite: number; psumWrite: number };
}

/**
 * The loop nest walked tile by tile: an operand is fetched when the key of its
 * tile differs from the previous step's; the output tile is written back when
 * the next step's output key differs (or at the end), finished when its k tile
 * is the last.
 */
function walk(gemm: Gemm, bits: ElementBits, a: ArrayArch, tiling: Tiling): WalkResult {
  const extent = { m: gemm.M, k: gemm.K, n: gemm.N };
  const tile = { m: tiling.tileM, k: tiling.tileK, n: tiling.tileN };
  const trips = { m: Math.ceil(gemm.M / tile.m), k: Math.ceil(gemm.K / tile.k), n: Math.ceil(gemm.N / tile.n) };
  const size = (d: "m" | "k" | "n", i: number) => (i < trips[d] - 1 ? tile[d] : extent[d] - (trips[d] - 1) * tile[d]);
  const [o0, o1, o2] = tiling.order;
  const steps: { b: number; m: number; k: number; n: number }[] = [];
  for (let b = 0; b < gemm.batch; b++)
    for (let i0 = 0; i0 < trips[o0]; i0++)
      for (let i1 = 0; i1 < trips[o1]; i1++)
        for (let i2 = 0; i2 < trips[o2]; i2++) {
          const idx = { m: 0, k: 0, n: 0 };
          idx[o0] = i0;
          idx[o1] = i1;
          idx[o2] = i2;
          steps.push({ b, ...idx });
        }
  const bytes = (elements: number, w: number) => Math.ceil((elements * w) / 8);
  const bw = a.dramBytesPerCycle;
  const dram = { ifmapRead: 0, weightRead: 0, psumRead: 0, ofmapWrite: 0, psumWrite: 0 };
  let compute = 0,
    total = 0,
    prologue = 0,
    epilogue = 0;
  let prevA = "",
    prevB = "",
    prevC = "";
  steps.forEach((s, i) => {
    const m = size("m", s.m),
      k = size("k", s.k),
      n = size("n", s.n);
    const keyA = `${s.b}/${s.m}/${s.k}`,
      keyB = `${s.b}/${s.k}/${s.n}`,
      keyC = `${s.b}/${s.m}/${s.n}`;
    const fetchA = keyA !== prevA ? bytes(ifmapTileElements(gemm, m, k), bits.activation) : 0;
    const fetchB = keyB !== prevB ? bytes(k * n, bits.weight) : 0;
    const readPsum = keyC !== prevC && s.k > 0 ? bytes(m * n, bits.accumulator) : 0;
    const next = steps[i + 1];
    const leaves = next === undefined || `${next.b}/${next.m}/${next.n}` !== keyC;
    const finished = s.k === trips.k - 1;
    const writeOut = leaves && finished ? bytes(m * n, bits.output) : 0;
    const writePsum = leaves && !finished ? bytes(m * n, bits.accumulator) : 0;
    prevA = keyA;
    prevB = keyB;
    prevC = keyC;
    dram.ifmapRead += fetchA;
    dram.weightRead += fetchB;
    dram.psumRead += readPsum;
    dram.ofmapWrite += writeOut;
    dram.psumWrite += writePsum;
    const c = tileComputeCycles(a, m, k, n);
    compute += c;
    total += Math.max(c, Math.ceil((fetchA + fetchB + readPsum + writeOut + writePsum) / bw));
    if (i === 0) prologue = Math.ceil((fetchA + fetchB) / bw);
    if (next === undefined) epilogue = Math.ceil(writeOut / bw);
  });
  return { steps: steps.length, computeCycles: compute, totalCycles: total + prologue + epilogue, dram };
}

const gemmArb: fc.Arbitrary<Gemm> = fc.oneof(
  fc
    .record({
      M: fc.integer({ min: 1, max: 32 }),
      K: fc.integer({ min: 1, max: 32 }),
      N: fc.integer({ min: 1, max: 32 }),
      batch: fc.integer({ min: 1, max: 3 }),
    })
    .map((g) => matrix(g.M, g.K, g.N, g.batch)),
  fc
    .record({
      size: fc.integer({ min: 3, max: 14 }),
      inC: fc.integer({ min: 1, max: 6 }),
      outC: fc.integer({ min: 1, max: 12 }),
      kernel: fc.integer({ min: 1, max: 3 }),
      stride: fc.integer({ min: 1, max: 3 }),
      pad: fc.integer({ min: 0, max: 1 }),
    })
    .map((c) =>
      lowerToGemm({ kind: "conv", name: "c", inH: c.size, inW: c.size, inC: c.inC, outC: c.outC, kH: c.kernel, kW: c.kernel, stride: c.stride, pad: c.pad }),
    ),
);

const archArb: fc.Arbitrary<ArrayArch> = fc
  .record({
    rows: fc.integer({ min: 1, max: 8 }),
    cols: fc.integer({ min: 1, max: 8 }),
    dataflow: fc.constantFrom("ws" as const, "os" as const),
    bw: fc.constantFrom(0.5, 1, 3, 16, 1000),
  })
  .map((r) => arch({ rows: r.rows, cols: r.cols, dataflow: r.dataflow, dramBytesPerCycle: r.bw }));

const bitsArb: fc.Arbitrary<ElementBits> = fc.constantFrom(
  BITS,
  { activation: 1, weight: 1, accumulator: 16, output: 1 },
  { activation: 16, weight: 4, accumulator: 32, output: 16 },
);

describe("closed form against the tile-by-tile walk", () => {
  test("same steps, compute, DRAM traffic by purpose and total cycles on random GEMMs, tilings and orders", () => {
    fc.assert(
      fc.property(
        gemmArb,
        archArb,
        bitsArb,
        fc.constantFrom(...LOOP_ORDERS),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (gemm, a, bits, order: LoopOrder, fm, fk, fn) => {
          const tiling: Tiling = {
            tileM: 1 + Math.floor(fm * (gemm.M - 1)),
            tileK: 1 + Math.floor(fk * (gemm.K - 1)),
            tileN: 1 + Math.floor(fn * (gemm.N - 1)),
            order,
          };
          const cost = evaluateTiling(gemm, bits, a, tiling);
          const walked = walk(gemm, bits, a, tiling);
          expect(cost.steps).toBe(walked.steps);
          expect(cost.computeCycles).toBe(walked.computeCycles);
          expect(cost.dram).toEqual(walked.dram);
          expect(cost.totalCycles).toBe(walked.totalCycles);
          expect(tilingLowerBound(gemm, bits, a, tiling.tileM, tiling.tileK, tiling.tileN)).toBeLessThanOrEqual(cost.totalCycles);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("tiling search", () => {
  test("branch and bound finds the exhaustive minimum of (cycles, DRAM bytes)", () => {
    fc.assert(
      fc.property(gemmArb, archArb, fc.constantFrom(64, 256, 4096), (gemm, base, buffer) => {
        const a = { ...base, ifmapBufferBytes: buffer, weightBufferBytes: buffer, ofmapBufferBytes: buffer };
        const found = searchTiling(gemm, BITS, a);
        const c = tileCandidates(gemm, a, true);
        let bestCycles = Infinity;
        let bestBytes = Infinity;
        for (const tileM of c.m)
          for (const tileK of c.k)
            for (const tileN of c.n) {
              const fp = {
                ifmap: Math.ceil(ifmapTileElements(gemm, tileM, tileK)),
                weight: tileK * tileN,
                ofmap: tileM * tileN * (Math.ceil(gemm.K / tileK) > 1 || (a.dataflow === "ws" && tileK > a.rows) ? 4 : 1),
              };
              if (2 * fp.ifmap > buffer || 2 * fp.weight > buffer || 2 * fp.ofmap > buffer) continue;
              for (const order of LOOP_ORDERS) {
                const cost = evaluateTiling(gemm, BITS, a, { tileM, tileK, tileN, order });
                const bytes = cost.dramReadBytes + cost.dramWriteBytes;
                if (cost.totalCycles < bestCycles || (cost.totalCycles === bestCycles && bytes < bestBytes)) {
                  bestCycles = cost.totalCycles;
                  bestBytes = bytes;
                }
              }
            }
        if (bestCycles < Infinity) {
          expect(found.cost.totalCycles).toBe(bestCycles);
          expect(found.cost.dramReadBytes + found.cost.dramWriteBytes).toBe(bestBytes);
        } else expect(found.cost.totalCycles).toBeGreaterThan(0); // fell back to sub-array tiles
      }),
      { numRuns: 150 },
    );
  });

  test("conv M candidates are whole output rows or pieces of one row", () => {
    const alex = lowerToGemm(alexnetConv1().layers[0]);
    const c = tileCandidates(alex, arch({ rows: 32, cols: 32 }), true);
    expect(c.m).toEqual([1, 2, 4, 8, 16, 32, 55, 110, 220, 440, 880, 1760, 3025]);
    expect(c.k).toEqual([32, 64, 128, 256, 363]);
    expect(c.n).toEqual([32, 64, 96]);
  });

  test("a buffer too small for any tile is named", () => {
    try {
      searchTiling(matrix(8, 8, 8), BITS, arch({ weightBufferBytes: 1 }), "fc");
      throw new Error("expected a QuantrtlError");
    } catch (e) {
      expect(e).toBeInstanceOf(QuantrtlError);
      expect((e as QuantrtlError).path).toBe("weightBufferBytes");
      expect((e as QuantrtlError).problem).toContain('"fc"');
    }
  });
});

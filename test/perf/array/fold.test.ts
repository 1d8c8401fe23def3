/**
 * One fold on the array (src/perf/array/fold.ts): 2R + C + T − 2 cycles (ws)
 * and R + C + T − 2 (os, drain hidden), checked by hand on a 2×2 array and against a register-level
 * simulation of the skewed systolic array written here (which also checks
 * that the dataflow computes A·B).
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { foldCycles, tileArrayAccesses, tileComputeCycles, tileFolds } from "../../../src/perf/array/fold.js";
import type { ArrayArch } from "../../../src/perf/array/arch.js";

type Matrix = number[][];

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  let s = seed;
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => ((s = (s * 1103515245 + 12345) % 2147483648), (s % 7) - 3)));
}

function matmul(a: Matrix, b: Matrix): Matrix {
  return a.map((row) => b[0].map((_, n) => row.reduce((acc, v, k) => acc + v * b[k][n], 0)));
}

/**
 * Weight-stationary R×C array, register by register: PE (r, c) holds B[r][c];
 * activations move right, partial sums move down; A row m enters PE row r at
 * cycle m + r (skew). Returns the streaming cycles until the last partial sum
 * has left the bottom row, and the outputs collected there.
 */
function simulateWs(a: Matrix, b: Matrix, R: number, C: number): { cycles: number; out: Matrix } {
  const M = a.length;
  type Reg = { m: number; v: number } | null;
  let act: Reg[][] = Array.from({ length: R }, () => new Array<Reg>(C).fill(null));
  let psum: Reg[][] = Array.from({ length: R }, () => new Array<Reg>(C).fill(null));
  const out: Matrix = Array.from({ length: M }, () => new Array<number>(C).fill(NaN));
  let done = 0;
  let cycle = 0;
  while (done < M * C) {
    const nextAct: Reg[][] = act.map((row) => row.slice());
    const nextPsum: Reg[][] = psum.map((row) => row.slice());
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) {
        const m = cycle - r;
        const incoming: Reg = c === 0 ? (m >= 0 && m < M ? { m, v: a[m][r] ?? 0 } : null) : act[r][c - 1];
        nextAct[r][c] = incoming;
        if (incoming === null) {
          nextPsum[r][c] = null;
          continue;
        }
        const above = r === 0 ? 0 : psum[r - 1][c]!.v;
        nextPsum[r][c] = { m: incoming.m, v: above + incoming.v * (b[r]?.[c] ?? 0) };
      }
    }
    act = nextAct;
    psum = nextPsum;
    cycle++;
    for (let c = 0; c < C; c++) {
      const leaving = psum[R - 1][c];
      if (leaving !== null) {
        out[leaving.m][c] = leaving.v;
        done++;
      }
    }
  }
  return { cycles: cycle, out };
}

/**
 * Output-stationary R×C array: PE (r, c) accumulates C[r][c]; A[r][k] enters
 * row r at cycle k + r, B[k][c] enters column c at cycle k + c, both moving
 * one PE per cycle. Returns the cycles until the last MAC and the accumulators.
 */
function simulateOs(a: Matrix, b: Matrix, R: number, C: number): { cycles: number; out: Matrix } {
  const K = b.length;
  type Reg = { k: number; v: number } | null;
  let left: Reg[][] = Array.from({ length: R }, () => new Array<Reg>(C).fill(null));
  let top: Reg[][] = Array.from({ length: R }, () => new Array<Reg>(C).fill(null));
  const acc: Matrix = Array.from({ length: R }, () => new Array<number>(C).fill(0));
  const macs = Array.from({ length: R }, () => new Array<number>(C).fill(0));
  let cycle = 0;
  while (macs.some((row) => row.some((n) => n < K))) {
    const nextLeft = left.map((row) => row.slice());
    const nextTop = top.map((row) => row.slice());
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) {
        const ka = cycle - r;
        const kb = cycle - c;
        const x: Reg = c === 0 ? (ka >= 0 && ka < K ? { k: ka, v: a[r]?.[ka] ?? 0 } : null) : left[r][c - 1];
        const w: Reg = r === 0 ? (kb >= 0 && kb < K ? { k: kb, v: b[kb][c] ?? 0 } : null) : top[r - 1][c];
        nextLeft[r][c] = x;
        nextTop[r][c] = w;
        if (x !== null && w !== null) {
          expect(x.k).toBe(w.k); // the skew makes matching operands meet
          acc[r][c] += x.v * w.v;
          macs[r][c]++;
        }
      }
    }
    left = nextLeft;
    top = nextTop;
    cycle++;
  }
  return { cycles: cycle, out: acc };
}

const arch = (rows: number, cols: number, dataflow: "ws" | "os"): ArrayArch => ({
  rows,
  cols,
  dataflow,
  datapath: "mac",
  ifmapBufferBytes: 1 << 20,
  weightBufferBytes: 1 << 20,
  ofmapBufferBytes: 1 << 20,
  dramBytesPerCycle: 16,
  clockMHz: 100,
});

describe("fold cycles: ws 2R + C + T − 2, os R + C + T − 2", () => {
  test("hand case: ws fold, 2×2 array, 4 streamed rows = 8 cycles", () => {
    // 2 cycles to shift the 2 weight rows in; A row 3 enters PE row 1 at
    // cycle 3 + 1 = 4, reaches column 1 at cycle 5 and leaves the bottom at the
    // end of cycle 5: streaming takes 6 = 4 + 2 + 2 − 2 cycles; 2 + 6 = 8.
    expect(foldCycles("ws", 2, 2, 4)).toBe(8);
    expect(simulateWs(randomMatrix(4, 2, 1), randomMatrix(2, 2, 2), 2, 2).cycles + 2).toBe(8);
  });

  test("hand case: os fold, 2×2 array, K = 3 = 5 cycles", () => {
    // PE (1,1) does its last MAC (k = 2) at cycle 2 + 1 + 1 = 4: 5 = 3 + 2 + 2 − 2
    // cycles; row 0 finished at cycle 3 and its outputs moved down meanwhile, so
    // the drain adds nothing (SCALE-Sim v2's os fold).
    expect(foldCycles("os", 2, 2, 3)).toBe(5);
    expect(simulateOs(randomMatrix(2, 3, 3), randomMatrix(3, 2, 4), 2, 2).cycles).toBe(5);
  });

  test("the register-level arrays compute A·B and take the formula's cycles", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (R, C, T, seed) => {
        // ws: B is R×C (K = R), A is T×R.
        const aw = randomMatrix(T, R, seed),
          bw = randomMatrix(R, C, seed + 1);
        const ws = simulateWs(aw, bw, R, C);
        expect(ws.out).toEqual(matmul(aw, bw));
        expect(R + ws.cycles).toBe(foldCycles("ws", R, C, T)); // weight load + stream
        // os: A is R×T, B is T×C (K = T).
        const ao = randomMatrix(R, T, seed + 2),
          bo = randomMatrix(T, C, seed + 3);
        const os = simulateOs(ao, bo, R, C);
        expect(os.out).toEqual(matmul(ao, bo));
        expect(os.cycles).toBe(foldCycles("os", R, C, T)); // compute; the drain overlaps it
      }),
      { numRuns: 60 },
    );
  });
});

describe("buffer tiles on the array", () => {
  test("M=4, K=3, N=2 on 2×2: 2 folds either way; ws 2·8 = 16, os 2·5 = 10 cycles", () => {
    // ws: ceil(3/2) row folds × ceil(2/2) column folds, each streaming 4 rows.
    expect(tileFolds(arch(2, 2, "ws"), 4, 3, 2)).toBe(2);
    expect(tileComputeCycles(arch(2, 2, "ws"), 4, 3, 2)).toBe(16);
    // os: ceil(4/2) row folds × ceil(2/2) column folds, each reducing K = 3.
    expect(tileFolds(arch(2, 2, "os"), 4, 3, 2)).toBe(2);
    expect(tileComputeCycles(arch(2, 2, "os"), 4, 3, 2)).toBe(10);
  });

  test("SRAM accesses of the same tile, in bits (8-bit operands, 32-bit partials)", () => {
    const bits = { activation: 8, weight: 8, accumulator: 32, output: 8 };
    // ws: weights 3·2 once; A 4×3 streamed once (one column fold); two row folds
    // each write 4·2 partials; the second reads the first's back.
    expect(tileArrayAccesses(arch(2, 2, "ws"), bits, 4, 3, 2, false)).toEqual({
      reads: 6 * 8 + 12 * 8 + 8 * 32,
      writes: 2 * 8 * 32,
    });
    // os: A once per column fold (1), B once per row fold (2), outputs written once;
    // onto a partial: the outputs are read once more.
    expect(tileArrayAccesses(arch(2, 2, "os"), bits, 4, 3, 2, true)).toEqual({
      reads: 12 * 8 + 2 * 6 * 8 + 8 * 32,
      writes: 8 * 32,
    });
  });
});

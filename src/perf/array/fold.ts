/**
 * The systolic array itself: how long one buffer tile takes on it and how many
 * SRAM accesses it makes. A buffer tile (m × k × n of the GEMM) is cut into
 * folds, each fold being one array-sized mapping:
 *   ws: a (≤R)×(≤C) block of weights is loaded into the PEs, then all m ifmap
 *       rows stream through it (temporal extent T = m);
 *   os: an (≤R)×(≤C) block of outputs accumulates in the PEs while k pairs of
 *       A columns and B rows stream in (temporal extent T = k).
 */
import type { ArrayArch, Dataflow } from "./arch.js";
import type { ElementBits } from "./workload.js";

/**
 * Cycles of one fold, SCALE-Sim v2's model (Samajdar et al., ISPASS 2020, §III;
 * scale-sim-v2 `compute/systolic_compute_{ws,os}`), chosen so our figures compare
 * with it. With skewed operands on an R×C array:
 *   ws: 2R + C + T − 2. R cycles to shift the weights in (one PE row per cycle);
 *       input row t enters PE row r at cycle t + r and reaches column c at
 *       t + r + c, so the last partial sum leaves the bottom of column C−1 after
 *       (T−1)+(R−1)+(C−1)+1 = T + R + C − 2 cycles; total R + (T + R + C − 2).
 *   os: R + C + T − 2. PE (r, c) performs its t-th MAC at cycle t + r + c, the
 *       last at (T−1)+(R−1)+(C−1). Each finished output shifts down a column of
 *       output registers beside the accumulators while the rows below still
 *       compute (row r finishes R−1−r cycles before the bottom row, the time its
 *       result needs to reach the bottom), so the drain hides under the skew and
 *       the fold ends when the bottom-right PE finishes: T + R + C − 2 cycles.
 * The weight load (ws) does not overlap the stream (one weight register per PE,
 * as in SCALE-Sim); the physical R and C are paid even when a fold uses fewer
 * PEs, because the skew still crosses the whole array.
 */
export function foldCycles(dataflow: Dataflow, rows: number, cols: number, temporal: number): number {
  return (dataflow === "ws" ? 2 * rows : rows) + cols + temporal - 2;
}

/** Folds of an m × k × n buffer tile: ws maps k on rows and n on columns, os maps m on rows and n on columns. */
export function tileFolds(arch: ArrayArch, m: number, k: number, n: number): number {
  const colFolds = Math.ceil(n / arch.cols);
  return arch.dataflow === "ws" ? Math.ceil(k / arch.rows) * colFolds : Math.ceil(m / arch.rows) * colFolds;
}

/** Compute cycles of an m × k × n buffer tile: folds × fold cycles, T = m (ws) or k (os). */
export function tileComputeCycles(arch: ArrayArch, m: number, k: number, n: number): number {
  const temporal = arch.dataflow === "ws" ? m : k;
  return tileFolds(arch, m, k, n) * foldCycles(arch.dataflow, arch.rows, arch.cols, temporal);
}

/** SRAM bits moved between the buffers and the array for one buffer tile. */
export interface ArrayAccessBits {
  readonly reads: number;
  readonly writes: number;
}

/**
 * Array-side SRAM traffic of one m × k × n tile, in bits. `ontoPartial` is true
 * when the tile's outputs already hold partial sums from an earlier k tile, so
 * the first fold must read them back to accumulate onto.
 *   ws: every weight is read once (kf·nf folds cover k×n); the m×k ifmap block is
 *       re-streamed once per column fold (nf times, im2col-expanded for a conv);
 *       each of the kf row folds writes m×n partial sums, and every fold but the
 *       first (or every fold, onto a partial) reads them back.
 *   os: the m×k block is streamed once per column fold (nf), the k×n block once
 *       per row fold (mf); each output is written once when drained, read once
 *       when accumulating onto a partial.
 */
export function tileArrayAccesses(arch: ArrayArch, bits: ElementBits, m: number, k: number, n: number, ontoPartial: boolean): ArrayAccessBits {
  const colFolds = Math.ceil(n / arch.cols);
  const outputs = m * n;
  const partialReads = ontoPartial ? 1 : 0;
  if (arch.dataflow === "ws") {
    const rowFolds = Math.ceil(k / arch.rows);
    return {
      reads: k * n * bits.weight + m * k * colFolds * bits.activation + outputs * (rowFolds - 1 + partialReads) * bits.accumulator,
      writes: outputs * rowFolds * bits.accumulator,
    };
  }
  const rowFolds = Math.ceil(m / arch.rows);
  return {
    reads: m * k * colFolds * bits.activation + k * n * rowFolds * bits.weight + outputs * partialReads * bits.accumulator,
    writes: outputs * bits.accumulator,
  };
}

/**
 * Mapping search: a small exhaustive search over buffer tile sizes (powers of
 * two, multiples of the array side, and the full extent) and the six loop
 * orders, keeping tilings whose double-buffered tiles fit the three buffers,
 * minimising total cycles, then DRAM bytes (Timeloop's mapper in miniature).
 */
import { QuantrtlError } from "../../util/errors.js";
import type { ArrayArch } from "./arch.js";
import { fitsBuffers, tileFootprint } from "./footprint.js";
import { evaluateTiling, LOOP_ORDERS, tilingLowerBound, type Tiling, type TilingCost } from "./tiling.js";
import type { ElementBits, Gemm } from "./workload.js";

export interface TileCandidates {
  readonly m: readonly number[];
  readonly k: readonly number[];
  readonly n: readonly number[];
}

/** Sorted distinct values of {2^i} ∪ {unit·2^i} below `extent`, plus `extent`, none below `floor`. */
function axisCandidates(extent: number, unit: number, floor: number): number[] {
  const values = new Set<number>([extent]);
  for (let p = 1; p < extent; p *= 2) {
    if (p >= floor) values.add(p);
    if (unit * p < extent && unit * p >= floor) values.add(unit * p);
  }
  return [...values].sort((x, y) => x - y);
}

/**
 * Candidate tile sizes per axis. For a conv's M axis the sizes are whole output
 * rows (r·outW, r a power of two) or powers of two within one row, so a tile's
 * input footprint is a band of image rows. With `prune`, axes mapped onto the
 * array start at the array side: a smaller tile leaves PEs idle yet still pays
 * the full fill and drain.
 */
export function tileCandidates(gemm: Gemm, arch: ArrayArch, prune: boolean): TileCandidates {
  const ws = arch.dataflow === "ws";
  const floorOf = (extent: number, side: number, mapped: boolean) => (prune && mapped ? Math.min(side, extent) : 1);
  const mFloor = floorOf(gemm.M, arch.rows, !ws);
  let m: number[];
  if (gemm.ifmap.kind === "image") {
    const outW = gemm.ifmap.outW;
    const rows = axisCandidates(gemm.ifmap.outH, 1, 1).map((r) => r * outW);
    const partial = axisCandidates(outW, 1, 1).filter((p) => p < outW);
    m = [...partial, ...rows].filter((size) => size >= mFloor);
  } else {
    m = axisCandidates(gemm.M, arch.rows, mFloor);
  }
  return {
    m,
    k: axisCandidates(gemm.K, ws ? arch.rows : 1, floorOf(gemm.K, arch.rows, ws)),
    n: axisCandidates(gemm.N, arch.cols, floorOf(gemm.N, arch.cols, true)),
  };
}

export interface Mapping {
  readonly tiling: Tiling;
  readonly cost: TilingCost;
}

function better(cost: TilingCost, best: TilingCost | undefined): boolean {
  if (best === undefined) return true;
  if (cost.totalCycles !== best.totalCycles) return cost.totalCycles < best.totalCycles;
  const bytes = cost.dramReadBytes + cost.dramWriteBytes;
  const bestBytes = best.dramReadBytes + best.dramWriteBytes;
  if (bytes !== bestBytes) return bytes < bestBytes;
  return cost.steps < best.steps; // fewer, larger tiles: less control overhead
}

interface Candidate {
  readonly tileM: number;
  readonly tileK: number;
  readonly tileN: number;
  readonly lowerBound: number;
}

/**
 * Branch and bound: compute cycles, prologue and epilogue do not depend on the
 * loop order and are a lower bound on total cycles, so tilings are visited in
 * order of that bound and the search stops once the bound exceeds the best
 * total found.
 */
function searchOver(gemm: Gemm, bits: ElementBits, arch: ArrayArch, candidates: TileCandidates): Mapping | undefined {
  const fitting: Candidate[] = [];
  for (const tileM of candidates.m) {
    for (const tileK of candidates.k) {
      const tripsK = Math.ceil(gemm.K / tileK);
      for (const tileN of candidates.n) {
        if (!fitsBuffers(tileFootprint(gemm, bits, arch, tileM, tileK, tileN, tripsK), arch)) continue;
        fitting.push({ tileM, tileK, tileN, lowerBound: tilingLowerBound(gemm, bits, arch, tileM, tileK, tileN) });
      }
    }
  }
  fitting.sort((x, y) => x.lowerBound - y.lowerBound);
  let best: Mapping | undefined;
  for (const { tileM, tileK, tileN, lowerBound } of fitting) {
    if (best !== undefined && lowerBound > best.cost.totalCycles) break;
    const trips = { m: Math.ceil(gemm.M / tileM), k: Math.ceil(gemm.K / tileK), n: Math.ceil(gemm.N / tileN) };
    // Orders that differ only in one-trip loops are the same schedule: evaluate one of each.
    const seen = new Set<string>();
    for (const order of LOOP_ORDERS) {
      const key = order.filter((dim) => trips[dim] > 1).join("");
      if (seen.has(key)) continue;
      seen.add(key);
      const tiling: Tiling = { tileM, tileK, tileN, order };
      const cost = evaluateTiling(gemm, bits, arch, tiling);
      if (better(cost, best?.cost)) best = { tiling, cost };
    }
  }
  return best;
}

/**
 * Best mapping of `gemm` on `arch`. Searches the pruned candidates first and
 * only widens to tiles smaller than the array when nothing else fits.
 */
export function searchTiling(gemm: Gemm, bits: ElementBits, arch: ArrayArch, layerName = ""): Mapping {
  const found = searchOver(gemm, bits, arch, tileCandidates(gemm, arch, true)) ?? searchOver(gemm, bits, arch, tileCandidates(gemm, arch, false));
  if (found) return found;
  // Not even a 1×1×1 tile fits: name the buffer that cannot hold it.
  const smallest = tileFootprint(gemm, bits, arch, 1, 1, 1, gemm.K > 1 ? 2 : 1);
  const [parameter, need] =
    2 * smallest.ifmapBytes > arch.ifmapBufferBytes
      ? ["ifmapBufferBytes", 2 * smallest.ifmapBytes]
      : 2 * smallest.weightBytes > arch.weightBufferBytes
        ? ["weightBufferBytes", 2 * smallest.weightBytes]
        : ["ofmapBufferBytes", 2 * smallest.ofmapBytes];
  throw new QuantrtlError(
    undefined,
    parameter,
    `no tiling of layer "${layerName}" fits the buffers`,
    `${parameter} must be at least ${need} bytes (two tiles, double-buffered)`,
  );
}

/**
 * Cost of one mapping (buffer tile sizes + loop order) of a GEMM onto the array:
 * DRAM traffic, SRAM traffic and cycles, in closed form — no loop over tiles.
 *
 * Loop nest: batch (outermost), then three tile loops in `order` (outer → inner)
 * over m, k and n. Operand A is indexed by (m, k), B by (k, n), C by (m, n);
 * an operand is fetched when its tile index changes and stays resident while
 * only loops it does not depend on advance. C is written back when its index
 * is about to change: finished (k tile last) at output width, otherwise as a
 * partial sum at accumulator width, to be read back at its next visit.
 *
 * Memory model (double buffering): while a tile computes, its operands were
 * prefetched and its predecessor's outputs drain, so a tile costs
 * max(compute, transfer) with transfer = its DRAM bytes / bandwidth; the first
 * tile's fetch (prologue) and the last tile's write-back (epilogue) have
 * nothing to hide behind and are added.
 *
 * Closed form: along each loop the tiles fall into at most three groups —
 * first, middle, last (the last one possibly smaller) — and which operands move
 * at a step depends only on which loops are at their first / last tile. So the
 * ≤ 27 group combinations, each with its step count, cover every step exactly.
 */
import type { ArrayArch } from "./arch.js";
import { foldCycles, tileArrayAccesses, tileComputeCycles, tileFolds } from "./fold.js";
import { bytesOf, ifmapTileElements } from "./footprint.js";
import type { ElementBits, Gemm } from "./workload.js";

export type LoopDim = "m" | "k" | "n";
export type LoopOrder = readonly [LoopDim, LoopDim, LoopDim];
export const LOOP_ORDERS: readonly LoopOrder[] = [
  ["m", "n", "k"],
  ["n", "m", "k"],
  ["m", "k", "n"],
  ["k", "m", "n"],
  ["n", "k", "m"],
  ["k", "n", "m"],
];

export interface Tiling {
  readonly tileM: number;
  readonly tileK: number;
  readonly tileN: number;
  /** Tile loops, outermost first. */
  readonly order: LoopOrder;
}

/** DRAM bytes by purpose. */
export interface DramTraffic {
  readonly ifmapRead: number;
  readonly weightRead: number;
  readonly psumRead: number;
  readonly ofmapWrite: number;
  readonly psumWrite: number;
}

export interface TilingCost {
  /** Tile trips per loop (per batch element). */
  readonly trips: { readonly m: number; readonly k: number; readonly n: number };
  /** Buffer tiles processed, all batch elements. */
  readonly steps: number;
  readonly folds: number;
  readonly computeCycles: number;
  readonly prologueCycles: number;
  readonly epilogueCycles: number;
  readonly totalCycles: number;
  readonly dram: DramTraffic;
  readonly dramReadBytes: number;
  readonly dramWriteBytes: number;
  readonly bufferReadBytes: number;
  readonly bufferWriteBytes: number;
}

interface TileGroup {
  readonly first: boolean;
  readonly last: boolean;
  readonly size: number;
  readonly count: number;
}

/** The tiles of one loop, grouped by (is first, is last, size). */
export function tileGroups(extent: number, tile: number): readonly TileGroup[] {
  const trips = Math.ceil(extent / tile);
  if (trips === 1) return [{ first: true, last: true, size: extent, count: 1 }];
  const lastSize = extent - (trips - 1) * tile;
  const groups: TileGroup[] = [{ first: true, last: false, size: tile, count: 1 }];
  if (trips > 2) groups.push({ first: false, last: false, size: tile, count: trips - 2 });
  groups.push({ first: false, last: true, size: lastSize, count: 1 });
  return groups;
}

export function evaluateTiling(gemm: Gemm, bits: ElementBits, arch: ArrayArch, tiling: Tiling): TilingCost {
  const trips = {
    m: Math.ceil(gemm.M / tiling.tileM),
    k: Math.ceil(gemm.K / tiling.tileK),
    n: Math.ceil(gemm.N / tiling.tileN),
  };
  // Loop levels among the loops that actually advance (a one-trip loop never changes an index).
  const level = { m: -1, k: -1, n: -1 };
  let depth = 0;
  for (const dim of tiling.order) if (trips[dim] > 1) level[dim] = depth++;
  const aDepth = Math.max(level.m, level.k);
  const bDepth = Math.max(level.k, level.n);
  const cDepth = Math.max(level.m, level.n);

  const groupsM = tileGroups(gemm.M, tiling.tileM);
  const groupsK = tileGroups(gemm.K, tiling.tileK);
  const groupsN = tileGroups(gemm.N, tiling.tileN);
  const bw = arch.dramBytesPerCycle;

  let steps = 0,
    folds = 0,
    compute = 0,
    total = 0,
    bufferReadBits = 0,
    bufferWriteBits = 0;
  let ifmapRead = 0,
    weightRead = 0,
    psumRead = 0,
    ofmapWrite = 0,
    psumWrite = 0;
  for (const gm of groupsM) {
    for (const gk of groupsK) {
      for (const gn of groupsN) {
        const count = gm.count * gk.count * gn.count;
        const m = gm.size,
          k = gk.size,
          n = gn.size;
        // The loop that advanced into this step is the deepest one not at its first tile
        // (−1: the first step of a batch element, where everything is fetched); the loop
        // that advances out of it is the deepest one not at its last tile.
        const start = Math.max(gm.first ? -1 : level.m, gk.first ? -1 : level.k, gn.first ? -1 : level.n);
        const end = Math.max(gm.last ? -1 : level.m, gk.last ? -1 : level.k, gn.last ? -1 : level.n);
        const a = start < 0 || aDepth >= start ? bytesOf(ifmapTileElements(gemm, m, k), bits.activation) : 0;
        const b = start < 0 || bDepth >= start ? bytesOf(k * n, bits.weight) : 0;
        const cIn = (start < 0 || cDepth >= start) && !gk.first ? bytesOf(m * n, bits.accumulator) : 0;
        const cOutStored = end < 0 || cDepth >= end;
        const cFinal = cOutStored && gk.last ? bytesOf(m * n, bits.output) : 0;
        const cPartial = cOutStored && !gk.last ? bytesOf(m * n, bits.accumulator) : 0;
        const transferCycles = Math.ceil((a + b + cIn + cFinal + cPartial) / bw);
        const computeCycles = tileComputeCycles(arch, m, k, n);
        const array = tileArrayAccesses(arch, bits, m, k, n, !gk.first);

        steps += count;
        folds += count * tileFolds(arch, m, k, n);
        compute += count * computeCycles;
        total += count * Math.max(computeCycles, transferCycles);
        ifmapRead += count * a;
        weightRead += count * b;
        psumRead += count * cIn;
        ofmapWrite += count * cFinal;
        psumWrite += count * cPartial;
        // DRAM fills are SRAM writes, DRAM drains are SRAM reads.
        bufferReadBits += count * (array.reads + 8 * (cFinal + cPartial));
        bufferWriteBits += count * (array.writes + 8 * (a + b + cIn));
      }
    }
  }

  const { prologueCycles, epilogueCycles } = unhiddenTransfers(gemm, bits, arch, groupsM, groupsK, groupsN);
  const batch = gemm.batch;
  const dram: DramTraffic = {
    ifmapRead: batch * ifmapRead,
    weightRead: batch * weightRead,
    psumRead: batch * psumRead,
    ofmapWrite: batch * ofmapWrite,
    psumWrite: batch * psumWrite,
  };
  return {
    trips,
    steps: batch * steps,
    folds: batch * folds,
    computeCycles: batch * compute,
    prologueCycles,
    epilogueCycles,
    totalCycles: batch * total + prologueCycles + epilogueCycles,
    dram,
    dramReadBytes: dram.ifmapRead + dram.weightRead + dram.psumRead,
    dramWriteBytes: dram.ofmapWrite + dram.psumWrite,
    bufferReadBytes: Math.ceil((batch * bufferReadBits) / 8),
    bufferWriteBytes: Math.ceil((batch * bufferWriteBits) / 8),
  };
}

/** The first tile's fetch and the last tile's write-back, which no compute overlaps. */
function unhiddenTransfers(
  gemm: Gemm,
  bits: ElementBits,
  arch: ArrayArch,
  groupsM: readonly TileGroup[],
  groupsK: readonly TileGroup[],
  groupsN: readonly TileGroup[],
): { prologueCycles: number; epilogueCycles: number } {
  const firstM = groupsM[0].size,
    firstK = groupsK[0].size,
    firstN = groupsN[0].size;
  const lastM = groupsM[groupsM.length - 1].size,
    lastN = groupsN[groupsN.length - 1].size;
  const fetch = bytesOf(ifmapTileElements(gemm, firstM, firstK), bits.activation) + bytesOf(firstK * firstN, bits.weight);
  return {
    prologueCycles: Math.ceil(fetch / arch.dramBytesPerCycle),
    epilogueCycles: Math.ceil(bytesOf(lastM * lastN, bits.output) / arch.dramBytesPerCycle),
  };
}

/**
 * Compute cycles + prologue + epilogue of a tiling: independent of the loop
 * order and never more than its total cycles. Compute is separable over the
 * three loops (folds split into a k or m factor and an n factor, and the fold
 * length depends on one axis only), so it is a product of three sums.
 */
export function tilingLowerBound(gemm: Gemm, bits: ElementBits, arch: ArrayArch, tileM: number, tileK: number, tileN: number): number {
  const groupsM = tileGroups(gemm.M, tileM);
  const groupsK = tileGroups(gemm.K, tileK);
  const groupsN = tileGroups(gemm.N, tileN);
  const R = arch.rows,
    C = arch.cols;
  const sumOver = (groups: readonly TileGroup[], f: (size: number) => number) => groups.reduce((acc, g) => acc + g.count * f(g.size), 0);
  const colFolds = sumOver(groupsN, (n) => Math.ceil(n / C));
  const compute =
    arch.dataflow === "ws"
      ? sumOver(groupsK, (k) => Math.ceil(k / R)) * colFolds * sumOver(groupsM, (m) => foldCycles("ws", R, C, m))
      : sumOver(groupsM, (m) => Math.ceil(m / R)) * colFolds * sumOver(groupsK, (k) => foldCycles("os", R, C, k));
  const { prologueCycles, epilogueCycles } = unhiddenTransfers(gemm, bits, arch, groupsM, groupsK, groupsN);
  return gemm.batch * compute + prologueCycles + epilogueCycles;
}

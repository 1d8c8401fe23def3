/** What a unit's resource features depend on besides the layer: the synthesis family and its primitives. */
import { Board } from "../ir/board.js";

export type YosysFamily = Board["yosysFamily"];

export interface SynthTarget {
  readonly family: YosysFamily;
  /** Inputs of the family's LUT (LUT6 on Xilinx, LUT4 on iCE40 and ECP5). */
  readonly lutInputs: number;
  /** false: synthesized with DSP inference off (`compare --kernels mac-nodsp`). */
  readonly useDsp: boolean;
  /** Widest signed operands one DSP multiplies. */
  readonly dspOperands: readonly [number, number];
}

/** Named feature values of one unit: `unit.feature` → count. */
export type Features = Record<string, number>;

const DSP_OPERANDS: Record<string, readonly [number, number]> = { DSP48E1: [25, 18], DSP48E2: [27, 18], SB_MAC16: [16, 16], MULT18X18D: [18, 18] };

export function synthTarget(board: Board, useDsp = true): SynthTarget {
  const family = board.yosysFamily;
  return {
    family,
    lutInputs: board.resources.lutType === "LUT6" ? 6 : 4,
    useDsp: useDsp && board.resources.dsp > 0,
    dspOperands: DSP_OPERANDS[board.resources.dspType] ?? [18, 18],
  };
}

/**
 * DSP tiles of one a×b signed multiply, as Yosys's mul2dsp splits it: the wider
 * operand is cut into slices of the DSP's width (unsigned slices, one bit less each
 * on Xilinx, whose DSPs are signed-only) and the last slice keeps the sign; a slice
 * narrower than 2 bits stays in soft logic.
 */
export function dspsFor(a: number, b: number, target: SynthTarget): number {
  const [maxA, maxB] = target.dspOperands;
  const signedOnly = target.family === "xilinx" ? 1 : 0;
  const partial = target.family === "xilinx" ? 18 : maxA;
  const tiles = (x: number, y: number): number => {
    if (x < y) return tiles(y, x);
    if (y < 2) return 0;
    if (x > maxA) {
      const step = partial - signedOnly;
      const n = Math.floor((x - maxA + step - 1) / step);
      return n * tiles(partial, y) + tiles(x - n * step, y);
    }
    if (y > maxB) {
      const step = maxB - signedOnly;
      const n = Math.floor((y - maxB + step - 1) / step);
      return n * tiles(x, maxB) + tiles(x, y - n * step);
    }
    return 1;
  };
  return tiles(a, b);
}

interface RamShape {
  readonly depth: number;
  readonly width: number;
  /** Yosys's cost of one primitive (techlibs/<family>/brams*.txt, lutrams*.txt). */
  readonly cost: number;
}

/** The aspect ratios of an 18 Kb block: 16K×1, 8K×2, 4K×4, 2K×9, 1K×18 and (simple dual port) 512×36. */
function blockShapes(cost: number): RamShape[] {
  return [
    [16384, 1],
    [8192, 2],
    [4096, 4],
    [2048, 9],
    [1024, 18],
    [512, 36],
  ].map(([depth, width]) => ({ depth, width, cost }));
}

/** Block RAM configurations Yosys's memory_libmap chooses from, and the bits one primitive counts as. */
const BLOCK_RAMS: Record<YosysFamily, { readonly shapes: readonly RamShape[]; readonly bits: number }> = {
  // SB_RAM40_4K: 2048×2 … 256×16, cost 64
  ice40: { bits: 4096, shapes: [2, 4, 8, 16].map((w) => ({ depth: 4096 / w, width: w, cost: 64 })) },
  // RAMB18E1: 16K×1 … 1K×18 (512×36 simple dual port), cost 129; RAMB36 counts as two
  xilinx: { bits: 18432, shapes: blockShapes(129) },
  // DP16KD / PDPW16KD: 16K×1 … 1K×18, 512×36, cost 128
  ecp5: { bits: 18432, shapes: blockShapes(128) },
};

/** Distributed RAM (1 write, 1 asynchronous read port): RAM32M / RAM64M (4 LUTs), TRELLIS_DPR16X4 (2 LUT4s). */
const DISTRIBUTED_RAMS: Record<YosysFamily, { readonly shapes: readonly RamShape[]; readonly luts: number; readonly roms: boolean }> = {
  ice40: { shapes: [], luts: 0, roms: false },
  xilinx: { shapes: [{ depth: 32, width: 6, cost: 8 }, { depth: 64, width: 3, cost: 8 }], luts: 4, roms: true },
  ecp5: { shapes: [{ depth: 16, width: 4, cost: 4 }], luts: 2, roms: false },
};

/**
 * The read multiplexer of a distributed RAM deeper than one primitive: one cost unit per output
 * bit per further row of primitives, as bounded by Yosys's choices on ECP5 — a 36×8 buffer stayed
 * in 6 DPR16X4s (24 + 2·8·c < 128) and 192×8 / 197×8 row buffers went to a DP16KD (96 + 11·8·c > 128),
 * so 0.4 < c < 6.5; c = 1, one LUT per bit and row.
 */
const DISTRIBUTED_ROW_MUX_COST = 1;

/** A ROM left to soft logic: one LUT per bit column per 2^k words (k LUT inputs). */
export function romLuts(depth: number, width: number, target: SynthTarget): number {
  return width * Math.ceil(depth / 2 ** target.lutInputs);
}

/** The shallowest ROM Yosys put in Xilinx block RAM among the designs synthesized (see mapMemory). */
export const XILINX_BLOCK_ROM_MIN_DEPTH = 256;

export interface MemoryMapping {
  readonly style: "logic" | "distributed" | "block";
  /** Bits of the block RAM primitives (as countCells counts them). */
  readonly blockBits: number;
  /** LUTs the distributed RAM primitives occupy. */
  readonly lutramLuts: number;
  /** Bits left to soft logic: flip-flops for a RAM, LUTs for a ROM. */
  readonly logicBits: number;
}

/**
 * Where Yosys puts one memory: the cheapest of soft logic (memory_libmap's cost: one
 * per bit of a RAM, 1/16 per bit of a ROM), distributed RAM and block RAM, with the
 * primitives' costs from the family's library (block RAM only for a synchronous read);
 * a tie stays in logic. A first-order copy of memory_libmap's choice: a distributed RAM's
 * read multiplexer is costed, the emulation of a synchronous read is not; where Yosys chose
 * otherwise than these costs say, the rule is taken from its choices and marked so.
 */
export function mapMemory(depth: number, width: number, kind: "ram" | "rom", read: "sync" | "async", target: SynthTarget): MemoryMapping {
  const bits = depth * width;
  const tile = (s: RamShape) => Math.ceil(depth / s.depth) * Math.ceil(width / s.width);
  let best: MemoryMapping = { style: "logic", blockBits: 0, lutramLuts: 0, logicBits: bits };
  let bestCost = kind === "rom" ? bits / 16 : bits;
  const dist = DISTRIBUTED_RAMS[target.family];
  if (kind === "ram" || dist.roms) {
    for (const s of dist.shapes) {
      const n = tile(s);
      // widthscale: the last primitive of a row costs the share of its width that is used
      const rows = Math.ceil(depth / s.depth);
      const cost = rows * (width / s.width) * s.cost + (rows - 1) * width * DISTRIBUTED_ROW_MUX_COST;
      if (cost < bestCost) (bestCost = cost), (best = { style: "distributed", blockBits: 0, lutramLuts: n * dist.luts, logicBits: 0 });
    }
  }
  // block RAMs read synchronously only
  const block = BLOCK_RAMS[target.family];
  // a distributed RAM reads asynchronously: a synchronous read is emulated with flip-flops, so a
  // block RAM of the same cost wins (seen on ECP5: a 128×16 bank, 32 DPR16X4 or one DP16KD)
  const beatsBest = (cost: number) => cost < bestCost || (cost === bestCost && best.style === "distributed" && read === "sync");
  // measured, not derived: Yosys (0.55, synth_xilinx) left 128-word weight ROMs of 64 and 512 bits in LUT
  // RAM and logic although block RAM costs less by the library's numbers, and put LeNet's 256-word ROM of
  // 512 bits and a 1088-word ROM of 8 bits in block RAM; so a Xilinx ROM goes to block RAM from 256 words
  // (one miss known: a 320-word ROM of 8 bits stayed in logic)
  const blockAllowed = read === "sync" && !(target.family === "xilinx" && kind === "rom" && depth < XILINX_BLOCK_ROM_MIN_DEPTH);
  for (const s of blockAllowed ? block.shapes : []) {
    const n = tile(s);
    if (beatsBest(n * s.cost)) (bestCost = n * s.cost), (best = { style: "block", blockBits: n * block.bits, lutramLuts: 0, logicBits: 0 });
  }
  return best;
}

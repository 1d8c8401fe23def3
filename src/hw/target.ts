/** What a unit's resource features depend on besides the layer: the synthesis family and its primitives. */
import { Board } from "../ir/board.js";
import { familyRules, RamShape, YosysFamily } from "./families/index.js";
import { signal, TemplateMultiplier, templateMulDsps } from "./families/dsp.js";

export { constant, signal } from "./families/dsp.js";
export type { TemplateMultiplier } from "./families/dsp.js";

export type { YosysFamily } from "./families/index.js";

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
 * DSP blocks of one product as a template writes it (`Y[W] = A_ext * B_ext`), by Yosys's rules
 * (hw/families/dsp.ts: the operands the coarse passes leave, tiled by the family's mul2dsp);
 * 0 without DSP inference.
 */
export function dspsForProduct(m: TemplateMultiplier, target: SynthTarget): number {
  if (!target.useDsp) return 0;
  const [aMaxWidth, bMaxWidth] = target.dspOperands;
  return templateMulDsps(m, { ...familyRules(target.family).dspMap, aMaxWidth, bMaxWidth });
}

/** DSP blocks of a signed a × b product written at a + b bits (each operand sign-extended to the product's width). */
export function dspsFor(a: number, b: number, target: SynthTarget): number {
  return dspsForProduct({ a: signal(a), b: signal(b), width: a + b }, target);
}

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
  const rules = familyRules(target.family);
  const dist = rules.distributedRam;
  if (kind === "ram" || dist.roms) {
    for (const s of dist.shapes) {
      const n = tile(s);
      // widthscale: the last primitive of a row costs the share of its width that is used
      const rows = Math.ceil(depth / s.depth);
      const cost = rows * (width / s.width) * s.cost + (rows - 1) * width * DISTRIBUTED_ROW_MUX_COST;
      if (cost < bestCost) ((bestCost = cost), (best = { style: "distributed", blockBits: 0, lutramLuts: n * dist.luts, logicBits: 0 }));
    }
  }
  // block RAMs read synchronously only
  const block = rules.blockRam;
  // a distributed RAM reads asynchronously: a synchronous read is emulated with flip-flops, so a
  // block RAM of the same cost wins (seen on ECP5: a 128×16 bank, 32 DPR16X4 or one DP16KD)
  const beatsBest = (cost: number) => cost < bestCost || (cost === bestCost && best.style === "distributed" && read === "sync");
  // a family may keep shallow ROMs out of block RAM by a measured rule (families/xilinx.ts)
  const blockAllowed = read === "sync" && !(kind === "rom" && depth < (rules.blockRomMinDepth ?? 0));
  for (const s of blockAllowed ? block.shapes : []) {
    const n = tile(s);
    if (beatsBest(n * s.cost)) ((bestCost = n * s.cost), (best = { style: "block", blockBits: n * block.bits, lutramLuts: 0, logicBits: 0 }));
  }
  return best;
}

/** What a unit's resource features depend on besides the layer: the synthesis family and its primitives. */
import { Board } from "../ir/board.js";
import { familyRules, YosysFamily } from "./families/index.js";
import { libmapChoice } from "./families/memory.js";
import { signal, TemplateMultiplier, templateMulDsps } from "./families/dsp.js";

export { constant, signal } from "./families/dsp.js";
export type { TemplateMultiplier } from "./families/dsp.js";

export type { YosysFamily } from "./families/index.js";

export interface SynthTarget {
  readonly family: YosysFamily;
  /** The part family (Board.family): synth_xilinx's memory library differs between xc7 and xcup. */
  readonly part: Board["family"];
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
    part: board.family,
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

/** A ROM left to soft logic: one LUT per bit column per 2^k words (k LUT inputs). */
export function romLuts(depth: number, width: number, target: SynthTarget): number {
  return width * Math.ceil(depth / 2 ** target.lutInputs);
}

/**
 * The bit columns of a ROM that are not constant over its words: Yosys's opt_mem removes a
 * column that is 0 in every word ("removing const-0 lane") or 1 in every word ("const-1
 * lane") before memory_libmap, so a ROM maps at this width (0: no memory left at all).
 */
export function variableColumns(words: readonly bigint[], width: number): number {
  let ones = 0n;
  let zeros = 0n;
  const mask = (1n << BigInt(width)) - 1n;
  for (const w of words) {
    ones |= w & mask;
    zeros |= ~w & mask;
  }
  // a column is variable when it is 1 in some word and 0 in another
  let both = ones & zeros;
  let n = 0;
  while (both > 0n) {
    n += Number(both & 1n);
    both >>= 1n;
  }
  return n;
}

/** variableColumns of a ROM image as the RTL reads it ($readmemh text: one hex word a line). */
export function variableColumnsOfHex(image: string, width: number): number {
  const words = image
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => BigInt(`0x${l.trim()}`));
  return variableColumns(words, width);
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
 * Where Yosys 0.55 puts one memory (one read port, synchronous or not; a RAM with one write port at
 * another address): memory_libmap's cost model over the family's RAM library (families/memory.ts),
 * which decides between soft logic, LUT RAM and block RAM.
 */
export function mapMemory(depth: number, width: number, kind: "ram" | "rom", read: "sync" | "async", target: SynthTarget): MemoryMapping {
  if (width === 0 || depth === 0) return { style: "logic", blockBits: 0, lutramLuts: 0, logicBits: 0 };
  const c = libmapChoice({ depth, width, kind, read }, familyRules(target.family).memoryLibrary(target.part));
  if (c.style === "logic") return { style: "logic", blockBits: 0, lutramLuts: 0, logicBits: depth * width };
  return { style: c.style, blockBits: c.primitives * c.def!.bits, lutramLuts: c.primitives * c.def!.luts, logicBits: 0 };
}

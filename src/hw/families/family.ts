/**
 * What quantrtl knows of one Yosys synthesis family (like Amaranth's vendor/
 * files): its synthesis command, how its cells count as LUT / FF / carry / DSP /
 * block RAM, how a multiplier splits into DSP tiles and which RAM primitives
 * Yosys's memory_libmap chooses from. One file per family beside this one; the
 * unit cost models (hw/target.ts) and synthesis (synth/) both read them.
 */
import { Board } from "../../ir/board.js";
import { DspMapRules } from "./dsp.js";

export type YosysFamily = Board["yosysFamily"];

export interface RamShape {
  readonly depth: number;
  readonly width: number;
  /** Yosys's cost of one primitive (techlibs/<family>/brams*.txt, lutrams*.txt). */
  readonly cost: number;
}

/** Cell counts as one synthesis reports them, filled in by `countCell`. */
export interface CellTally {
  lut: number;
  ff: number;
  carry: number;
  dsp: number;
  bramBits: number;
  readonly lutBySize: Record<string, number>;
  readonly bramBlocks: Record<string, number>;
}

export interface FamilyRules {
  readonly name: YosysFamily;
  /** The synthesis command; `useDsp: false` keeps multipliers in LUTs. */
  synthCommand(board: Board, top: string, useDsp: boolean): string;
  /** Adds `n` cells of `type` to the tally; false when no rule counts that type (I/O buffers, muxes, …). */
  countCell(type: string, n: number, tally: CellTally): boolean;
  /** mul2dsp's macros in the family's synth script, but the operand maxima (the part's DSP: SynthTarget.dspOperands). */
  readonly dspMap: Omit<DspMapRules, "aMaxWidth" | "bMaxWidth">;
  /** Block RAM configurations memory_libmap chooses from, and the bits one primitive counts as. */
  readonly blockRam: { readonly shapes: readonly RamShape[]; readonly bits: number };
  /** Distributed RAM (1 write, 1 asynchronous read port): its shapes, the LUTs one primitive occupies, whether ROMs go there too. */
  readonly distributedRam: { readonly shapes: readonly RamShape[]; readonly luts: number; readonly roms: boolean };
  /** The shallowest ROM Yosys put in block RAM, where that is a measured rule rather than the library's costs. */
  readonly blockRomMinDepth?: number;
}

/** The aspect ratios of an 18 Kb block: 16K×1, 8K×2, 4K×4, 2K×9, 1K×18 and (simple dual port) 512×36. */
export function blockShapes18k(cost: number): RamShape[] {
  return [
    [16384, 1],
    [8192, 2],
    [4096, 4],
    [2048, 9],
    [1024, 18],
    [512, 36],
  ].map(([depth, width]) => ({ depth, width, cost }));
}

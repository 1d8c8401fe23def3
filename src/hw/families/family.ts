/**
 * What quantrtl knows of one Yosys synthesis family (like Amaranth's vendor/
 * files): its synthesis command, how its cells count as LUT / FF / carry / DSP /
 * block RAM, how a multiplier splits into DSP tiles and which RAM primitives
 * Yosys's memory_libmap chooses from. One file per family beside this one; the
 * unit cost models (hw/target.ts) and synthesis (synth/) both read them.
 */
import { Board } from "../../ir/board.js";
import { DspMapRules } from "./dsp.js";
import { MemoryLibrary } from "./memory.js";

export type YosysFamily = Board["yosysFamily"];

/** Cell counts as one synthesis reports them, filled in by `countCell`. */
export interface CellTally {
  lut: number;
  ff: number;
  carry: number;
  dsp: number;
  bramBits: number;
  /** iCE40 UltraPlus single-port RAM (SB_SPRAM256KA) bits, when a design uses any. */
  spramBits?: number;
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
  /**
   * The RAM library synth_<family> hands memory_libmap for a part family (Board.family), in its order,
   * with its -logic-cost-rom (families/memory.ts costs a memory against it).
   */
  memoryLibrary(part: Board["family"]): MemoryLibrary;
}

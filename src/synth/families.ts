/**
 * A synthesis's cells counted as LUT / FF / carry / DSP / block RAM, by the rules
 * of its Yosys family (hw/families/: one file per family, read by the unit cost models too).
 */
import { Board } from "../ir/board.js";
import { CellTally, familyRules } from "../hw/families/index.js";

export interface CellCounts {
  /** LUTs, including the LUTs that distributed RAM occupies. */
  readonly lut: number;
  readonly lutBySize: Readonly<Record<string, number>>;
  readonly ff: number;
  readonly carry: number;
  readonly dsp: number;
  /** Block RAM bits of the primitives used (RAMB36 = 36 Kb, RAMB18 = 18 Kb, EBR 4 Kb / 18 Kb). */
  readonly bramBits: number;
  readonly bramBlocks: Readonly<Record<string, number>>;
  /** iCE40 UltraPlus SB_SPRAM256KA bits, when the design has any (loadable weight RAMs). */
  readonly spramBits?: number;
  readonly latches: number;
  /** Cells no rule counted (I/O buffers, muxes, …), by type. */
  readonly other: Readonly<Record<string, number>>;
}

const LATCH = /LATCH|^LD[CP]E$|^\$dlatch|^\$_DLATCH/;

/** The family's synthesis command; `useDsp: false` keeps multipliers in LUTs. */
export function synthCommand(board: Board, top: string, useDsp = true): string {
  return familyRules(board).synthCommand(board, top, useDsp);
}

export function countCells(board: Board, cells: Readonly<Record<string, number>>): CellCounts {
  const rules = familyRules(board);
  const tally: CellTally = { lut: 0, ff: 0, carry: 0, dsp: 0, bramBits: 0, lutBySize: {}, bramBlocks: {} };
  let latches = 0;
  const other: Record<string, number> = {};
  for (const [type, n] of Object.entries(cells)) {
    if (type === "$scopeinfo") continue;
    if (LATCH.test(type)) {
      latches += n;
      continue;
    }
    if (!rules.countCell(type, n, tally)) other[type] = n;
  }
  return { ...tally, latches, other };
}

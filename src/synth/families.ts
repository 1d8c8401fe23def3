/**
 * One entry per Yosys family (like Amaranth's vendor/ files): the synthesis
 * command and how its cells count as LUT / FF / carry / DSP / block RAM.
 */
import { Board } from "../ir/board.js";

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
  readonly latches: number;
  /** Cells no rule counted (I/O buffers, muxes, …), by type. */
  readonly other: Readonly<Record<string, number>>;
}

/** LUTs a distributed-RAM primitive occupies (Xilinx 7-series / UltraScale+ slices). */
const XILINX_LUTRAM: Record<string, number> = {
  RAM32X1D: 2, RAM32X1S: 1, RAM64X1D: 2, RAM64X1S: 1, RAM128X1D: 4, RAM128X1S: 2, RAM256X1S: 4,
  RAM32M: 4, RAM64M: 4, RAM32M16: 8, RAM64M8: 8, SRL16E: 1, SRLC32E: 1,
};

const LATCH = /LATCH|^LD[CP]E$|^\$dlatch|^\$_DLATCH/;

/** The family's synthesis command; `useDsp: false` keeps multipliers in LUTs. */
export function synthCommand(board: Board, top: string, useDsp = true): string {
  switch (board.yosysFamily) {
    case "xilinx":
      return `synth_xilinx -family ${board.family} -top ${top} -flatten${useDsp ? "" : " -nodsp"}`;
    case "ice40":
      return `synth_ice40 -top ${top}${useDsp && board.resources.dsp > 0 ? " -dsp" : ""}`; // -dsp: map multipliers to SB_MAC16
    case "ecp5":
      return `synth_ecp5 -top ${top}${useDsp ? "" : " -nodsp"}`;
  }
}

export function countCells(board: Board, cells: Readonly<Record<string, number>>): CellCounts {
  let lut = 0;
  let ff = 0;
  let carry = 0;
  let dsp = 0;
  let bramBits = 0;
  let latches = 0;
  const lutBySize: Record<string, number> = {};
  const bramBlocks: Record<string, number> = {};
  const other: Record<string, number> = {};
  for (const [type, n] of Object.entries(cells)) {
    if (type === "$scopeinfo") continue;
    if (LATCH.test(type)) {
      latches += n;
      continue;
    }
    let counted = true;
    switch (board.yosysFamily) {
      case "xilinx":
        if (/^LUT[1-6]$/.test(type)) (lut += n), (lutBySize[type] = n);
        else if (/^FD[RSCP]E$/.test(type)) ff += n;
        else if (/^CARRY[48]$/.test(type)) carry += n;
        else if (/^DSP48E[12]$/.test(type)) dsp += n;
        else if (/^RAMB36E[12]$/.test(type)) (bramBits += n * 36 * 1024), (bramBlocks[type] = n);
        else if (/^RAMB18E[12]$/.test(type)) (bramBits += n * 18 * 1024), (bramBlocks[type] = n);
        else if (type in XILINX_LUTRAM) lut += n * XILINX_LUTRAM[type];
        else counted = false;
        break;
      case "ice40":
        if (type === "SB_LUT4") (lut += n), (lutBySize.LUT4 = n);
        else if (/^SB_DFF/.test(type)) ff += n;
        else if (type === "SB_CARRY") carry += n;
        else if (type === "SB_MAC16") dsp += n;
        else if (/^SB_RAM40_4K/.test(type)) (bramBits += n * 4096), (bramBlocks[type] = n);
        else counted = false;
        break;
      case "ecp5":
        if (type === "LUT4") (lut += n), (lutBySize.LUT4 = n);
        else if (type === "TRELLIS_FF") ff += n;
        else if (type === "CCU2C") (carry += n), (lut += 2 * n); // a CCU2C is two LUT4s with their carry
        else if (/^MULT18X18D$|^ALU54B$/.test(type)) dsp += n;
        else if (type === "DP16KD" || type === "PDPW16KD") (bramBits += n * 18 * 1024), (bramBlocks[type] = n);
        else if (type === "TRELLIS_DPR16X4") lut += n * 2; // distributed RAM: 16x4 in a slice's two LUT4s
        else counted = false;
        break;
    }
    if (!counted) other[type] = n;
  }
  return { lut, lutBySize, ff, carry, dsp, bramBits, bramBlocks, latches, other };
}

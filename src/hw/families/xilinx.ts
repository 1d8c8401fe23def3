/** Xilinx 7-series and UltraScale+ (synth_xilinx). */
import { blockShapes18k, FamilyRules } from "./family.js";

/** LUTs a distributed-RAM primitive occupies (Xilinx 7-series / UltraScale+ slices). */
const LUTRAM: Record<string, number> = {
  RAM32X1D: 2,
  RAM32X1S: 1,
  RAM64X1D: 2,
  RAM64X1S: 1,
  RAM128X1D: 4,
  RAM128X1S: 2,
  RAM256X1S: 4,
  RAM32M: 4,
  RAM64M: 4,
  RAM32M16: 8,
  RAM64M8: 8,
  SRL16E: 1,
  SRLC32E: 1,
};

export const xilinx: FamilyRules = {
  name: "xilinx",
  synthCommand: (board, top, useDsp) => `synth_xilinx -family ${board.family} -top ${top} -flatten${useDsp ? "" : " -nodsp"}`,
  countCell(type, n, t) {
    if (/^LUT[1-6]$/.test(type)) ((t.lut += n), (t.lutBySize[type] = n));
    else if (/^FD[RSCP]E$/.test(type)) t.ff += n;
    else if (/^CARRY[48]$/.test(type)) t.carry += n;
    else if (/^DSP48E[12]$/.test(type)) t.dsp += n;
    else if (/^RAMB36E[12]$/.test(type)) ((t.bramBits += n * 36 * 1024), (t.bramBlocks[type] = n));
    else if (/^RAMB18E[12]$/.test(type)) ((t.bramBits += n * 18 * 1024), (t.bramBlocks[type] = n));
    else if (type in LUTRAM) t.lut += n * LUTRAM[type];
    else return false;
    return true;
  },
  // synth_xilinx (xc7, xcu): mul2dsp -D DSP_A_MAXWIDTH=25|27 -D DSP_B_MAXWIDTH=18 -D DSP_A_MAXWIDTH_PARTIAL=18
  // -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 -D DSP_Y_MINWIDTH=9 -D DSP_SIGNEDONLY=1
  dspMap: { aMaxWidthPartial: 18, aMinWidth: 2, bMinWidth: 2, yMinWidth: 9, signedOnly: true },
  // RAMB18E1: 16K×1 … 1K×18 (512×36 simple dual port), cost 129; RAMB36 counts as two
  blockRam: { bits: 18432, shapes: blockShapes18k(129) },
  // RAM32M / RAM64M: 4 LUTs each
  distributedRam: {
    shapes: [
      { depth: 32, width: 6, cost: 8 },
      { depth: 64, width: 3, cost: 8 },
    ],
    luts: 4,
    roms: true,
  },
  // measured, not derived: Yosys (0.55, synth_xilinx) left 128-word weight ROMs of 64 and 512 bits in LUT
  // RAM and logic although block RAM costs less by the library's numbers, and put LeNet's 256-word ROM of
  // 512 bits and a 1088-word ROM of 8 bits in block RAM; so a Xilinx ROM goes to block RAM from 256 words
  // (one miss known: a 320-word ROM of 8 bits stayed in logic)
  blockRomMinDepth: 256,
};

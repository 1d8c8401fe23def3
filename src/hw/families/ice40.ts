/** Lattice iCE40 (synth_ice40). */
import { FamilyRules } from "./family.js";

export const ice40: FamilyRules = {
  name: "ice40",
  // -dsp: map multipliers to SB_MAC16 (only on parts that have them)
  synthCommand: (board, top, useDsp) => `synth_ice40 -top ${top}${useDsp && board.resources.dsp > 0 ? " -dsp" : ""}`,
  countCell(type, n, t) {
    if (type === "SB_LUT4") ((t.lut += n), (t.lutBySize.LUT4 = n));
    else if (/^SB_DFF/.test(type)) t.ff += n;
    else if (type === "SB_CARRY") t.carry += n;
    else if (type === "SB_MAC16") t.dsp += n;
    else if (/^SB_RAM40_4K/.test(type)) ((t.bramBits += n * 4096), (t.bramBlocks[type] = n));
    else return false;
    return true;
  },
  // synth_ice40 -dsp: mul2dsp -D DSP_A_MAXWIDTH=16 -D DSP_B_MAXWIDTH=16 -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 -D DSP_Y_MINWIDTH=11
  dspMap: { aMinWidth: 2, bMinWidth: 2, yMinWidth: 11, signedOnly: false },
  // SB_RAM40_4K: 2048×2 … 256×16, cost 64
  blockRam: { bits: 4096, shapes: [2, 4, 8, 16].map((w) => ({ depth: 4096 / w, width: w, cost: 64 })) },
  distributedRam: { shapes: [], luts: 0, roms: false },
};

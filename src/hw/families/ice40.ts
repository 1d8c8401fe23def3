/** Lattice iCE40 (synth_ice40). */
import { FamilyRules } from "./family.js";
import { blockRam, MemoryLibrary } from "./memory.js";

/**
 * synth_ice40: memory_libmap -lib +/ice40/brams.txt -lib +/ice40/spram.txt -no-auto-huge (default logic
 * costs; no LUT RAM). SB_RAM40_4K: abits 11, 2048×2 … 256×16, cost 64; its HAS_BE 1 option writes
 * bit by bit (byte 1) at every width, which is never dearer than HAS_BE 0.
 */
const LIBRARY: MemoryLibrary = { logicCostRom: 1 / 16, rams: [blockRam("SB_RAM40_4K", 11, [2, 4, 8, 16], 64, 4096, 1)] };

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
  memoryLibrary: () => LIBRARY,
};

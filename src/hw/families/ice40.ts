/** Lattice iCE40 (synth_ice40). */
import { FamilyRules } from "./family.js";
import { blockRam, MemoryLibrary } from "./memory.js";

/**
 * synth_ice40: memory_libmap -lib +/ice40/brams.txt -lib +/ice40/spram.txt -no-auto-huge (default logic
 * costs; no LUT RAM). SB_RAM40_4K: abits 11, 2048×2 … 256×16, cost 64; its HAS_BE 1 option writes
 * bit by bit (byte 1) at every width, which is never dearer than HAS_BE 0.
 */
const LIBRARY: MemoryLibrary = { logicCostRom: 1 / 16, rams: [blockRam("SB_RAM40_4K", 11, [2, 4, 8, 16], 64, 4096, 1)] };

/** SB_SPRAM256KA (iCE40 UltraPlus): 16384 words of 16 bits, one port, no initial contents; 256 Kbit a block. */
export const SPRAM_WORDS = 16384;
export const SPRAM_WIDTH = 16;
export const SPRAM_BITS = SPRAM_WORDS * SPRAM_WIDTH;

/**
 * SPRAM blocks of a single-port RAM marked ram_style "huge" (spram.txt: abits 14, width 16, byte 4):
 * ⌈width / 16⌉ block columns side by side, ⌈depth / 16384⌉ rows of them.
 */
export function spramBlocks(depth: number, width: number): number {
  return Math.ceil(width / SPRAM_WIDTH) * Math.ceil(depth / SPRAM_WORDS);
}

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
    else if (type === "SB_SPRAM256KA") t.spramBits = (t.spramBits ?? 0) + n * SPRAM_BITS;
    else return false;
    return true;
  },
  // synth_ice40 -dsp: mul2dsp -D DSP_A_MAXWIDTH=16 -D DSP_B_MAXWIDTH=16 -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 -D DSP_Y_MINWIDTH=11
  dspMap: { aMinWidth: 2, bMinWidth: 2, yMinWidth: 11, signedOnly: false },
  memoryLibrary: () => LIBRARY,
};

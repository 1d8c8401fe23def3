/** Lattice ECP5 (synth_ecp5). */
import { FamilyRules } from "./family.js";
import { blockRam, lutRam, MemoryLibrary } from "./memory.js";

const WIDTHS_18K = [1, 2, 4, 9, 18];

/**
 * synth_ecp5: memory_libmap -lib +/ecp5/lutrams.txt -lib +/ecp5/brams.txt (default logic costs).
 * TRELLIS_DPR16X4 (16×4, cost 4, prune_rom, 2 LUT4s); DP16KD (abits 14, 16K×1 … 1K×18, byte 9, cost 128);
 * PDPW16KD (… 512×36, its write port 36 wide: a written memory uses it from 2K×9 on).
 */
const LIBRARY: MemoryLibrary = {
  logicCostRom: 1 / 16,
  rams: [
    lutRam("TRELLIS_DPR16X4", 4, 4, 4, 0, 2),
    blockRam("DP16KD", 14, WIDTHS_18K, 128, 18432),
    blockRam("PDPW16KD", 14, [...WIDTHS_18K, 36], 128, 18432, 9, 3),
  ],
};

export const ecp5: FamilyRules = {
  name: "ecp5",
  synthCommand: (_board, top, useDsp) => `synth_ecp5 -top ${top}${useDsp ? "" : " -nodsp"}`,
  countCell(type, n, t) {
    if (type === "LUT4") ((t.lut += n), (t.lutBySize.LUT4 = n));
    else if (type === "TRELLIS_FF") t.ff += n;
    else if (type === "CCU2C")
      ((t.carry += n), (t.lut += 2 * n)); // a CCU2C is two LUT4s with their carry
    else if (/^MULT18X18D$|^ALU54B$/.test(type)) t.dsp += n;
    else if (type === "DP16KD" || type === "PDPW16KD") ((t.bramBits += n * 18 * 1024), (t.bramBlocks[type] = n));
    else if (type === "TRELLIS_DPR16X4")
      t.lut += n * 2; // distributed RAM: 16x4 in a slice's two LUT4s
    else return false;
    return true;
  },
  // synth_ecp5: mul2dsp -D DSP_A_MAXWIDTH=18 -D DSP_B_MAXWIDTH=18 -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 (no Y minimum)
  dspMap: { aMinWidth: 2, bMinWidth: 2, signedOnly: false },
  memoryLibrary: () => LIBRARY,
};

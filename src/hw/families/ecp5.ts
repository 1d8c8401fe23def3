/** Lattice ECP5 (synth_ecp5). */
import { blockShapes18k, FamilyRules } from "./family.js";

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
  // DP16KD / PDPW16KD: 16K×1 … 1K×18, 512×36, cost 128
  blockRam: { bits: 18432, shapes: blockShapes18k(128) },
  // TRELLIS_DPR16X4: 16×4 in 2 LUT4s
  distributedRam: { shapes: [{ depth: 16, width: 4, cost: 4 }], luts: 2, roms: false },
};

/** Xilinx 7-series and UltraScale+ (synth_xilinx). */
import { FamilyRules } from "./family.js";
import { blockRam, lutRam, MemoryLibrary, RamDef } from "./memory.js";

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

/**
 * Block RAM (brams_xc4v.txt with HAS_SIZE_36; the cascade mode with HAS_CASCADE, on xc7 only): true dual
 * port RAMB18 (16K×1 … 1K×18, cost 129) and RAMB36 (32K×1 … 1K×36, cost 257), 64K-deep cascades of two
 * RAMB36 (cost 513), simple dual port RAMB18 (… 512×36) and RAMB36 (… 512×72); byte 9.
 */
function blockRams(cascade: boolean): RamDef[] {
  return [
    blockRam("RAMB18 TDP", 14, [1, 2, 4, 9, 18], 129, 18432),
    blockRam("RAMB36 TDP", 15, [1, 2, 4, 9, 18, 36], 257, 36864),
    ...(cascade ? [blockRam("RAMB36 cascade", 16, [1, 2, 4, 9], 513, 2 * 36864)] : []),
    blockRam("RAMB18 SDP", 14, [1, 2, 4, 9, 18, 36], 129, 18432),
    blockRam("RAMB36 SDP", 15, [1, 2, 4, 9, 18, 36, 72], 257, 36864),
  ];
}

/**
 * synth_xilinx -family xc7: memory_libmap -logic-cost-rom 0.015625 -lib +/xilinx/lutrams_xc5v.txt
 * -lib +/xilinx/brams_xc4v.txt. LUT RAMs (all prune_rom, cost per `widthscale` column): single port
 * RAM32M/RAM64X1S… (no separate read port), dual port 32×4 (RAM32M) / 64×2 (RAM64X1D) / 128×1
 * (RAM128X1D), quad port 32×2 / 64×1 (cost 7), simple dual port 32×6 (RAM32M) / 64×3 (RAM64M),
 * cost 8 of which 7 per column. 4 LUTs a primitive.
 */
const XC7: MemoryLibrary = {
  logicCostRom: 1 / 64,
  rams: [
    ...[8, 4, 2, 1].map((w, i) => lutRam("LUTRAM SP", 5 + i, w, 8, 8, 4, false)),
    ...[4, 2, 1].map((w, i) => lutRam("LUTRAM DP", 5 + i, w, 8, 8, 4)),
    ...[2, 1].map((w, i) => lutRam("LUTRAM QP", 5 + i, w, 7, 7, 4)),
    ...[6, 3].map((w, i) => lutRam("LUTRAM SDP", 5 + i, w, 8, 7, 4)),
    ...blockRams(true),
  ],
};

/**
 * synth_xilinx -family xcup: lutrams_xcu.txt (cost 16 per column: single port 32×16 … 64K×1, dual
 * port 32×8 … 256×1, quad 32×4 / 64×2, octal 32×2 / 64×1, simple dual port 32×14 / 64×7; the
 * wide-write 64X8SW / 32X16DR8 forms are left out) and brams_xc4v.txt without the cascade mode.
 */
const XCUP: MemoryLibrary = {
  logicCostRom: 1 / 64,
  rams: [
    ...[16, 8, 4, 2].map((w, i) => lutRam("LUTRAM SP", 5 + i, w, 16, 16, 8, false)),
    lutRam("LUTRAM SP", 16, 1, 16, 16, 8, false),
    ...[8, 4, 2, 1].map((w, i) => lutRam("LUTRAM DP", 5 + i, w, 16, 16, 8)),
    ...[4, 2].map((w, i) => lutRam("LUTRAM QP", 5 + i, w, 16, 16, 8)),
    ...[2, 1].map((w, i) => lutRam("LUTRAM OP", 5 + i, w, 16, 16, 8)),
    ...[14, 7].map((w, i) => lutRam("LUTRAM SDP", 5 + i, w, 16, 16, 8)),
    ...blockRams(false),
  ],
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
  memoryLibrary: (part) => (part === "xcup" ? XCUP : XC7),
};

/**
 * Where Yosys 0.55 (@yowasp/yosys) puts a memory, against families/memory.ts: tiny designs of one
 * memory each, synthesized for real, with the block RAM cells Yosys chose as the expectation.
 * The cases are the rules that decide the committed reference designs: synth_xilinx's ROM logic
 * cost of 1/64 per bit (a 320×8 ROM stays in logic although a RAMB18 costs 129 + 2 < 320·8/16),
 * prune_rom on every LUT RAM, and proc_rom turning a dense case table into a ROM.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYosysStat } from "../../../src/synth/index.js";
import { describe, expect, test } from "vitest";
import { loadBoard } from "../../../src/ir/board.js";
import { mapMemory, synthTarget } from "../../../src/hw/target.js";
import { countCells } from "../../../src/synth/families.js";
import { packageRoot } from "../../../src/util/paths.js";

/** A ROM of `depth` pseudo-random words read at a registered address (memory_dff makes the read synchronous). */
function romDesign(depth: number, width: number, style: "readmem" | "case"): Record<string, string> {
  const aw = Math.max(1, Math.ceil(Math.log2(depth)));
  let seed = 12345;
  const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % 2 ** width);
  const words = Array.from({ length: depth }, next);
  const hexDigits = Math.ceil(width / 4);
  const body =
    style === "readmem"
      ? `reg [${width - 1}:0] rom [0:${depth - 1}];\ninitial $readmemh("rom.hex", rom);\nreg [${aw - 1}:0] a;\nalways @(posedge clk) a <= addr;\nassign data = rom[a];`
      : `reg [${width - 1}:0] q;\nalways @(posedge clk) case (addr)\n${words.map((w, i) => `  ${aw}'d${i}: q <= ${width}'h${w.toString(16)};`).join("\n")}\n  default: q <= 0;\nendcase\nassign data = q;`;
  return {
    "top.v": `module top(input clk, input [${aw - 1}:0] addr, output [${width - 1}:0] data);\n${body}\nendmodule\n`,
    "rom.hex": words.map((w) => w.toString(16).padStart(hexDigits, "0")).join("\n") + "\n",
  };
}

/** Cells of a real synthesis of the files with the board's synth command (the runner synth/index.ts uses). */
async function synthCells(files: Record<string, string>, board: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "quantrtl-memtest-"));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const b = loadBoard(board);
    const script = `read_verilog top.v; ${b.yosysFamily === "xilinx" ? "synth_xilinx -family xc7 -top top" : `synth_${b.yosysFamily} -top top`}; tee -q -o stat.json stat -json`;
    await promisify(execFile)(process.execPath, [join(packageRoot(), "dist", "src", "synth", "yowasp-cli.js"), "yosys", dir, "-q", "-p", script]);
    return parseYosysStat(readFileSync(join(dir, "stat.json"), "utf8"), script);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CASES: { board: string; depth: number; width: number; style: "readmem" | "case"; why: string }[] = [
  { board: "pynq-z2", depth: 320, width: 8, style: "readmem", why: "xc7 ROM logic cost 2560/64 = 40 < RAMB18 131: logic (token_embed 3×3×32)" },
  { board: "pynq-z2", depth: 1088, width: 8, style: "readmem", why: "8704/64 = 136 > 131: one RAMB18 (token_embed 4×4×64)" },
  { board: "pynq-z2", depth: 128, width: 64, style: "readmem", why: "8192/64 = 128 < 131 and LUT RAM takes no ROM (prune_rom): logic" },
  { board: "icebreaker", depth: 192, width: 20, style: "case", why: "proc_rom makes the case table a ROM; 3840/16 = 240 > two EBRs at 256×16 (130): block" },
];

describe("memory mapping against a real Yosys 0.55 run", () => {
  for (const c of CASES) {
    test(`${c.board}: ${c.depth}×${c.width} ROM (${c.style}): ${c.why}`, { timeout: 600_000 }, async () => {
      const board = loadBoard(c.board);
      const cells = await synthCells(romDesign(c.depth, c.width, c.style), c.board);
      const m = mapMemory(c.depth, c.width, "rom", "sync", synthTarget(board));
      expect(m.blockBits).toBe(countCells(board, cells).bramBits);
      // LUT RAM primitives (RAM32M / RAM64M / RAM64X1D … on xc7): none for a ROM
      expect(m.lutramLuts).toBe(0);
      expect(Object.keys(cells).filter((t) => /^RAM\d+(M|X1[SD])/.test(t))).toEqual([]);
    });
  }
});

/**
 * Where Yosys 0.55 (@yowasp/yosys) puts a PE's product, against families/dsp.ts: one lane of
 * pe-mac.v.hbs (x and w sign-extended to BX + BW bits, multiplied) synthesized for real with
 * synth_xilinx, the DSP48E1 count as the expectation. Narrow lanes (a product under mul2dsp's
 * DSP_Y_MINWIDTH of 9 bits, e.g. a QONNX 2-bit × 2-bit layer) stay in LUTs.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseYosysStat } from "../../../src/synth/index.js";
import { describe, expect, test } from "vitest";
import { loadBoard } from "../../../src/ir/board.js";
import { dspsForProduct, signal, synthTarget } from "../../../src/hw/target.js";
import { countCells } from "../../../src/synth/families.js";
import { packageRoot } from "../../../src/util/paths.js";

/** One registered lane: the product as pe-mac.v.hbs writes it. */
function laneDesign(bx: number, bw: number): string {
  const pw = bx + bw;
  return `module top(input clk, input [${bx - 1}:0] x, input [${bw - 1}:0] w, output reg [${pw - 1}:0] p);
  reg [${bx - 1}:0] xr; reg [${bw - 1}:0] wr;
  wire [${pw - 1}:0] xe = {{${bw}{xr[${bx - 1}]}}, xr};
  wire [${pw - 1}:0] we = {{${bx}{wr[${bw - 1}]}}, wr};
  always @(posedge clk) begin xr <= x; wr <= w; p <= xe * we; end
endmodule
`;
}

async function synthCells(verilog: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), "quantrtl-dsptest-"));
  try {
    writeFileSync(join(dir, "top.v"), verilog);
    const script = "read_verilog top.v; synth_xilinx -family xc7 -top top; tee -q -o stat.json stat -json";
    await promisify(execFile)(process.execPath, [join(packageRoot(), "dist", "src", "synth", "yowasp-cli.js"), "yosys", dir, "-q", "-p", script]);
    return parseYosysStat(readFileSync(join(dir, "stat.json"), "utf8"), script);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CASES: { bx: number; bw: number; dsps: number }[] = [
  { bx: 2, bw: 2, dsps: 0 }, // TFC_2W2A's lanes: a 4-bit product
  { bx: 4, bw: 4, dsps: 0 }, // 8 bits: still under DSP_Y_MINWIDTH = 9
  { bx: 8, bw: 2, dsps: 1 }, // 10 bits: a DSP, though the weight has 2 bits
];

describe("PE products against a real Yosys 0.55 run (pynq-z2, xc7)", () => {
  for (const c of CASES) {
    test(`${c.bx}-bit x × ${c.bw}-bit w: ${c.dsps} DSP48E1`, { timeout: 600_000 }, async () => {
      const board = loadBoard("pynq-z2");
      const cells = await synthCells(laneDesign(c.bx, c.bw));
      expect(countCells(board, cells).dsp).toBe(c.dsps);
      expect(dspsForProduct({ a: signal(c.bx), b: signal(c.bw), width: c.bx + c.bw }, synthTarget(board))).toBe(c.dsps);
    });
  }
});

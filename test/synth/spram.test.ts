/**
 * A loadable weight RAM (Folding.weightMemory = "spram") through a real Yosys synth_ice40 (the
 * command `quantrtl bitstream` runs, without -spram: the RAM's ram_style "huge" asks for SPRAM):
 * it must map to SB_SPRAM256KA cells, as many as the estimate counts, and no EBR or logic; the
 * same engine with a ROM goes to EBR. Expected block counts are worked out by hand from the
 * SB_SPRAM256KA geometry (16384 words × 16 bits) and the SB_RAM40_4K one (512 × 8 at 4 Kbit).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/ir/load.js";
import { loadBoard } from "../../src/ir/board.js";
import { Conv2dLayer, engineConv, EngineLayer, Model } from "../../src/ir/model.js";
import { generateDesign } from "../../src/codegen/design.js";
import { estimateEngine } from "../../src/estimate/resources.js";
import { yowasp } from "../../src/synth/nextpnr.js";
import { testDir } from "../helpers/temp.js";

/** mnist-adder at the given folding with `spram` engines' weights in loadable RAMs. */
function mnistAdder(pe: number, simd: number, spram: readonly string[]): Model {
  const m = loadModel("models/mnist-adder.json", { arch: { pe, simd } });
  return {
    ...m,
    layers: m.layers.map((l) =>
      (l.kind === "conv2d" || l.kind === "dense") && spram.includes(l.name) ? ({ ...l, arch: { ...l.arch, weightMemory: "spram" } } as typeof l) : l,
    ),
  };
}

/** Cell counts of one engine's matrix-vector unit (and its PE) under synth_ice40 -dsp. */
async function mvuCells(model: Model, layer: string): Promise<Record<string, number>> {
  const dir = join(testDir("quantrtl-spram-"), "rtl");
  mkdirSync(dir);
  const design = generateDesign(model);
  for (const f of design.files) if (f.path.startsWith("rtl/")) writeFileSync(join(dir, f.path.slice(4)), f.content);
  const files = [`mnist_adder_${layer}_pe.v`, `mnist_adder_${layer}_mvu.v`];
  await yowasp(
    "yosys",
    dir,
    ["-q", "-p", `read_verilog ${files.join(" ")}; synth_ice40 -top mnist_adder_${layer}_mvu -dsp; tee -q -o stat.json stat -json`],
    "synthesis of one MVU",
  );
  return (JSON.parse(readFileSync(join(dir, "stat.json"), "utf8")) as { design: { num_cells_by_type: Record<string, number> } }).design.num_cells_by_type;
}

const engine = (m: Model, name: string): Conv2dLayer => engineConv(m.layers.find((l) => l.name === name) as EngineLayer);
const board = loadBoard("icebreaker");

describe("loadable weight RAM on the iCE40 UltraPlus", () => {
  test("dense1 of mnist-adder at pe 1, simd 1 (16384 words of 8 bits): one SB_SPRAM256KA, no EBR, and the estimate counts one block", async () => {
    const m = mnistAdder(1, 1, ["dense1"]);
    const cells = await mvuCells(m, "dense1");
    // 16384 words fit one block's depth; 8 bits fit its 16-bit width
    expect(cells.SB_SPRAM256KA).toBe(1);
    expect(cells.SB_RAM40_4K ?? 0).toBe(0);
    const est = estimateEngine(engine(m, "dense1"), board);
    expect(est.spramBits).toBe(1 * 16384 * 16);
    // only the line buffer (256 inputs of 8 bits: one EBR) is block RAM now, not the weights
    expect(est.bramBits).toBe(4096);
  }, 300_000);

  test("conv2 at pe 1, simd 5 (640 words of 40 bits): three SPRAM blocks side by side, as the estimate counts", async () => {
    const m = mnistAdder(1, 5, ["conv2"]);
    const cells = await mvuCells(m, "conv2");
    // 40 bits over 16-bit columns: ⌈40 / 16⌉ = 3; 640 words are one row
    expect(cells.SB_SPRAM256KA).toBe(3);
    expect(cells.SB_RAM40_4K ?? 0).toBe(0);
    expect(estimateEngine(engine(m, "conv2"), board).spramBits).toBe(3 * 16384 * 16);
  }, 300_000);

  test("the same dense1 with its weight ROM: block RAM (32 EBRs), no SPRAM", async () => {
    const cells = await mvuCells(mnistAdder(1, 1, []), "dense1");
    // 131072 bits of ROM in 4-Kbit SB_RAM40_4K blocks
    expect(cells.SB_RAM40_4K).toBe(32);
    expect(cells.SB_SPRAM256KA ?? 0).toBe(0);
  }, 300_000);
});

/** The UART harness RTL reads like the rest of the generated Verilog: `verilator --lint-only -Wall` is silent. */
import { describe, expect, test } from "vitest";
import { join } from "node:path";
import { testDir } from "../helpers/temp.js";
import { writeTinyDense } from "../helpers/board-models.js";
import { loadModel } from "../../src/ir/load.js";
import { generateDesign } from "../../src/codegen/design.js";
import { uartHarness } from "../../src/codegen/board/uart.js";
import { writeFiles } from "../../src/util/atomic.js";
import { lintVerilator } from "../../src/verify/verilator.js";
import { loadBoard } from "../../src/ir/board.js";
import { Model } from "../../src/ir/model.js";
import { placeWeights } from "../../src/flows/spram.js";

async function lintHarness(modelFile: string | Model, baud?: number): Promise<string> {
  const model = typeof modelFile === "string" ? loadModel(modelFile) : modelFile;
  const design = generateDesign(model);
  const harness = uartHarness(model, design, 12, baud);
  const dir = testDir("quantrtl-uart-lint-");
  writeFiles(dir, [...design.files, ...harness.files]);
  return lintVerilator(join(dir, "rtl"), harness.sources, harness.topModule);
}

describe("UART harness RTL", () => {
  test("16-bit elements both ways (two bytes each) at 1 Mbaud: lint silent", async () => {
    expect(await lintHarness(writeTinyDense(testDir("quantrtl-uart-")), 1_000_000)).toBe("");
  });

  test("mnist-xnor (8-bit pixels in, a class byte out) at 115200 baud: lint silent", async () => {
    expect(await lintHarness("models/mnist-xnor.json")).toBe("");
  });

  test("conv3x3-xnor (1-bit elements in, a byte each): lint silent", async () => {
    expect(await lintHarness("models/conv3x3-xnor.json")).toBe("");
  });

  // the weight-load phase (SPRAM weights): the load port, the byte routing and the engines' RAMs
  const spram = (file: string, pe: number, simd: number) => placeWeights(loadModel(file, { arch: { pe, simd } }), loadBoard("icebreaker"), "spram").model;

  test("mnist-adder at pe 1, simd 1 with its weights in SPRAM (8-bit words, one byte each): lint silent", async () => {
    expect(await lintHarness(spram("models/mnist-adder.json", 1, 1))).toBe("");
  });

  test("conv3x3-xnor at simd 3 with its weights in SPRAM (3-bit words in a byte) and the tiny dense (16-bit words, two bytes): lint silent", async () => {
    expect(await lintHarness(spram("models/conv3x3-xnor.json", 1, 3))).toBe("");
    expect(await lintHarness(spram(writeTinyDense(testDir("quantrtl-uart-")), 1, 2))).toBe("");
  });
});

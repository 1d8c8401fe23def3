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

async function lintHarness(modelFile: string, baud?: number): Promise<string> {
  const model = loadModel(modelFile);
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
});

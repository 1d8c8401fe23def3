/**
 * The bare top with weights in loadable RAMs (SPRAM on the iCE40 UltraPlus) is proven like any other:
 * the harnesses drive its weight-load port with the load image after reset, then stream the vectors
 * and compare every word of every layer. A small adder network (conv → maxpool → dense) with both
 * engines' weights in RAMs, as `--weight-memory spram` places them on the iCEBreaker.
 */
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { verifyModel } from "../../src/verify/index.js";
import { verilatorSimulator } from "../../src/verify/verilator.js";
import { writeDesignFiles } from "../../src/codegen/write.js";
import { modelWeightLoadImage } from "../../src/codegen/weight-load.js";
import { loadBoard } from "../../src/ir/board.js";
import { randomTensor } from "../../src/ir/inputs.js";
import { Model } from "../../src/ir/model.js";
import { placeWeights } from "../../src/flows/spram.js";
import { convLayer, graphModel } from "../helpers/graph-models.js";
import { expectExact } from "../helpers/rtl.js";
import { testDir } from "../helpers/temp.js";

/** Input 6×6×2, adder conv 3×3 → 4 channels (pe 1, simd 3), maxpool 2×2/2 → 3×3×4, dense 36 → 3. */
const romModel = (): Model =>
  graphModel("spramnet", { height: 6, width: 6, channels: 2 }, [
    convLayer({ name: "conv", kernel: "adder", inChannels: 2, outChannels: 4, kernelSize: 3, padding: 1, pe: 1, simd: 3, seed: 5 }),
    { type: "maxpool", name: "pool", kernelSize: 2, stride: 2 },
    {
      type: "dense",
      name: "fc",
      datapath: "adder",
      outFeatures: 3,
      weightBits: 8,
      activationBits: 8,
      weights: Array.from({ length: 3 * 36 }, (_, i) => ((i * 37) % 201) - 100),
      requant: { multiplier: 3, shift: 6, rounding: "half_even", outBits: 8 },
      arch: { pe: 1, simd: 2 },
    },
  ]);
const spramModel = () => placeWeights(romModel(), loadBoard("icebreaker"), "spram").model;

describe("a design with its weights in loadable RAMs", () => {
  test("the placement is what the test means: both engines in RAMs", () => {
    const m = spramModel();
    expect(m.layers.flatMap((l) => ((l.kind === "conv2d" || l.kind === "dense") && l.arch.weightMemory === "spram" ? [l.name] : []))).toEqual(["conv", "fc"]);
    // conv: 4 × 6 words of 3 weights (3 bytes); fc: 3 × 18 words of 2 weights (2 bytes)
    expect(modelWeightLoadImage(m).length).toBe(4 * 6 * 3 + 3 * 18 * 2);
  });

  for (const sim of ["verilator", "icarus"] as const) {
    test(`${sim}: bit-exact on every layer after the load, with random back-pressure`, async () => {
      const r = await verifyModel(spramModel(), { sim, vectors: 2, seed: 3 });
      expectExact(r);
      expect(r.layers.every((l) => l.compared > 0 && l.matched === l.compared)).toBe(true);
    });
  }

  test("the load is once, before the vectors: a frame takes the cycles the ROM design measures (back-pressure 0)", async () => {
    const rom = await verifyModel(romModel(), { sim: "verilator", vectors: 2, seed: 3, backpressure: 0 });
    const ram = await verifyModel(spramModel(), { sim: "verilator", vectors: 2, seed: 3, backpressure: 0 });
    expectExact(ram);
    expect(ram.frameCycles).toEqual(rom.frameCycles);
    expect(ram.cycles).toBe(rom.cycles);
  });

  test("the harness with the image inverted: the words differ from the golden (the load is what sets the weights)", async () => {
    const model = spramModel();
    const root = testDir("quantrtl-spram-rtl-");
    const inputs = [randomTensor(model.input, 1)];
    const { design, inputFile, expectedFiles } = writeDesignFiles(root, model, inputs);
    const rtlDir = join(root, "rtl");
    const image = modelWeightLoadImage(model);
    const run = (bytes: Uint8Array) => {
      writeFileSync(join(rtlDir, "load.hex"), Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("\n") + "\n");
      const expectFile = expectedFiles[expectedFiles.length - 1];
      return verilatorSimulator.run({
        rtlDir,
        sources: design.sources,
        top: design.topModule,
        inputFile,
        expectFile,
        inCount: 72,
        outCount: 3,
        inBits: 8,
        outBits: design.outBits,
        frameIn: 72,
        frameOut: 3,
        stall: 0,
        seed: 1,
        maxCycles: 100_000,
        drainCycles: 10_000,
        settleCycles: 100,
        load: { file: "load.hex", count: bytes.length },
      });
    };
    const good = await run(image);
    expect(good.matched).toBe(3);
    const bad = await run(image.map((b) => b ^ 0xff));
    expect(bad.compared).toBe(3);
    expect(bad.matched).toBeLessThan(3);
  });
});

import { engineLayers } from "../../src/ir/model.js";
import { describe, expect, test } from "vitest";
import { firstConv } from "../helpers/models.js";
import { loadModel } from "../../src/ir/load.js";
import { loadBoard } from "../../src/ir/board.js";
import { chooseFolding } from "../../src/flows/fold.js";
import { boundInterval } from "../../src/flows/predict.js";
import { estimateEngine, fits, sumResources } from "../../src/estimate/resources.js";
import { reductionLength } from "../../src/ir/model.js";
import { QuantrtlError } from "../../src/util/errors.js";

const model = loadModel("models/conv3x3-adder-int8.json");

describe("folding choice", () => {
  test("max throughput on a large board widens the engine until its stream binds, with divisors only", () => {
    const board = loadBoard("zcu104");
    const choice = chooseFolding(model, board, { kind: "max" });
    const layer = firstConv(choice.model);
    expect(reductionLength(layer) % layer.arch.simd).toBe(0);
    expect(layer.output.channels % layer.arch.pe).toBe(0);
    // input 16·16·8 = 2048, output 16·16·16 = 4096 elements: the output stream binds at 4096 cycles
    expect(choice.boundIntervalCycles).toBe(4096);
    expect(fits(sumResources(engineLayers(choice.model).map((l) => estimateEngine(l, board))), board)).toBe(true);
    expect(choice.model.hash).not.toBe(model.hash);
  });

  test("the folded model keeps the model's metadata (its input scale: it still reads mnist-test)", () => {
    const mnist = loadModel("models/mnist-xnor.json");
    const choice = chooseFolding(mnist, loadBoard("icebreaker"), { kind: "max" });
    expect(mnist.metadata?.inputScale).toBeCloseTo(1 / 127, 12);
    expect(choice.model.metadata).toEqual(mnist.metadata);
  });

  test("a small board gets a slower but fitting folding", () => {
    const small = chooseFolding(model, loadBoard("icebreaker"), { kind: "max" });
    const large = chooseFolding(model, loadBoard("zcu104"), { kind: "max" });
    expect(small.boundIntervalCycles).toBeGreaterThan(large.boundIntervalCycles);
    const board = loadBoard("icebreaker");
    expect(fits(sumResources(engineLayers(small.model).map((l) => estimateEngine(l, board))), board)).toBe(true);
  });

  test("a frames/s goal stops at the first folding that meets it", () => {
    const board = loadBoard("pynq-z2");
    const goal = 2000; // 100 MHz / 2000 = 50,000 cycles per frame
    const choice = chooseFolding(model, board, { kind: "fps", fps: goal });
    expect(choice.boundIntervalCycles).toBeLessThanOrEqual(50_000);
    // one step narrower would not meet it: it is the least parallel folding that does
    const l = firstConv(choice.model);
    expect(boundInterval({ ...l, arch: { pe: 1, simd: 1 } })).toBeGreaterThan(50_000);
  });

  test("an unreachable goal is an error naming --fps with the best rate", () => {
    const board = loadBoard("pynq-z2");
    expect(() => chooseFolding(model, board, { kind: "fps", fps: 1e6 })).toThrowError(QuantrtlError);
    try {
      chooseFolding(model, board, { kind: "fps", fps: 1e6 });
    } catch (err) {
      expect((err as QuantrtlError).path).toBe("--fps");
      expect((err as QuantrtlError).hint).toMatch(/at most \d+/);
    }
  });
});

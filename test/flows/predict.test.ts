import { describe, expect, test } from "vitest";
import { readdirSync } from "node:fs";
import { loadModel } from "../../src/ir/load.js";
import { boardNames, loadBoard } from "../../src/ir/board.js";
import { predictStreaming, boundInterval } from "../../src/flows/predict.js";
import { simulateStream } from "../../src/perf/streaming.js";
import { convModel, firstConv } from "../helpers/models.js";
import { runJob } from "../helpers/worker.js";

interface PredictJob {
  steppable: boolean;
  boards: {
    name: string;
    clockMHz: number;
    boardLut: number;
    exact: boolean;
    total: { latencyUs: number; latencyCycles: number; framesPerSecond: number; intervalCycles: number; fractionLut: number; lut: number };
    layers: { intervalCycles: number; idealCycles: number; utilization: number }[];
  }[];
}

const models = readdirSync("models").filter((f) => f.endsWith(".json") && !f.includes(".weights."));

describe("streaming prediction", () => {
  // predictStreaming steps every bundled model cycle by cycle on every board: minutes of
  // synchronous work on a loaded machine, so it runs in a worker thread (one model a job)
  test("works for every bundled model on every board, and the figures are consistent", async () => {
    expect(models.length).toBeGreaterThanOrEqual(4);
    const boards = boardNames();
    for (const file of models) {
      const r = await runJob<PredictJob>("predict-every-board", { file: `models/${file}` });
      expect(r.boards.map((b) => b.name)).toEqual(boards);
      for (const p of r.boards) {
        // exact wherever 3 frames can be stepped; a larger model (the DeiT-Tiny block: ~6·10^6 cycles a frame) gets bounds
        expect(p.exact).toBe(r.steppable);
        if (!p.exact) expect(file).toBe("deit-tiny-block.json");
        const t = p.total;
        expect(t.latencyUs).toBeCloseTo(t.latencyCycles / p.clockMHz, 9);
        expect(t.framesPerSecond).toBeCloseTo((p.clockMHz * 1e6) / t.intervalCycles, 6);
        // a frame can never stream faster than the ideal compute or its one-element-per-cycle input
        for (const l of p.layers) {
          expect(l.intervalCycles).toBeGreaterThanOrEqual(l.idealCycles);
          expect(l.utilization).toBeLessThanOrEqual(1);
        }
        expect(t.fractionLut).toBeCloseTo(t.lut / p.boardLut, 12);
      }
    }
  });

  test("the interval of the 16x16 default model is bounded by compute: 256 pixels x 4 x 5 folds, plus no more than a row of fill", () => {
    const model = loadModel("models/conv3x3-adder-int8.json");
    const p = predictStreaming(model, loadBoard("pynq-z2"));
    // 256 output pixels · NF 4 · SF 5 = 5120 cycles of compute per frame
    expect(p.layers[0].idealCycles).toBe(5120);
    expect(p.total.intervalCycles).toBeGreaterThanOrEqual(5120);
    // the line buffer holds KH + SY = 4 rows; the reader never waits for more than a row of 16x8 inputs
    expect(p.total.intervalCycles).toBeLessThanOrEqual(5120 + 16 * 8);
  });

  test("an engine with one lane is compute bound; one with every lane is bound by its input stream", () => {
    const slow = convModel({ kernel: "mac", bits: 8, pe: 1, simd: 1 });
    // 6x7 pixels · 5 channels · 27 taps, one per cycle
    expect(boundInterval(firstConv(slow))).toBe(42 * 5 * 27);
    const fast = convModel({ kernel: "mac", bits: 8, pe: 5, simd: 27 });
    // compute 42 cycles; input 6·7·3 = 126 elements; output 42·5 = 210 elements — the output stream binds
    expect(boundInterval(firstConv(fast))).toBe(210);
    const run = simulateStream(fast, 3);
    expect(run.frameEnds[2] - run.frameEnds[1]).toBeGreaterThanOrEqual(210);
  });
});

/**
 * Where weights and pool buffers go on a board with SPRAM (flows/spram.ts), and what the estimate and
 * the fit verdict say about it. Block counts are worked out by hand from mnist-adder's shapes:
 * dense1 at pe = simd = 1 is 64 × 256 = 16384 weight words of 8 bits (131072 bits: 32 EBRs as a ROM,
 * one SB_SPRAM256KA of 16384 × 16 as a RAM); pool1 reads 8 channels and pool2 16, one line-buffer
 * bank (one EBR) per lane.
 */
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/ir/load.js";
import { loadBoard } from "../../src/ir/board.js";
import { EngineLayer, Model } from "../../src/ir/model.js";
import { placeWeights } from "../../src/flows/spram.js";
import { chooseFolding } from "../../src/flows/fold.js";
import { estimateModel } from "../../src/estimate/model.js";
import { fitVerdict } from "../../src/flows/fit.js";
import { modelWeightLoadImage, weightLoadBytes } from "../../src/codegen/weight-load.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { predictStreaming } from "../../src/flows/predict.js";

const icebreaker = loadBoard("icebreaker");
const mnistAdder = (pe = 1, simd = 1) => loadModel("models/mnist-adder.json", { arch: { pe, simd } });
const spramOf = (m: Model) =>
  m.layers.filter((l): l is EngineLayer => (l.kind === "conv2d" || l.kind === "dense") && l.arch.weightMemory === "spram").map((l) => l.name);
const lanesOf = (m: Model) => m.layers.flatMap((l) => (l.kind === "maxpool" ? [l.lanes] : []));

describe("weight placement on the iCEBreaker", () => {
  test("mnist-adder at pe 1, simd 1 (block RAM 237 % with ROMs): pools at one lane, then dense1 to SPRAM, and it fits", () => {
    const before = estimateModel(mnistAdder(), icebreaker).total;
    expect(before.bramBits).toBeGreaterThan(icebreaker.resources.bramBits);
    const p = placeWeights(mnistAdder(), icebreaker);
    expect(p.narrowedPools).toEqual(["pool1", "pool2"]);
    expect(lanesOf(p.model)).toEqual([1, 1]);
    expect(p.spram).toEqual(["dense1"]);
    expect(spramOf(p.model)).toEqual(["dense1"]);
    const after = estimateModel(p.model, icebreaker).total;
    // dense1's ROM (32 EBRs) leaves, and 24 pool banks become 3 (pool1: 4 rows × 24 × 8 channels = 768 words → 2; pool2: 512 words → 1)
    expect(before.bramBits - after.bramBits).toBe((32 + 24 - 3) * 4096);
    expect(after.spramBits).toBe(16384 * 16);
    const v = fitVerdict(after, icebreaker);
    expect(v.fits).toBe(true);
    expect(v.resources.find((r) => r.resource === "SPRAM")).toEqual({ resource: "SPRAM", used: 262144, available: 1048576, fraction: 0.25 });
    // the load image: dense1's 16384 words, a byte each
    expect(weightLoadBytes(p.model)).toBe(16384);
  });

  test("--fold auto costs each candidate with its placement: mnist-adder folds (it did not fit at all before) and fits at 80 %", () => {
    const place = (m: Model) => placeWeights(m, icebreaker).model;
    expect(() => chooseFolding(mnistAdder(), icebreaker, { kind: "max" })).toThrow(QuantrtlError);
    const choice = chooseFolding(mnistAdder(), icebreaker, { kind: "max" }, undefined, place);
    const placed = place(choice.model);
    const total = estimateModel(placed, icebreaker).total;
    expect(total.bramBits).toBeLessThanOrEqual(0.8 * icebreaker.resources.bramBits);
    expect(total.spramBits ?? 0).toBeLessThanOrEqual(icebreaker.resources.spramBits);
    // wider than fully folded somewhere: the placement made room
    expect(choice.folding.some((f) => f.simd > 1 || f.pe > 1)).toBe(true);
  });

  test("a design within 80 % of block RAM is left alone (mnist-xnor as --fold auto chooses it)", () => {
    const folded = chooseFolding(loadModel("models/mnist-xnor.json"), icebreaker, { kind: "max" }).model;
    const p = placeWeights(folded, icebreaker);
    expect(p.model).toBe(folded);
    expect(p.spram).toEqual([]);
    expect(modelWeightLoadImage(p.model).length).toBe(0);
  });

  test("a board without SPRAM: auto changes nothing, spram is the user's error naming --weight-memory", () => {
    const m = mnistAdder();
    expect(placeWeights(m, loadBoard("pynq-z2")).model).toBe(m);
    expect(() => placeWeights(m, loadBoard("pynq-z2"), "spram")).toThrow(/pynq-z2 has no SPRAM/);
    try {
      placeWeights(m, loadBoard("pynq-z2"), "spram");
    } catch (e) {
      expect((e as QuantrtlError).path).toBe("--weight-memory");
    }
  });

  test("spram moves every engine that finds blocks, largest ROM first: at pe 1, simd 1 all four engines take one block each", () => {
    const p = placeWeights(mnistAdder(), icebreaker, "spram");
    expect(p.spram).toEqual(["conv1", "conv2", "dense1", "dense2"]);
    expect(estimateModel(p.model, icebreaker).total.spramBits).toBe(4 * 16384 * 16);
    // 8 × 25 + 16 × 200 + 64 × 256 + 10 × 64 words of one byte, in layer order
    expect(weightLoadBytes(p.model)).toBe(200 + 3200 + 16384 + 640);
  });

  test("the cycle model states the one-time load apart from the per-frame cycles, which the load does not change", () => {
    const placed = placeWeights(mnistAdder(), icebreaker, "spram").model;
    const ram = predictStreaming(placed, icebreaker);
    // the same design (its pools at one lane too) with every weight back in a ROM
    const rom = predictStreaming(placeWeights(placed, icebreaker, "rom").model, icebreaker);
    expect(rom.weightLoad).toBeUndefined();
    // 20424 bytes of 10 bits at 115200 baud
    expect(ram.weightLoad).toEqual({ bytes: 20424, baud: 115200, seconds: 204240 / 115200 });
    expect(ram.total.intervalCycles).toBe(rom.total.intervalCycles);
  });

  test("rom keeps every weight in a ROM even where auto would move it", () => {
    const p = placeWeights(placeWeights(mnistAdder(), icebreaker, "spram").model, icebreaker, "rom");
    expect(spramOf(p.model)).toEqual([]);
  });
});

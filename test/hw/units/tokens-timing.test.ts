/**
 * Cycle models of the ViT token units (src/hw/units/token-embed/timing.ts,
 * token_select.ts) stepped by the streaming model with a source and sink that never
 * stall, against closed forms derived from the templates' registers here.
 * (test/hw/layers/tokens.test.ts checks the stepped models against Verilator.)
 */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../../src/ir/load.js";
import { simulateStream } from "../../../src/perf/streaming.js";

const embed = (T: number, C: number) =>
  parseModel({
    quantrtl: 1,
    name: "e",
    input: { height: T, width: 1, channels: C, bits: 8 },
    layers: [
      { type: "token_embed", name: "e", embedding: new Array((T + 1) * C).fill(0), requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 } },
    ],
  });
const select = (T: number, C: number, index: number) =>
  parseModel({ quantrtl: 1, name: "s", input: { height: T, width: 1, channels: C, bits: 8 }, layers: [{ type: "token_select", name: "s", index }] });

describe("closed forms at backpressure 0", () => {
  // token_embed: the class row leaves in cycles 0 … C − 1 while the first token waits, the
  // T·C tokens are taken in cycles C … C + T·C − 1 and leave one cycle later: a frame is
  // T·C + 1 cycles from its first input; the next frame's class row follows at once, so
  // frames start (T + 1)·C apart and F frames take F·(T + 1)·C − C + 1.
  for (const [T, C] of [
    [4, 3],
    [16, 8],
    [1, 1],
  ]) {
    test(`token_embed ${T} tokens of ${C}`, () => {
      const r = simulateStream(embed(T, C), 3);
      expect(r.frameCycles).toEqual([T * C + 1, T * C + 1, T * C + 1]);
      expect(r.cycles).toBe(3 * (T + 1) * C - C + 1);
    });
  }
  // token_select: T·C inputs in cycles 0 … T·C − 1, the kept row emitted in the next C
  // cycles (no input meanwhile) and leaving one cycle later: T·C + C + 1 per frame, frames
  // T·C + C apart, whatever the index.
  for (const [T, C, index] of [
    [5, 6, 2],
    [17, 4, 0],
    [3, 1, 2],
  ]) {
    test(`token_select ${T} tokens of ${C}, index ${index}`, () => {
      const r = simulateStream(select(T, C, index), 3);
      expect(r.frameCycles).toEqual([T * C + C + 1, T * C + C + 1, T * C + C + 1]);
      expect(r.cycles).toBe(3 * (T * C + C) + 1);
    });
  }
});

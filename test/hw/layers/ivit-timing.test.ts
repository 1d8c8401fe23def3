/**
 * Cycle models of the integer ViT units (src/hw/units/ivit-<unit>/timing.ts) stepped by the
 * streaming model with a source and sink that never stall: they equal the closed
 * forms of ivitFrameCycles (the phase lengths of the templates), frame after frame.
 * (test/hw/layers/ivit-*.test.ts check the stepped models against Verilator.)
 */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../../src/ir/load.js";
import { simulateStream } from "../../../src/perf/streaming.js";
import { ivitFrameCycles } from "../../../src/hw/layers/ivit.js";
import { DividerTiming } from "../../../src/hw/units/ivit-divider/timing.js";
import type { IvitLayer } from "../../../src/ir/model.js";

const rq = { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 };
const one = (tokens: number, channels: number, layer: object, bits = 8) =>
  parseModel({ quantrtl: 1, name: "t", input: { height: tokens, width: 1, channels, bits }, layers: [{ name: "l", ...layer }] });

describe("closed forms at backpressure 0", () => {
  const cases: [string, ReturnType<typeof one>][] = [
    ["softmax 3×6", one(3, 6, { type: "softmax", x0: -5 })],
    ["softmax 4×17, int16", one(4, 17, { type: "softmax", x0: -5 }, 16)],
    ["gelu 3×6", one(3, 6, { type: "gelu", x0: -5, requant: rq })],
    ["layernorm 3×6", one(3, 6, { type: "layernorm", requant: rq })],
    ["layernorm 5×40", one(5, 40, { type: "layernorm", requant: rq })],
    ["attention 5 tokens, 2 heads of 4, SIMD 4", one(5, 24, { type: "attention", heads: 2, x0: -5, requant: rq })],
    ["attention 7 tokens, 3 heads of 4, SIMD 1", one(7, 36, { type: "attention", heads: 3, x0: -5, arch: { simd: 1 }, requant: rq })],
    ["attention 9 tokens, 2 heads of 6, SIMD 3", one(9, 36, { type: "attention", heads: 2, x0: -5, arch: { simd: 3 }, requant: rq })],
  ];
  for (const [name, model] of cases) {
    test(`${name}: every frame takes ivitFrameCycles, frames back to back`, () => {
      const r = simulateStream(model, 3);
      const frame = ivitFrameCycles(model.layers[0] as IvitLayer);
      expect(r.frameCycles).toEqual([frame, frame, frame]);
    });
  }

  test("DeiT-Tiny attention alone (197 tokens, 3 heads of 64, SIMD 16): the closed form", () => {
    const m = one(197, 576, { type: "attention", heads: 3, x0: -7544, n: 10, requant: rq });
    // 197·576 + 197·3·(197·4 + 1 + 2·198 + 33 + 4·(197 + 16 + 2)) + 1
    expect(ivitFrameCycles(m.layers[0] as IvitLayer)).toBe(113472 + 591 * (789 + 396 + 33 + 860) + 1);
    expect(simulateStream(m, 1).frameCycles).toEqual([ivitFrameCycles(m.layers[0] as IvitLayer)]);
  });
});

describe("divider", () => {
  test("done pulses NW + 1 cycles after the start cycle, for one cycle", () => {
    const d = new DividerTiming(31);
    const seen: number[] = [];
    for (let cycle = 0; cycle < 80; cycle++) {
      d.tick(cycle === 3);
      if (d.done) seen.push(cycle + 1); // done is a register: visible in the next cycle
    }
    expect(seen).toEqual([3 + 32]);
  });
});

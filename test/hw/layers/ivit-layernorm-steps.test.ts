/**
 * I-LayerNorm with more Newton steps than §5's ten, recorded in the IR
 * (`newtonIterations`, up to 16): loading, a hand-computed golden token whose
 * variance ten steps leave far from converged, the closed-form cycles, and the RTL
 * (bit-exact in Verilator with and without back-pressure, cycles predicted exactly,
 * and in Icarus) on tokens of small spread.
 */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../../src/ir/load.js";
import type { IvitLayer, Model } from "../../../src/ir/model.js";
import { QuantrtlError } from "../../../src/util/errors.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import { simulateStream } from "../../../src/perf/streaming.js";
import { ivitFrameCycles } from "../../../src/hw/layers/ivit.js";
import { verifyModel } from "../../../src/verify/index.js";
import { rng } from "../../../src/ir/inputs.js";
import { expectExact } from "../../helpers/rtl.js";
import { expectVerified } from "../../helpers/network-models.js";
import { layerNormDoc, tokenDoc, tokenInputs } from "../../helpers/ivit-models.js";

const ln = (steps: number | undefined, channels = 4, requant: object = { multiplier: 1, shift: 24, rounding: "floor", outBits: 16 }) =>
  parseModel(tokenDoc("ln", 1, channels, [{ type: "layernorm", name: "ln", ...(steps === undefined ? {} : { newtonIterations: steps }), requant }]));

describe("loading", () => {
  test("absent and 10 are the same layer (same hash); 16 is kept", () => {
    const [none, ten, sixteen] = [ln(undefined), ln(10), ln(16)];
    expect(ten.hash).toBe(none.hash);
    expect(sixteen.hash).not.toBe(none.hash);
    const l = sixteen.layers[0];
    expect(l.kind === "layernorm" && l.params.newtonIterations).toBe(16);
  });

  for (const [steps, mention] of [
    [17, "<= 16"],
    [0, ">= 1"],
  ] as const) {
    test(`newtonIterations ${steps} is rejected at its path`, () => {
      let err: unknown;
      try {
        ln(steps);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(QuantrtlError);
      expect((err as QuantrtlError).path).toBe("/layers/0/newtonIterations");
      expect((err as QuantrtlError).message).toContain(mention);
    });
  }
});

test("x = [3, −3, 3, −3]: var = 36; ten steps stop at std = 64, sixteen reach 6 (by hand)", () => {
  // 2^16 halves to 64 in ten steps (36/k = 0); then 32, (32 + 1)/2 = 16, (16 + 2)/2 = 9, (9 + 4)/2 = 6, 6, 6.
  // std 6: f = floor((2^31 − 1)/6) = 357913941, y·f = ±1073741823, floor(/2) = 536870911 / −536870912, >> 24 → 31 / −32
  // std 64: f = 33554431, y·f = ±100663293, floor(/2) = 50331646 / −50331647, >> 24 → 2 / −3
  const x = { shape: [1, 1, 4] as [number, number, number], bits: 8, data: Int32Array.of(3, -3, 3, -3) };
  expect(Array.from(runGolden(ln(16), x).layers[0].data)).toEqual([31, -32, 31, -32]);
  expect(Array.from(runGolden(ln(undefined), x).layers[0].data)).toEqual([2, -3, 2, -3]);
});

test("the cycle model: 3N + 3 + (steps + 2) divisions per token, as the closed form", () => {
  const m = ln(16, 6);
  const r = simulateStream(m, 2);
  expect(r.frameCycles).toEqual([ivitFrameCycles(m.layers[0] as IvitLayer), ivitFrameCycles(m.layers[0] as IvitLayer)]);
  // six more divisions than ten steps take, each NW + 2 cycles
  expect(ivitFrameCycles(m.layers[0] as IvitLayer) - ivitFrameCycles(ln(undefined, 6).layers[0] as IvitLayer)).toBe(
    6 * (ivitFrameCycles(ln(11, 6).layers[0] as IvitLayer) - ivitFrameCycles(ln(10, 6).layers[0] as IvitLayer)),
  );
});

test("RTL: 5 tokens of 12 channels, 16 steps, tokens of small spread and the extremes, bit-exact in Verilator and Icarus", async () => {
  const model: Model = parseModel(tokenDoc("ln16", 5, 12, [layerNormDoc("ln", 12, 7, { newtonIterations: 16 })]));
  const next = rng(9);
  const small = { ...tokenInputs(model.input, 0, 1)[0], data: Int32Array.from({ length: 60 }, () => Math.floor(next() * 7) - 3) };
  const inputs = [small, ...tokenInputs(model.input, 2, 3)];
  const r0 = await expectVerified(model, inputs, 4);
  expect(r0.frameCycles).toEqual(inputs.map(() => ivitFrameCycles(model.layers[0] as IvitLayer)));
  expectExact(await verifyModel(model, { sim: "icarus", inputs, seed: 5, backpressure: 0.3 }));
});

/** The input quantizer against hand-worked QONNX Quant values, and the inputScale models against ptq.quantizeInput. */
import { describe, expect, test } from "vitest";
import type { Model } from "../../../src/ir/model.js";
import { inputQuantizerOf, quantizeSample } from "../../../src/frontend/data/quantize-input.js";
import { quantizeInput } from "../../../src/frontend/ptq.js";
import { rng } from "../../../src/ir/inputs.js";

const model = (metadata: Record<string, unknown>, channels = 1, bits = 8) =>
  ({ name: "m", hash: "h", file: "m.json", input: { height: 1, width: 1, channels, bits }, layers: [], metadata }) as unknown as Model;
const quant = (q: Record<string, unknown>, values: number[], channels = 1, bits = 8) =>
  Array.from(quantizeSample(inputQuantizerOf(model({ inputQuantizer: q }, channels, bits)), values, channels));

describe("input quantizer (QONNX Quant)", () => {
  test("ROUND is half to even, then clamped to the signed 4-bit range [-8, 7]", () => {
    // x / 0.5 = 0.5, 1.5, -0.5, -1.5, 2.5, 200, -200
    expect(quant({ scale: 0.5, zeroPoint: 0, bits: 4, signed: true, narrow: false, rounding: "ROUND" }, [0.25, 0.75, -0.25, -0.75, 1.25, 100, -100])).toEqual([
      0, 2, 0, -2, 2, 7, -8,
    ]);
  });

  test("every rounding mode on 2.5, -2.5, 1.2, -1.2 (hand-worked)", () => {
    const x = [2.5, -2.5, 1.2, -1.2];
    const expected: Record<string, number[]> = {
      ROUND: [2, -2, 1, -1],
      HALF_EVEN: [2, -2, 1, -1],
      CEIL: [3, -2, 2, -1],
      FLOOR: [2, -3, 1, -2],
      UP: [3, -3, 2, -2],
      DOWN: [2, -2, 1, -1],
      ROUND_TO_ZERO: [2, -2, 1, -1],
      HALF_UP: [3, -3, 1, -1],
      HALF_DOWN: [2, -2, 1, -1],
    };
    for (const [rounding, want] of Object.entries(expected)) {
      expect(quant({ scale: 1, bits: 8, signed: true, rounding }, x), rounding).toEqual(want);
    }
  });

  test("narrow signed drops the most negative code; a zero point shifts the range (the integer input is q, as the importer lowers it)", () => {
    expect(quant({ scale: 1, bits: 4, signed: true, narrow: true }, [-20, 20])).toEqual([-7, 7]);
    // unsigned 4 bits, zero point 3: q = clamp(round(x + 3), 0, 15), the input is q
    expect(quant({ scale: 1, zeroPoint: 3, bits: 4, signed: false }, [-3, -5, 12, 13, 0.4])).toEqual([0, 0, 15, 15, 3]);
  });

  test("per-channel scales apply along the last (channel) axis; 1-bit signed is bipolar", () => {
    expect(quant({ scale: [1, 0.5], bits: 8, signed: true }, [1, 1, 3, 3], 2)).toEqual([1, 2, 3, 6]);
    expect(quant({ scale: 1, bits: 1, signed: true }, [-0.1, 0, 0.3], 1, 1)).toEqual([-1, 1, 1]);
  });

  test("a quantizer whose integers do not fit the model's input, or a malformed one, is refused with its JSON path", () => {
    expect(() => inputQuantizerOf(model({ inputQuantizer: { scale: 1 / 255, bits: 8, signed: false } }))).toThrow(
      /\/metadata\/inputQuantizer: gives integers in \[0, 255\], beyond the model's 8-bit input \[-128, 127\]/,
    );
    expect(() => inputQuantizerOf(model({ inputQuantizer: { scale: 1 / 255, bits: 8, signed: false } }, 1, 16))).not.toThrow();
    expect(() => inputQuantizerOf(model({ inputQuantizer: { scale: -1, bits: 8 } }))).toThrow(/inputQuantizer\/scale/);
    expect(() => inputQuantizerOf(model({ inputQuantizer: { scale: [1, 2, 3], bits: 8 } }, 2))).toThrow(/inputQuantizer\/scale/);
    expect(() => inputQuantizerOf(model({ inputQuantizer: { scale: 1, zeroPoint: 0.5, bits: 8 } }))).toThrow(/zeroPoint/);
    expect(() => inputQuantizerOf(model({ inputQuantizer: { scale: 1, bits: 8, rounding: "STOCHASTIC" } }))).toThrow(/rounding/);
    expect(() => inputQuantizerOf(model({}))).toThrow(/\/metadata\/inputScale/);
  });
});

describe("input quantizer (ONNX QuantizeLinear: zeroPointAfterRounding)", () => {
  test("rounds x/scale half to even, then adds the zero point: an odd zero point moves every tie (hand-worked)", () => {
    // x/s = 0.5, 1.5, 2.5, −0.5, 3 with zero point 3 (unsigned 8 bits): round(·) + 3
    const q = { scale: 0.5, zeroPoint: 3, zeroPointAfterRounding: 3, bits: 8, signed: false };
    expect(quant(q, [0.25, 0.75, 1.25, -0.25, 1.5], 1, 16)).toEqual([3, 5, 5, 3, 6]);
    // the same record without the field is QONNX's round(x/s + 3): 4, 4, 6, 2, 6
    expect(quant({ ...q, zeroPointAfterRounding: undefined }, [0.25, 0.75, 1.25, -0.25, 1.5], 1, 16)).toEqual([4, 4, 6, 2, 6]);
    // a fraction of the zero point folded before the rounding (zeroPoint 5, k 3): round(x/s + 2) + 3
    expect(quant({ ...q, zeroPoint: 5 }, [0.25], 1, 16)).toEqual([5]);
  });

  test("a malformed zeroPointAfterRounding is refused with its JSON path", () => {
    expect(() => inputQuantizerOf(model({ inputQuantizer: { scale: 1, zeroPoint: 1, zeroPointAfterRounding: 0.5, bits: 8 } }))).toThrow(
      /inputQuantizer\/zeroPointAfterRounding/,
    );
  });
});

describe("input scale (models quantized by ptq.ts)", () => {
  test("equals ptq.quantizeInput (round half away from zero, saturated to ±127) on random floats", () => {
    const next = rng(5);
    const values = Array.from({ length: 4000 }, () => (next() - 0.5) * 4);
    // exact halves too: k/2 steps of the scale
    for (let k = -300; k <= 300; k++) values.push((k / 2) * (1 / 127));
    const q = inputQuantizerOf(model({ inputScale: 1 / 127 }));
    expect(Array.from(quantizeSample(q, values, 1))).toEqual(Array.from(quantizeInput(values, 1 / 127)));
  });
});

/**
 * Quant semantics against hand-worked values: the rounding table of the QONNX
 * documents (docs/qonnx-custom-ops/intquant_v1.md), min_int/max_int, clipping and
 * zero points worked by hand; the same values through toStandardOnnx in onnxruntime.
 */
import { describe, expect, it } from "vitest";
import { QonnxRounding, qonnxRound, quantBounds, quantInt, truncInt } from "../../../src/frontend/onnx/qonnx.js";
import { toStandardOnnx } from "../../../src/frontend/onnx/float-graph.js";
import { GraphBuilder, QONNX, runOrt } from "./graph-builder.js";

const VALUES = [5.5, 2.5, 1.6, 1.1, 1.0, -1.0, -1.1, -1.6, -2.5, -5.5];
// the documents' table, column by column
const TABLE: Record<string, number[]> = {
  ROUND: [6, 2, 2, 1, 1, -1, -1, -2, -2, -6],
  CEIL: [6, 3, 2, 2, 1, -1, -1, -1, -2, -5],
  FLOOR: [5, 2, 1, 1, 1, -1, -2, -2, -3, -6],
  UP: [6, 3, 2, 2, 1, -1, -2, -2, -3, -6],
  DOWN: [5, 2, 1, 1, 1, -1, -1, -1, -2, -5],
  HALF_UP: [6, 3, 2, 1, 1, -1, -1, -2, -3, -6],
  HALF_DOWN: [5, 2, 2, 1, 1, -1, -1, -2, -2, -5],
};

describe("QONNX Quant semantics", () => {
  it.each(Object.keys(TABLE))("rounding mode %s follows the documents' table", (mode) => {
    expect(VALUES.map((v) => qonnxRound(v, mode as QonnxRounding))).toEqual(TABLE[mode]);
  });

  it("min_int / max_int for signed, unsigned, narrow", () => {
    expect(quantBounds({ bits: 8, signed: true, narrow: true })).toEqual([-127, 127]);
    expect(quantBounds({ bits: 8, signed: true, narrow: false })).toEqual([-128, 127]);
    expect(quantBounds({ bits: 8, signed: false, narrow: true })).toEqual([0, 254]);
    expect(quantBounds({ bits: 8, signed: false, narrow: false })).toEqual([0, 255]);
    expect(quantBounds({ bits: 2, signed: true, narrow: true })).toEqual([-1, 1]);
  });

  it("scales, adds the zero point, clips and rounds (hand-worked)", () => {
    const p = { scale: 0.1, zeroPoint: 3, bits: 4, signed: false, narrow: false, rounding: "ROUND" as const };
    expect(quantInt(0.37, p)).toBe(7); // 3.7 + 3 = 6.7 → 7
    expect(quantInt(2.0, p)).toBe(15); // 23 → clipped to 15
    expect(quantInt(-1, { ...p, scale: 0.25, zeroPoint: 2 })).toBe(0); // −4 + 2 = −2 → 0
    expect(quantInt(-2, { ...p, signed: true, narrow: true, zeroPoint: 0 })).toBe(-7); // −20 → −7 (narrow)
    expect(quantInt(-2, { ...p, signed: true, narrow: false, zeroPoint: 0 })).toBe(-8);
    expect(quantInt(0.25, { ...p, scale: 0.5, zeroPoint: 0 })).toBe(0); // 0.5 → half to even: 0
    expect(quantInt(0.25, { ...p, scale: 0.5, zeroPoint: 0, rounding: "HALF_UP" })).toBe(1);
  });

  it("ONNX QuantizeLinear's order (zero point added after rounding) differs from Quant's at ties with an odd zero point (hand-worked)", () => {
    const p = { scale: 0.5, zeroPoint: 1, bits: 8, signed: false, narrow: false, rounding: "ROUND" as const };
    // x/s = 0.5: Quant round(1.5) = 2; QuantizeLinear round(0.5) + 1 = 1
    expect(quantInt(0.25, p)).toBe(2);
    expect(quantInt(0.25, { ...p, zeroPointAfterRounding: 1 })).toBe(1);
    // x/s = 1.5: round(2.5) = 2 against round(1.5) + 1 = 3; an even zero point agrees (round(1.5) + 2 = round(3.5) = 4)
    expect(quantInt(0.75, p)).toBe(2);
    expect(quantInt(0.75, { ...p, zeroPointAfterRounding: 1 })).toBe(3);
    expect(quantInt(0.75, { ...p, zeroPoint: 2, zeroPointAfterRounding: 2 })).toBe(quantInt(0.75, { ...p, zeroPoint: 2 }));
    // the saturation follows the zero point: round(−0.5) + 1 = 1; round(255.5) + 1 = 257 → 255
    expect(quantInt(-0.25, { ...p, zeroPointAfterRounding: 1 })).toBe(1);
    expect(quantInt(127.75, { ...p, zeroPointAfterRounding: 1 })).toBe(255);
    // a shift folded before the rounding (zeroPoint − k = 2): round(0.5 + 2) + 1 = 3
    expect(quantInt(0.25, { ...p, zeroPoint: 3, zeroPointAfterRounding: 1 })).toBe(3);
  });
});

describe("toStandardOnnx runs Quant in onnxruntime", () => {
  it.each(Object.keys(TABLE))("rounding mode %s: the table's values through onnxruntime", async (mode) => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, VALUES.length]);
    g.output(g.quant(x, 1, 0, 8, { rounding: mode }), [1, VALUES.length]);
    const out = await runOrt(toStandardOnnx(g.bytes()), Float32Array.from(VALUES), [1, VALUES.length]);
    expect(Array.from(Object.values(out)[0])).toEqual(TABLE[mode]);
  });

  it("per-channel scale, zero point ≠ 0, unsigned narrow: (q − zp)·scale", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 3]);
    const s = g.init("s", [1, 3], [0.5, 0.25, 0.1]);
    const z = g.init("z", [1, 3], [1, 2, 0]);
    g.output(g.quant(x, s, z, 3, { signed: 0, narrow: 1 }), [1, 3]);
    const out = await runOrt(toStandardOnnx(g.bytes()), Float32Array.of(1.3, 1.3, 5), [1, 3]);
    // 2.6 + 1 = 3.6 → 4 → (4 − 1)·0.5 = 1.5;  5.2 + 2 = 7.2 → clip 6 (narrow) → (6 − 2)·0.25 = 1;  50 → 6 → 0.6
    expect(Array.from(Object.values(out)[0]).map((v) => +v.toFixed(6))).toEqual([1.5, 1, 0.6]);
  });

  it("BipolarQuant: +scale for x ≥ 0, −scale below", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 4]);
    g.output(g.node("BipolarQuant", [x, g.scalar(0.5)], {}, "qonnx.custom_op.general"), [1, 4]);
    const out = await runOrt(toStandardOnnx(g.bytes()), Float32Array.of(-0.1, 0, 0.2, -3), [1, 4]);
    expect(Array.from(Object.values(out)[0])).toEqual([-0.5, 0.5, 0.5, -0.5]);
  });
});

describe("QONNX Trunc (trunc_v2.md)", () => {
  // x/scale + zp = 23, 7, −9, 40 (ROUND); ÷ ts = 4 (out_scale 0.4 / scale 0.1): 5.75, 1.75, −2.25, 10 → clamp to 4 bits signed [−8, 7]
  const X = [2.3, 0.7, -0.9, 4.0];
  const EXPECTED: Record<string, number[]> = { FLOOR: [5, 1, -3, 7], CEIL: [6, 2, -2, 7], ROUND: [6, 2, -2, 7] };
  it.each(Object.keys(EXPECTED))("rounding %s: truncInt and onnxruntime on the rewritten graph give the hand-worked integers", async (mode) => {
    const p = { scale: 0.1, zeroPoint: 0, outScale: 0.4, bits: 4, signed: true, narrow: false, rounding: mode as QonnxRounding };
    expect(X.map((x) => truncInt(x, p))).toEqual(EXPECTED[mode]);
    const g = new GraphBuilder();
    const x = g.input("x", [1, 4]);
    const t = g.node("Trunc", [x, g.scalar(0.1), g.scalar(0), g.scalar(8), g.scalar(0.4), g.scalar(4)], { rounding_mode: mode, signed: 1, narrow: 0 }, QONNX);
    g.output(t, [1, 4]);
    const out = await runOrt(toStandardOnnx(g.bytes()), Float32Array.from(X), [1, 4]);
    expect(Array.from(Object.values(out)[0], (v) => Math.round(v / 0.4))).toEqual(EXPECTED[mode]);
  });
});

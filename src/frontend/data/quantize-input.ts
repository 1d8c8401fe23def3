/**
 * Float data -> the model's integer input, by the quantizer the model records:
 * metadata.inputQuantizer (QONNX `Quant` semantics: q = clamp(round(x/scale +
 * zeroPoint)), or with zeroPointAfterRounding k (ONNX QuantizeLinear: k = its zero
 * point) q = clamp(round(x/scale + zeroPoint − k) + k); the integer input is q itself,
 * the QONNX integer tensor, whose zero point the model's first layer removes as
 * `quantrtl import` lowers it; computed in
 * float32 like QONNX's numpy reference), or the older metadata.inputScale (round half away
 * from zero in float64, saturated to ±(2^(bits−1) − 1), as ptq.quantizeInput).
 */
import type { Model } from "../../ir/model.js";
import { QuantrtlError } from "../../util/errors.js";
import { signedMax, signedMin } from "../../arith/rounding.js";

/** QONNX rounding_mode names (ROUND = HALF_EVEN), and Brevitas' ROUND_TO_ZERO (= DOWN). */
export const ROUNDING_MODES = ["ROUND", "HALF_EVEN", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN", "ROUND_TO_ZERO"] as const;
export type QuantRounding = (typeof ROUNDING_MODES)[number];

export interface InputQuantizer {
  /** One scale, or one per channel (the last axis of an HWC sample). */
  readonly scale: readonly number[];
  readonly zeroPoint: readonly number[];
  readonly bits: number;
  readonly signed: boolean;
  readonly narrow: boolean;
  readonly rounding: QuantRounding;
  /** The part of zeroPoint added after rounding (one, or one per channel); absent: none (QONNX Quant). */
  readonly zeroPointAfterRounding?: readonly number[];
  /** float32 for QONNX's Quant, float64 for the inputScale models (their PTQ computed in float64). */
  readonly arithmetic: "float32" | "float64";
  /** Where it came from, for messages. */
  readonly source: string;
}

const f32 = Math.fround;

export function roundBy(mode: QuantRounding, v: number, fr: (x: number) => number = (x) => x): number {
  switch (mode) {
    case "ROUND":
    case "HALF_EVEN": {
      const f = Math.floor(v);
      const d = v - f;
      return d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
    }
    case "CEIL":
      return Math.ceil(v);
    case "FLOOR":
      return Math.floor(v);
    case "UP":
      return Math.sign(v) * Math.ceil(Math.abs(v));
    case "DOWN":
    case "ROUND_TO_ZERO":
      return Math.trunc(v);
    case "HALF_UP":
      return Math.sign(v) * Math.floor(fr(Math.abs(v) + 0.5));
    case "HALF_DOWN":
      return Math.sign(v) * Math.ceil(fr(Math.abs(v) - 0.5));
  }
}

/** The integer range a quantizer produces (q − zeroPoint spans it for zeroPoint 0). */
export function quantRange(bits: number, signed: boolean, narrow: boolean): [number, number] {
  if (signed) return [narrow ? -(2 ** (bits - 1)) + 1 : -(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
  return [0, narrow ? 2 ** bits - 2 : 2 ** bits - 1];
}

/** The model's input range: ±1 for a binary input, else signed bits. */
export function modelInputRange(model: Model): [number, number] {
  const bits = model.input.bits;
  return bits === 1 ? [-1, 1] : [signedMin(bits), signedMax(bits)];
}

const numbers = (v: unknown): number[] | undefined =>
  typeof v === "number" ? [v] : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "number") ? (v as number[]) : undefined;

/** The model's input quantizer, checked once here: it must produce integers the model's input can hold. */
export function inputQuantizerOf(model: Model): InputQuantizer {
  const meta = model.metadata ?? {};
  const raw = meta.inputQuantizer;
  if (raw !== undefined) {
    const at = "/metadata/inputQuantizer";
    const r = raw as Record<string, unknown>;
    const bad = (field: string, hint: string) => new QuantrtlError(model.file, `${at}/${field}`, `is ${JSON.stringify(r?.[field])}`, hint);
    if (typeof raw !== "object" || raw === null)
      throw new QuantrtlError(model.file, at, "is not an object", "{scale, zeroPoint, bits, signed, narrow, rounding}");
    const C = model.input.channels;
    const scale = numbers(r.scale);
    if (!scale || !scale.every((s) => s > 0 && Number.isFinite(s)) || (scale.length !== 1 && scale.length !== C))
      throw bad("scale", `a positive number, or ${C} (one per input channel)`);
    const zeroPoint = numbers(r.zeroPoint ?? 0);
    if (!zeroPoint || !zeroPoint.every(Number.isInteger) || (zeroPoint.length !== 1 && zeroPoint.length !== C))
      throw bad("zeroPoint", `an integer, or ${C} of them`);
    const after = numbers(r.zeroPointAfterRounding ?? 0);
    if (!after || !after.every(Number.isInteger) || (after.length !== 1 && after.length !== C))
      throw bad("zeroPointAfterRounding", `an integer, or ${C} of them (the part of zeroPoint added after rounding)`);
    if (typeof r.bits !== "number" || !Number.isInteger(r.bits) || r.bits < 1 || r.bits > 16) throw bad("bits", "an integer in [1, 16]");
    const signed = r.signed ?? true;
    const narrow = r.narrow ?? false;
    if (typeof signed !== "boolean") throw bad("signed", "true or false");
    if (typeof narrow !== "boolean") throw bad("narrow", "true or false");
    const rounding = String(r.rounding ?? "ROUND").toUpperCase();
    if (!(ROUNDING_MODES as readonly string[]).includes(rounding)) throw bad("rounding", `one of ${ROUNDING_MODES.join(", ")}`);
    const q: InputQuantizer = {
      scale,
      zeroPoint,
      bits: r.bits,
      signed,
      narrow,
      rounding: rounding as QuantRounding,
      ...(after.some((k) => k !== 0) ? { zeroPointAfterRounding: after } : {}),
      arithmetic: "float32",
      source: "metadata.inputQuantizer",
    };
    checkFits(model, q, at);
    return q;
  }
  const scale = meta.inputScale;
  if (typeof scale !== "number" || !(scale > 0)) {
    throw new QuantrtlError(
      model.file,
      "/metadata/inputScale",
      "is missing: the model does not say how a float input maps to its integer input",
      "record metadata.inputQuantizer {scale, zeroPoint, bits, signed, narrow, rounding} (quantrtl import does), or metadata.inputScale; or give integer data",
    );
  }
  const bits = model.input.bits;
  return { scale: [scale], zeroPoint: [0], bits, signed: true, narrow: true, rounding: "HALF_UP", arithmetic: "float64", source: "metadata.inputScale" };
}

function checkFits(model: Model, q: InputQuantizer, at: string): void {
  const [lo, hi] = modelInputRange(model);
  const [qlo, qhi] = q.bits === 1 && q.signed ? [-1, 1] : quantRange(q.bits, q.signed, q.narrow);
  if (qlo < lo || qhi > hi) {
    throw new QuantrtlError(
      model.file,
      at,
      `gives integers in [${qlo}, ${qhi}], beyond the model's ${model.input.bits}-bit input [${lo}, ${hi}]`,
      "quantize the input to the model's input width (or widen model.input.bits)",
    );
  }
}

/** One HWC sample (channels = the last axis) through the quantizer: the model's integer input. */
export function quantizeSample(q: InputQuantizer, values: ArrayLike<number>, channels: number, out = new Int32Array(values.length)): Int32Array {
  const fr = q.arithmetic === "float32" ? f32 : (x: number) => x;
  const bipolar = q.bits === 1 && q.signed;
  const [lo, hi] = quantRange(q.bits, q.signed, q.narrow);
  for (let i = 0; i < values.length; i++) {
    const c = i % channels;
    const s = q.scale.length === 1 ? q.scale[0] : q.scale[c];
    const zp = q.zeroPoint.length === 1 ? q.zeroPoint[0] : q.zeroPoint[c];
    const after = q.zeroPointAfterRounding;
    const k = after === undefined ? 0 : after.length === 1 ? after[0] : after[c];
    const y = fr(fr(fr(values[i]) / fr(s)) + (zp - k));
    // QONNX Quant at 1 bit signed is bipolar: +1 for y >= 0, else −1 (zero point not subtracted)
    if (bipolar) {
      out[i] = y >= 0 ? 1 : -1;
      continue;
    }
    out[i] = Math.min(hi, Math.max(lo, roundBy(q.rounding, y, fr) + k));
  }
  return out;
}

/** The real value of an integer input (q · scale): the float reference's input when the data came as integers. */
export function dequantizeSample(q: InputQuantizer, values: ArrayLike<number>, channels: number, out: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const c = i % channels;
    out[i] = (values[i] - (q.zeroPoint.length === 1 ? q.zeroPoint[0] : q.zeroPoint[c])) * (q.scale.length === 1 ? q.scale[0] : q.scale[c]);
  }
}

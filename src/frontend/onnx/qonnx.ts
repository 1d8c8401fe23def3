/**
 * QONNX custom-op semantics, restated from the QONNX repository's
 * docs/qonnx-custom-ops (intquant_v1.md, bipolarquant_v1.md): the float
 * reference of Quant / BipolarQuant on one value.
 *   Quant: q = round_mode(clip(x / scale + zeropt, min_int, max_int)); y = (q − zeropt)·scale
 * (the documents clamp before rounding; with integer bounds the two orders agree).
 */
import { QuantrtlError } from "../../util/errors.js";

export type QonnxRounding = "ROUND" | "CEIL" | "FLOOR" | "UP" | "DOWN" | "HALF_UP" | "HALF_DOWN" | "ROUND_TO_ZERO";
export const QONNX_ROUNDING: readonly QonnxRounding[] = ["ROUND", "CEIL", "FLOOR", "UP", "DOWN", "HALF_UP", "HALF_DOWN", "ROUND_TO_ZERO"];

/** The rounding of a Quant/Trunc node, by the documents' table (ROUND = half to even; ROUND_TO_ZERO = DOWN, Brevitas' name). */
export function qonnxRound(v: number, mode: QonnxRounding): number {
  switch (mode) {
    case "ROUND": {
      const f = Math.floor(v);
      const d = v - f;
      if (d < 0.5) return f;
      if (d > 0.5) return f + 1;
      return f % 2 === 0 ? f : f + 1;
    }
    case "CEIL":
      return Math.ceil(v);
    case "FLOOR":
      return Math.floor(v);
    case "UP":
      return v < 0 ? -Math.ceil(-v) : Math.ceil(v);
    case "DOWN":
    case "ROUND_TO_ZERO":
      return Math.trunc(v);
    case "HALF_UP":
      return Math.sign(v) * Math.floor(Math.abs(v) + 0.5);
    case "HALF_DOWN":
      return Math.sign(v) * Math.ceil(Math.abs(v) - 0.5);
  }
}

export function parseRounding(s: string | undefined, file: string | undefined, node: string): QonnxRounding {
  const mode = (s ?? "ROUND").toUpperCase();
  if (!(QONNX_ROUNDING as readonly string[]).includes(mode)) {
    throw new QuantrtlError(file, `node "${node}" attribute rounding_mode`, `"${s}" is not a QONNX rounding mode`, `use one of ${QONNX_ROUNDING.join(", ")}`);
  }
  return mode as QonnxRounding;
}

export interface IntRangeSpec {
  readonly bits: number;
  readonly signed: boolean;
  readonly narrow: boolean;
}

/** min_int / max_int of the documents. */
export function quantBounds({ bits, signed, narrow }: IntRangeSpec): [number, number] {
  if (signed) return [narrow ? -(2 ** (bits - 1)) + 1 : -(2 ** (bits - 1)), 2 ** (bits - 1) - 1];
  return [0, narrow ? 2 ** bits - 2 : 2 ** bits - 1];
}

export interface QuantParams extends IntRangeSpec {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly rounding: QonnxRounding;
  /**
   * The integer k of zeroPoint added after rounding: q = clamp(round(x/scale + zeroPoint − k) + k).
   * 0 (absent) for QONNX Quant, which rounds x/scale + zeropt; the zero point for ONNX
   * QuantizeLinear, y = saturate(round_half_even(x / y_scale) + y_zero_point) — the two
   * differ at ties when k is odd (half-even is invariant only under even shifts).
   */
  readonly zeroPointAfterRounding?: number;
}

/** The integer q of Quant (or QuantizeLinear) for one value (float64 arithmetic; see quantInt32 for onnxruntime's float32). */
export function quantInt(x: number, p: QuantParams): number {
  const [lo, hi] = quantBounds(p);
  const k = p.zeroPointAfterRounding ?? 0;
  if (k !== 0) return Math.min(hi, Math.max(lo, qonnxRound(x / p.scale + (p.zeroPoint - k), p.rounding) + k));
  const v = x / p.scale + p.zeroPoint;
  return qonnxRound(Math.min(hi, Math.max(lo, v)), p.rounding);
}

/** The same in float32 steps, as onnxruntime computes the rewritten graph (float-graph.ts) or QuantizeLinear. */
export function quantInt32(x: number, p: QuantParams): number {
  const f = Math.fround;
  const [lo, hi] = quantBounds(p);
  const k = p.zeroPointAfterRounding ?? 0;
  const v = f(f(f(x) / f(p.scale)) + f(p.zeroPoint - k));
  if (k !== 0) return Math.min(hi, Math.max(lo, qonnxRound(v, p.rounding) + k));
  return qonnxRound(Math.min(hi, Math.max(lo, v)), p.rounding);
}

/** Quant's float output y = (q − zeropt)·scale. */
export function quantFloat(x: number, p: QuantParams): number {
  return (quantInt(x, p) - p.zeroPoint) * p.scale;
}

/** BipolarQuant: +scale where x/scale ≥ 0, else −scale (bipolarquant_v1.md). */
export function bipolarInt(x: number, scale: number): number {
  return x / scale >= 0 ? 1 : -1;
}

export interface TruncParams {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly outScale: number;
  readonly bits: number;
  readonly signed: boolean;
  readonly narrow: boolean;
  readonly rounding: QonnxRounding;
}

/** 2^round(log2(out_scale / scale)) of trunc_v2.md: the truncation is by a power of two. */
export function truncScale(p: Pick<TruncParams, "scale" | "outScale">): number {
  return 2 ** Math.round(Math.log2(p.outScale / p.scale));
}

/**
 * Trunc (trunc_v2.md): y = ROUND(x/scale + zeropt) / trunc_scale, clamped to the output
 * bits' [min_int, max_int], then the node's rounding; real output (y − zeropt/trunc_scale)·out_scale.
 */
export function truncInt(x: number, p: TruncParams): number {
  const [lo, hi] = quantBounds(p);
  const y = qonnxRound(x / p.scale + p.zeroPoint, "ROUND") / truncScale(p);
  return qonnxRound(Math.min(hi, Math.max(lo, y)), p.rounding);
}

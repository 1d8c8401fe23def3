/**
 * ONNX QOperator ops (onnxruntime's quantize_static, QuantFormat.QOperator): QLinearConv and
 * QLinearMatMul. Both compute, per output channel c (ONNX operator docs),
 *     y = saturate(round_half_even(x_scale·w_scale[c] / y_scale · (Σ (x − x_zp)(w − w_zp[c]) + B[c])) + y_zp)
 * on uint8/int8 tensors, B an int32 bias (QLinearConv only). The lowering takes the integer
 * weights w − w_zp, folds −x_zp·Σw and B into the accumulator's offset, and gives emitEngine the
 * exact level of every accumulator value (BigInt rationals of the float32 scales): the layer's
 * integer requant is accepted only when it reproduces that level on the whole reachable range.
 */
import type { Lowering } from "./lower.js";
import { withAffine } from "./values.js";
import type { OnnxNode } from "./reader.js";
import { DataType } from "./reader.js";
import { size } from "./tensor.js";
import type { AccValue, IntValue } from "./values.js";
import { emitEngine } from "./emit.js";
import { rangeOfValues, signedBitsFor } from "../../arith/widths.js";
import { roundHalfEvenDivBig } from "../../arith/rounding.js";

/** x = m·2^e with m an integer: every finite double is one (the float32 scales exactly). */
function dyadicOf(x: number): { m: bigint; e: number } {
  let v = x;
  let e = 0;
  while (!Number.isInteger(v)) ((v *= 2), e--);
  return { m: BigInt(v), e };
}

/**
 * The exact level of a QLinear op: clamp(rhe(r_c·(acc − x_zp·Σw_c + B_c)) + y_zp, qmin, qmax)
 * with r_c = x_scale·w_scale[c] / y_scale as an exact rational (no float rounding at ties).
 */
export function exactLevel(
  xScale: number,
  wScale: ArrayLike<number>,
  yScale: number,
  offsets: ArrayLike<number>,
  yZeroPoint: number,
  [qmin, qmax]: readonly [number, number],
): (c: number, acc: number) => number {
  const y = dyadicOf(yScale);
  const x = dyadicOf(xScale);
  const ratios = Array.from(wScale, (s) => {
    const w = dyadicOf(s);
    const d = x.e + w.e - y.e;
    return { num: x.m * w.m * 2n ** BigInt(Math.max(d, 0)), den: y.m * 2n ** BigInt(Math.max(-d, 0)) };
  });
  return (c, acc) => {
    const { num, den } = ratios[c];
    const q = Number(roundHalfEvenDivBig(num * BigInt(acc + offsets[c]), den)) + yZeroPoint;
    return Math.min(qmax, Math.max(qmin, q));
  };
}

interface QParams {
  readonly scale: number;
  /** One per tensor, or one per output channel (weights). */
  readonly scales: Float64Array;
  readonly zeroPoints: Float64Array;
  readonly signed: boolean;
}

/** Scale and zero point at inputs (i, i + 1): a scalar, or `channels` values (weights per output channel). */
function qparams(low: Lowering, node: OnnxNode, i: number, what: string, channels = 1): QParams {
  const scales = low.constOf(node, i, `${what} scale`).t.data;
  const zpName = node.inputs[i + 1];
  const zeroPoints = zpName ? low.constOf(node, i + 1, `${what} zero point`).t.data : Float64Array.of(0);
  // the zero point's type is the tensor's: uint8 when absent (ONNX default)
  const signed = zpName ? low.graph.initializers.get(zpName)?.dataType === DataType.INT8 : false;
  for (const [v, name] of [
    [scales, "scale"],
    [zeroPoints, "zero point"],
  ] as const) {
    if (v.length !== 1 && v.length !== channels)
      low.fail(
        node,
        `its ${what} ${name} has ${v.length} values`,
        channels > 1 ? `a per-tensor or per-output-channel (${channels}) ${what} ${name}` : `a per-tensor ${what} ${name}`,
      );
  }
  if (Array.from(scales).some((s) => !(s > 0))) low.fail(node, `its ${what} scale is not positive`, "positive scales");
  const widen = (v: Float64Array) => (v.length === channels ? v : new Float64Array(channels).fill(v[0]));
  return { scale: scales[0], scales: widen(scales), zeroPoints: widen(zeroPoints), signed };
}

/**
 * The quantized activation a QLinear op reads: the output of a QuantizeLinear (quantized here,
 * with that node's own parameters) or of an earlier QLinear op / MaxPool, relabelled with the
 * op's x_scale and x_zero_point (the integers are what they are; the op says what they stand for).
 */
function qlinearInput(low: Lowering, node: OnnxNode, p: QParams): IntValue {
  const name = node.inputs[0];
  const producer = low.qdqProducers.get(name);
  if (producer) {
    const own = qparams(low, producer, 1, "output");
    const scaleT = low.constOf(producer, 1, "scale").t;
    const zpT = { dims: [], data: Float64Array.of(own.zeroPoints[0]) };
    const v = low.quantValue(producer, low.get(producer, 0), scaleT, zpT, {
      bits: 8,
      signed: own.signed,
      narrow: false,
      rounding: "ROUND",
      quantizeLinear: true,
    });
    low.values.set(name, v);
    low.qdqProducers.delete(name);
  }
  const v = low.get(node, 0);
  if (v.kind !== "int")
    low.fail(node, "reads a tensor that is not quantized", "QLinearConv/QLinearMatMul read the output of a QuantizeLinear, a QLinear op or a MaxPool of one");
  return { ...v, scale: p.scale, zeroPoint: p.zeroPoints[0] };
}

/** The integer weights w − w_zp[c] (channel c at axis `axis` of a 2-D/4-D tensor) and their width. */
function integerWeights(low: Lowering, node: OnnxNode, i: number, w: QParams, axis: number): { dims: readonly number[]; q: Float64Array; bits: number } {
  const t = low.constOf(node, i, "weight").t;
  const stride = size(t.dims.slice(axis + 1));
  const channels = t.dims[axis];
  const q = t.data.map((v, j) => v - w.zeroPoints[Math.floor(j / stride) % channels]);
  return { dims: t.dims, q, bits: Math.max(2, signedBitsFor(rangeOfValues(q))) };
}

/** Σ_k w[c, k] of the accumulator's integer weights. */
function weightSums(acc: AccValue): number[] {
  return Array.from({ length: acc.outChannels }, (_, c) => {
    let s = 0;
    for (let k = 0; k < acc.reduction; k++) s += acc.weights[c * acc.reduction + k];
    return s;
  });
}

/** The engine layer: requant to y_scale / y_zero_point, exact on every reachable accumulator value or refused. */
function finish(low: Lowering, node: OnnxNode, acc: AccValue, x: IntValue, w: QParams, y: QParams, bias: ArrayLike<number>): void {
  const sums = weightSums(acc);
  const offsets = sums.map((s, c) => bias[c] - x.zeroPoint * s);
  const bounds: [number, number] = y.signed ? [-128, 127] : [0, 255];
  const accLevel = exactLevel(x.scale, w.scales, y.scale, offsets, y.zeroPoints[0], bounds);
  // α·acc + β = x_scale·w_scale·(acc − x_zp·Σw + B): the real line (the fit's slope and the staircase's period)
  const withBias = withAffine(
    acc,
    new Float64Array(acc.outChannels).fill(1),
    Float64Array.from(bias, (b, c) => b * acc.alpha[c]),
  );
  const q = {
    scale: y.scale,
    zeroPoint: y.zeroPoints[0],
    bits: 8,
    signed: y.signed,
    narrow: false,
    rounding: "ROUND" as const,
    qmin: bounds[0],
    qmax: bounds[1],
    accLevel,
  };
  low.set(node, emitEngine(low, withBias, node, q));
}

/** QLinearConv: x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B (int32, on x_scale·w_scale). */
export function qlinearConv(low: Lowering, node: OnnxNode): void {
  const wDims = low.constOf(node, 3, "weight").t.dims;
  const O = wDims[0];
  const xp = qparams(low, node, 1, "input");
  const w = qparams(low, node, 4, "weight", O);
  const y = qparams(low, node, 6, "output");
  const x = qlinearInput(low, node, xp);
  const wq = integerWeights(low, node, 3, w, 0);
  const perElement = new Float64Array(wq.q.length).map((_, j) => w.scales[Math.floor(j / (wq.q.length / O))]);
  const acc = low.convAccumulator(node, x, { dims: wq.dims, q: wq.q, scale: perElement, bits: wq.bits });
  const bias = node.inputs[8] ? low.constOf(node, 8, "bias").t.data : new Float64Array(O);
  if (bias.length !== O) low.fail(node, `its bias has ${bias.length} values for ${O} output channels`, "one int32 bias per output channel");
  finish(low, node, acc, x, w, y, bias);
}

/** QLinearMatMul: a [1, K], a_scale, a_zp, b [K, N], b_scale, b_zp (per tensor or per column), y_scale, y_zp. */
export function qlinearMatMul(low: Lowering, node: OnnxNode): void {
  const bDims = low.constOf(node, 3, "weight").t.dims;
  if (bDims.length !== 2) low.fail(node, `its weight has shape [${bDims}]`, "a 2-D weight matrix");
  const N = bDims[1];
  const xp = qparams(low, node, 1, "input");
  const w = qparams(low, node, 4, "weight", N);
  const y = qparams(low, node, 6, "output");
  const x = qlinearInput(low, node, xp);
  const wq = integerWeights(low, node, 3, w, 1);
  const s = new Float64Array(wq.q.length).map((_, j) => w.scales[j % N]);
  const acc = low.denseAccumulator(node, x, { q: wq.q, s, dims: bDims }, wq.bits);
  finish(low, node, acc, x, w, y, new Float64Array(N));
}

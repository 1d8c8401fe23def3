/** Emits the IR layers of the lowering: engine layers ending in a Quant (staircase.ts) and the output layer. */
import { QuantrtlError } from "../../util/errors.js";
import type { OnnxNode } from "./reader.js";
import { nodeWhere } from "./tensor.js";
import type { AccValue, IntValue, PostOp, Value } from "./values.js";
import { layerShape } from "./values.js";
import { quantInt, QonnxRounding } from "./qonnx.js";
import { ChannelFit, fitChannel, fitLayerFreeSlope, Staircase, staircaseSteps } from "./staircase.js";
import { rangeOfValues, signedBitsFor } from "../../arith/widths.js";
import { roundShiftBig } from "../../arith/rounding.js";
import type { Lowering } from "./lower.js";

const MULTIPLIER_BITS = 16;
const WIDE_MULTIPLIER_BITS = 24;

export interface ActQuant {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly bits: number;
  readonly signed: boolean;
  readonly narrow: boolean;
  readonly rounding: QonnxRounding;
  readonly qmin: number;
  readonly qmax: number;
  /**
   * The level of a real value in channel c when it is not the Quant's own (MultiThreshold: the
   * count of thresholds ≤ x); such a layer must be reproduced exactly or is refused.
   */
  readonly levelOf?: (c: number, real: number) => number;
  /**
   * The exact level of channel c's accumulator (Σ w·q, the op's own integers), when the op defines
   * it in integers and scales rather than as a real value (QLinearConv / QLinearMatMul): it replaces
   * levelOf(post(α·acc + β)), and the layer is reproduced exactly or refused.
   */
  readonly accLevel?: (c: number, acc: number) => number;
  /** ONNX QuantizeLinear: its zero point, added after rounding (qonnx.ts QuantParams). */
  readonly zeroPointAfterRounding?: number;
}

function applyPost(post: readonly PostOp[], c: number, v: number): number {
  for (const op of post) {
    if (op.kind === "relu") v = Math.max(v, 0);
    else if (op.kind === "clip") v = Math.min(op.hi, Math.max(op.lo, v));
    else v = v * op.a[c] + op.b[c];
  }
  return v;
}

/** Slope of post(alpha·acc + beta) in its linear part (ReLU/Clip only clamp). */
function slopeOf(acc: AccValue, c: number): number {
  return acc.post.reduce((s, op) => (op.kind === "affine" ? s * op.a[c] : s), acc.alpha[c]);
}

/** Reachable range of channel c's accumulator Σ w·q for q ∈ [qmin, qmax] (and 0 in padded taps). */
function accRange(acc: AccValue, c: number): [number, number] {
  const { qmin, qmax } = acc.input;
  const padded = acc.conv !== undefined && (acc.conv.padding[0] > 0 || acc.conv.padding[1] > 0);
  let lo = 0;
  let hi = 0;
  for (let k = 0; k < acc.reduction; k++) {
    const w = acc.weights[c * acc.reduction + k];
    const a = w * qmin;
    const b = w * qmax;
    lo += Math.min(a, b, padded ? 0 : Infinity);
    hi += Math.max(a, b, padded ? 0 : -Infinity);
  }
  return [lo, hi];
}

/** Bits of the signed weights that hold ±maxAbs: the narrowest two's complement (at least 2; a mac lane needs a sign and a value). */
function weightBitsFor(maxAbs: number): number {
  return maxAbs > 32767 ? 0 : Math.max(2, signedBitsFor({ lo: BigInt(-maxAbs), hi: BigInt(maxAbs) }));
}

/** The narrowest signed weight width of stored weights (not their magnitude: −2 fits 2 bits, +2 does not). */
function storedWeightBits(weights: ArrayLike<number>): number {
  const bits = Math.max(2, signedBitsFor(rangeOfValues(weights)));
  return bits > 16 ? 0 : bits;
}

/**
 * Output width of an engine with `levels` levels: 8 or 16 bits, or with `narrow` the fewest
 * signed bits b with levels ≤ 2^b (at least 2). The levels are stored as q + offset at the
 * top of the signed range: the requant's saturation at 2^(b−1) − 1 and its ReLU at the zero
 * point 2^(b−1) − levels are the quantizer's clip [ours: no unsigned type in the IR; the
 * offset keeps an unsigned b-bit activation in b bits and the next layer's bias removes it].
 */
export function engineOutBits(levels: number, narrow: boolean): { outBits: number; zeroPoint: number } {
  const outBits = narrow ? Math.max(2, Math.ceil(Math.log2(levels))) : levels <= 256 ? 8 : 16;
  return { outBits, zeroPoint: 2 ** (outBits - 1) - levels };
}

function maxAbsWeight(acc: AccValue, c: number): number {
  let m = 0;
  for (let k = 0; k < acc.reduction; k++) m = Math.max(m, Math.abs(acc.weights[c * acc.reduction + k]));
  return m;
}

/** One engine layer: accumulator → Quant, exactly where the fit allows (else a warning with the count). */
export function emitEngine(low: Lowering, acc: AccValue, node: OnnxNode, q: ActQuant, narrow = false): IntValue {
  const fullLevels = q.qmax - q.qmin + 1;
  if (fullLevels > 65536) low.fail(node, `quantizes to ${fullLevels} levels`, "activations of at most 16 bits");
  const params = {
    scale: q.scale,
    zeroPoint: q.zeroPoint,
    bits: q.bits,
    signed: q.signed,
    narrow: q.narrow,
    rounding: q.rounding,
    zeroPointAfterRounding: q.zeroPointAfterRounding,
  };
  const levelOf = q.levelOf ?? ((_c: number, real: number) => quantInt(real, params));
  const level = q.accLevel ?? ((c: number, a: number) => levelOf(c, applyPost(acc.post, c, acc.alpha[c] * a + acc.beta[c])));
  const onnxOrder = q.accLevel !== undefined || (q.zeroPointAfterRounding !== undefined && q.zeroPointAfterRounding === q.zeroPoint);
  const candidate = q.levelOf ? undefined : dyadicForm(acc, q);
  // the dyadic form rounds r·A + zp − qmin: for ONNX's order it is checked on every reachable value (equal when zp − qmin is even)
  const dyadic = candidate && onnxOrder && !formExact(acc, q, candidate, level) ? undefined : candidate;
  const relu = acc.post.length === 1 && acc.post[0].kind === "relu";
  if (onnxOrder && !dyadic && fullLevels === 256) {
    // ONNX rounds before adding the zero point (QuantizeLinear, QLinearConv): round_half_even(r·A) + zp differs from
    // round_half_even(r·A + zp) at ties when zp − qmin is odd. With all 256 levels in 8 bits the requant's own
    // form is exactly that: sat_8(round(r·A) + zp'), zp' = zp − qmin − 128; sat_8 is the clamp, and a ReLU
    // before the quantizer (q ≥ zp) is the requant's ReLU at zp'
    const inner = dyadicForm(acc, { ...q, zeroPoint: q.qmin });
    const after = q.zeroPoint - q.qmin;
    if (inner && formExact(acc, q, inner, level, after, relu)) return pushEngine(low, node, acc, q, 8, -128, inner, after, relu);
  }
  // the dyadic form keeps the Quant's own rounding; it scales the weights only for a bias finer than the accumulator
  if (dyadic && dyadic.fits.every((f) => f.weightFactor === 1)) {
    const out = engineOutBits(fullLevels, narrow);
    return pushEngine(low, node, acc, q, out.outBits, out.zeroPoint, dyadic);
  }
  const ranges = Array.from({ length: acc.outChannels }, (_, c) => accRange(acc, c));
  // the levels actually reached: a Clip (or ReLU) inside [qmin, qmax] is then the requant's own saturation,
  // which a line could not reproduce as a plateau [ours: one clamp per tensor, as the IR saturates per tensor]
  const reached = ranges.flatMap(([lo, hi], c) => [level(c, lo), level(c, hi)]);
  const qmin = Math.min(...reached);
  const qmax = Math.max(...reached);
  const levels = qmax - qmin + 1;
  const { outBits, zeroPoint: zpIR } = engineOutBits(levels, narrow);
  const channels = ranges.map(([lo, hi], c) => {
    const t = (a: number) => level(c, a) - qmin;
    const sign = t(lo) > t(hi) ? -1 : 1;
    const steps = staircaseSteps((a) => t(sign * a), sign > 0 ? lo : -hi, sign > 0 ? hi : -lo, levels);
    const slope = Math.abs(slopeOf(acc, c) / q.scale);
    const stair: Staircase = { lo: sign > 0 ? lo : -hi, hi: sign > 0 ? hi : -lo, steps, period: slope > 0 ? 1 / slope : Infinity };
    const constant = steps.every((T) => T <= stair.lo || T > stair.hi);
    return { sign, stair, constant, maxW: maxAbsWeight(acc, c) };
  });
  // [ours] an op whose levels are exact rationals of float32 scales (QLinear*) may need 32 bits to place all 256 steps
  const widths = q.accLevel ? [MULTIPLIER_BITS, WIDE_MULTIPLIER_BITS, 32] : [MULTIPLIER_BITS, WIDE_MULTIPLIER_BITS];
  // the weights as they are (F = 1) with a free slope per channel: the QONNX integers keep their width
  // [ours: up to 8-bit levels; the search is O(levels) per offset tried, and wide levels leave F = 1 anyway]
  if (!isXnor(acc) && levels <= 256) {
    for (const multiplierBits of widths) {
      const free = fitLayerFreeSlope(
        channels.map((c) => (c.constant ? undefined : c.stair)),
        1,
        multiplierBits,
      );
      if (!free) continue;
      const fits = free.fits.map((f, c) => f ?? constantFit(channels[c].stair, free.shift));
      return pushEngine(low, node, acc, { ...q, qmin, qmax }, outBits, zpIR, {
        fits,
        signs: channels.map((c) => c.sign),
        shift: free.shift,
        rounding: "floor",
        multiplierBits,
      });
    }
  }
  if (dyadic) {
    const out = engineOutBits(fullLevels, narrow);
    return pushEngine(low, node, acc, q, out.outBits, out.zeroPoint, dyadic);
  }
  const maxW = Math.max(1, ...channels.map((c) => c.maxW));
  let best: { fits: ChannelFit[]; shift: number; mismatches: number; factor: number; multiplierBits: number } | undefined;
  // xnor weights stay ±1: no weight factor
  const maxFactor = isXnor(acc) ? 1 : 2 ** 12;
  // [ours] 16-bit multipliers first (spec §1's default); 24 bits where 16 cannot place every step
  for (const multiplierBits of widths) {
    for (let factor = 1; weightBitsFor(factor * maxW) !== 0 && factor <= maxFactor; factor *= 2) {
      const periods = channels.filter((c) => !c.constant).map((c) => c.stair.period * factor);
      const shift = Math.min(62, Math.max(0, Math.floor(Math.log2((2 ** multiplierBits - 1) * Math.min(2 ** 40, ...periods)))));
      const fits = channels.map((c) => (c.constant && !isXnor(acc) ? constantFit(c.stair, shift) : fitChannel(c.stair, factor, shift)));
      const mismatches = fits.reduce((sum, f) => sum + f.mismatches, 0);
      if (!best || mismatches < best.mismatches) best = { fits, shift, mismatches, factor, multiplierBits };
      if (mismatches === 0) break;
    }
    if (best!.mismatches === 0) break;
  }
  const { fits, shift, mismatches, multiplierBits } = best!;
  if (mismatches > 0 && q.accLevel)
    low.fail(
      node,
      `its requantization is not reproduced exactly by a ${multiplierBits}-bit dyadic requant of the accumulator (${mismatches} accumulator value(s) on a neighbouring level)`,
      "scales whose ratio x_scale·w_scale/y_scale is a power of two (or close to a short dyadic fraction over the reachable range)",
    );
  if (mismatches > 0 && q.levelOf)
    low.fail(
      node,
      `its thresholds are not reproduced exactly by a ${multiplierBits}-bit dyadic requant of the accumulator (${mismatches} accumulator value(s) on a neighbouring level)`,
      "thresholds on one line (evenly spaced per channel, as a streamlined batch-norm + quantizer gives), or a 2-level MultiThreshold",
    );
  if (mismatches > 0) {
    low.warnings.push(
      `${nodeWhere(node)}: the quantizer is not reproduced exactly by a ${multiplierBits}-bit dyadic requant: ${mismatches} accumulator value(s) (summed over channels) land on a neighbouring level`,
    );
  }
  return pushEngine(low, node, acc, { ...q, qmin, qmax }, outBits, zpIR, {
    fits,
    signs: channels.map((c) => c.sign),
    shift,
    rounding: "floor",
    multiplierBits,
  });
}

interface EngineForm {
  readonly fits: readonly Omit<ChannelFit, "mismatches">[];
  readonly signs: readonly number[];
  readonly shift: number;
  readonly rounding: "floor" | "half_even" | "half_away";
  readonly multiplierBits: number;
}

/**
 * The exact form when the scales are dyadic: t = round_mode((acc + B_c)·m_c / 2^k) with
 * the Quant's own rounding (ROUND = half_even, FLOOR = floor, HALF_UP = half_away),
 * possible when no Mul/Add follows a ReLU, the ratio r_c = α_c/s is m_c/2^k with
 * m_c < 2^16, and the offset (β_c/s + zp − qmin)/r_c is an integer B_c.
 * A ReLU before the Quant clamps at q ≥ zp, the requant's ReLU at t ≥ 0: equal when zp = qmin.
 */
function dyadicForm(acc: AccValue, q: ActQuant): EngineForm | undefined {
  const rounding = q.rounding === "ROUND" ? "half_even" : q.rounding === "FLOOR" ? "floor" : q.rounding === "HALF_UP" ? "half_away" : undefined;
  if (!rounding) return undefined;
  if (!Number.isInteger(q.zeroPoint)) return undefined;
  const relu = acc.post.length === 1 && acc.post[0].kind === "relu";
  if (acc.post.length > 0 && !(relu && q.zeroPoint === q.qmin)) return undefined;
  const ratios = Array.from(acc.alpha, (a) => a / q.scale);
  let shift = 0;
  while (shift <= 62 && !ratios.every((r) => Number.isInteger(Math.abs(r) * 2 ** shift))) shift++;
  if (shift > 62 || ratios.some((r) => r === 0 || Math.abs(r) * 2 ** shift >= 2 ** MULTIPLIER_BITS)) return undefined;
  const offsets = ratios.map((r, c) => (acc.beta[c] / q.scale + q.zeroPoint - q.qmin) / r);
  // a bias on a finer dyadic grid than the accumulator: scale weights and bias by F = 2^e and shift e more,
  // r·(acc + b) = (r/F)·(F·acc + F·b) [ours: the weights then take more bits]
  const maxW = Math.max(1, ...Array.from({ length: acc.outChannels }, (_, c) => maxAbsWeight(acc, c)));
  let e = 0;
  while (!offsets.every((b) => Number.isInteger(b * 2 ** e))) {
    e++;
    if (shift + e > 62 || weightBitsFor(2 ** e * maxW) === 0 || isXnor(acc)) return undefined;
  }
  const factor = 2 ** e;
  const fits: Omit<ChannelFit, "mismatches">[] = [];
  const signs: number[] = [];
  for (let c = 0; c < acc.outChannels; c++) {
    const r = ratios[c];
    // a negative ratio mirrors the channel (acc' = −acc, weights negated): r·(acc + b) = |r|·(acc' − b), exact in every mode
    signs.push(Math.sign(r));
    fits.push({ weightFactor: factor, bias: Math.sign(r) * offsets[c] * factor, multiplier: Math.abs(r) * 2 ** shift });
  }
  return { fits, signs, shift: shift + e, rounding, multiplierBits: MULTIPLIER_BITS };
}

/**
 * Whether the integer form gives accLevel(c, acc) − qmin on every reachable accumulator value of
 * every channel: both are nondecreasing staircases (positive slope), so equal steps mean equal levels.
 */
function formExact(acc: AccValue, q: ActQuant, form: EngineForm, accLevel: (c: number, acc: number) => number, after = 0, relu = false): boolean {
  const levels = q.qmax - q.qmin + 1;
  for (let c = 0; c < acc.outChannels; c++) {
    const [lo, hi] = accRange(acc, c);
    const f = form.fits[c];
    const sign = BigInt(form.signs[c]);
    const mine = (a: number) => {
      const t =
        Number(roundShiftBig((BigInt(f.weightFactor) * BigInt(a) + sign * BigInt(f.bias)) * sign * BigInt(f.multiplier), form.shift, form.rounding)) + after;
      return Math.min(levels - 1, Math.max(relu ? after : 0, t));
    };
    const want = (a: number) => accLevel(c, a) - q.qmin;
    if (want(lo) > want(hi) || mine(lo) > mine(hi)) return false;
    const a = staircaseSteps(want, lo, hi, levels);
    const b = staircaseSteps(mine, lo, hi, levels);
    if (a.some((T, i) => T !== b[i])) return false;
  }
  return true;
}

/**
 * `after`: an integer the requant adds after its rounding (its zero point zpIR + after; sat_b clamps, and
 * `reluAfter` keeps the requant's ReLU, now at level after: a ReLU before the quantizer).
 */
function pushEngine(
  low: Lowering,
  node: OnnxNode,
  acc: AccValue,
  q: ActQuant,
  outBits: number,
  zpIR: number,
  form: EngineForm,
  after = 0,
  reluAfter = false,
): IntValue {
  const { fits, shift } = form;
  const K = acc.reduction;
  const weights = new Array<number>(acc.outChannels * K);
  const bias = new Array<number>(acc.outChannels);
  // a falling channel (fitted on the mirrored accumulator s·acc, s = −1) keeps its weights and takes a
  // negative multiplier: (F·s·acc + B)·m = (F·acc + s·B)·(s·m), the same value in every rounding mode,
  // and a weight −2^(b−1) stays within b bits
  form.signs.forEach((sign, c) => {
    const f = fits[c];
    let sumW = 0;
    for (let k = 0; k < K; k++) {
      const wq = acc.weights[c * K + k];
      weights[c * K + k] = f.weightFactor * wq;
      sumW += wq;
    }
    // stored input = q + offset: Σ w·(q + O) = Σ w·q + O·Σw, removed here
    bias[c] = sign * f.bias - f.weightFactor * acc.input.offset * sumW;
    if (Math.abs(bias[c]) > 2 ** 31 - 1)
      low.fail(node, `its folded bias ${bias[c]} does not fit 32 bits`, "the scales of this layer are too far apart for the integer form");
  });
  const weightBits = isXnor(acc) ? 1 : storedWeightBits(weights);
  if (!weightBits) low.fail(node, "its integer weights do not fit 16 bits", "quantize the weights to at most 16 bits");
  const layer: Record<string, unknown> = {
    type: acc.layerKind,
    name: acc.name,
    inputs: [acc.input.layer],
    datapath: isXnor(acc) ? "xnor" : "mac",
    ...layerShape(acc),
    weightBits,
    activationBits: acc.input.spec.bits,
    weights,
    bias,
    requant: {
      multipliers: fits.map((f, c) => form.signs[c] * f.multiplier),
      multiplierBits: form.multiplierBits,
      shift,
      rounding: form.rounding,
      outBits,
      zeroPoint: zpIR + after,
    },
    relu: after === 0 || reluAfter,
  };
  low.layers.push(layer);
  const spec =
    acc.layerKind === "dense"
      ? { height: 1, width: 1, channels: acc.outChannels, bits: outBits }
      : { height: acc.dims[2], width: acc.dims[3], channels: acc.outChannels, bits: outBits };
  return { kind: "int", layer: acc.name, dims: acc.dims, spec, scale: q.scale, zeroPoint: q.zeroPoint, qmin: q.qmin, qmax: q.qmax, offset: zpIR - q.qmin };
}

/** A channel whose level does not change on its range: weights 0, (0 + B)·m = j0·2^k. */
function constantFit(s: Staircase, shift: number): ChannelFit {
  const j0 = s.steps.filter((T) => T <= s.lo).length;
  const e = Math.min(shift, 15);
  return { weightFactor: 0, bias: j0 * 2 ** (shift - e), multiplier: 2 ** e, mismatches: 0 };
}

/** The model output: the last layer as is (+ argmax), or an engine layer producing integer logits. */
export function emitOutput(low: Lowering, out: Value): void {
  const wrapped = out.kind === "output" ? out : undefined;
  const v = wrapped ? wrapped.from : out;
  if (wrapped && wrapped.dropped.length > 0) {
    low.notes.droppedAtOutput = wrapped.dropped;
    low.warnings.push(
      `${wrapped.dropped.join(", ")} at the output is not computed: it is monotone, so the top-1 class is unchanged; the integer output is the logits`,
    );
  }
  if (v.kind === "int") {
    if (v.layer === "input")
      throw new QuantrtlError(low.file, "graph.output", "the output is the quantized input", "the model needs at least one MatMul, Gemm or Conv");
  } else if (v.kind === "acc") {
    if (low.ptq) low.calibrated(v, "graph.output", true);
    else emitLogits(low, v);
  } else {
    throw new QuantrtlError(
      low.file,
      "graph.output",
      `the output is a ${v.kind} value`,
      "the model must end in a MatMul/Gemm/Conv (+ bias, Softmax, ArgMax) or a Quant",
    );
  }
  if (wrapped?.argmax) {
    const last = low.layers[low.layers.length - 1].name as string;
    low.layers.push({ type: "argmax", name: low.layerName("argmax"), inputs: [last] });
  }
}

/**
 * Integer logits y_c = (F·acc + B_c) / 2^k with B_c = F·β_c/α: the float logits are
 * post(α·acc + β_c), so when α is the same for every channel and post is one
 * increasing function for all of them, argmax y = argmax float (exact when F·β/α is an integer).
 */
function emitLogits(low: Lowering, acc: AccValue): void {
  const where = `the output layer ${acc.name}`;
  const alpha = acc.alpha[0];
  const uniform =
    acc.alpha.every((a) => a === alpha) &&
    acc.post.every((op) => op.kind !== "affine" || (op.a.every((x) => x === op.a[0]) && op.b.every((x) => x === op.b[0])));
  const relu = acc.post.length > 0 && acc.post[0].kind === "relu";
  const sign = Math.sign(acc.post.reduce((s, op) => (op.kind === "affine" ? s * op.a[0] : s), alpha));
  if (acc.post.slice(relu ? 1 : 0).some((op) => op.kind !== "affine"))
    throw new QuantrtlError(
      low.file,
      where,
      "has a ReLU/Clip after a Mul/Add at the output",
      "end the model with MatMul/Conv (+ bias, BatchNormalization, ReLU)",
    );
  if (relu && sign < 0) throw new QuantrtlError(low.file, where, "has a ReLU followed by a decreasing scale at the output", "not supported");
  if (!uniform)
    low.warnings.push(
      `${where}: the output scale differs between classes; the integer logits rescale them with ${MULTIPLIER_BITS}-bit multipliers, so a top-1 may differ from the float model where two logits are within that rounding`,
    );
  const rel = acc.alpha.map((a) => a / alpha);
  // a bias common to every class does not move the argmax: it stays in the float side (metadata)
  const common = acc.beta.every((b) => b === acc.beta[0]) ? acc.beta[0] : 0;
  const ideal = acc.beta.map((b, c) => (sign * (b - common)) / (alpha * rel[c]));
  let factor = 1;
  while (!isXnor(acc) && factor < 256 && ideal.some((x) => Math.abs(x * factor - Math.round(x * factor)) > 1e-6 * Math.max(1, Math.abs(x * factor))))
    factor *= 2;
  const bias = ideal.map((x) => Math.round(x * factor));
  const biasErr = Math.max(...ideal.map((x, c) => Math.abs(x * factor - bias[c]) / factor));
  if (biasErr > 1e-6)
    low.warnings.push(
      `${where}: its bias is not an integer multiple of the accumulator step; rounded with a maximum error of ${biasErr.toPrecision(3)} accumulator steps`,
    );
  const K = acc.reduction;
  const weights = Array.from(acc.weights, (w) => sign * factor * w);
  const maxW = Math.max(1, ...weights.map(Math.abs));
  const weightBits = isXnor(acc) ? 1 : weightBitsFor(maxW);
  if (!weightBits) throw new QuantrtlError(low.file, where, "its weights do not fit 16 bits", "quantize the weights");
  let lo = Infinity;
  let hi = -Infinity;
  const finalBias = bias.map((b, c) => {
    let sumW = 0;
    for (let k = 0; k < K; k++) sumW += weights[c * K + k];
    const [l, h] = accRange({ ...acc, weights: Float64Array.from(weights) }, c);
    lo = Math.min(lo, l + b);
    hi = Math.max(hi, h + b);
    return b - acc.input.offset * sumW;
  });
  // per-channel multipliers only when the classes have different scales
  let shift = 0;
  while (Math.max(Math.abs(lo), Math.abs(hi)) / 2 ** shift > 32767) shift++;
  if (shift > 0)
    low.warnings.push(
      `${where}: the logits reach ±${Math.max(Math.abs(lo), Math.abs(hi))}, beyond 16 bits; they are shifted right by ${shift} (floor), so two close logits can tie`,
    );
  let requant: Record<string, unknown> = { multiplier: 1, shift, rounding: "floor", outBits: 16, zeroPoint: 0 };
  if (!uniform) {
    const k = MULTIPLIER_BITS - 1 - Math.ceil(Math.log2(Math.max(...rel)));
    requant = {
      multipliers: rel.map((r) => Math.round(r * 2 ** k)),
      multiplierBits: MULTIPLIER_BITS,
      shift: shift + k,
      rounding: "floor",
      outBits: 16,
      zeroPoint: 0,
    };
  }
  low.layers.push({
    type: acc.layerKind,
    name: acc.name,
    inputs: [acc.input.layer],
    datapath: isXnor(acc) ? "xnor" : "mac",
    ...layerShape(acc),
    weightBits,
    activationBits: acc.input.spec.bits,
    weights,
    bias: Array.from(finalBias),
    requant,
    relu,
  });
  low.notes.output = {
    scale: (sign * alpha * 2 ** shift) / factor,
    offset: common,
    meaning: "float logit ≈ post(scale · y + offset), post = the ops after the last MatMul/Conv; argmax is preserved",
    factor,
    shift,
  };
}

/** Bipolar (±1) activations: the layer is an xnor layer (its weights were checked ±1 when the accumulator was made). */
function isXnor(acc: AccValue): boolean {
  return acc.input.spec.bits === 1;
}

/**
 * BipolarQuant of an accumulator: bit = post(α·acc + β)/scale ≥ 0, a threshold per
 * channel (spec §2: dot ≥ τ, or dot ≤ τ where the value falls with acc), found
 * exactly by binary search on the reachable range; the input offset moves τ.
 */
export function emitThreshold(
  low: Lowering,
  acc: AccValue,
  node: OnnxNode,
  scale: number,
  bitOf: (c: number, real: number) => number = (_c, real) => (real / scale >= 0 ? 1 : 0),
): IntValue {
  const K = acc.reduction;
  const thresholds: number[] = [];
  const directions: ("ge" | "le")[] = [];
  for (let c = 0; c < acc.outChannels; c++) {
    const bit = (a: number) => bitOf(c, applyPost(acc.post, c, acc.alpha[c] * a + acc.beta[c]));
    const [lo, hi] = accRange(acc, c);
    const rising = !(bit(lo) > bit(hi));
    const steps = staircaseSteps(rising ? bit : (a) => bit(-a), rising ? lo : -hi, rising ? hi : -lo, 2);
    let sumW = 0;
    for (let k = 0; k < K; k++) sumW += acc.weights[c * K + k];
    const shiftBy = acc.input.offset * sumW; // hardware dot = acc + O·Σw
    // rising: bit = acc ≥ T; falling: bit = −acc ≥ T ⇔ acc ≤ −T
    thresholds.push(rising ? steps[0] + shiftBy : -steps[0] + shiftBy);
    directions.push(rising ? "ge" : "le");
  }
  const xnor = isXnor(acc);
  const weights = Array.from(acc.weights);
  const maxW = Math.max(1, ...weights.map(Math.abs));
  low.layers.push({
    type: acc.layerKind,
    name: acc.name,
    inputs: [acc.input.layer],
    datapath: xnor ? "xnor" : "mac",
    ...layerShape(acc),
    weightBits: xnor ? 1 : weightBitsFor(maxW),
    activationBits: acc.input.spec.bits,
    weights,
    thresholds,
    thresholdDirections: directions,
  });
  const spec =
    acc.layerKind === "dense"
      ? { height: 1, width: 1, channels: acc.outChannels, bits: 1 }
      : { height: acc.dims[2], width: acc.dims[3], channels: acc.outChannels, bits: 1 };
  return { kind: "int", layer: acc.name, dims: acc.dims, spec, scale, zeroPoint: 0, qmin: -1, qmax: 1, offset: 0 };
}

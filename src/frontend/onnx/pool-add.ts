/**
 * The integer-tensor ops of the lowering: AveragePool / GlobalAveragePool (IR avgpool,
 * global_avgpool), residual Add of two quantized branches (IR add) and the requant of an
 * already quantized tensor (a Quant or Trunc after a pool, an add or another Quant: a
 * 1×1 avgpool). Each becomes an IR layer only where requant-fit.ts proves it equal to the
 * QONNX integers on every reachable value; otherwise the node is refused.
 */
import type { OnnxNode } from "./reader.js";
import type { IntValue, PoolValue, SumValue, Value } from "./values.js";
import { fitClamp, fitSumRequant, MAX_FIT_RANGE } from "./requant-fit.js";
import type { Lowering } from "./lower.js";

/** The quantizer after a pool/add: the QONNX integer of a real value, and the real = scale·(q − zeroPoint) it stands for. */
export interface OutQuantizer {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly level: (real: number) => number;
}

/** AveragePool (no padding, ceil_mode 0) and GlobalAveragePool of a quantized [1, C, H, W] tensor. */
export function averagePool(low: Lowering, node: OnnxNode): void {
  const v = settle(low, node, low.get(node, 0));
  if (v.kind !== "int" || v.dims.length !== 4)
    low.fail(node, "pools a value that is not a quantized [1, C, H, W] activation", `put a Quant before the ${node.opType}`);
  if (v.spec.bits === 1) low.fail(node, "averages bipolar (±1) activations", "average pooling of integer activations only");
  const [, C, H, W] = v.dims;
  const name = low.layerName(node.name);
  if (node.opType === "GlobalAveragePool") {
    return low.set(node, { kind: "pool", input: v, count: H * W, gain: 1, dims: [1, C, 1, 1], name });
  }
  const autoPad = (node.attrs.get("auto_pad") as string | undefined) ?? "NOTSET";
  const pads = (node.attrs.get("pads") as number[] | undefined) ?? [0, 0, 0, 0];
  if ((autoPad !== "NOTSET" && autoPad !== "VALID") || pads.some((p) => p !== 0))
    low.fail(node, "pads its input", "AveragePool without padding only (the avgpool layer has none)");
  if (((node.attrs.get("ceil_mode") as number | undefined) ?? 0) !== 0) low.fail(node, "has ceil_mode = 1", "ceil_mode 0 only");
  const dil = (node.attrs.get("dilations") as number[] | undefined) ?? [1, 1];
  if (dil.some((d) => d !== 1)) low.fail(node, `has dilations [${dil}]`, "dilated pooling is not supported");
  const kernel = node.attrs.get("kernel_shape") as number[] | undefined;
  if (!kernel || kernel.length !== 2) low.fail(node, "has no 2-D kernel_shape", "a 2-D AveragePool with kernel_shape [kh, kw]");
  const stride = (node.attrs.get("strides") as number[] | undefined) ?? [1, 1];
  const oh = Math.floor((H - kernel[0]) / stride[0]) + 1;
  const ow = Math.floor((W - kernel[1]) / stride[1]) + 1;
  low.set(node, {
    kind: "pool",
    input: v,
    count: kernel[0] * kernel[1],
    window: { kernel: [kernel[0], kernel[1]], stride: [stride[0], stride[1]] },
    gain: 1,
    dims: [1, C, oh, ow],
    name,
  });
}

/** Add of two quantized tensors of one shape: a pending sum (a Quant after it makes the add layer). */
export function residualAdd(low: Lowering, node: OnnxNode, x: Value, y: Value): void {
  if (x.kind === "acc" || y.kind === "acc")
    low.fail(node, "adds a branch that is not quantized yet", "residual adds of two quantized branches: put a Quant on each input of the Add");
  const a = settle(low, node, x);
  const b = settle(low, node, y);
  if (a.kind !== "int" || b.kind !== "int")
    return low.fail(node, "combines two activations that are not both quantized", "residual adds of two quantized tensors");
  if (a.dims.join() !== b.dims.join())
    low.fail(node, `adds tensors of shapes [${a.dims}] and [${b.dims}]`, "residual adds of tensors of one shape (no broadcasting)");
  if ((a.perm ?? b.perm) && a.perm !== b.perm) low.fail(node, "adds two tensors flattened in different orders", "add before flattening");
  // the add unit is emitted for 8-bit operand streams (hw/layers/add.ts)
  if (a.spec.bits !== 8 || b.spec.bits !== 8)
    low.fail(node, `adds ${a.spec.bits}-bit and ${b.spec.bits}-bit tensors`, "the add layer takes two 8-bit tensors (activations of at most 8 bits)");
  low.set(node, { kind: "sum", a, b, relu: false, dims: a.dims });
}

/** A pool or sum read by anything but a Quant/Trunc: its exact integer form. Other values as they are. */
export function settle(low: Lowering, node: OnnxNode, v: Value): Value {
  if (v.kind === "pool") return settlePool(low, node, v);
  if (v.kind === "sum") return settleSum(low, node, v);
  return v;
}

/** A Quant / Trunc of a pool, sum or quantized tensor: one IR layer, exact or refused. */
export function requantize(low: Lowering, node: OnnxNode, x: PoolValue | SumValue | IntValue, out: OutQuantizer): IntValue {
  if (x.kind === "sum") {
    const fused = addLayer(low, node, x, out.scale, out);
    if (fused) return fused;
    return requantize(low, node, settleSum(low, node, x), out);
  }
  const pool: PoolValue =
    x.kind === "pool"
      ? x
      : { kind: "pool", input: x, count: 1, window: { kernel: [1, 1], stride: [1, 1] }, gain: 1, dims: x.dims, name: low.layerName(`${node.name}_rq`) };
  const { input: v, count } = pool;
  if (v.spec.bits === 1) low.fail(node, "requantizes bipolar (±1) activations", "a Quant after a BipolarQuant is not supported");
  const lo = count * (v.qmin + v.offset);
  const hi = count * (v.qmax + v.offset);
  // stored window sum S = Σ(q + O): real = gain·scale·((S − count·O)/count − zp)  [docs/integer-ops.md §1]
  const real = (s: number) => pool.gain * v.scale * ((s - count * v.offset) / count - v.zeroPoint);
  const fit = fitSumRequant(lo, hi, (s) => out.level(real(s)), (pool.gain * v.scale) / (count * out.scale));
  if (!fit)
    low.fail(
      node,
      `its quantizer is not reproduced exactly by a dyadic requant of the ${count === 1 ? "input" : `sum of ${count} values`} (scale ratio ${(pool.gain * v.scale) / (count * out.scale)})`,
      hi - lo > MAX_FIT_RANGE
        ? "a smaller pool window or narrower input"
        : "a dyadic scale ratio (power-of-two scales and pool sizes) with ROUND, FLOOR or HALF_UP; the avgpool requant has no bias to place other steps",
    );
  const requant = { multiplier: fit.multiplier, multiplierBits: fit.multiplierBits, shift: fit.shift, rounding: fit.rounding, outBits: fit.outBits };
  pushPool(low, pool, requant);
  return intOf(pool, fit.outBits, out.scale, out.zeroPoint, fit.qmin, fit.qmax, fit.offset);
}

function pushPool(low: Lowering, pool: PoolValue, requant: Record<string, unknown>): void {
  const base = { name: pool.name, inputs: [pool.input.layer] };
  low.layers.push(
    pool.window
      ? { type: "avgpool", ...base, kernelSize: pool.window.kernel, stride: pool.window.stride, requant }
      : { type: "global_avgpool", ...base, requant },
  );
}

function intOf(
  from: PoolValue | { name: string; dims: readonly number[]; input: IntValue },
  bits: number,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  offset: number,
): IntValue {
  const dims = from.dims;
  const spatial = dims.length === 4 ? { height: dims[2], width: dims[3] } : { height: from.input.spec.height, width: from.input.spec.width };
  return {
    kind: "int",
    layer: from.name,
    dims,
    spec: { ...spatial, channels: from.input.spec.channels, bits },
    scale,
    zeroPoint,
    qmin,
    qmax,
    offset,
    perm: from.input.perm,
  };
}

/** The exact window sum (m = 1, k = 0): q = Σ q_i on scale gain·scale/count, zero point count·zp. */
function settlePool(low: Lowering, node: OnnxNode, pool: PoolValue): IntValue {
  const v = pool.input;
  const [lo, hi] = [pool.count * (v.qmin + v.offset), pool.count * (v.qmax + v.offset)];
  if (lo < -32768 || hi > 32767) low.fail(node, `reads an average pool whose window sum [${lo}, ${hi}] needs more than 16 bits`, "put a Quant after the pool");
  pushPool(low, pool, { multiplier: 1, multiplierBits: 1, shift: 0, rounding: "floor", outBits: 16 });
  const c = pool.count;
  return intOf(pool, 16, (pool.gain * v.scale) / c, c * v.zeroPoint, c * v.qmin, c * v.qmax, c * v.offset);
}

/** The exact sum on the finer operand scale (integer ratios), ReLU'd when the graph says so. */
function settleSum(low: Lowering, node: OnnxNode, sum: SumValue): IntValue {
  const scale = Math.min(sum.a.scale, sum.b.scale);
  const identity = { scale, zeroPoint: 0, level: (real: number) => Math.round(real / scale) };
  const v = addLayer(low, node, sum, scale, identity);
  if (!v)
    low.fail(
      node,
      `its operand scales ${sum.a.scale} and ${sum.b.scale} are not integer multiples of one scale, or the sum exceeds 16 bits`,
      "residual adds of tensors whose scales are integer multiples of each other (equal scales: a shared quantizer)",
    );
  return v;
}

/**
 * The add layer y = relu?(sat_b(r_a·a + r_b·b)) (k = 0: no rounding) on the grid `scale`:
 * r = operand scale / scale must be integers; then the stored sum U = r_a·a + r_b·b is
 * real/scale + C with C = Σ r·(offset + zp), and every U is checked against the quantizer.
 */
function addLayer(low: Lowering, node: OnnxNode, sum: SumValue, scale: number, out: OutQuantizer): IntValue | undefined {
  const { a, b } = sum;
  const ra = a.scale / scale;
  const rb = b.scale / scale;
  if (![ra, rb].every((r) => Number.isInteger(r) && r >= 1 && r < 2 ** 31)) return undefined;
  const c = ra * (a.offset + a.zeroPoint) + rb * (b.offset + b.zeroPoint);
  const lo = ra * (a.qmin + a.offset) + rb * (b.qmin + b.offset);
  const hi = ra * (a.qmax + a.offset) + rb * (b.qmax + b.offset);
  if (hi - lo > MAX_FIT_RANGE) return undefined;
  const level = (u: number) => {
    const real = scale * (u - c);
    return out.level(sum.relu ? Math.max(0, real) : real);
  };
  const fit = fitClamp(lo, hi, (u) => u, level, true);
  if (!fit) return undefined;
  const name = low.layerName(node.name);
  low.layers.push({ type: "add", name, inputs: [a.layer, b.layer], multipliers: [ra, rb], shift: 0, rounding: "floor", outBits: fit.outBits, relu: fit.relu });
  return intOf({ name, dims: sum.dims, input: a }, fit.outBits, out.scale, out.zeroPoint, fit.qmin, fit.qmax, fit.offset);
}

/**
 * Pool reducer parameters (templates/verilog/pool.v.hbs), and the conv views
 * through which a pooling layer reuses the sliding-window unit and the serializer.
 *
 * The reducer takes slices of P lanes in (position outer, channel group inner)
 * order — exactly what the sliding-window unit emits for a window read as
 * ky, kx, then channel fastest in SIMD = P slices — and keeps one accumulator per
 * channel in a rotating shift register of G = C/P groups. The global average
 * pool is the same reducer with P = 1, G = C and H·W positions (the input stream
 * itself is in that order).
 */
import { AvgPoolLayer, Conv2dLayer, MaxPoolLayer } from "../../../ir/model.js";
import { RequantParams } from "../../../arith/requant.js";
import { windowSumRange } from "../../../arith/elementwise.js";
import { counterBits, IntRange, signedBitsFor } from "../../../arith/widths.js";
import { literal, sext } from "../../verilog.js";
import { requantUnitParams } from "../requant/params.js";

/** Largest lane count that divides the channels and is at most 16 (all channels when C ≤ 16). */
export const MAX_POOL_LANES = 16;
export function poolLanes(channels: number): number {
  for (let p = Math.min(channels, MAX_POOL_LANES); p > 1; p--) if (channels % p === 0) return p;
  return 1;
}

/**
 * The conv views of a pooling layer: the sliding-window unit reads the window
 * once per output pixel (outChannels = PE = C, so NF = 1) in SIMD = P slices;
 * the serializer takes P-lane beats (PE = P, NF = C/P). Padding is 0; weights
 * and output stage are unused by those two units.
 */
export function poolConvViews(layer: MaxPoolLayer | AvgPoolLayer): { swu: Conv2dLayer; serializer: Conv2dLayer; lanes: number } {
  const C = layer.input.channels;
  const lanes = layer.lanes ?? poolLanes(C);
  const base: Conv2dLayer = {
    kind: "conv2d",
    name: layer.name,
    inputs: layer.inputs,
    datapath: layer.input.bits === 1 ? "xnor" : "mac",
    input: layer.input,
    output: { ...layer.output, channels: C },
    kernel: layer.kernel,
    stride: layer.stride,
    padding: [0, 0],
    weightBits: layer.input.bits,
    weights: new Int32Array(0),
    out: { kind: "threshold", thresholds: new Int32Array(0), directions: [] },
    arch: { pe: C, simd: lanes },
  };
  return { swu: base, serializer: { ...base, output: layer.output, arch: { pe: lanes, simd: lanes } }, lanes };
}

export type PoolOp = "max" | "sum";

export interface PoolReduceShape {
  /** P: lanes per slice. */
  readonly lanes: number;
  /** G: channel groups (C / P), one accumulator word each. */
  readonly groups: number;
  /** Window positions reduced per output (KH·KW, or H·W for the global pool). */
  readonly positions: number;
  readonly inBits: number;
  readonly op: PoolOp;
}

/** Width of one lane's accumulator: the input width for max, the window-sum range for sum. */
export function poolAccBits(shape: Pick<PoolReduceShape, "op" | "inBits" | "positions">): number {
  return shape.op === "max" ? shape.inBits : signedBitsFor(windowSumRange(shape.inBits, shape.positions));
}

export function poolAccRange(shape: Pick<PoolReduceShape, "inBits" | "positions">): IntRange {
  return windowSumRange(shape.inBits, shape.positions);
}

export function poolReduceParams(shape: PoolReduceShape, module: string) {
  const { lanes: P, groups: G, positions: KK, inBits: BX, op } = shape;
  const AW = poolAccBits(shape);
  const posW = counterBits(KK);
  const gW = counterBits(G);
  const hasAcc = KK > 1;
  const opText = op === "sum" ? "window sum" : BX === 1 ? "max of +-1 = OR of the bits" : "signed max";
  // max on ±1 bits (1 ↔ +1) is the OR; otherwise a signed compare, the first operand kept on ties (same value)
  const combineExpr = op === "sum" ? "acc + x_e" : BX === 1 ? "acc | x_e" : "($signed(x_e) > $signed(acc)) ? x_e : acc";
  return {
    module,
    P,
    BX,
    AW,
    G,
    KK,
    posW,
    gW,
    hasAcc,
    hasGroups: hasAcc && G > 1,
    opText,
    combineExpr,
    inW: P * BX,
    outW: P * AW,
    laneAccW: P * AW,
    srW: G * P * AW,
    shiftExpr: G > 1 ? `{ reduced, acc_sr[${G * P * AW - 1}:${P * AW}] }` : "reduced",
    lit: {
      pos0: literal(0, posW),
      pos1: literal(1, posW),
      posLast: literal(KK - 1, posW),
      g0: literal(0, gW),
      g1: literal(1, gW),
      gLast: literal(G - 1, gW),
    },
    ext: { x: op === "sum" ? sext("x", BX, AW) : "x" },
  };
}

/**
 * Parameters of templates/verilog/requant.v.hbs for P lanes of pool sums (docs/integer-ops.md §1,
 * y = sat_b(round_k(sum·m) + zp)), one multiplier for the tensor, with the rounding
 * addends of rounding.ts roundingAddend (as requantParams for conv layers; that one
 * is tied to a conv's accumulator range): every width from the sum's range.
 */
export function poolRequantParams(acc: IntRange, accBits: number, p: RequantParams, lanes: number, module: string) {
  return requantUnitParams(acc, accBits, p, lanes, module);
}

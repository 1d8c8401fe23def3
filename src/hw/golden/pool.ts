/**
 * Golden pooling: max pool, average pool and global average pool (HWC, no
 * padding). Average pools sum the window exactly and requantize the sum with
 * the layer's dyadic (m, k) — docs/integer-ops.md §1 — so the division is part of the contract.
 * Bound: a window sum of ≤ 2^20 values of 16 bits stays below 2^36, exact in float64.
 * The loops run over channels innermost (HWC: contiguous), with no closure per
 * element; reference/pool.ts keeps the first kernel as the tests' oracle.
 */
import { AvgPoolLayer, GlobalAvgPoolLayer, IntTensor, MaxPoolLayer } from "../../ir/model.js";
import { poolMax } from "../../arith/elementwise.js";
import { requantize } from "../../arith/requant.js";

/** Window reduction, channels innermost: `max` (poolMax) or the exact sum. */
function windowReduce(layer: MaxPoolLayer | AvgPoolLayer, input: IntTensor, max: boolean): Float64Array {
  const { width: W, channels: C } = layer.input;
  const { height: OH, width: OW } = layer.output;
  const [KH, KW] = layer.kernel;
  const [SY, SX] = layer.stride;
  const x = input.data;
  const acc = new Float64Array(OH * OW * C);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const out = (oy * OW + ox) * C;
      const first = (oy * SY * W + ox * SX) * C;
      for (let c = 0; c < C; c++) acc[out + c] = x[first + c];
      for (let ky = 0; ky < KH; ky++) {
        for (let kx = 0; kx < KW; kx++) {
          if (ky === 0 && kx === 0) continue;
          const base = ((oy * SY + ky) * W + ox * SX + kx) * C;
          if (max) for (let c = 0; c < C; c++) acc[out + c] = poolMax(acc[out + c], x[base + c]);
          else for (let c = 0; c < C; c++) acc[out + c] += x[base + c];
        }
      }
    }
  }
  return acc;
}

export function maxPoolGolden(layer: MaxPoolLayer, input: IntTensor): IntTensor {
  const { height: OH, width: OW } = layer.output;
  return { shape: [OH, OW, layer.input.channels], bits: layer.output.bits, data: Int32Array.from(windowReduce(layer, input, true)) };
}

export function avgPoolGolden(layer: AvgPoolLayer, input: IntTensor): IntTensor {
  const { height: OH, width: OW } = layer.output;
  const sums = windowReduce(layer, input, false);
  const out = new Int32Array(sums.length);
  for (let i = 0; i < sums.length; i++) out[i] = requantize(sums[i], layer.requant);
  return { shape: [OH, OW, layer.input.channels], bits: layer.output.bits, data: out };
}

export function globalAvgPoolGolden(layer: GlobalAvgPoolLayer, input: IntTensor): IntTensor {
  const { height: H, width: W, channels: C } = layer.input;
  const sums = new Float64Array(C);
  for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) sums[c] += input.data[p * C + c];
  const out = new Int32Array(C);
  for (let c = 0; c < C; c++) out[c] = requantize(sums[c], layer.requant);
  return { shape: [1, 1, C], bits: layer.output.bits, data: out };
}

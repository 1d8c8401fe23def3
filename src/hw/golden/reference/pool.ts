/**
 * The first golden pooling (a closure per element), kept as the oracle of ../pool.ts
 * for the tests and bench/golden.ts. Golden pooling: max pool, average pool and global average pool (HWC, no
 * padding). Average pools sum the window exactly and requantize the sum with
 * the layer's dyadic (m, k) — docs/integer-ops.md §1 — so the division is part of the contract.
 * Bound: a window sum of ≤ 2^20 values of 16 bits stays below 2^36.
 */
import { AvgPoolLayer, GlobalAvgPoolLayer, IntTensor, MaxPoolLayer } from "../../../ir/model.js";
import { poolMax } from "../../../arith/elementwise.js";
import { requantize } from "../../../arith/requant.js";

function windowReduce(
  layer: MaxPoolLayer | AvgPoolLayer,
  input: IntTensor,
  init: (first: number) => number,
  step: (acc: number, x: number) => number,
  finish: (acc: number) => number,
): IntTensor {
  const { width: W, channels: C } = layer.input;
  const { height: OH, width: OW } = layer.output;
  const [KH, KW] = layer.kernel;
  const [SY, SX] = layer.stride;
  const out = new Int32Array(OH * OW * C);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      for (let c = 0; c < C; c++) {
        let acc = init(input.data[(oy * SY * W + ox * SX) * C + c]);
        for (let ky = 0; ky < KH; ky++) {
          for (let kx = 0; kx < KW; kx++) {
            if (ky === 0 && kx === 0) continue;
            acc = step(acc, input.data[((oy * SY + ky) * W + ox * SX + kx) * C + c]);
          }
        }
        out[(oy * OW + ox) * C + c] = finish(acc);
      }
    }
  }
  return { shape: [OH, OW, C], bits: layer.output.bits, data: out };
}

export function maxPoolGoldenReference(layer: MaxPoolLayer, input: IntTensor): IntTensor {
  return windowReduce(
    layer,
    input,
    (x) => x,
    poolMax,
    (acc) => acc,
  );
}

export function avgPoolGoldenReference(layer: AvgPoolLayer, input: IntTensor): IntTensor {
  return windowReduce(
    layer,
    input,
    (x) => x,
    (acc, x) => acc + x,
    (acc) => requantize(acc, layer.requant),
  );
}

export function globalAvgPoolGoldenReference(layer: GlobalAvgPoolLayer, input: IntTensor): IntTensor {
  const { height: H, width: W, channels: C } = layer.input;
  const sums = new Float64Array(C);
  for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) sums[c] += input.data[p * C + c];
  const out = new Int32Array(C);
  for (let c = 0; c < C; c++) out[c] = requantize(sums[c], layer.requant);
  return { shape: [1, 1, C], bits: layer.output.bits, data: out };
}

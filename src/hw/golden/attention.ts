/**
 * Golden multi-head attention (docs/integer-ops.md §6), the contract of the attention unit:
 * the input [T, 1, 3·D] holds [Q | K | V] per token; per row t and head h the
 * head's accumulators (src/arith/ivit/attention.ts attentionHead: Q·Kᵀ, Shiftmax,
 * A·V) are requantized and written to channels h·d … h·d + d − 1 of row t.
 */
import { AttentionLayer, IntTensor } from "../../ir/model.js";
import { requantize } from "../../arith/requant.js";
import { attentionHead } from "../../arith/ivit/attention.js";

export function attentionGolden(layer: AttentionLayer, input: IntTensor): IntTensor {
  const T = layer.input.height;
  const D = layer.output.channels;
  const d = layer.headDim;
  const x = input.data;
  const out = new Int32Array(T * D);
  for (let h = 0; h < layer.heads; h++) {
    // the head's slices of Q, K and V, token-major
    const part = (which: number) => {
      const slice = new Int32Array(T * d);
      for (let t = 0; t < T; t++) slice.set(x.subarray(t * 3 * D + which * D + h * d, t * 3 * D + which * D + (h + 1) * d), t * d);
      return slice;
    };
    const q = part(0);
    const k = part(1);
    const v = part(2);
    for (let t = 0; t < T; t++) {
      const acc = attentionHead(q.subarray(t * d, (t + 1) * d), k, v, T, d, layer.softmax);
      for (let c = 0; c < d; c++) out[t * D + h * d + c] = requantize(acc[c], layer.requant);
    }
  }
  return { shape: [T, 1, D], bits: layer.output.bits, data: out };
}

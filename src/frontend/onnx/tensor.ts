/** Constant tensors during lowering: float64 data with dims, numpy-style broadcasting of the few forms we fold. */
import { QuantrtlError } from "../../util/errors.js";
import type { OnnxNode } from "./reader.js";

export interface ConstTensor {
  readonly dims: readonly number[];
  readonly data: Float64Array;
}

export function size(dims: readonly number[]): number {
  return dims.reduce((a, b) => a * b, 1);
}

export function scalar(v: number): ConstTensor {
  return { dims: [], data: Float64Array.of(v) };
}

/** Elementwise a ∘ b with numpy broadcasting (any ranks). */
export function broadcast(a: ConstTensor, b: ConstTensor, f: (x: number, y: number) => number, where: () => string): ConstTensor {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (d: readonly number[]) => [...new Array(rank - d.length).fill(1), ...d];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const dims = da.map((x, i) => {
    if (x !== db[i] && x !== 1 && db[i] !== 1)
      throw new QuantrtlError(undefined, where(), `shapes [${a.dims}] and [${b.dims}] do not broadcast`, "check the model's shapes");
    return Math.max(x, db[i]);
  });
  const n = size(dims);
  const out = new Float64Array(n);
  const strides = (d: number[]) => d.map((x, i) => (x === 1 ? 0 : size(d.slice(i + 1))));
  const sa = strides(da);
  const sb = strides(db);
  const idx = new Array(rank).fill(0);
  for (let i = 0; i < n; i++) {
    let ia = 0;
    let ib = 0;
    for (let r = 0; r < rank; r++) {
      ia += idx[r] * sa[r];
      ib += idx[r] * sb[r];
    }
    out[i] = f(a.data[ia], b.data[ib]);
    for (let r = rank - 1; r >= 0; r--) {
      if (++idx[r] < dims[r]) break;
      idx[r] = 0;
    }
  }
  return { dims, data: out };
}

/** Transposes by perm. */
export function transpose(t: ConstTensor, perm: readonly number[]): ConstTensor {
  const dims = perm.map((p) => t.dims[p]);
  const n = size(dims);
  const out = new Float64Array(n);
  const srcStrides = t.dims.map((_, i) => size(t.dims.slice(i + 1)));
  const idx = new Array(dims.length).fill(0);
  for (let i = 0; i < n; i++) {
    let src = 0;
    for (let r = 0; r < dims.length; r++) src += idx[r] * srcStrides[perm[r]];
    out[i] = t.data[src];
    for (let r = dims.length - 1; r >= 0; r--) {
      if (++idx[r] < dims[r]) break;
      idx[r] = 0;
    }
  }
  return { dims, data: out };
}

/**
 * Per-channel view of a parameter broadcast against a tensor of `rank` dims whose
 * channel axis is `axis` (size `channels`): a scalar, or a tensor whose only
 * non-1 dim is the channel axis. Anything else is refused (it varies over space).
 */
export function perChannel(t: ConstTensor, rank: number, axis: number, channels: number, node: OnnxNode, file?: string): Float64Array {
  if (size(t.dims) === 1) return new Float64Array(channels).fill(t.data[0]);
  const dims = [...new Array(Math.max(0, rank - t.dims.length)).fill(1), ...t.dims];
  const ok = dims.length === rank && dims.every((d, i) => d === 1 || (i === axis && d === channels));
  if (!ok)
    throw new QuantrtlError(
      file,
      nodeWhere(node),
      `its constant of shape [${t.dims}] is not per-tensor or per-channel (channel axis ${axis}, ${channels} channels)`,
      "only scalar or per-channel constants fold into a requant",
    );
  return Float64Array.from(t.data);
}

export function nodeWhere(node: OnnxNode): string {
  return `node "${node.name}" (#${node.index}, ${node.opType})`;
}

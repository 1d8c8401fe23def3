/** Builders of small multi-layer model documents (residual graphs, dense heads) for tests, through parseModel. */
import { parseModel } from "../../src/ir/load.js";
import type { Model } from "../../src/ir/model.js";
import { rng } from "../../src/ir/inputs.js";

type Doc = Record<string, unknown>;

/** A conv2d layer document with seeded weights. */
export function convLayer(o: {
  name: string;
  kernel: "mac" | "adder" | "xnor" | "shift";
  inChannels: number;
  outChannels: number;
  kernelSize?: number;
  stride?: number;
  padding?: number;
  bits?: 1 | 8 | 16;
  inputs?: string[];
  seed: number;
  requant?: Doc;
  relu?: boolean;
  pe?: number;
  simd?: number;
  bias?: boolean;
}): Doc {
  const next = rng(o.seed);
  const bits = o.bits ?? 8;
  const ks = o.kernelSize ?? 3;
  const K = ks * ks * o.inChannels;
  const weights = Array.from({ length: o.outChannels * K }, () => (bits === 1 ? (next() < 0.5 ? -1 : 1) : Math.round((next() - 0.5) * 200)));
  const layer: Doc = {
    type: "conv2d",
    name: o.name,
    datapath: o.kernel,
    outChannels: o.outChannels,
    kernelSize: ks,
    stride: o.stride ?? 1,
    padding: o.padding ?? (ks - 1) / 2,
    weightBits: bits,
    activationBits: bits,
    weights,
    arch: { pe: o.pe ?? Math.min(2, o.outChannels), simd: o.simd ?? Math.min(4, K) },
  };
  if (o.inputs) layer.inputs = o.inputs;
  if (o.bias) layer.bias = Array.from({ length: o.outChannels }, () => Math.round((next() - 0.5) * 4000));
  if (bits === 1 && o.kernel === "xnor") layer.thresholds = Array.from({ length: o.outChannels }, () => Math.round((next() - 0.5) * K * 0.3));
  else {
    layer.requant = o.requant ?? { multiplier: 30000 + Math.floor(next() * 20000), shift: 22, rounding: "half_even", outBits: 8 };
    if (o.relu) layer.relu = true;
  }
  return layer;
}

export function graphModel(name: string, input: { height: number; width: number; channels: number; bits?: number }, layers: Doc[]): Model {
  return parseModel(graphDoc(name, input, layers));
}

export function graphDoc(name: string, input: { height: number; width: number; channels: number; bits?: number }, layers: Doc[]): Doc {
  return { quantrtl: 1, name, input: { bits: 8, ...input }, layers };
}

/** Builders of small conv models for tests (model-file form, through parseModel like a user's file). */
import { parseModel } from "../../src/ir/load.js";
import { Conv2dLayer, engineLayers, type Model } from "../../src/ir/model.js";
import { rng } from "../../src/ir/inputs.js";

export type Kernel = "mac" | "adder" | "xnor" | "shift";

export interface ConvCase {
  name?: string;
  kernel: Kernel;
  bits?: 8 | 16;
  height?: number;
  width?: number;
  channels?: number;
  outChannels?: number;
  kernelSize?: number | [number, number];
  stride?: number | [number, number];
  padding?: number | [number, number];
  pe: number;
  simd: number;
  seed?: number;
  weights?: number[];
  bias?: number[];
  requant?: { multiplier: number; shift: number; rounding: string; outBits: 8 | 16; zeroPoint?: number };
  relu?: boolean;
  thresholds?: number[];
  thresholdDirections?: ("ge" | "le")[];
}

export function convDoc(c: ConvCase): Record<string, unknown> {
  const bits = c.kernel === "xnor" ? 1 : (c.bits ?? 8);
  const H = c.height ?? 6;
  const W = c.width ?? 7;
  const C = c.channels ?? 3;
  const OC = c.outChannels ?? 5;
  const ks = typeof c.kernelSize === "number" || c.kernelSize === undefined ? [c.kernelSize ?? 3, c.kernelSize ?? 3] : c.kernelSize;
  const K = ks[0] * ks[1] * C;
  const next = rng(c.seed ?? 7);
  const lo = -(2 ** (bits - 1));
  // shift weights: 0 or ±2^q with q ≤ bits − 2
  const shiftWeight = () => (next() < 0.15 ? 0 : (next() < 0.5 ? -1 : 1) * 2 ** Math.floor(next() * (bits - 1)));
  const weights =
    c.weights ??
    Array.from({ length: OC * K }, () => (bits === 1 ? (next() < 0.5 ? -1 : 1) : c.kernel === "shift" ? shiftWeight() : lo + Math.floor(next() * 2 ** bits)));
  const layer: Record<string, unknown> = {
    type: "conv2d",
    name: "conv0",
    datapath: c.kernel,
    outChannels: OC,
    kernelSize: c.kernelSize ?? 3,
    stride: c.stride ?? 1,
    padding: c.padding ?? 1,
    weightBits: bits,
    activationBits: bits,
    weights,
    arch: { pe: c.pe, simd: c.simd },
  };
  if (c.kernel === "xnor") {
    layer.thresholds = c.thresholds ?? Array.from({ length: OC }, () => Math.round((next() - 0.5) * K * 0.5));
    if (c.thresholdDirections) layer.thresholdDirections = c.thresholdDirections;
  } else {
    // scale the accumulator's typical range onto the output range
    layer.requant = c.requant ?? { multiplier: 40000 + Math.floor(next() * 20000), shift: bits === 8 ? 22 : 29, rounding: "half_even", outBits: bits };
    if (c.bias) layer.bias = c.bias;
    if (c.relu) layer.relu = true;
  }
  return { quantrtl: 1, name: c.name ?? `t_${c.kernel}${bits}`, input: { height: H, width: W, channels: C, bits }, layers: [layer] };
}

export function convModel(c: ConvCase): Model {
  return parseModel(convDoc(c));
}

/** The first engine layer of a model, as its conv view (tests of single-conv models). */
export function firstConv(model: Model): Conv2dLayer {
  return engineLayers(model)[0];
}

/**
 * One adder conv too large for the cycle-exact model to step: 64×64×32 → 32, 3×3, at pe 1 / simd 1,
 * 4096 pixels × 32 × 288 = 37.7 M cycles a frame.
 */
export const UNSTEPPABLE_IDEAL_CYCLES = 64 * 64 * 32 * 288;
export function unsteppableConv(): Model {
  return convModel({ kernel: "adder", height: 64, width: 64, channels: 32, outChannels: 32, kernelSize: 3, padding: 1, pe: 1, simd: 1 });
}

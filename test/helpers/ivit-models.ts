/** Builders of small integer-ViT model documents (token sequences [T, 1, C]) for the load, golden and RTL tests. */
import { rng } from "../../src/ir/inputs.js";
import type { IntTensor, TensorSpec } from "../../src/ir/model.js";

type Doc = Record<string, unknown>;

export function tokenDoc(name: string, tokens: number, channels: number, layers: Doc[], bits: 1 | 8 | 16 = 8): Doc {
  return { quantrtl: 1, name, input: { height: tokens, width: 1, channels, bits }, layers };
}

/** A layernorm layer with seeded bias_int (|bias| ≤ 2^29) and per-channel multipliers of both signs. */
export function layerNormDoc(name: string, channels: number, seed: number, extra: Doc = {}): Doc {
  const next = rng(seed);
  return {
    type: "layernorm",
    name,
    biasInt: Array.from({ length: channels }, () => Math.round((next() - 0.5) * 2 ** 30)),
    requant: {
      multipliers: Array.from({ length: channels }, (_, c) => (c % 3 === 1 ? -1 : 1) * (20000 + Math.floor(next() * 40000))),
      shift: 30,
      rounding: "half_even",
      outBits: 8,
    },
    ...extra,
  };
}

export function geluDoc(name: string, x0: number, extra: Doc = {}): Doc {
  return { type: "gelu", name, x0, requant: { multiplier: 40000, shift: 19, rounding: "half_away", outBits: 8 }, ...extra };
}

export function attentionDoc(name: string, heads: number, x0: number, simd?: number, extra: Doc = {}): Doc {
  return {
    type: "attention",
    name,
    heads,
    x0,
    requant: { multiplier: 45000, shift: 20, rounding: "half_even", outBits: 8 },
    ...(simd ? { arch: { simd } } : {}),
    ...extra,
  };
}

/** A linear layer (parses to conv2d 1×1) with seeded int8 weights and a per-tensor requant. */
export function linearDoc(name: string, inFeatures: number, outFeatures: number, seed: number, extra: Doc = {}): Doc {
  const next = rng(seed);
  return {
    type: "linear",
    name,
    datapath: "mac",
    outFeatures,
    weightBits: 8,
    activationBits: 8,
    weights: Array.from({ length: inFeatures * outFeatures }, () => Math.round((next() - 0.5) * 254)),
    requant: { multiplier: 30000, shift: 22, rounding: "half_even", outBits: 8 },
    arch: { pe: Math.min(2, outFeatures), simd: Math.min(4, inFeatures) },
    ...extra,
  };
}

/** Token tensors at the extremes of the range (all min, all max, zero, alternating min/max, one outlier) and seeded random ones. */
export function tokenInputs(spec: TensorSpec, randomCount: number, seed: number): IntTensor[] {
  const n = spec.height * spec.width * spec.channels;
  const lo = -(2 ** (spec.bits - 1));
  const hi = 2 ** (spec.bits - 1) - 1;
  const shape = [spec.height, spec.width, spec.channels] as const;
  const of = (f: (i: number) => number): IntTensor => ({ shape, bits: spec.bits, data: Int32Array.from({ length: n }, (_, i) => f(i)) });
  const next = rng(seed);
  return [
    of(() => lo),
    of(() => hi),
    of(() => 0),
    of((i) => (i % 2 ? lo : hi)),
    of((i) => (i % spec.channels === 0 ? hi : lo)),
    ...Array.from({ length: randomCount }, (_, r) =>
      // half uniform over the range, half clustered near a random centre per token
      r % 2 === 0 ? of(() => lo + Math.floor(next() * (hi - lo + 1))) : of(() => Math.max(lo, Math.min(hi, Math.round((next() - 0.5) * (hi - lo) * 0.2)))),
    ),
  ];
}

/**
 * The reference designs the stream-unit formula is fitted to (scripts/fit-resources.ts):
 * one small model per non-engine layer kind and size — ReLU, argmax, max and average
 * pooling, global average pooling, the residual add (with its fork and FIFOs),
 * I-LayerNorm, ShiftGELU, Shiftmax, attention and the token layers — three sizes
 * per kind, spanning the widths and lengths of the bundled models, the third
 * (a size between the other two) held out of the fit.
 */
import { Model } from "../ir/model.js";
import { parseModel } from "../ir/load.js";
import { rng } from "../ir/inputs.js";

type Doc = Record<string, unknown>;

export interface UnitReferenceDesign {
  readonly name: string;
  /** The layer kind it exercises. */
  readonly kind: string;
  /** Left out of the fit; its error is the out-of-sample error. */
  readonly heldOut: boolean;
  readonly doc: Doc;
}

const model = (name: string, input: { height: number; width: number; channels: number; bits: number }, layers: Doc[]): Doc => ({
  quantrtl: 1,
  name,
  input,
  layers,
});
const rq = (outBits = 8, multiplier = 40000, shift = 20) => ({ multiplier, shift, rounding: "half_even", outBits });

interface Size {
  readonly h: number;
  readonly w: number;
  readonly c: number;
  readonly bits: 8 | 16;
}

/** Per kind: the layers for one size, and the three sizes (the last held out). */
const KINDS: readonly { kind: string; sizes: readonly Size[]; layers: (s: Size, seed: () => number) => Doc[] }[] = [
  {
    kind: "relu",
    sizes: [
      { h: 4, w: 4, c: 8, bits: 8 },
      { h: 4, w: 4, c: 8, bits: 16 },
      { h: 4, w: 4, c: 16, bits: 8 },
    ],
    layers: () => [{ type: "relu", name: "r" }],
  },
  {
    kind: "argmax",
    sizes: [
      { h: 1, w: 1, c: 10, bits: 16 },
      { h: 1, w: 1, c: 100, bits: 8 },
      { h: 1, w: 1, c: 32, bits: 16 },
    ],
    layers: () => [{ type: "argmax", name: "a" }],
  },
  {
    kind: "maxpool",
    sizes: [
      { h: 8, w: 8, c: 4, bits: 8 },
      { h: 18, w: 18, c: 32, bits: 16 },
      { h: 12, w: 12, c: 8, bits: 8 },
    ],
    layers: (s) => [{ type: "maxpool", name: "p", kernelSize: s.c === 32 ? 3 : 2, stride: s.c === 32 ? 3 : 2 }],
  },
  {
    kind: "avgpool",
    sizes: [
      { h: 8, w: 8, c: 8, bits: 8 },
      { h: 16, w: 16, c: 16, bits: 16 },
      { h: 8, w: 8, c: 12, bits: 8 },
    ],
    layers: (s) => [
      { type: "avgpool", name: "p", kernelSize: s.bits === 16 ? 4 : 2, stride: s.bits === 16 ? 4 : 2, requant: rq(s.bits, 1, s.bits === 16 ? 4 : 2) },
    ],
  },
  {
    kind: "global_avgpool",
    sizes: [
      { h: 4, w: 4, c: 16, bits: 8 },
      { h: 8, w: 8, c: 64, bits: 8 },
      { h: 8, w: 8, c: 32, bits: 16 },
    ],
    layers: (s) => [{ type: "global_avgpool", name: "g", requant: rq(s.bits, 1, Math.log2(s.h * s.w)) }],
  },
  {
    // both operands from the input: a fork and a FIFO of the whole tensor on each side
    kind: "add",
    sizes: [
      { h: 4, w: 4, c: 4, bits: 8 },
      { h: 16, w: 16, c: 16, bits: 8 },
      { h: 8, w: 8, c: 16, bits: 8 },
    ],
    layers: () => [{ type: "add", name: "a", inputs: ["input", "input"], multipliers: [3, 5], shift: 2, rounding: "half_even", outBits: 8, relu: true }],
  },
  {
    kind: "layernorm",
    sizes: [
      { h: 4, w: 1, c: 16, bits: 8 },
      { h: 8, w: 1, c: 192, bits: 8 },
      { h: 6, w: 1, c: 64, bits: 8 },
    ],
    layers: (s, next) => [
      {
        type: "layernorm",
        name: "ln",
        biasInt: Array.from({ length: s.c }, () => Math.round((next() - 0.5) * 2 ** 20)),
        requant: {
          multipliers: Array.from({ length: s.c }, (_, c) => (c % 3 === 1 ? -1 : 1) * (20000 + Math.floor(next() * 40000))),
          shift: 30,
          rounding: "half_even",
          outBits: 8,
        },
      },
    ],
  },
  {
    kind: "gelu",
    sizes: [
      { h: 4, w: 1, c: 16, bits: 8 },
      { h: 4, w: 1, c: 256, bits: 8 },
      { h: 4, w: 1, c: 64, bits: 8 },
    ],
    layers: () => [{ type: "gelu", name: "g", x0: -10, requant: rq(8, 40000, 19) }],
  },
  {
    kind: "softmax",
    sizes: [
      { h: 4, w: 1, c: 17, bits: 8 },
      { h: 8, w: 1, c: 197, bits: 8 },
      { h: 6, w: 1, c: 64, bits: 8 },
    ],
    layers: () => [{ type: "softmax", name: "sm", x0: -12 }],
  },
  {
    // input [T, 1, 3·D]: heads = c / 24 (head dim 8), SIMD 2 / 4 / 4
    kind: "attention",
    sizes: [
      { h: 4, w: 1, c: 24, bits: 8 },
      { h: 17, w: 1, c: 192, bits: 8 },
      { h: 8, w: 1, c: 96, bits: 8 },
    ],
    layers: (s) => [{ type: "attention", name: "at", heads: s.c / 24, x0: -2000, requant: rq(8, 45000, 20), arch: { simd: s.c === 24 ? 2 : 4 } }],
  },
  {
    kind: "token_embed",
    sizes: [
      { h: 2, w: 2, c: 8, bits: 8 },
      { h: 4, w: 4, c: 64, bits: 8 },
      { h: 3, w: 3, c: 32, bits: 8 },
    ],
    layers: (s, next) => [
      {
        type: "token_embed",
        name: "e",
        embedding: Array.from({ length: (s.h * s.w + 1) * s.c }, () => Math.round((next() - 0.5) * 200)),
        requant: rq(8, 50000, 16),
      },
    ],
  },
  {
    kind: "token_select",
    sizes: [
      { h: 5, w: 1, c: 8, bits: 8 },
      { h: 17, w: 1, c: 192, bits: 8 },
      { h: 10, w: 1, c: 64, bits: 8 },
    ],
    layers: () => [{ type: "token_select", name: "s", index: 0 }],
  },
];

export function unitReferenceDesigns(): UnitReferenceDesign[] {
  return KINDS.flatMap((k) =>
    k.sizes.map((s, i) => {
      const name = `ref_${k.kind}_${s.h}x${s.w}x${s.c}_b${s.bits}`;
      const next = rng(s.h * 1009 + s.c * 31 + s.bits + i);
      return { name, kind: k.kind, heldOut: i === 2, doc: model(name, { height: s.h, width: s.w, channels: s.c, bits: s.bits }, k.layers(s, next)) };
    }),
  );
}

export function unitReferenceModel(d: UnitReferenceDesign): Model {
  return parseModel(d.doc);
}

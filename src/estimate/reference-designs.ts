/**
 * The reference designs the resource model is fitted to (scripts/fit-resources.ts):
 * single conv layers over every datapath and width, on eight geometry/folding
 * shapes, plus MAC builds synthesized without DSPs. Each datapath gets four shapes
 * in a Latin-square pattern so that no shape and no width go together by
 * construction; the fourth design of every group is held out of the fit and only
 * measures the out-of-sample error.
 */
import { Model } from "../ir/model.js";
import { Datapath } from "../arith/datapath.js";
import { parseModel } from "../ir/load.js";
import { rng } from "../ir/inputs.js";

export interface ReferenceShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly outChannels: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly pe: number;
  readonly simd: number;
}

export interface ReferenceDesign {
  readonly name: string;
  readonly datapath: Datapath;
  /** Activation and weight bits (1 for xnor). */
  readonly bits: 1 | 8 | 16;
  /** false: synthesized with DSP inference off (multipliers in LUTs). */
  readonly useDsp: boolean;
  readonly shape: ReferenceShape;
  /** Left out of the fit; its error is the out-of-sample error. */
  readonly heldOut: boolean;
  /** One requant multiplier per output channel (from a ROM, as every trained model has), else one constant. */
  readonly perChannel?: boolean;
}

const shape = (s: ReferenceShape) => s;

/** Geometries and foldings: line buffers of 0.5 to 9 K elements, 1 to 64 lanes, K from 8 to 288, weight ROMs of 2 to 144 words; most syntheses take under a minute, the largest a few. */
export const REFERENCE_SHAPES: readonly ReferenceShape[] = [
  shape({ height: 8, width: 8, channels: 4, outChannels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1], pe: 1, simd: 1 }),
  shape({ height: 8, width: 8, channels: 4, outChannels: 8, kernel: [3, 3], stride: [1, 1], padding: [1, 1], pe: 2, simd: 4 }),
  shape({ height: 6, width: 10, channels: 3, outChannels: 6, kernel: [3, 2], stride: [2, 1], padding: [1, 0], pe: 3, simd: 6 }),
  shape({ height: 8, width: 8, channels: 8, outChannels: 8, kernel: [1, 1], stride: [1, 1], padding: [0, 0], pe: 4, simd: 8 }),
  shape({ height: 10, width: 10, channels: 2, outChannels: 4, kernel: [5, 5], stride: [2, 2], padding: [2, 2], pe: 2, simd: 10 }),
  shape({ height: 8, width: 8, channels: 8, outChannels: 8, kernel: [3, 3], stride: [1, 1], padding: [1, 1], pe: 2, simd: 16 }),
  shape({ height: 16, width: 16, channels: 4, outChannels: 8, kernel: [3, 3], stride: [1, 1], padding: [1, 1], pe: 4, simd: 4 }),
  shape({ height: 32, width: 32, channels: 8, outChannels: 4, kernel: [3, 3], stride: [1, 1], padding: [1, 1], pe: 2, simd: 2 }),
  // deep weight ROMs (128 words of 64 and of 512 bits at 8 bits), which Yosys puts in block RAM on every
  // family — the shape of a dense layer (LeNet's dense1: 256 words of 512 bits)
  shape({ height: 4, width: 4, channels: 64, outChannels: 16, kernel: [1, 1], stride: [1, 1], padding: [0, 0], pe: 1, simd: 8 }),
  shape({ height: 1, width: 1, channels: 256, outChannels: 32, kernel: [1, 1], stride: [1, 1], padding: [0, 0], pe: 4, simd: 16 }),
  // a ResNet-20 stage-2 layer: 144-word weight ROMs of 512 bits (Yosys builds them of LUT6s and MUXF7/F8s), 64 lanes
  shape({ height: 16, width: 16, channels: 32, outChannels: 32, kernel: [3, 3], stride: [1, 1], padding: [1, 1], pe: 4, simd: 16 }),
];

const GROUPS: readonly { datapath: Datapath; bits: 1 | 8 | 16; useDsp: boolean; shapes: readonly number[]; perChannel?: boolean }[] = [
  // shapes (c, c+3, c+5, c+6) mod 8 for group c: every shape meets 3–4 groups of mixed widths (shapes 0–7)
  ...(
    [
      ["mac", 8],
      ["mac", 16],
      ["adder", 8],
      ["adder", 16],
      ["shift", 8],
      ["shift", 16],
      ["xnor", 1],
    ] as const
  ).map(([datapath, bits], c) => ({ datapath, bits, useDsp: true, shapes: [c, c + 3, c + 5, c + 6].map((s) => s % 8) })),
  // multipliers in LUTs (`compare --kernels mac-nodsp`): small lane counts only
  { datapath: "mac", bits: 8, useDsp: false, shapes: [1, 3, 0] },
  { datapath: "mac", bits: 16, useDsp: false, shapes: [0, 7] },
  // the deep-ROM shapes (8, 9), appended so that the designs above keep their names and held-out places
  { datapath: "mac", bits: 8, useDsp: true, shapes: [8] },
  { datapath: "adder", bits: 8, useDsp: true, shapes: [9, 8] },
  { datapath: "xnor", bits: 1, useDsp: true, shapes: [9] },
  { datapath: "shift", bits: 8, useDsp: true, shapes: [9] },
  { datapath: "mac", bits: 16, useDsp: true, shapes: [9] },
  // per-channel requant (a multiplier ROM and, without DSPs, array multipliers in LUTs), as trained models have
  { datapath: "mac", bits: 8, useDsp: true, shapes: [1], perChannel: true },
  { datapath: "mac", bits: 8, useDsp: false, shapes: [3, 1], perChannel: true },
  { datapath: "adder", bits: 8, useDsp: true, shapes: [5], perChannel: true },
  { datapath: "mac", bits: 16, useDsp: false, shapes: [0], perChannel: true },
  // multipliers in LUTs behind deep weight ROMs (every weight bit varies: generic multipliers, as in trained networks)
  { datapath: "mac", bits: 8, useDsp: false, shapes: [8, 5], perChannel: true },
  // whole-network layer sizes: the ResNet-20 stage-2 shape with the multiplier and the adder datapath
  { datapath: "mac", bits: 8, useDsp: true, shapes: [10], perChannel: true },
  { datapath: "adder", bits: 8, useDsp: true, shapes: [10], perChannel: true },
];

export function referenceDesigns(): ReferenceDesign[] {
  const out: ReferenceDesign[] = [];
  for (const g of GROUPS) {
    g.shapes.forEach((s) => {
      const name = `ref_${g.datapath}${g.bits}${g.useDsp ? "" : "_nodsp"}${g.perChannel ? "_pc" : ""}_s${s}`;
      out.push({
        name,
        datapath: g.datapath,
        bits: g.bits,
        useDsp: g.useDsp,
        shape: REFERENCE_SHAPES[s],
        heldOut: out.length % 4 === 3,
        ...(g.perChannel ? { perChannel: true } : {}),
      });
    });
  }
  return out;
}

/** The design as a model (seeded weights, bias and requant; xnor with thresholds). */
export function referenceModel(d: ReferenceDesign): Model {
  const s = d.shape;
  const K = s.kernel[0] * s.kernel[1] * s.channels;
  const next = rng(K * 131 + s.outChannels * 7 + d.bits);
  const lo = -(2 ** (d.bits - 1));
  const weight = () => {
    if (d.bits === 1) return next() < 0.5 ? -1 : 1;
    // shift weights: 0 or ±2^q with q ≤ bits − 2
    if (d.datapath === "shift") return next() < 0.15 ? 0 : (next() < 0.5 ? -1 : 1) * 2 ** Math.floor(next() * (d.bits - 1));
    return lo + Math.floor(next() * 2 ** d.bits);
  };
  const layer: Record<string, unknown> = {
    type: "conv2d",
    name: "conv0",
    datapath: d.datapath,
    outChannels: s.outChannels,
    kernelSize: [...s.kernel],
    stride: [...s.stride],
    padding: [...s.padding],
    weightBits: d.bits,
    activationBits: d.bits,
    weights: Array.from({ length: s.outChannels * K }, weight),
    arch: { pe: s.pe, simd: s.simd },
  };
  if (d.datapath === "xnor") {
    layer.thresholds = Array.from({ length: s.outChannels }, () => Math.round((next() - 0.5) * K * 0.5));
  } else {
    layer.bias = Array.from({ length: s.outChannels }, () => Math.round((next() - 0.5) * 2 ** (d.bits + 2)));
    const shift = d.bits === 8 ? 22 : 29;
    layer.requant = d.perChannel
      ? { multipliers: Array.from({ length: s.outChannels }, () => 40000 + Math.floor(next() * 20000)), shift, rounding: "half_even", outBits: d.bits }
      : { multiplier: 40000 + Math.floor(next() * 20000), multiplierBits: 16, shift, rounding: "half_even", outBits: d.bits };
    layer.relu = d.datapath === "adder";
  }
  return parseModel({ quantrtl: 1, name: d.name, input: { height: s.height, width: s.width, channels: s.channels, bits: d.bits }, layers: [layer] });
}

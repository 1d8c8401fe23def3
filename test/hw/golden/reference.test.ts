/**
 * The fast golden kernels (src/hw/golden/conv2d.ts, pool.ts, arith requantizeTensor and
 * the packed xnor words) equal the first kernels kept in src/hw/golden/reference/, element
 * for element: on random layers of every datapath and bit width the loader takes
 * (1 for xnor, 8 and 16), and on every bundled
 * model (every layer's output, a few seeded inputs; the large models one).
 */
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { parseModel } from "../../../src/ir/load.js";
import { Conv2dLayer, denseAsConv, DenseLayer, IntTensor } from "../../../src/ir/model.js";
import { randomTensor } from "../../../src/ir/inputs.js";
import { conv2dAccumulators, conv2dGolden, denseGolden } from "../../../src/hw/golden/conv2d.js";
import { conv2dAccumulatorsReference, conv2dGoldenReference, denseGoldenReference } from "../../../src/hw/golden/reference/conv2d.js";
import { popcount32, xnorPopcount, packSigns, packedWords } from "../../../src/arith/datapath.js";
import { requantize, requantizeTensor, RequantParams } from "../../../src/arith/requant.js";
import { ROUNDING_MODES } from "../../../src/arith/rounding.js";
import { runJob } from "../../helpers/worker.js";

type Dp = "mac" | "adder" | "xnor" | "shift";

interface LayerCase {
  dp: Dp;
  bits: number;
  H: number;
  W: number;
  C: number;
  OC: number;
  k: number;
  stride: number;
  padding: number;
  dense: boolean;
  seed: number;
  bias: boolean;
  rounding: (typeof ROUNDING_MODES)[number];
  relu: boolean;
  perChannel: boolean;
}

function next(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** A one-layer model of the case, through the real loader; weights and inputs seeded. */
function build(c: LayerCase): { layer: Conv2dLayer | DenseLayer; input: IntTensor } {
  const r = next(c.seed);
  const bits = c.dp === "xnor" ? 1 : c.bits;
  const K = c.dense ? c.H * c.W * c.C : c.k * c.k * c.C;
  const lo = -(2 ** (bits - 1));
  const weight = (): number => {
    if (bits === 1) return r() < 0.5 ? -1 : 1;
    if (c.dp === "shift") return r() < 0.15 ? 0 : (r() < 0.5 ? -1 : 1) * 2 ** Math.floor(r() * (bits - 1));
    return lo + Math.floor(r() * 2 ** bits);
  };
  const layer: Record<string, unknown> = {
    type: c.dense ? "dense" : "conv2d",
    name: "l0",
    datapath: c.dp,
    weightBits: bits,
    activationBits: bits,
    weights: Array.from({ length: c.OC * K }, weight),
  };
  if (c.dense) layer.outFeatures = c.OC;
  else Object.assign(layer, { outChannels: c.OC, kernelSize: c.k, stride: c.stride, padding: c.padding });
  if (c.dp === "xnor") layer.thresholds = Array.from({ length: c.OC }, () => Math.round((r() - 0.5) * K));
  else {
    const m = 1 + Math.floor(r() * 60000);
    layer.requant = { multiplier: m, shift: Math.floor(r() * (bits + 20)), rounding: c.rounding, outBits: r() < 0.5 ? 8 : 16 };
    if (c.perChannel) {
      const { multiplier: _m, ...rest } = layer.requant as Record<string, unknown>;
      layer.requant = { ...rest, multipliers: Array.from({ length: c.OC }, () => Math.floor((r() - 0.2) * 60000)) };
    }
    if (c.bias) layer.bias = Array.from({ length: c.OC }, () => Math.floor((r() - 0.5) * 2 ** 20));
    if (c.relu) layer.relu = true;
  }
  const model = parseModel({ quantrtl: 1, name: "t", input: { height: c.H, width: c.W, channels: c.C, bits }, layers: [layer] });
  return { layer: model.layers[0] as Conv2dLayer | DenseLayer, input: randomTensor(model.input, c.seed) };
}

const caseArb = (dp: Dp): fc.Arbitrary<LayerCase> =>
  fc.record({
    dp: fc.constant(dp),
    bits: dp === "xnor" ? fc.constant(1) : fc.constantFrom(8, 16),
    H: fc.integer({ min: 1, max: 7 }),
    W: fc.integer({ min: 1, max: 7 }),
    C: fc.integer({ min: 1, max: 40 }),
    OC: fc.integer({ min: 1, max: 9 }),
    k: fc.integer({ min: 1, max: 3 }),
    stride: fc.integer({ min: 1, max: 2 }),
    padding: fc.integer({ min: 0, max: 1 }),
    dense: fc.boolean(),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
    bias: fc.boolean(),
    rounding: fc.constantFrom(...ROUNDING_MODES),
    relu: fc.boolean(),
    perChannel: fc.boolean(),
  });

function fits(c: LayerCase): boolean {
  return c.dense || (c.padding < c.k && c.H + 2 * c.padding >= c.k && c.W + 2 * c.padding >= c.k);
}

describe("fast conv/dense kernels equal the reference kernels", () => {
  for (const dp of ["mac", "adder", "xnor", "shift"] as const) {
    test(`${dp}: accumulators and outputs on random layers and bit widths`, () => {
      let checked = 0;
      fc.assert(
        fc.property(caseArb(dp), (c) => {
          if (!fits(c)) return;
          let built: ReturnType<typeof build>;
          try {
            built = build(c);
          } catch {
            return; // a combination the loader rejects (e.g. its requant widths): not a kernel case
          }
          const { layer, input } = built;
          const conv = layer.kind === "dense" ? denseAsConv(layer) : layer;
          expect(Array.from(conv2dAccumulators(conv, input.data))).toEqual(Array.from(conv2dAccumulatorsReference(conv, input.data)));
          const fast = layer.kind === "dense" ? denseGolden(layer, input) : conv2dGolden(layer, input);
          const ref = layer.kind === "dense" ? denseGoldenReference(layer, input) : conv2dGoldenReference(layer, input);
          expect(fast.shape).toEqual(ref.shape);
          expect(Array.from(fast.data)).toEqual(Array.from(ref.data));
          checked++;
        }),
        { numRuns: 150 },
      );
      expect(checked).toBeGreaterThan(50);
    });
  }

  test("the comparison sees a one-weight change", () => {
    const { layer, input } = build({
      dp: "mac",
      bits: 8,
      H: 4,
      W: 4,
      C: 3,
      OC: 2,
      k: 3,
      stride: 1,
      padding: 1,
      dense: false,
      seed: 5,
      bias: false,
      rounding: "floor",
      relu: false,
      perChannel: false,
    });
    const conv = layer as Conv2dLayer;
    const changed = { ...conv, weights: conv.weights.map((w, i) => (i === 0 ? w + 1 : w)) };
    expect(Array.from(conv2dAccumulators(changed, input.data))).not.toEqual(Array.from(conv2dAccumulatorsReference(conv, input.data)));
  });
});

describe("vector forms of the integer ops", () => {
  test("requantizeTensor equals requantize element by element (every mode, wide products, k up to 62)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), fc.integer({ min: -(2 ** 52), max: 2 ** 52 })), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...ROUNDING_MODES),
        fc.integer({ min: 0, max: 62 }),
        fc.constantFrom(8, 16, 32),
        fc.integer({ min: -10, max: 10 }),
        fc.boolean(),
        fc.boolean(),
        (acc, multipliers, rounding, shift, outBits, zeroPoint, relu, perChannel) => {
          const p: RequantParams = { multiplier: Math.abs(multipliers[0]), multiplierBits: 32, shift, rounding, outBits, zeroPoint, relu };
          const out = new Int32Array(acc.length);
          requantizeTensor(Float64Array.from(acc), p, perChannel ? multipliers : undefined, out);
          const expected = acc.map((a, i) => requantize(a, perChannel ? { ...p, multiplier: multipliers[i % multipliers.length] } : p));
          expect(Array.from(out)).toEqual(expected.map((v) => v + 0));
        },
      ),
      { numRuns: 500 },
    );
  });

  test("popcount32 and the packed xnor popcount count bit by bit", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(-1, 1), fc.constantFrom(-1, 1)), { minLength: 1, maxLength: 100 }), fc.integer(), (pairs, word) => {
        let bits = 0;
        for (let i = 0; i < 32; i++) bits += (word >>> i) & 1;
        expect(popcount32(word)).toBe(bits);
        const n = pairs.length;
        const x = new Int32Array(packedWords(n));
        const w = new Int32Array(packedWords(n));
        packSigns(
          pairs.map(([a]) => a),
          0,
          n,
          x,
          0,
        );
        packSigns(
          pairs.map(([, b]) => b),
          0,
          n,
          w,
          0,
        );
        expect(xnorPopcount(x, 0, w, 0, packedWords(n), n)).toBe(pairs.filter(([a, b]) => a === b).length);
      }),
      { numRuns: 300 },
    );
  });
});

interface ModelResult {
  file: string;
  layers: number;
  compared: number;
  mismatches: unknown[];
}

describe("fast golden equals the reference on every bundled model", () => {
  const files = readdirSync("models")
    .filter((f) => f.endsWith(".json") && !f.endsWith(".weights.json"))
    .sort();
  // the ResNet-20 and DeiT block take seconds per input through the reference: one vector each
  const big = new Set(["resnet20-adder-cifar.json", "deit-tiny-block.json"]);
  test(`${files.length} models, every layer's output`, async () => {
    const results = await runJob<ModelResult[]>("golden-vs-reference", { models: files.map((f) => ({ file: `models/${f}`, vectors: big.has(f) ? 1 : 3 })) });
    expect(results.map((r) => r.file)).toEqual(files.map((f) => `models/${f}`));
    for (const r of results) {
      expect(r.compared, r.file).toBeGreaterThan(0);
      expect(r.mismatches, r.file).toEqual([]);
    }
  });
});

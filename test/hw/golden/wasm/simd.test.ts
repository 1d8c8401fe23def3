/**
 * The WebAssembly SIMD kernels of the golden (src/hw/golden/wasm/) equal the JS kernels
 * (conv2d.ts with useSimdKernels(false)) and the first kernels (reference/conv2d.ts):
 * on random layers with operands at the limits of their widths, on sums at the i32
 * limit (hand-computed), across the adder8 chunk and the pixel blocks; the kernel is
 * chosen exactly where the widths prove the i32 sum exact (hand-computed reduction
 * lengths) and the JS kernel is taken past them; every bundled model gives the same
 * words on both paths. The committed bytes are the assembly of the committed .wat.
 */
import { readFileSync, readdirSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import fc from "fast-check";
import { parseModel } from "../../../../src/ir/load.js";
import { Conv2dLayer, denseAsConv, DenseLayer, IntTensor } from "../../../../src/ir/model.js";
import { conv2dAccumulators, conv2dEvaluation, conv2dGolden, useSimdKernels } from "../../../../src/hw/golden/conv2d.js";
import { conv2dAccumulatorsReference, conv2dGoldenReference } from "../../../../src/hw/golden/reference/conv2d.js";
import { setSimdResidentLimit, simdKernelFor } from "../../../../src/hw/golden/wasm/simd.js";
import { BYTES_FILE, kernelsModuleText, WAT_FILE } from "../../../../scripts/build-golden-wasm.js";
import { runJob } from "../../../helpers/worker.js";

afterEach(() => useSimdKernels(true));

type Dp = "mac" | "adder" | "shift";

function next(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Case {
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
}

/** A value of `bits` bits, at either end of the range 60 % of the time. */
function extremeValue(r: () => number, bits: number): number {
  const lo = -(2 ** (bits - 1));
  const u = r();
  return u < 0.3 ? lo : u < 0.6 ? -lo - 1 : lo + Math.floor(r() * 2 ** bits);
}

/** One engine layer through the real loader, as its conv view, and an input at the width's limits. */
function build(c: Case, weight?: (i: number) => number, inputValue?: (i: number) => number): { conv: Conv2dLayer; input: IntTensor } {
  const r = next(c.seed);
  const K = c.dense ? c.H * c.W * c.C : c.k * c.k * c.C;
  const shiftWeight = (): number => (r() < 0.15 ? 0 : (r() < 0.5 ? -1 : 1) * 2 ** Math.floor(r() * (c.bits - 1)));
  const layer: Record<string, unknown> = {
    type: c.dense ? "dense" : "conv2d",
    name: "l0",
    datapath: c.dp,
    weightBits: c.bits,
    activationBits: c.bits,
    weights: Array.from({ length: c.OC * K }, (_, i) => (weight ? weight(i) : c.dp === "shift" ? shiftWeight() : extremeValue(r, c.bits))),
    requant: { multiplier: 1 + Math.floor(r() * 1000), shift: 8 + Math.floor(r() * 16), rounding: "half_even", outBits: 16 },
    bias: Array.from({ length: c.OC }, () => Math.floor((r() - 0.5) * 2 ** 20)),
  };
  if (c.dense) layer.outFeatures = c.OC;
  else Object.assign(layer, { outChannels: c.OC, kernelSize: c.k, stride: c.stride, padding: c.padding });
  const model = parseModel({ quantrtl: 1, name: "t", input: { height: c.H, width: c.W, channels: c.C, bits: c.bits }, layers: [layer] });
  const parsed = model.layers[0] as Conv2dLayer | DenseLayer;
  const data = Int32Array.from({ length: c.H * c.W * c.C }, (_, i) => (inputValue ? inputValue(i) : extremeValue(r, c.bits)));
  return { conv: parsed.kind === "dense" ? denseAsConv(parsed) : parsed, input: { shape: [c.H, c.W, c.C], bits: c.bits, data } };
}

/** The accumulators on the SIMD path and on the JS path, and the path the SIMD setting took. */
function bothPaths(conv: Conv2dLayer, input: Int32Array): { simd: number[]; js: number[]; evaluation: string } {
  useSimdKernels(true);
  const simd = Array.from(conv2dAccumulators(conv, input));
  const evaluation = conv2dEvaluation(conv);
  useSimdKernels(false);
  const js = Array.from(conv2dAccumulators(conv, input));
  useSimdKernels(true);
  return { simd, js, evaluation };
}

describe("simdKernelFor: the kernel is taken exactly where the i32 sum is exact", () => {
  // limits by hand: mac 8×8 terms ≤ (−128)² = 2^14, 2^31 − 1 ≥ K·2^14 ⇔ K ≤ 131071; mac 16×8: 2^15·2^7 = 2^22 → K ≤ 511;
  // mac 16×16: 2^30 → K ≤ 1; adder b bits: −K·(2^b − 1) ≥ −2^31 ⇔ K ≤ 8421504 (b = 8), 32768 (b = 16), 4194304 (b = 9: 2^31/511 = 4202512.03…);
  // shift 8 bits: |x·2^6| ≤ 2^13, K·2^13 ≤ 2^31 − 1 ⇔ K ≤ 262143
  const cases: [Dp | "xnor", number, number, number, string | undefined][] = [
    ["mac", 8, 8, 131071, "mac16"],
    ["mac", 8, 8, 131072, undefined],
    ["mac", 16, 8, 511, "mac16"],
    ["mac", 16, 8, 512, undefined],
    ["mac", 16, 16, 1, "mac16"],
    ["mac", 16, 16, 2, undefined],
    ["mac", 2, 2, 1, "mac16"],
    ["adder", 8, 8, 8421504, "adder8"],
    ["adder", 8, 8, 8421505, undefined],
    ["adder", 2, 2, 25, "adder8"],
    ["adder", 9, 9, 4202512, "adder16"],
    ["adder", 9, 9, 4202513, undefined],
    ["adder", 16, 16, 32768, "adder16"],
    ["adder", 16, 16, 32769, undefined],
    ["shift", 8, 8, 262143, "mac16"],
    ["shift", 8, 8, 262144, undefined],
    ["xnor", 1, 1, 9, undefined],
  ];
  for (const [dp, bx, bw, K, expected] of cases)
    test(`${dp} ${bx}x${bw} bits, K = ${K}: ${expected ?? "JS kernel"}`, () => {
      expect(simdKernelFor(dp, bx, bw, K)).toBe(expected);
    });
});

describe("SIMD kernels equal the JS and the first kernels", () => {
  const caseArb = (dp: Dp): fc.Arbitrary<Case> =>
    fc.record({
      dp: fc.constant(dp),
      bits: fc.constantFrom(2, 7, 8, 9, 15, 16),
      H: fc.integer({ min: 1, max: 8 }),
      W: fc.integer({ min: 1, max: 8 }),
      C: fc.integer({ min: 1, max: 70 }),
      OC: fc.integer({ min: 1, max: 9 }),
      k: fc.integer({ min: 1, max: 5 }),
      stride: fc.integer({ min: 1, max: 3 }),
      padding: fc.integer({ min: 0, max: 2 }),
      dense: fc.boolean(),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
    });
  for (const dp of ["mac", "adder", "shift"] as const)
    test(`${dp}: random layers, operands at the limits of 2…16 bits, padding and strides`, () => {
      const taken = new Map<string, number>();
      fc.assert(
        fc.property(caseArb(dp), (c) => {
          if (!c.dense && (c.padding >= c.k || c.H + 2 * c.padding < c.k || c.W + 2 * c.padding < c.k)) return;
          const { conv, input } = build(c);
          const { simd, js, evaluation } = bothPaths(conv, input.data);
          expect(simd).toEqual(js);
          expect(simd).toEqual(Array.from(conv2dAccumulatorsReference(conv, input.data)));
          useSimdKernels(true);
          const out = conv2dGolden(conv, input);
          expect(Array.from(out.data)).toEqual(Array.from(conv2dGoldenReference(conv, input).data));
          expect(evaluation).toBe(simdKernelFor(dp, c.bits, c.bits, conv.kernel[0] * conv.kernel[1] * conv.input.channels) ?? "js");
          taken.set(evaluation, (taken.get(evaluation) ?? 0) + 1);
        }),
        { numRuns: 120 },
      );
      // both paths were exercised: the SIMD kernel(s) of the datapath, and the JS fallback (16-bit mac/shift past K = 1 or 2)
      const kernels = dp === "adder" ? ["adder8", "adder16"] : ["mac16", "js"];
      for (const k of kernels) expect(taken.get(k) ?? 0, `${k} taken ${JSON.stringify([...taken])}`).toBeGreaterThan(5);
    });

  test("sums at the i32 limit: hand-computed accumulators, the kernel just inside, the JS kernel just past", () => {
    const dense = (dp: Dp, bits: number, K: number, w: number, x: number) =>
      build(
        { dp, bits, H: 1, W: K / 64, C: 64, OC: 2, k: 1, stride: 1, padding: 0, dense: true, seed: 1 },
        (i) => (i < K ? w : 0),
        () => x,
      );
    // mac 8 bits, K = 2^17 − 64 (≤ 131071): x = w = −128, Σ = K·16384 (no bias: the layer's bias is added on top)
    let { conv, input } = dense("mac", 8, 131008, -128, -128);
    let got = bothPaths(conv, input.data);
    expect(got.evaluation).toBe("mac16");
    expect(got.simd[0] - conv.bias![0]).toBe(131008 * 16384); // 2146435072
    expect(got.simd).toEqual(got.js);
    ({ conv, input } = dense("mac", 8, 131072, -128, -128));
    got = bothPaths(conv, input.data);
    expect(got.evaluation).toBe("js");
    expect(got.simd[0] - conv.bias![0]).toBe(2 ** 31); // past i32: the JS kernel's float64 sum
    // adder 16 bits, K = 32768: x = −32768, w = 32767, Σ|x − w| = 32768·65535 = 2147450880
    ({ conv, input } = dense("adder", 16, 32768, 32767, -32768));
    got = bothPaths(conv, input.data);
    expect(got.evaluation).toBe("adder16");
    expect(got.simd[0] - conv.bias![0]).toBe(-2147450880);
    expect(got.simd[1] - conv.bias![1]).toBe(-32768 * 32768); // the zero row: Σ|−32768 − 0|
    expect(got.simd).toEqual(got.js);
    ({ conv, input } = dense("adder", 16, 32832, 32767, -32768));
    got = bothPaths(conv, input.data);
    expect(got.evaluation).toBe("js");
    expect(got.simd[0] - conv.bias![0]).toBe(-32832 * 65535);
    // adder 8 bits over 3 chunks of 2048 and a part: |−128 − 127| = 255 each
    ({ conv, input } = dense("adder", 8, 6208, 127, -128));
    got = bothPaths(conv, input.data);
    expect(got.evaluation).toBe("adder8");
    expect(got.simd[0] - conv.bias![0]).toBe(-6208 * 255);
    expect(got.simd).toEqual(got.js);
  });

  test("layers larger than one pixel block (128 KiB of patch rows)", () => {
    // 16-bit adder, C = 64, 3×3: rows of 1152 bytes, 113 pixels a block, 3 blocks for 16×16 pixels; mac and adder 8 bits likewise
    for (const [dp, bits] of [
      ["adder", 16],
      ["adder", 8],
      ["mac", 8],
    ] as const) {
      const { conv, input } = build({ dp, bits, H: 16, W: 16, C: 64, OC: 5, k: 3, stride: 1, padding: 1, dense: false, seed: 7 });
      const got = bothPaths(conv, input.data);
      expect(got.evaluation).not.toBe("js");
      expect(got.simd).toEqual(got.js);
    }
  });

  test("layers used in turn keep their constants resident, and are loaded again after an eviction", () => {
    for (const limit of [32 * 1024 * 1024, 1]) {
      // fresh layers for each limit (new plans, nothing loaded yet)
      const layers = [1, 2, 3].map((seed) =>
        build({ dp: seed === 2 ? "adder" : "mac", bits: 8, H: 6, W: 5, C: 3 + seed, OC: 4, k: 3, stride: 1, padding: 1, dense: seed === 3, seed }),
      );
      const expected = layers.map(({ conv, input }) => Array.from(conv2dAccumulatorsReference(conv, input.data)));
      setSimdResidentLimit(limit);
      try {
        // A, B, C, A, B, C: with the default limit all three stay loaded; with 1 byte each new load evicts the others
        for (let round = 0; round < 2; round++)
          layers.forEach(({ conv, input }, i) => expect(Array.from(conv2dAccumulators(conv, input.data)), `limit ${limit}, layer ${i}`).toEqual(expected[i]));
      } finally {
        setSimdResidentLimit(32 * 1024 * 1024);
      }
    }
  });

  test("the comparison sees a difference: an input outside its declared width wraps in the lanes", () => {
    // the contract is that values fit their width (checked at the edge); a value of 200 on an 8-bit layer is read as −56 in an i8 lane
    const { conv, input } = build({ dp: "adder", bits: 8, H: 3, W: 3, C: 2, OC: 2, k: 3, stride: 1, padding: 1, dense: false, seed: 3 });
    const data = Int32Array.from(input.data);
    data[4] = 200;
    const got = bothPaths(conv, data);
    expect(got.evaluation).toBe("adder8");
    expect(got.simd).not.toEqual(got.js);
  });
});

test("the committed kernels-bytes.ts is the assembly of the committed kernels.wat", () => {
  expect(readFileSync(BYTES_FILE, "utf8")).toBe(kernelsModuleText(readFileSync(WAT_FILE, "utf8")));
});

interface ModelResult {
  file: string;
  compared: number;
  evaluations: string[];
  datapaths: string[];
  bits: number[];
  mismatches: unknown[];
}

test("every bundled model: the same words from the SIMD and the JS kernels, every layer", async () => {
  const files = readdirSync("models")
    .filter((f) => f.endsWith(".json") && !f.endsWith(".weights.json"))
    .sort();
  const results = await runJob<ModelResult[]>("golden-simd-vs-js", { models: files.map((f) => ({ file: `models/${f}`, vectors: 2 })) });
  expect(results.map((r) => r.file)).toEqual(files.map((f) => `models/${f}`));
  for (const r of results) {
    expect(r.compared, r.file).toBeGreaterThan(0);
    expect(r.mismatches, r.file).toEqual([]);
    // every bundled engine layer is 8-bit mac/adder, 16-bit adder with K = 72, or xnor: the SIMD kernels take all but xnor
    const expected = r.datapaths.map((dp, i) => (dp === "xnor" ? "js" : dp === "mac" ? "mac16" : r.bits[i] <= 8 ? "adder8" : "adder16"));
    expect(r.evaluations, r.file).toEqual(expected);
  }
});

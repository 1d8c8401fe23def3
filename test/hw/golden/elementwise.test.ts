/**
 * Golden element-wise layers (src/hw/golden/elementwise.ts): relu, argmax,
 * residual add and flatten against naive references written here (BigInt
 * products, the §1 rounding modes from their definitions), on random shapes with
 * fast-check, including extreme values and ties.
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { parseModel } from "../../../src/ir/load.js";
import type { AddLayer, ArgmaxLayer, FlattenLayer, IntTensor, Layer, ReluLayer } from "../../../src/ir/model.js";
import { addGolden, argmaxGolden, flattenGolden, reluGolden } from "../../../src/hw/golden/elementwise.js";

type Mode = "floor" | "half_up" | "half_away" | "half_even";
const MODES: Mode[] = ["floor", "half_up", "half_away", "half_even"];
type Spec = { height: number; width: number; channels: number; bits: number };

function modelOf(input: Spec, layers: Record<string, unknown>[]): readonly Layer[] {
  return parseModel({ quantrtl: 1, name: "g", input, layers }).layers;
}

const valueRange = (bits: number) => ({ lo: -(2 ** (bits - 1)), hi: 2 ** (bits - 1) - 1 });

/** Uniform values, all minimum, all maximum, or only the extremes. */
function dataArb(n: number, bits: number): fc.Arbitrary<Int32Array> {
  const { lo, hi } = valueRange(bits);
  return fc
    .oneof(
      fc.array(fc.integer({ min: lo, max: hi }), { minLength: n, maxLength: n }),
      fc.constant(new Array<number>(n).fill(lo)),
      fc.constant(new Array<number>(n).fill(hi)),
      fc.array(fc.constantFrom(lo, hi, 0, -1), { minLength: n, maxLength: n }),
    )
    .map((a) => Int32Array.from(a));
}

const shapeArb = fc.record({
  height: fc.integer({ min: 1, max: 5 }),
  width: fc.integer({ min: 1, max: 5 }),
  channels: fc.integer({ min: 1, max: 6 }),
  bits: fc.constantFrom(8, 16),
});

function tensorOf(s: Spec, data: Int32Array): IntTensor {
  return { shape: [s.height, s.width, s.channels], bits: s.bits, data };
}

/** round_k(v) from the definitions of docs/integer-ops.md §1, on BigInt. */
function naiveRound(v: bigint, k: number, mode: Mode): bigint {
  if (k === 0) return v;
  const d = 1n << BigInt(k);
  const floorDiv = (a: bigint) => (a >= 0n ? a / d : -((-a + d - 1n) / d));
  switch (mode) {
    case "floor":
      return floorDiv(v);
    case "half_up":
      return floorDiv(v + d / 2n);
    case "half_away": {
      const mag = ((v < 0n ? -v : v) + d / 2n) / d;
      return v < 0n ? -mag : mag;
    }
    case "half_even": {
      const q = floorDiv(v);
      const twiceRem = 2n * (v - q * d);
      if (twiceRem !== d) return twiceRem < d ? q : q + 1n;
      return q % 2n === 0n ? q : q + 1n;
    }
  }
}

describe("golden relu", () => {
  test("matches max(x, 0) on random shapes and extreme values", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => dataArb(s.height * s.width * s.channels, s.bits).map((data) => ({ s, data }))),
        ({ s, data }) => {
          const layer = modelOf(s, [{ type: "relu", name: "r" }])[0] as ReluLayer;
          const got = reluGolden(layer, tensorOf(s, data));
          const expected = Array.from(data, (x) => (x > 0 ? x : 0));
          expect(Array.from(got.data)).toEqual(expected);
          expect(got.bits).toBe(s.bits);
          expect(got.shape).toEqual([s.height, s.width, s.channels]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("golden argmax", () => {
  test("returns the first of tied maxima (numpy's rule), hand-written cases", () => {
    const cases: [number[], number][] = [
      [[3, 7, 7, 1], 1],
      [[-128, -128, -128], 0],
      [[5], 0],
      [[-1, -2, 127, 127], 2],
      [[0, 0, 1, 0, 1], 2],
    ];
    for (const [values, index] of cases) {
      const spec = { height: 1, width: 1, channels: values.length, bits: 8 };
      const layer = modelOf(spec, [{ type: "argmax", name: "a" }])[0] as ArgmaxLayer;
      expect(Array.from(argmaxGolden(layer, tensorOf(spec, Int32Array.from(values))).data), values.join(",")).toEqual([index]);
    }
  });

  test("matches a naive first-maximum search on random logits, with many ties (±1 included)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain((n) =>
          fc.constantFrom(1, 8, 16).chain((bits) =>
            fc
              .oneof(
                bits === 1 ? fc.array(fc.constantFrom(-1, 1), { minLength: n, maxLength: n }) : dataArb(n, bits).map((d) => Array.from(d)),
                // few distinct values: ties at the maximum are the rule, not the exception
                fc.array(fc.constantFrom(...(bits === 1 ? [-1, 1] : [-3, 0, 2])), { minLength: n, maxLength: n }),
              )
              .map((values) => ({ n, bits, values })),
          ),
        ),
        ({ n, bits, values }) => {
          const spec = { height: 1, width: 1, channels: n, bits };
          const layer = modelOf(spec, [{ type: "argmax", name: "a" }])[0] as ArgmaxLayer;
          const max = Math.max(...values);
          const got = argmaxGolden(layer, tensorOf(spec, Int32Array.from(values)));
          expect(Array.from(got.data)).toEqual([values.indexOf(max)]);
          expect(got.shape).toEqual([1, 1, 1]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("golden residual add", () => {
  test("matches sat(round_k(a·m_a) + round_k(b·m_b)) (+ relu) with BigInt products, modes, ties and extremes", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) =>
          fc
            .record({
              a: dataArb(s.height * s.width * s.channels, s.bits),
              b: dataArb(s.height * s.width * s.channels, s.bits),
              ma: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2, 3)),
              mb: fc.oneof(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(1, 2, 3)),
              shift: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 })),
              rounding: fc.constantFrom(...MODES),
              outBits: fc.constantFrom(8, 16),
              relu: fc.boolean(),
            })
            .map((p) => ({ s, ...p })),
        ),
        (p) => {
          const { s } = p;
          const layers = modelOf(s, [
            { type: "relu", name: "r0" },
            { type: "relu", name: "r1", inputs: ["input"] },
            {
              type: "add",
              name: "add",
              inputs: ["r0", "r1"],
              multipliers: [p.ma, p.mb],
              shift: p.shift,
              rounding: p.rounding,
              outBits: p.outBits,
              relu: p.relu,
            },
          ]);
          const layer = layers[2] as AddLayer;
          const got = addGolden(layer, tensorOf(s, p.a), tensorOf(s, p.b));
          const hi = 2n ** BigInt(p.outBits - 1) - 1n;
          const lo = -(2n ** BigInt(p.outBits - 1));
          const expected = Array.from(p.a, (a, i) => {
            const sum = naiveRound(BigInt(a) * BigInt(p.ma), p.shift, p.rounding) + naiveRound(BigInt(p.b[i]) * BigInt(p.mb), p.shift, p.rounding);
            const y = sum > hi ? hi : sum < lo ? lo : sum;
            return Number(p.relu && y < 0n ? 0n : y);
          });
          expect(Array.from(got.data)).toEqual(expected);
          expect(got.bits).toBe(p.outBits);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("golden flatten", () => {
  test("keeps the HWC stream order and makes the tensor 1×1×(H·W·C)", () => {
    fc.assert(
      fc.property(
        shapeArb.chain((s) => dataArb(s.height * s.width * s.channels, s.bits).map((data) => ({ s, data }))),
        ({ s, data }) => {
          const layer = modelOf(s, [{ type: "flatten", name: "f" }])[0] as FlattenLayer;
          const got = flattenGolden(layer, tensorOf(s, data));
          expect(got.shape).toEqual([1, 1, data.length]);
          expect(Array.from(got.data)).toEqual(Array.from(data));
        },
      ),
      { numRuns: 50 },
    );
  });
});

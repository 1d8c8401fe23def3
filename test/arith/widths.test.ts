/**
 * Bit widths computed from value ranges (src/arith/widths.ts) and the
 * accumulator widths of the three datapaths (src/arith/datapath.ts, docs/integer-ops.md §2).
 * Expected widths are worked by hand; the properties check the exact extreme
 * accumulator value against the computed width from both sides.
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { counterBits, IntRange, signedBitsFor, signedRange, unsignedBitsFor } from "../../src/arith/widths.js";
import { accBits, accRange, Datapath, termRange } from "../../src/arith/datapath.js";

const range = (lo: number | bigint, hi: number | bigint): IntRange => ({ lo: BigInt(lo), hi: BigInt(hi) });

/** Does v fit in b-bit two's complement? (−2^(b−1) ≤ v ≤ 2^(b−1) − 1) */
function fitsSigned(v: bigint, b: number): boolean {
  return b >= 1 && -(1n << BigInt(b - 1)) <= v && v <= (1n << BigInt(b - 1)) - 1n;
}

const ceilLog2 = (n: number): number => {
  let c = 0;
  while (2 ** c < n) c++;
  return c;
};

describe("signedBitsFor on hand-worked ranges", () => {
  test.each([
    [-128, 127, 8],
    [-129, 0, 9], // −129 < −128
    [0, 128, 9], // 128 > 127
    [0, 0, 1],
    [-1, 0, 1], // 1-bit two's complement holds −1 and 0
    [0, 1, 2], // +1 needs a second bit
    [-2, 1, 2],
    [-3, 0, 3],
    [-32768, 32767, 16],
    [-32769, 32767, 17],
    [-1, 65535, 17],
    [-(2 ** 31), 2 ** 31 - 1, 32],
    [0, 2 ** 31, 33],
  ] as const)("[%d, %d] → %i bits", (lo, hi, bits) => {
    expect(signedBitsFor(range(lo, hi))).toBe(bits);
  });

  test("wide BigInt ranges: [−2^70, 2^70 − 1] → 71 bits, [0, 2^70] → 72 bits", () => {
    expect(signedBitsFor({ lo: -(1n << 70n), hi: (1n << 70n) - 1n })).toBe(71);
    expect(signedBitsFor({ lo: 0n, hi: 1n << 70n })).toBe(72);
  });

  test("property: the range fits in signedBitsFor bits and not in one bit fewer", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), fc.bigInt({ min: -(1n << 80n), max: 1n << 80n }), (a, b) => {
        const lo = a < b ? a : b;
        const hi = a < b ? b : a;
        const bits = signedBitsFor({ lo, hi });
        expect(fitsSigned(lo, bits) && fitsSigned(hi, bits)).toBe(true);
        if (bits > 1) expect(fitsSigned(lo, bits - 1) && fitsSigned(hi, bits - 1)).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  test.each([
    [0, 1],
    [1, 1],
    [2, 2],
    [255, 8],
    [256, 9],
    [65535, 16],
  ] as const)("unsignedBitsFor(%i) = %i", (hi, bits) => {
    expect(unsignedBitsFor(hi)).toBe(bits);
  });

  test.each([
    [1, 1], // counts 0 … 0
    [2, 1], // 0 … 1
    [3, 2],
    [256, 8], // 0 … 255
    [257, 9],
  ] as const)("counterBits(%i) = %i", (count, bits) => {
    expect(counterBits(count)).toBe(bits);
  });
});

describe("accumulator widths of the datapaths (docs/integer-ops.md §2), hand-worked", () => {
  test("mac int8 × int8, K = 72 → 22 bits, within bx + bw + ceil(log2 K) = 23", () => {
    // products: (−128)(−128) = 16384 = 2^14 (max); (−128)(127) = −16256 (min)
    // sum of 72: max 72 · 16384 = 1 179 648, min 72 · −16256 = −1 170 432
    // 2^20 = 1 048 576 < 1 179 648 ≤ 2^21 − 1 = 2 097 151 → 22 signed bits
    expect(termRange("mac", 8, 8)).toEqual(range(-16256, 16384));
    expect(accRange("mac", 8, 8, 72)).toEqual(range(-1170432, 1179648));
    expect(accBits("mac", 8, 8, 72)).toBe(22);
    expect(accBits("mac", 8, 8, 72)).toBeLessThanOrEqual(8 + 8 + 7); // ceil(log2 72) = 7
  });

  test("mac int8 with a bias that fits in the unbiased width → 23 bits, within the +1 of the spec", () => {
    // bias ∈ [−2^21, 2^21 − 1] (22 bits): acc ∈ [−1 170 432 − 2 097 152, 1 179 648 + 2 097 151]
    //   = [−3 267 584, 3 276 799]; 2^21 < 3 276 799 ≤ 2^22 − 1 → 23 bits
    const bias = range(-(2 ** 21), 2 ** 21 - 1);
    expect(accRange("mac", 8, 8, 72, bias)).toEqual(range(-3267584, 3276799));
    expect(accBits("mac", 8, 8, 72, bias)).toBe(23);
    expect(accBits("mac", 8, 8, 72, bias)).toBeLessThanOrEqual(8 + 8 + 7 + 1);
  });

  test("a positive-only bias still keeps 0 in the range (the bias is optional per element)", () => {
    // mac int8 K = 1: [−16256, 16384]; bias ∈ [100, 200] → sum range ∪ with bias 0 → [−16256, 16584]
    expect(accRange("mac", 8, 8, 1, range(100, 200))).toEqual(range(-16256, 16584));
  });

  test("mac int16 × int8, K = 9 → 27 bits", () => {
    // max product (−32768)(−128) = 2^22 = 4 194 304; · 9 = 37 748 736; 2^25 = 33 554 432 < that ≤ 2^26 − 1 → 27 bits
    expect(accBits("mac", 16, 8, 9)).toBe(27);
    expect(accBits("mac", 16, 8, 9)).toBeLessThanOrEqual(16 + 8 + 4);
  });

  test("adder int8, K = 72 → [−18360, 0] → 16 bits, within b + 1 + ceil(log2 K) = 16", () => {
    // |x − w| ≤ 127 − (−128) = 255; −72 · 255 = −18 360; −2^15 = −32 768 ≤ −18 360 < −2^14 → 16 bits
    expect(termRange("adder", 8, 8)).toEqual(range(-255, 0));
    expect(accRange("adder", 8, 8, 72)).toEqual(range(-18360, 0));
    expect(accBits("adder", 8, 8, 72)).toBe(16);
    expect(accBits("adder", 8, 8, 72)).toBeLessThanOrEqual(8 + 1 + 7);
  });

  test("adder int16, K = 9 → [−589815, 0] → 21 bits", () => {
    // 9 · 65535 = 589 815; 2^19 = 524 288 < 589 815 ≤ 2^20 → 21 bits
    expect(accRange("adder", 16, 16, 9)).toEqual(range(-589815, 0));
    expect(accBits("adder", 16, 16, 9)).toBe(21);
  });

  test("xnor, K = 72 → [−72, 72] → 8 bits = ceil(log2(K + 1)) + 1", () => {
    expect(accRange("xnor", 1, 1, 72)).toEqual(range(-72, 72));
    expect(accBits("xnor", 1, 1, 72)).toBe(8);
    expect(ceilLog2(73) + 1).toBe(8);
  });

  test("xnor, K = 63 → [−63, 63] → 7 bits; K = 64 → 8 bits", () => {
    expect(accBits("xnor", 1, 1, 63)).toBe(7);
    expect(accBits("xnor", 1, 1, 64)).toBe(8);
  });
});

/** The exact extreme accumulator values, derived here from the operand ranges. */
function extremes(dp: Datapath, bx: number, bw: number, K: number): { lo: bigint; hi: bigint } {
  const k = BigInt(K);
  switch (dp) {
    case "mac": {
      // max: (−2^(bx−1))·(−2^(bw−1)) = 2^(bx+bw−2); min: the larger of the two mixed-sign magnitudes
      const hi = k << BigInt(bx + bw - 2);
      const minA = -(1n << BigInt(bx - 1)) * ((1n << BigInt(bw - 1)) - 1n);
      const minB = -((1n << BigInt(bx - 1)) - 1n) * (1n << BigInt(bw - 1));
      return { lo: k * (minA < minB ? minA : minB), hi };
    }
    case "adder":
      return { lo: -k * ((1n << BigInt(bx)) - 1n), hi: 0n }; // |x − w| ≤ 2^b − 1
    case "xnor":
      return { lo: -k, hi: k };
    case "shift": {
      // |σ·(x << q)| ≤ 2^(bx−1) · 2^(bw−2), reached by x = −2^(bx−1) and w = ∓2^(bw−2)
      const m = k << BigInt(bx - 1 + bw - 2);
      return { lo: -m, hi: m };
    }
  }
}

describe("accumulator widths are tight (properties)", () => {
  const caseArb = fc.oneof(
    fc.record({
      dp: fc.constant<Datapath>("mac"),
      bx: fc.integer({ min: 2, max: 16 }),
      bw: fc.integer({ min: 2, max: 16 }),
      K: fc.integer({ min: 1, max: 1 << 16 }),
    }),
    fc
      .integer({ min: 2, max: 16 })
      .chain((b) => fc.record({ dp: fc.constant<Datapath>("adder"), bx: fc.constant(b), bw: fc.constant(b), K: fc.integer({ min: 1, max: 1 << 16 }) })),
    fc.record({ dp: fc.constant<Datapath>("xnor"), bx: fc.constant(1), bw: fc.constant(1), K: fc.integer({ min: 1, max: 1 << 16 }) }),
  );

  test("the exact extremes fit in accBits and not in accBits − 1", () => {
    fc.assert(
      fc.property(caseArb, ({ dp, bx, bw, K }) => {
        const bits = accBits(dp, bx, bw, K);
        const { lo, hi } = extremes(dp, bx, bw, K);
        expect(fitsSigned(lo, bits) && fitsSigned(hi, bits)).toBe(true);
        expect(fitsSigned(lo, bits - 1) && fitsSigned(hi, bits - 1)).toBe(false);
        expect(accRange(dp, bx, bw, K)).toEqual({ lo, hi });
      }),
      { numRuns: 1500 },
    );
  });

  test("accBits never exceeds the spec's closed-form width", () => {
    fc.assert(
      fc.property(caseArb, ({ dp, bx, bw, K }) => {
        const spec = dp === "mac" ? bx + bw + ceilLog2(K) : dp === "adder" ? bx + 1 + ceilLog2(K) : ceilLog2(K + 1) + 1;
        expect(accBits(dp, bx, bw, K)).toBeLessThanOrEqual(spec);
      }),
      { numRuns: 1500 },
    );
  });

  test("with a bias of the unbiased accumulator's width, accBits is at most one bit wider", () => {
    fc.assert(
      fc.property(caseArb, ({ dp, bx, bw, K }) => {
        const base = accBits(dp, bx, bw, K);
        const withBias = accBits(dp, bx, bw, K, signedRange(base));
        expect(withBias).toBeGreaterThanOrEqual(base);
        expect(withBias).toBeLessThanOrEqual(base + 1);
        const { lo, hi } = extremes(dp, bx, bw, K);
        const b = signedRange(base);
        expect(fitsSigned(lo + b.lo, withBias) && fitsSigned(hi + b.hi, withBias)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

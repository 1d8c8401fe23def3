/**
 * Dyadic requantization y = sat_b(round_k(acc·m) + zp) (+ ReLU as max(y, zp)),
 * and the (m, k) choice for a real ratio — docs/integer-ops.md §1.
 * Expected values are worked by hand in the comments or computed here in BigInt.
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { multiplierFromRatio, requantize, requantizeTensor, RequantParams } from "../../src/arith/requant.js";
import { ROUNDING_MODES, RoundingMode } from "../../src/arith/rounding.js";
import { QuantrtlError } from "../../src/util/errors.js";

function params(p: Partial<RequantParams> & Pick<RequantParams, "multiplier" | "shift" | "rounding">): RequantParams {
  return { multiplierBits: 16, outBits: 8, zeroPoint: 0, relu: false, ...p };
}

/** Numeric comparison: −0 and 0 are the same integer. */
const int = (v: number): number => (v === 0 ? 0 : v);

/** Independent BigInt reference of round_k: floor plus a decision on 2·remainder vs 2^k. */
function refRound(v: bigint, k: number, mode: RoundingMode): bigint {
  const p = 1n << BigInt(k);
  const r = ((v % p) + p) % p;
  const q = (v - r) / p;
  if (mode === "floor" || 2n * r < p) return q;
  if (2n * r > p) return q + 1n;
  if (mode === "half_up") return q + 1n;
  if (mode === "half_away") return v > 0n ? q + 1n : q;
  return q % 2n === 0n ? q : q + 1n; // half_even
}

/** Independent BigInt reference of the whole requant step. */
function refRequant(acc: bigint, p: RequantParams): bigint {
  const lo = -(1n << BigInt(p.outBits - 1));
  const hi = (1n << BigInt(p.outBits - 1)) - 1n;
  let y = refRound(acc * BigInt(p.multiplier), p.shift, p.rounding) + BigInt(p.zeroPoint);
  y = y < lo ? lo : y > hi ? hi : y;
  if (p.relu && y < BigInt(p.zeroPoint)) y = BigInt(p.zeroPoint);
  return y;
}

describe("requantize on hand-worked cases", () => {
  test("acc = 1000, m = 16384, k = 15 (×0.5), half_away → 500", () => {
    // 1000 · 16384 / 2^15 = 16384000 / 32768 = 500 exactly
    expect(requantize(1000, params({ multiplier: 16384, shift: 15, rounding: "half_away", outBits: 16 }))).toBe(500);
    // the same with 8 output bits saturates
    expect(requantize(1000, params({ multiplier: 16384, shift: 15, rounding: "half_away", outBits: 8 }))).toBe(127);
  });

  test.each([
    // acc · 16384 / 2^15 = acc / 2: [acc, floor, half_up, half_away, half_even]
    [1001, 500, 501, 501, 500], // 500.5, 500 even
    [-1001, -501, -500, -501, -500], // -500.5
    [1003, 501, 502, 502, 502], // 501.5, 501 odd
    [-1003, -502, -501, -502, -502], // -501.5
  ] as const)("acc = %i, m = 16384, k = 15: floor %i, half_up %i, half_away %i, half_even %i", (acc, fl, hu, ha, he) => {
    const expected: Record<RoundingMode, number> = { floor: fl, half_up: hu, half_away: ha, half_even: he };
    for (const mode of ROUNDING_MODES) {
      expect(int(requantize(acc, params({ multiplier: 16384, shift: 15, rounding: mode, outBits: 16 }))), mode).toBe(expected[mode]);
    }
  });

  test.each([
    // m = 1, k = 1: acc / 2. [acc, floor, half_up, half_away, half_even]
    [-3, -2, -1, -2, -2], // -1.5
    [3, 1, 2, 2, 2], // 1.5
    [-1, -1, 0, -1, 0], // -0.5
    [1, 0, 1, 1, 0], // 0.5
    [-4, -2, -2, -2, -2], // -2
  ] as const)("acc = %i, m = 1, k = 1: floor %i, half_up %i, half_away %i, half_even %i", (acc, fl, hu, ha, he) => {
    const expected: Record<RoundingMode, number> = { floor: fl, half_up: hu, half_away: ha, half_even: he };
    for (const mode of ROUNDING_MODES) {
      expect(int(requantize(acc, params({ multiplier: 1, shift: 1, rounding: mode }))), mode).toBe(expected[mode]);
    }
  });

  test("a non-power-of-two multiplier: acc = ±12347, m = 20000, k = 20", () => {
    // 12347 · 20000 = 246 940 000 = 235 · 2^20 + 524 640; half = 2^19 = 524 288 < 524 640 → fraction > 1/2
    const p = (rounding: RoundingMode) => params({ multiplier: 20000, shift: 20, rounding, outBits: 16 });
    expect(requantize(12347, p("floor"))).toBe(235);
    expect(requantize(12347, p("half_up"))).toBe(236);
    expect(requantize(12347, p("half_away"))).toBe(236);
    expect(requantize(12347, p("half_even"))).toBe(236);
    // −246 940 000 / 2^20 = −235.5003…: floor −236, nearest −236
    for (const mode of ROUNDING_MODES) expect(requantize(-12347, p(mode)), mode).toBe(-236);
    // 12345 · 20000 = 246 900 000 = 235 · 2^20 + 484 640 < 524 288 → 235 in every mode
    for (const mode of ROUNDING_MODES) expect(requantize(12345, p(mode)), mode).toBe(235);
  });

  test("saturates to [-128, 127] for 8 bits and [-32768, 32767] for 16 bits", () => {
    const id8 = params({ multiplier: 1, shift: 0, rounding: "floor", outBits: 8 });
    expect(requantize(127, id8)).toBe(127);
    expect(requantize(128, id8)).toBe(127);
    expect(requantize(300, id8)).toBe(127);
    expect(requantize(-128, id8)).toBe(-128);
    expect(requantize(-129, id8)).toBe(-128);
    expect(requantize(-300, id8)).toBe(-128);
    const id16 = params({ multiplier: 1, shift: 0, rounding: "floor", outBits: 16 });
    expect(requantize(32767, id16)).toBe(32767);
    expect(requantize(40000, id16)).toBe(32767);
    expect(requantize(-32768, id16)).toBe(-32768);
    expect(requantize(-40000, id16)).toBe(-32768);
    // saturation after rounding: 255 / 2 = 127.5 → half_up 128 → 127; floor 127
    expect(requantize(255, params({ multiplier: 1, shift: 1, rounding: "half_up" }))).toBe(127);
    expect(requantize(255, params({ multiplier: 1, shift: 1, rounding: "floor" }))).toBe(127);
    // −257 / 2 = −128.5 → floor −129 → −128
    expect(requantize(-257, params({ multiplier: 1, shift: 1, rounding: "floor" }))).toBe(-128);
  });

  test("the zero point is added after rounding and before saturation", () => {
    // 3 / 2 = 1.5 → half_even 2, + zp 1 = 3. (zp before rounding would give round((3 + 2)/2) = round(2.5) = 2.)
    expect(requantize(3, params({ multiplier: 1, shift: 1, rounding: "half_even", zeroPoint: 1 }))).toBe(3);
    // 5 / 2 = 2.5 → half_even 2, + zp 1 = 3. (zp before rounding: round(3.5) = 4.)
    expect(requantize(5, params({ multiplier: 1, shift: 1, rounding: "half_even", zeroPoint: 1 }))).toBe(3);
    // −270 / 2 = −135, + 5 = −130 → −128. (saturating before adding zp would give −128 + 5 = −123.)
    expect(requantize(-270, params({ multiplier: 1, shift: 1, rounding: "floor", zeroPoint: 5 }))).toBe(-128);
    // 250 / 2 = 125, + 5 = 130 → 127
    expect(requantize(250, params({ multiplier: 1, shift: 1, rounding: "floor", zeroPoint: 5 }))).toBe(127);
    // 10 / 2 = 5, − 7 = −2
    expect(requantize(10, params({ multiplier: 1, shift: 1, rounding: "floor", zeroPoint: -7 }))).toBe(-2);
  });

  test("relu clamps to the zero point: y = max(y, zp)", () => {
    const r = (acc: number, zeroPoint: number, relu: boolean) => requantize(acc, params({ multiplier: 1, shift: 0, rounding: "floor", zeroPoint, relu }));
    expect(r(-100, 0, true)).toBe(0);
    expect(r(-1, 0, true)).toBe(0);
    expect(r(0, 0, true)).toBe(0);
    expect(r(100, 0, true)).toBe(100);
    expect(r(-100, 0, false)).toBe(-100);
    // zp = 10: −100 + 10 = −90 → 10;  −5 + 10 = 5 → 10;  5 + 10 = 15
    expect(r(-100, 10, true)).toBe(10);
    expect(r(-5, 10, true)).toBe(10);
    expect(r(5, 10, true)).toBe(15);
    expect(r(-100, 10, false)).toBe(-90);
    expect(r(1000, 10, true)).toBe(127);
    // zp = −20: −100 − 20 = −120 → −20;  10 − 20 = −10 stays
    expect(r(-100, -20, true)).toBe(-20);
    expect(r(10, -20, true)).toBe(-10);
    // relu after saturation: −1000 + 10 → −128 → 10
    expect(r(-1000, 10, true)).toBe(10);
  });

  test("m = 0 gives the zero point", () => {
    expect(requantize(12345, params({ multiplier: 0, shift: 3, rounding: "half_up", zeroPoint: 4 }))).toBe(4);
  });
});

describe("requantize when acc·m leaves the safe-integer range (BigInt path)", () => {
  const acc = 2 ** 40 + 1; // exact as a double
  const accBig = (1n << 40n) + 1n;

  test("acc = 2^40 + 1, m = 65535, k = 30 in every mode equals a BigInt computation", () => {
    // acc·m = 65535·2^40 + 65535 ≈ 7.2e16 > 2^53
    expect(acc * 65535).toBeGreaterThan(2 ** 53);
    for (const mode of ROUNDING_MODES) {
      const p = params({ multiplier: 65535, shift: 30, rounding: mode, outBits: 32 });
      // (65535·2^40 + 65535) / 2^30 = 65535·2^10 + 65535/2^30: floor and nearest agree
      const expected = (accBig * 65535n) >> 30n;
      expect(expected).toBe(65535n * 1024n);
      expect(requantize(acc, p), mode).toBe(Number(expected));
      expect(requantize(-acc, p), mode).toBe(mode === "floor" ? -Number(expected) - 1 : -Number(expected));
    }
  });

  test("acc = 2^40 + 1, m = 65535, k = 4: the low bits lost by a double product still count", () => {
    // exact: (65535·2^40 + 65535) / 16 = 65535·2^36 + 4095.9375; the double product rounds 65535 up to 65536
    const exact = accBig * 65535n;
    const fl = exact >> 4n; // floor
    expect(fl).toBe(65535n * (1n << 36n) + 4095n);
    expect(requantize(acc, params({ multiplier: 65535, shift: 4, rounding: "floor", outBits: 64 }))).toBe(Number(fl));
    for (const mode of ["half_up", "half_away", "half_even"] as const) {
      expect(requantize(acc, params({ multiplier: 65535, shift: 4, rounding: mode, outBits: 64 })), mode).toBe(Number(fl + 1n));
    }
  });

  test("an exact tie in the BigInt path: (2^40 + 1)·2^15 / 2^16 = 2^39 + 0.5", () => {
    const p = (rounding: RoundingMode) => params({ multiplier: 32768, shift: 16, rounding, outBits: 64 });
    const t = 2 ** 39;
    expect(requantize(acc, p("floor"))).toBe(t);
    expect(requantize(acc, p("half_up"))).toBe(t + 1);
    expect(requantize(acc, p("half_away"))).toBe(t + 1);
    expect(requantize(acc, p("half_even"))).toBe(t); // 2^39 is even
    expect(requantize(-acc, p("floor"))).toBe(-t - 1);
    expect(requantize(-acc, p("half_up"))).toBe(-t);
    expect(requantize(-acc, p("half_away"))).toBe(-t - 1);
    expect(requantize(-acc, p("half_even"))).toBe(-t);
  });

  test("acc·m = 2^53 − 1 (still the double path) with k = 54 rounds to 0 in every nearest mode", () => {
    // 20394401 · 441650591 = 9007199254740991 = 2^53 − 1 (a valid IR: multiplierBits 32, shift ≤ 62)
    // (2^53 − 1) / 2^54 = 0.5 − 2^−54 → 0 for half_up / half_away / half_even; floor 0 (−1 for the negative)
    expect(BigInt(20394401) * BigInt(441650591)).toBe((1n << 53n) - 1n);
    for (const mode of ROUNDING_MODES) {
      const p = params({ multiplier: 441650591, multiplierBits: 32, shift: 54, rounding: mode, outBits: 16 });
      expect(int(requantize(20394401, p)), mode).toBe(0);
      expect(int(requantize(-20394401, p)), mode).toBe(mode === "floor" ? -1 : 0);
    }
  });

  test("property: requantize equals the BigInt reference for random acc, m, k, zp, bits, relu", () => {
    const caseArb = fc
      .record({
        acc: fc.oneof(
          fc.integer({ min: -1000, max: 1000 }),
          fc.integer(),
          fc.maxSafeInteger().map((v) => Math.trunc(v / 2 ** 10)),
        ),
        multiplierBits: fc.constantFrom(8, 16, 32),
        mFrac: fc.double({ min: 0, max: 1, noNaN: true }),
        shift: fc.integer({ min: 0, max: 62 }),
        rounding: fc.constantFrom(...ROUNDING_MODES),
        outBits: fc.constantFrom(8, 16),
        zpFrac: fc.double({ min: -1, max: 1, noNaN: true }),
        relu: fc.boolean(),
      })
      .map((c) => ({
        acc: c.acc,
        p: params({
          multiplier: Math.min(2 ** c.multiplierBits - 1, Math.floor(c.mFrac * 2 ** c.multiplierBits)),
          multiplierBits: c.multiplierBits,
          shift: c.shift,
          rounding: c.rounding,
          outBits: c.outBits,
          zeroPoint: Math.max(-(2 ** (c.outBits - 1)), Math.min(2 ** (c.outBits - 1) - 1, Math.round(c.zpFrac * 2 ** (c.outBits - 1)))) + 0,
          relu: c.relu,
        }),
      }));
    fc.assert(
      fc.property(caseArb, ({ acc, p }) => {
        expect(int(requantize(acc, p))).toBe(Number(refRequant(BigInt(acc), p)));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("multiplierFromRatio: the largest k with round(r·2^k) < 2^mBits (docs/integer-ops.md §1)", () => {
  test.each([
    // [r, mBits, m, k] worked by hand
    [0.5, 16, 32768, 16], // 0.5·2^16 = 32768 < 65536; 0.5·2^17 = 65536 is not
    [1, 16, 32768, 15], // 2^15 < 2^16 ≤ 2^16
    [0.75, 16, 49152, 16], // 0.75·2^16 = 49152; ·2^17 = 98304
    [0.1, 16, 52429, 19], // 0.1·2^19 = 52428.8 → 52429; 0.1·2^20 = 104857.6
    [1.5, 8, 192, 7], // 1.5·2^7 = 192 < 256; 1.5·2^8 = 384
    [65535, 16, 65535, 0], // the largest ratio that fits
    [255.4, 8, 255, 0], // round(255.4) = 255 < 256; round(510.8) = 511
    [65535.5 / 65536, 16, 32768, 15], // r·2^16 = 65535.5 rounds to 65536 (not < 2^16), so k = 15: round(32767.75) = 32768
    [65535.25 / 65536, 16, 65535, 16], // r·2^16 = 65535.25 → 65535; r·2^17 = 131070.5 → 131071
  ] as const)("r = %d, mBits %i → m = %i, k = %i", (r, mBits, m, k) => {
    expect(multiplierFromRatio(r, mBits)).toEqual({ multiplier: m, shift: k });
  });

  test("r = 0.1 (16 bits): m / 2^k approximates r within 2^−(k+1)", () => {
    const { multiplier, shift } = multiplierFromRatio(0.1, 16);
    // 52429 / 2^19 = 0.10000038…, |error| = 3.8e-7 ≤ 2^-20 = 9.5e-7
    expect(Math.abs(multiplier / 2 ** shift - 0.1)).toBeLessThanOrEqual(2 ** -20);
  });

  test("property: the defining rule and the approximation bound hold for random r and mBits", () => {
    fc.assert(
      fc.property(fc.double({ min: 2 ** -28, max: 4096, noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 13, max: 32 }), (r, mBits) => {
        const { multiplier: m, shift: k } = multiplierFromRatio(r, mBits);
        const limit = 2 ** mBits;
        expect(Number.isInteger(m) && Number.isInteger(k)).toBe(true);
        expect(k).toBeGreaterThanOrEqual(0);
        expect(k).toBeLessThanOrEqual(62);
        expect(m).toBe(Math.round(r * 2 ** k));
        expect(m).toBeLessThan(limit); // round(r·2^k) < 2^mBits
        expect(Math.round(r * 2 ** (k + 1))).toBeGreaterThanOrEqual(limit); // and k + 1 fails
        expect(m).toBeGreaterThanOrEqual(limit / 2); // so m uses all mBits bits
        expect(Math.abs(m / 2 ** k - r)).toBeLessThanOrEqual(2 ** -(k + 1));
      }),
      { numRuns: 2000 },
    );
  });

  test.each([0, -0.5, -1, NaN, Infinity, -Infinity])("r = %d is rejected with a QuantrtlError", (r) => {
    expect(() => multiplierFromRatio(r, 16)).toThrow(QuantrtlError);
  });

  test.each([
    [65535.5, 16], // rounds to 65536 = 2^16
    [70000, 16],
    [255.5, 8], // rounds to 256
    [1e300, 32],
  ] as const)("r = %d is too large for %i multiplier bits (QuantrtlError)", (r, mBits) => {
    expect(() => multiplierFromRatio(r, mBits)).toThrow(QuantrtlError);
  });

  test("a ratio so small that m would round to 0 is rejected, never turned into m = 0", () => {
    // 1e-20 · 2^62 ≈ 0.046: with k capped at 62, m would be 0 and every output the zero point.
    let result: { multiplier: number; shift: number } | undefined;
    let error: unknown;
    try {
      result = multiplierFromRatio(1e-20, 16);
    } catch (e) {
      error = e;
    }
    if (error === undefined) expect(result!.multiplier).toBeGreaterThan(0);
    else expect(error).toBeInstanceOf(QuantrtlError);
  });
});

describe("requantizeTensor (the vector form) on exact ties", () => {
  // acc·m / 2^k for k = 1 and 3: every value a tie (…·5 halves), rounded by hand per mode
  const acc = [1, 3, 5, -1, -3, -5, 4, -4];
  const expected: Record<RoundingMode, number[]> = {
    // 0.5 1.5 2.5 −0.5 −1.5 −2.5 2 −2
    floor: [0, 1, 2, -1, -2, -3, 2, -2],
    half_up: [1, 2, 3, 0, -1, -2, 2, -2],
    half_away: [1, 2, 3, -1, -2, -3, 2, -2],
    half_even: [0, 2, 2, 0, -2, -2, 2, -2],
  };
  for (const rounding of ROUNDING_MODES)
    test(`${rounding}: ±0.5, ±1.5, ±2.5 and exact values, shift 1 (m = 1) and shift 3 (m = 4)`, () => {
      for (const [multiplier, shift] of [
        [1, 1],
        [4, 3],
      ]) {
        const out = new Int32Array(acc.length);
        requantizeTensor(Float64Array.from(acc), params({ multiplier, shift, rounding }), undefined, out);
        expect(Array.from(out)).toEqual(expected[rounding]);
      }
    });

  test("ties next to the 32-bit limits with acc·m just under 2^52: ±(2^31 − 1.5)", () => {
    // acc·m / 2^21 = ±(2^32 − 3)·2^20 / 2^21 = ±(2^31 − 1.5), every mode by hand
    const expected: Record<RoundingMode, number[]> = {
      floor: [2147483646, -2147483647],
      half_up: [2147483647, -2147483646],
      half_away: [2147483647, -2147483647],
      half_even: [2147483646, -2147483646],
    };
    for (const rounding of ROUNDING_MODES) {
      const p = params({ multiplier: 2 ** 20, multiplierBits: 32, shift: 21, rounding, outBits: 32 });
      const out = new Int32Array(2);
      requantizeTensor(Float64Array.from([2 ** 32 - 3, -(2 ** 32 - 3)]), p, undefined, out);
      expect(Array.from(out), rounding).toEqual(expected[rounding]);
      expect([requantize(2 ** 32 - 3, p), requantize(-(2 ** 32 - 3), p)], rounding).toEqual(expected[rounding]);
    }
  });

  test("relu and a zero point outside the output range: max(sat(y), zp) as requantize does", () => {
    const p = params({ multiplier: 1, shift: 1, rounding: "floor", zeroPoint: 200, relu: true });
    const out = new Int32Array(2);
    requantizeTensor(Float64Array.from([-1000, 1000]), p, undefined, out);
    // sat_8(−500 + 200) = −128, max(−128, 200) = 200; sat_8(500 + 200) = 127, max(127, 200) = 200
    expect(Array.from(out)).toEqual([200, 200]);
    expect([requantize(-1000, p), requantize(1000, p)]).toEqual([200, 200]);
  });
});

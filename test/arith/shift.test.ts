/** The shift datapath's term (docs/integer-ops.md §2): σ·(x << q) for w = σ·2^q, checked against plain multiplication. */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { isShiftWeight, maxShift, nearestShiftWeight, shiftTerm, termRange } from "../../src/arith/datapath.js";

describe("shift datapath", () => {
  test("hand cases: 5·(+4) = 20, −3·(−8) = 24, 7·0 = 0, −128·(+64) = −8192", () => {
    expect(shiftTerm(5, 4)).toBe(20); // 5 << 2
    expect(shiftTerm(-3, -8)).toBe(24); // −(−3 << 3)
    expect(shiftTerm(7, 0)).toBe(0);
    expect(shiftTerm(-128, 64)).toBe(-8192); // −128 << 6
  });

  test("σ·(x << q) equals x·w for every valid weight", () => {
    fc.assert(
      fc.property(fc.integer({ min: -32768, max: 32767 }), fc.integer({ min: 0, max: 14 }), fc.constantFrom(-1, 0, 1), (x, q, sign) => {
        const w = sign * 2 ** q;
        expect(shiftTerm(x, w) + 0).toBe(x * w + 0); // + 0 folds −0 into 0
      }),
    );
  });

  test("valid weights are 0 and ±2^q with q ≤ bits − 2; the nearest one is found in log scale", () => {
    expect(maxShift(8)).toBe(6);
    expect([0, 1, -1, 64, -64].every((w) => isShiftWeight(w, 8))).toBe(true);
    expect([3, 128, -128, 96].some((w) => isShiftWeight(w, 8))).toBe(false);
    expect(nearestShiftWeight(3, 8)).toBe(4); // log2 3 = 1.58 → 2^2
    expect(nearestShiftWeight(-5, 8)).toBe(-4); // log2 5 = 2.32 → 2^2
    expect(nearestShiftWeight(127, 8)).toBe(64); // clipped to 2^6
    expect(nearestShiftWeight(0, 8)).toBe(0);
  });

  test("the term range is ±2^(bx−1+P): the extremes reach it", () => {
    const r = termRange("shift", 8, 8);
    expect(r).toEqual({ lo: -(2n ** 13n), hi: 2n ** 13n });
    expect(shiftTerm(-128, 64)).toBe(Number(r.lo));
    expect(shiftTerm(-128, -64)).toBe(Number(r.hi));
  });
});

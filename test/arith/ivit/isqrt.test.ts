/**
 * Integer square roots of I-LayerNorm — docs/integer-ops.md §5.
 * isqrtFloor is checked against a BigInt Newton iteration run to its fixed
 * point (written here); newtonSqrt (§5's ten steps from 2^16) against an
 * independent BigInt transcription, and its documented relation to floor(sqrt).
 */
import { describe, expect, test } from "vitest";
import { yieldToEventLoop } from "../../helpers/yield.js";
import fc from "fast-check";
import { isqrtFloor, NEWTON_ITERATIONS_MAX, newtonSqrt } from "../../../src/arith/ivit/isqrt.js";

/** floor(sqrt(n)) by Newton from above, stopped when the iterate stops decreasing. */
function refFloorSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

/** §5: k = 2^16, ten times k = floor((k + floor(var/k)) / 2). */
function refSpecNewton(v: bigint): bigint {
  let k = 65536n;
  for (let i = 0; i < 10; i++) k = (k + v / k) / 2n;
  return k;
}

describe("isqrtFloor: exact floor(sqrt(n))", () => {
  test("every n from 0 to 2^20", async () => {
    for (let n = 0n; n <= 1n << 20n; n++) {
      if (isqrtFloor(n) !== refFloorSqrt(n)) expect(isqrtFloor(n), `n = ${n}`).toBe(refFloorSqrt(n));
      if ((n & 0xffffn) === 0xffffn) await yieldToEventLoop(); // seconds of work on a loaded machine, in chunks
    }
  });

  test("random n up to 2^64, and s² − 1, s², s² + 1 around random s", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => {
        expect(isqrtFloor(n)).toBe(refFloorSqrt(n));
      }),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: (1n << 32n) - 1n }), (s) => {
        for (const n of [s * s - 1n, s * s, s * s + 1n, (s + 1n) * (s + 1n) - 1n]) expect(isqrtFloor(n)).toBe(refFloorSqrt(n));
      }),
      { numRuns: 3000 },
    );
  });

  test("the widest documented value (var < 2^32) and beyond", () => {
    expect(isqrtFloor((1n << 32n) - 1n)).toBe(65535n);
    expect(isqrtFloor(1n << 32n)).toBe(65536n);
    expect(isqrtFloor((1n << 64n) - 1n)).toBe((1n << 32n) - 1n);
    expect(() => isqrtFloor(-1n)).toThrow(RangeError);
  });
});

describe("newtonSqrt: §5's ten Newton steps from 2^16, bit for bit", () => {
  test("equals the transcription for every var up to 2^20 and random var below 2^32", () => {
    for (let v = 0; v <= 2 ** 20; v++) {
      const r = Number(refSpecNewton(BigInt(v)));
      if (newtonSqrt(v) !== r) expect(newtonSqrt(v), `var = ${v}`).toBe(r);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
        expect(newtonSqrt(v)).toBe(Number(refSpecNewton(BigInt(v))));
      }),
      { numRuns: 5000 },
    );
  });

  test("var = 0 gives 64 (as §5 says); the result stays in [64, 2^16] and never below floor(sqrt(var))", () => {
    expect(newtonSqrt(0)).toBe(64);
    expect(newtonSqrt(1)).toBe(64);
    expect(newtonSqrt(2 ** 32 - 1)).toBe(65536); // = (2^16)² − 1: the 2-cycle ends on s + 1
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
        const k = newtonSqrt(v);
        expect(k).toBeGreaterThanOrEqual(Math.max(64, Number(refFloorSqrt(BigInt(v)))));
        expect(k).toBeLessThanOrEqual(65536);
      }),
      { numRuns: 5000 },
    );
  });

  test("documented gap: NOT floor(sqrt) below var ≈ 2^17; from 142,883 on it is s, or s + 1 exactly when var = (s+1)² − 1", () => {
    let lastOff = -1;
    let offByOne = 0;
    for (let v = 0; v <= 2 ** 22; v++) {
      const s = Math.floor(Math.sqrt(v));
      const k = newtonSqrt(v);
      if (k === s) continue;
      if (k === s + 1 && v === (s + 1) ** 2 - 1) {
        offByOne++;
        continue;
      }
      lastOff = v;
    }
    expect(lastOff).toBe(142882);
    expect(offByOne).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.integer({ min: 142883, max: 2 ** 32 - 1 }), (v) => {
        const s = Number(refFloorSqrt(BigInt(v)));
        const k = newtonSqrt(v);
        expect(k === s || (k === s + 1 && v === (s + 1) ** 2 - 1)).toBe(true);
      }),
      { numRuns: 20000 },
    );
    // inside the gap, e.g. var = 19200 (σ ≈ 10 LSB over N = 192): 141 for sqrt = 138.56
    expect(newtonSqrt(19200)).toBe(141);
  });
});

describe("more Newton steps, recorded in the IR (up to NEWTON_ITERATIONS_MAX = 16)", () => {
  /** §5's step from 2^16, `steps` times, in BigInt. */
  const steps = (v: bigint, count: number) => {
    let k = 65536n;
    for (let i = 0; i < count; i++) k = (k + v / k) / 2n;
    return k;
  };
  const within = (v: bigint, k: bigint) => k === refFloorSqrt(v) || k === refFloorSqrt(v) + 1n;

  test("16 steps end at floor(sqrt(var)) or one above for every var to 2^18 (past ten steps' gap) and random var below 2^32; 15 miss only var = 0", () => {
    expect(NEWTON_ITERATIONS_MAX).toBe(16);
    const missed15: number[] = [];
    for (let v = 0; v <= 2 ** 18; v++) {
      const s = Number(refFloorSqrt(BigInt(v)));
      const k16 = newtonSqrt(v, 65536, 16);
      if (k16 !== s && k16 !== s + 1) expect(k16, `var = ${v}`).toBe(s);
      const k15 = newtonSqrt(v, 65536, 15);
      if (k15 !== s && k15 !== s + 1) missed15.push(v);
    }
    expect(missed15).toEqual([0]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (v) => {
        const k = newtonSqrt(v, 65536, 16);
        expect(k).toBe(Number(steps(BigInt(v), 16)));
        expect(within(BigInt(v), BigInt(k))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  test("16 steps keep every iterate, divisor and std at least 1 (var = 0 ends at 1; a 17th step would reach 0)", () => {
    expect(newtonSqrt(0, 65536, 16)).toBe(1);
    expect(Number(steps(0n, 17))).toBe(0);
  });
});

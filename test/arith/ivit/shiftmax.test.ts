/**
 * Shiftmax and exp_shift — docs/integer-ops.md §3 (scale folding §6).
 * The expectation is an independent BigInt transcription of the published
 * algorithm (I-ViT's IntSoftmax) written here; the float comparison checks the
 * error bound derived in the comment of "Shiftmax against float softmax".
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { expShift, expShiftRanges, x0FromScale, dyadicValue, Dyadic } from "../../../src/arith/ivit/expshift.js";
import {
  attentionScoreScale,
  makeShiftmaxParams,
  shiftmax,
  shiftmaxRows,
  shiftmaxStages,
  shiftmaxWidths,
  ShiftmaxParams,
} from "../../../src/arith/ivit/shiftmax.js";
import { softmaxFloat, sqnrDb } from "../../../src/arith/ivit/float.js";
import { multiplierFromRatio } from "../../../src/arith/requant.js";
import { QuantrtlError } from "../../../src/util/errors.js";

// ---------- independent reference (BigInt, straight from the I-ViT code) ----------

const C = 2n ** 31n - 1n;
/** Mathematical floor of a/b for any signs. */
function fdiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
function refExpShift(x: bigint, x0: bigint, n: bigint): bigint {
  x = x + fdiv(x, 2n) - fdiv(x, 16n);
  if (x < n * x0) x = n * x0;
  const q = fdiv(x, x0);
  const r = x - x0 * q;
  return fdiv((r - 2n * x0) * 2n ** (n - q), 2n);
}
function refShiftmax(row: readonly number[], x0: number, n = 15, b = 8): number[] {
  const xs = row.map(BigInt);
  const m = xs.reduce((a, v) => (v > a ? v : a));
  const e = xs.map((v) => refExpShift(v - m, BigInt(x0), BigInt(n)));
  let sum = e.reduce((a, v) => a + v, 0n);
  if (sum > C) sum = C;
  const f = fdiv(C, sum);
  return e.map((v) => Number(fdiv(v * f, 2n ** BigInt(31 - b + 1))));
}
/** x0 = floor(−1/S) for S = m·2^−k, as an exact rational. */
const refX0 = (s: Dyadic): number => Number(fdiv(-(2n ** BigInt(s.shift)), BigInt(s.multiplier)));

// ---------- generators ----------

const scaleArb = fc
  .record({ multiplier: fc.integer({ min: 1, max: 65535 }), shift: fc.integer({ min: 0, max: 31 }) })
  .filter((s) => -refX0(s) * 2 ** 15 <= 2 ** 31 - 1);

/** Rows in `bits` signed bits: uniform, extremes only, or clustered within ~20·|x0| of a centre. */
function rowArb(bits: number, x0: number, maxLength = 48): fc.Arbitrary<number[]> {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  const clamp = (v: number): number => Math.min(hi, Math.max(lo, v));
  const spread = Math.min(2 ** bits, 20 * -x0 + 4);
  return fc.oneof(
    fc.array(fc.integer({ min: lo, max: hi }), { minLength: 1, maxLength }),
    fc.array(fc.constantFrom(lo, hi, 0, -1, 1, lo + 1, hi - 1), { minLength: 1, maxLength: 16 }),
    fc
      .tuple(fc.integer({ min: lo, max: hi }), fc.array(fc.integer({ min: -spread, max: spread }), { minLength: 1, maxLength }))
      .map(([c, offsets]) => offsets.map((o) => clamp(c + o))),
  );
}

/** Every extreme row the brief names, for a width. */
function extremeRows(bits: number): number[][] {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  return [
    [lo],
    [hi],
    [0],
    Array(16).fill(lo),
    Array(16).fill(hi),
    Array(197).fill(7),
    Array(197).fill(lo),
    [lo, hi],
    [hi, lo, lo, lo],
    [hi, hi, lo],
    [0, -1, -2, -3, -4, -5, -6, -7, -8],
    Array.from({ length: 64 }, (_, i) => (i % 2 ? lo : hi)),
  ];
}

describe("exp_shift (§3) equals the published formula", () => {
  test("every x in [−20|x0| − 40, 0] for |x0| = 1 … 40 and n = 0, 7, 15, 23", () => {
    for (const n of [0, 7, 15, 23]) {
      for (let x0 = -1; x0 >= -40; x0--) {
        for (let x = 0; x >= 20 * x0 - 40; x--) {
          expect(expShift(x, x0, n)).toBe(Number(refExpShift(BigInt(x), BigInt(x0), BigInt(n))));
        }
      }
    }
  });

  test("hand-worked: x0 = −10, n = 15", () => {
    // x = 0: q = 0, r = 0 → floor(20·2^15/2) = 10·2^15
    expect(expShift(0, -10, 15)).toBe(327680);
    // x = −7: −7 + floor(−3.5) − floor(−0.4375) = −7 − 4 + 1 = −10 → q = 1, r = 0 → 10·2^14
    expect(expShift(-7, -10, 15)).toBe(163840);
    // x = −1: −1 − 1 + 1 = −1 → q = 0, r = −1 → floor(19·2^15/2) = 19·2^14
    expect(expShift(-1, -10, 15)).toBe(19 * 2 ** 14);
    // far below the clamp n·x0 = −150: q = 15, r = 0 → floor(20/2) = 10
    expect(expShift(-1e6, -10, 15)).toBe(10);
  });

  test("the ranges contain every value and are hit at both ends", () => {
    fc.assert(
      fc.property(fc.integer({ min: -5000, max: -1 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: -(2 ** 32) + 1, max: 0 }), (x0, n, argLo) => {
        const r = expShiftRanges(argLo, x0, n);
        for (const x of [argLo, 0, Math.floor(argLo / 2), Math.floor(argLo / 3) - 1].filter((v) => v >= argLo)) {
          const e = BigInt(expShift(x, x0, n));
          expect(e >= r.exp.lo && e <= r.exp.hi).toBe(true);
        }
        expect(r.exp.hi).toBe(BigInt(-x0) * 2n ** BigInt(n));
        expect(r.exp.lo).toBe(BigInt(expShift(argLo, x0, n)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("x0 from a dyadic scale ([ours] exact floor(−1/S))", () => {
  test("hand-worked values", () => {
    expect(x0FromScale({ multiplier: 1, shift: 4 })).toBe(-16); // S = 1/16 → −16 exactly
    expect(x0FromScale({ multiplier: 3, shift: 5 })).toBe(-11); // S = 3/32 → −10.67 → −11
    expect(x0FromScale({ multiplier: 5, shift: 0 })).toBe(-1); // S = 5 → −0.2 → −1
    expect(x0FromScale({ multiplier: 1, shift: 0 })).toBe(-1); // S = 1 → −1
    // GELU: S' = 1.702·S, S = 1/16: −16/1.702 = −9.40 → −10
    expect(x0FromScale({ multiplier: 1, shift: 4 }, { num: 851, den: 500 })).toBe(-10);
  });

  test("matches the exact rational for random scales", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 }), fc.integer({ min: 0, max: 60 }), (multiplier, shift) => {
        expect(x0FromScale({ multiplier, shift })).toBe(refX0({ multiplier, shift }));
      }),
    );
  });
});

describe("attention score scale (§6): S = s_q·s_k/sqrt(d) as a dyadic number", () => {
  test("s_q = 0.05, s_k = 0.04, d = 64: S = 0.00025 → 33554·2^−27", () => {
    // 0.00025·2^27 = 33554.43 → m = 33554 (2^28 would need 17 bits)
    const s = attentionScoreScale(0.05, 0.04, 64);
    expect(s).toEqual({ multiplier: 33554, shift: 27 });
    // S = 0.00024999678 (just below 2.5e−4): −1/S = −4000.05 → x0 = −4001
    expect(makeShiftmaxParams({ inputBits: 32, scale: s }).x0).toBe(-4001);
    expect(refX0(s)).toBe(-4001);
  });
});

describe("Shiftmax (§3) equals the published algorithm bit for bit", () => {
  test("random rows over random scales and input widths 8, 16, 32", () => {
    for (const bits of [8, 16, 32]) {
      fc.assert(
        fc.property(
          scaleArb.chain((scale) => fc.tuple(fc.constant(scale), rowArb(bits, refX0(scale)))),
          ([scale, row]) => {
            const p = makeShiftmaxParams({ inputBits: bits, scale });
            expect(Array.from(shiftmax(Int32Array.from(row), p))).toEqual(refShiftmax(row, refX0(scale)));
          },
        ),
        { numRuns: 150 },
      );
    }
  });

  test("extreme rows: all-min, all-max, single element, constant, min beside max, alternating", () => {
    for (const bits of [8, 16, 32]) {
      for (const scale of [
        { multiplier: 1, shift: 0 },
        { multiplier: 1, shift: 4 },
        { multiplier: 3, shift: 5 },
        { multiplier: 1, shift: 15 },
        { multiplier: 3, shift: 17 },
        { multiplier: 32769, shift: 31 },
      ]) {
        const p = makeShiftmaxParams({ inputBits: bits, scale });
        for (const row of extremeRows(bits)) {
          expect(Array.from(shiftmax(Int32Array.from(row), p)), `${bits} bits, x0 ${p.x0}, row ${row.slice(0, 4)}`).toEqual(refShiftmax(row, p.x0));
        }
      }
    }
  });

  test("q boundaries: x − m on exact multiples of x0 after the log2(e) scaling", () => {
    const p = makeShiftmaxParams({ inputBits: 16, scale: { multiplier: 1, shift: 4 } }); // x0 = −16
    // d = −16·j/1.4375 rounded lands scaled exactly on multiples of −16 for many j
    const row = [0, ...Array.from({ length: 40 }, (_, j) => -Math.round((16 * j) / 1.4375)), -11, -12, -22, -23, -167, -168];
    expect(Array.from(shiftmax(Int32Array.from(row), p))).toEqual(refShiftmax(row, p.x0));
  });

  test("other n and b (parameters of §3) also follow the formula", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 2, max: 16 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.array(fc.integer({ min: -30000, max: 30000 }), { minLength: 1, maxLength: 20 }),
        (n, b, m, row) => {
          const scale = { multiplier: m, shift: 10 };
          fc.pre(-refX0(scale) * 2 ** n <= 2 ** 31 - 1);
          const p = makeShiftmaxParams({ inputBits: 16, scale, n, outBits: b });
          expect(Array.from(shiftmax(Int32Array.from(row), p))).toEqual(refShiftmax(row, p.x0, n, b));
        },
      ),
    );
  });

  test("shiftmaxRows applies the row op to every row of the last axis", () => {
    const p = makeShiftmaxParams({ inputBits: 8, scale: { multiplier: 1, shift: 3 } });
    const x = Int32Array.from([1, 2, 3, -128, 127, 0, 5, 5, 5]);
    expect(Array.from(shiftmaxRows(x, 3, p))).toEqual([...refShiftmax([1, 2, 3], p.x0), ...refShiftmax([-128, 127, 0], p.x0), ...refShiftmax([5, 5, 5], p.x0)]);
  });
});

describe("[ours] the bound |x0|·2^n ≤ 2^31 − 1 keeps every value in its width", () => {
  test("a scale that breaks the bound is a QuantrtlError naming the scale and a valid n", () => {
    // S = 2^−17 → x0 = −131072, |x0|·2^15 = 2^32 > 2^31 − 1; n = 13 gives 2^30
    expect(() => makeShiftmaxParams({ inputBits: 32, scale: { multiplier: 1, shift: 17 } })).toThrow(QuantrtlError);
    expect(() => makeShiftmaxParams({ inputBits: 32, scale: { multiplier: 1, shift: 17 } })).toThrow(/shiftmax.scale[\s\S]*n ≤ 13/);
    // the largest |x0| allowed at n = 15 is 65535
    expect(makeShiftmaxParams({ inputBits: 32, scale: { multiplier: 32769, shift: 31 } }).x0).toBe(-65535);
    expect(() => makeShiftmaxParams({ inputBits: 33, scale: { multiplier: 1, shift: 0 } })).toThrow(/inputBits/);
    expect(() => makeShiftmaxParams({ inputBits: 8, scale: { multiplier: 0, shift: 0 } })).toThrow(/scale/);
  });

  test("worst case for the output: |x0| = 65535, a sum that clamps, y stays ≤ 127", () => {
    const p = makeShiftmaxParams({ inputBits: 32, scale: { multiplier: 32769, shift: 31 } });
    const s = shiftmaxStages(Int32Array.from(Array(300).fill(5)), p);
    expect(s.sum).toBe(2 ** 31 - 1); // 300 · 65535·2^15 clamps
    expect(s.factor).toBe(1);
    expect(Math.max(...s.out)).toBe(127); // floor(65535·2^15 / 2^24) = 127
  });

  test("every intermediate lies in its computed range, on random and extreme rows", () => {
    const check = (p: ShiftmaxParams, row: number[]): void => {
      const w = shiftmaxWidths(p, row.length);
      const s = shiftmaxStages(Int32Array.from(row), p);
      for (const e of s.exps) expect(BigInt(e) >= w.exp.lo && BigInt(e) <= w.exp.hi).toBe(true);
      expect(BigInt(s.sum) >= w.sum.lo && BigInt(s.sum) <= w.sum.hi).toBe(true);
      expect(BigInt(s.factor) >= w.factor.lo && BigInt(s.factor) <= w.factor.hi).toBe(true);
      for (let i = 0; i < row.length; i++) {
        expect(s.exps[i] * s.factor).toBeLessThan(2 ** w.productBits);
        expect(s.out[i] >= 0 && s.out[i] <= 2 ** (p.outBits - 1) - 1).toBe(true);
      }
    };
    for (const bits of [8, 32]) {
      for (const scale of [
        { multiplier: 1, shift: 0 },
        { multiplier: 32769, shift: 31 },
        { multiplier: 1, shift: 10 },
      ]) {
        const p = makeShiftmaxParams({ inputBits: bits, scale });
        for (const row of extremeRows(bits)) check(p, row);
      }
      fc.assert(
        fc.property(
          scaleArb.chain((scale) => fc.tuple(fc.constant(scale), rowArb(bits, refX0(scale)))),
          ([scale, row]) => check(makeShiftmaxParams({ inputBits: bits, scale }), row),
        ),
        { numRuns: 100 },
      );
    }
  });

  test("widths on a hand-worked case: 32-bit scores, S = 1/16 (x0 = −16), n = 15, b = 8", () => {
    const w = shiftmaxWidths(makeShiftmaxParams({ inputBits: 32, scale: { multiplier: 1, shift: 4 } }), 197);
    // x − m ∈ [−(2^32 − 1), 0]: 33 bits; ·1.4375 → −6,174,015,487: 34 bits
    expect([w.argBits, w.scaledBits]).toEqual([33, 34]);
    // clamp at 15·(−16) = −240: 9 bits; q ≤ 15: 4 bits; r ∈ [−15, 0]: 5 bits; r + 32 ∈ [17, 32]: 6 bits
    expect([w.clampedBits, w.quotientBits, w.remainderBits, w.mantissaBits]).toEqual([9, 4, 5, 6]);
    // 32·2^15 = 2^20 → 21 bits; e ≤ 16·2^15 = 2^19 → 20 bits, e ≥ 16
    expect([w.shiftedBits, w.expBits, w.exp.lo, w.exp.hi]).toEqual([21, 20, 16n, 2n ** 19n]);
    // sum ≤ 2^31 − 1: 31 bits, 2^31 − 1 + 2^19 before the clamp: 32 bits; f ≤ (2^31 − 1)/2^19 = 4095: 12 bits
    expect([w.sumBits, w.sumAddBits, w.factor.hi, w.factorBits, w.productBits, w.outShift]).toEqual([31, 32, 4095n, 12, 31, 24]);
    expect(w.rowCounterBits).toBe(8); // 0 … 196
  });
});

describe("Shiftmax against float softmax (error bound and SQNR)", () => {
  /*
   * Bound, per element, for a row d = x − max x ≤ 0 on scale S (p = softmax(S·d)):
   * 1. Slope. exp_shift computes 2^(−u) with u = (1.4375·|d| − δ)/|x0|, where
   *    x + floor(x/2) − floor(x/16) = 1.4375·x + δ, δ ∈ [−1/2, 15/16]. So the integer
   *    numerators approximate E_j = e^(−κ·S·|d_j|) with κ = 1.4375 / (|x0|·S·log2 e)
   *    (1.4375 for log2 e = 1.4427, and |x0| = floor(1/S) for 1/S). p^κ = softmax(κ·S·d)
   *    is evaluated in float here; |p^κ − p| is that systematic part, computed exactly.
   * 2. Interpolation. e = |x0|·2^n·2^(−q)·(1 − t/2) = |x0|·2^n·2^(−u)·g(t), u = q + t,
   *    with g(t) = (1 − t/2)·2^t ∈ [1, 1.06144] (max at t = 2 − 1/ln 2). With δ:
   *    ẽ_j = |x0|2^n·E_j·ρ_j − η_j, ρ_j ∈ [2^(−1/(2|x0|)), 1.0615·2^(15/(16|x0|))],
   *    η_j ∈ [0, 1) the floor; elements below the clamp n·x0 get ẽ = |x0| for an
   *    E_j·|x0|2^n ≤ |x0|·2^(1/(2|x0|)), so |ẽ_j − ρ_j·|x0|2^n·E_j| ≤ ε = 1.5·|x0| + 1.
   *    Then p̃_i = ẽ_i/Σẽ ∈ [(ρ_lo·p − ε')/(ρ_hi + N·ε'), (ρ_hi·p + ε')/(ρ_lo − N·ε')],
   *    p = p^κ_i, ε' = ε / (|x0|·2^n) (Σ E ≥ 1: the max has E = 1).
   * 3. Output. With Σẽ ≤ 2^31 − 1 (N·1.07·|x0|·2^n < 2^31 here: no clamp),
   *    f = floor((2^31−1)/Σẽ) loses < ẽ_i/2^31 and the final floor one step 1/2^(b−1):
   *    y/2^(b−1) ∈ (p̃_i − ẽ_i/2^31 − 1/2^(b−1) − 2^−31, p̃_i].
   * |y/2^(b−1) − p_i| ≤ |p^κ_i − p_i| + max(p̃_hi − p, p − p̃_lo) + 1.07·|x0|·2^n/2^31 + 2^(1−b) … + 2^−31.
   */
  function bound(p: number, pk: number, x0: number, n: number, N: number, b: number): number {
    const a = -x0;
    const rhoLo = 2 ** (-1 / (2 * a));
    const rhoHi = 1.0615 * 2 ** (15 / (16 * a));
    const eps = (1.5 * a + 1) / (a * 2 ** n);
    const hi = (rhoHi * pk + eps) / (rhoLo - N * eps);
    const lo = (rhoLo * pk - eps) / (rhoHi + N * eps);
    return Math.abs(pk - p) + Math.max(hi - pk, pk - lo) + (1.07 * a * 2 ** n) / 2 ** 31 + 2 ** (1 - b) + 2 ** -31;
  }

  /** Checks the bound over random rows with S in [sLo, sHi]; returns SQNR, max error and the largest error/bound. */
  function measure(
    sLo: number,
    sHi: number,
    runs: number,
  ): { sqnr: number; floorSqnr: number; maxErr: number; maxSlope: number; tightest: number; count: number } {
    const refs: number[] = [];
    const approx: number[] = [];
    const floored: number[] = [];
    let maxErr = 0;
    let maxSlope = 0;
    let tightest = 0;
    fc.assert(
      fc.property(
        fc.double({ min: sLo, max: sHi, noNaN: true }),
        fc.integer({ min: 1, max: 64 }),
        fc.double({ min: 0.5, max: 12, noNaN: true }),
        fc.integer({ min: 0, max: 2 ** 30 }),
        (s, N, spread, seed) => {
          const { multiplier, shift } = multiplierFromRatio(s, 16);
          const scale = { multiplier, shift };
          const S = dyadicValue(scale);
          const p = makeShiftmaxParams({ inputBits: 16, scale });
          // logits spanning `spread` real units, quantized to 16 bits
          let r = seed | 1;
          const row = Int32Array.from({ length: N }, () => {
            r = (r * 1103515245 + 12345) % 2 ** 31;
            return Math.max(-32768, Math.min(32767, Math.round(((r / 2 ** 31) * spread - spread / 2) / S)));
          });
          const y = shiftmax(row, p);
          const real = Array.from(row, (v) => v * S);
          const ref = softmaxFloat(real);
          const kappa = 1.4375 / (-p.x0 * S * Math.LOG2E);
          const refK = softmaxFloat(real.map((v) => v * kappa));
          for (let i = 0; i < N; i++) {
            const err = Math.abs(y[i] / 128 - ref[i]);
            const b = bound(ref[i], refK[i], p.x0, 15, N, 8);
            expect(err, `S=${S} N=${N} i=${i}`).toBeLessThanOrEqual(b);
            maxErr = Math.max(maxErr, err);
            maxSlope = Math.max(maxSlope, Math.abs(refK[i] - ref[i]));
            tightest = Math.max(tightest, err / b);
            refs.push(ref[i]);
            approx.push(y[i] / 128);
            floored.push(Math.floor(ref[i] * 128) / 128);
          }
        },
      ),
      { numRuns: runs },
    );
    return {
      sqnr: sqnrDb(Float64Array.from(refs), Float64Array.from(approx)),
      floorSqnr: sqnrDb(Float64Array.from(refs), Float64Array.from(floored)),
      maxErr,
      maxSlope,
      tightest,
      count: refs.length,
    };
  }

  test.each([
    // [S range, SQNR floor (dB)]: a broken op (off by a factor 2^k, wrong max) falls far below these
    [0.002, 0.03, 20],
    [0.03, 0.25, 20],
  ] as const)("S in [%f, %f]: every element within the derived bound, SQNR > %i dB", (sLo, sHi, floor) => {
    const m = measure(sLo, sHi, 300);
    console.log(
      `Shiftmax vs float softmax, S in [${sLo}, ${sHi}]: SQNR ${m.sqnr.toFixed(2)} dB (float softmax floored to 1/128 alone: ${m.floorSqnr.toFixed(2)} dB), max |error| ${m.maxErr.toFixed(4)} ` +
        `(slope part ≤ ${m.maxSlope.toFixed(4)}), largest error/bound ${m.tightest.toFixed(2)}, ${m.count} elements`,
    );
    expect(m.sqnr).toBeGreaterThan(floor);
  });

  test("sqnrDb: equal arrays give +Infinity, a 10 % error gives 20 dB", () => {
    const a = Float64Array.from([1, -2, 3]);
    expect(sqnrDb(a, a)).toBe(Infinity);
    expect(
      sqnrDb(
        a,
        a.map((v) => v * 1.1),
      ),
    ).toBeCloseTo(20, 10);
  });
});

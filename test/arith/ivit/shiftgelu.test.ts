/**
 * ShiftGELU — docs/integer-ops.md §4, GELU(x) ≈ x·σ(1.702·x).
 * The expectation is an independent BigInt transcription of the published
 * algorithm (I-ViT's IntGELU) with our two documented choices ([ours]: the row
 * max clamped at 0 from below; 2·|x0'|·2^n ≤ 2^31 − 1), written here; the float
 * comparison checks the error bound derived in "ShiftGELU against float GELU".
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { dyadicValue, Dyadic } from "../../../src/arith/ivit/expshift.js";
import { makeShiftGeluParams, shiftGelu, shiftGeluStages, shiftGeluWidths, shiftGeluOutputScale, ShiftGeluParams } from "../../../src/arith/ivit/shiftgelu.js";
import { geluFloat, geluSigmoidFloat, sqnrDb } from "../../../src/arith/ivit/float.js";
import { multiplierFromRatio } from "../../../src/arith/requant.js";
import { QuantrtlError } from "../../../src/util/errors.js";

// ---------- independent reference (BigInt) ----------

const C = 2n ** 31n - 1n;
function fdiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
function refExpShift(x: bigint, x0: bigint, n: bigint): bigint {
  x = x + fdiv(x, 2n) - fdiv(x, 16n);
  if (x < n * x0) x = n * x0;
  const q = fdiv(x, x0);
  const r = x - x0 * q;
  const shift = n - q;
  return fdiv((r - 2n * x0) * 2n ** shift, 2n);
}
/** x0' = floor(−1/(1.702·S)) = floor(−500·2^k / (851·m)) for S = m·2^−k. */
const refX0 = (s: Dyadic): number => Number(fdiv(-500n * 2n ** BigInt(s.shift), 851n * BigInt(s.multiplier)));
function refGelu(row: readonly number[], x0: number, n = 23, b = 8): { sig: number[]; y: number[] } {
  const xs = row.map(BigInt);
  let m = 0n; // [ours] max(0, max x)
  for (const v of xs) if (v > m) m = v;
  const X0 = BigInt(x0);
  const N = BigInt(n);
  const c = refExpShift(-m, X0, N);
  const sig = xs.map((v) => {
    const a = refExpShift(v - m, X0, N);
    let s = a + c;
    if (s > C) s = C;
    return fdiv(a * fdiv(C, s), 2n ** BigInt(31 - b + 1));
  });
  return { sig: sig.map(Number), y: xs.map((v, i) => Number(v * sig[i])) };
}

// ---------- generators ----------

const validScale = (s: Dyadic, n = 23): boolean => 2 * -refX0(s) * 2 ** n <= 2 ** 31 - 1;
const scaleArb = fc.record({ multiplier: fc.integer({ min: 1, max: 65535 }), shift: fc.integer({ min: 0, max: 24 }) }).filter((s) => validScale(s));

function rowArb(bits: number, x0: number): fc.Arbitrary<number[]> {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  const clamp = (v: number): number => Math.min(hi, Math.max(lo, v));
  const spread = Math.min(2 ** bits, 24 * -x0 + 4);
  return fc.oneof(
    fc.array(fc.integer({ min: lo, max: hi }), { minLength: 1, maxLength: 48 }),
    fc.array(fc.constantFrom(lo, hi, 0, -1, 1, lo + 1, hi - 1), { minLength: 1, maxLength: 16 }),
    fc
      .tuple(fc.integer({ min: lo, max: hi }), fc.array(fc.integer({ min: -spread, max: spread }), { minLength: 1, maxLength: 48 }))
      .map(([c, o]) => o.map((v) => clamp(c + v))),
    // all negative: the row max is below 0 ([ours] clamp)
    fc.array(fc.integer({ min: lo, max: -1 }), { minLength: 1, maxLength: 24 }),
  );
}

function extremeRows(bits: number): number[][] {
  const lo = -(2 ** (bits - 1));
  const hi = 2 ** (bits - 1) - 1;
  return [
    [lo],
    [hi],
    [0],
    [-1],
    [1],
    Array(16).fill(lo),
    Array(16).fill(hi),
    Array(64).fill(-3),
    Array(64).fill(0),
    [lo, hi],
    [hi, lo, 0],
    [lo, lo + 1, -1],
    [0, -1, -2, -3, 1, 2, 3],
    Array.from({ length: 64 }, (_, i) => (i % 2 ? lo : hi)),
  ];
}

describe("ShiftGELU (§4) equals the published algorithm with our two choices", () => {
  test("hand-worked: S = 1/16 (x0' = floor(−16/1.702) = −10), n = 23, b = 8", () => {
    const p = makeShiftGeluParams({ inputBits: 8, scale: { multiplier: 1, shift: 4 } });
    expect(p.x0).toBe(-10);
    // x = 16 (1.0): a = 10·2^23; c = exp_shift(−16): −16 − 8 + 1 = −23 → q = 2, r = −3 → 17·2^20;
    // f = floor((2^31 − 1)/101711872) = 21; sig = floor(10·2^23·21/2^24) = 105; y = 1680 (0.820 vs GELU 0.841)
    let s = shiftGeluStages(Int32Array.from([16]), p);
    expect([s.expMax, s.exps[0], s.factors[0], s.sigmoid[0], s.out[0]]).toEqual([17 * 2 ** 20, 10 * 2 ** 23, 21, 105, 1680]);
    // x = 0 alone: a = c = 10·2^23, f = floor(2^31−1 / 20·2^23) = 12, sig = 60 (σ(0) = 0.5 → 64)
    s = shiftGeluStages(Int32Array.from([0]), p);
    expect([s.factors[0], s.sigmoid[0], s.out[0]]).toEqual([12, 60, 0]);
    // [ours] x = −16 alone: m = max(0, −16) = 0, a = 17·2^20, c = 10·2^23, f = 21, sig = floor(22.31) = 22, y = −352
    s = shiftGeluStages(Int32Array.from([-16]), p);
    expect([s.max, s.expMax, s.exps[0], s.factors[0], s.sigmoid[0], s.out[0]]).toEqual([0, 10 * 2 ** 23, 17 * 2 ** 20, 21, 22, -352]);
  });

  test("[ours] a negative row max is clamped to 0: the published form would shift left by more than n", () => {
    // published: m = −16, c = exp_shift(+16): 16 + 8 − 1 = 23 → q = floor(23 / −10) = −3 < 0, a shift of n − q = 26
    const scaled = 16n + fdiv(16n, 2n) - fdiv(16n, 16n);
    expect(fdiv(scaled, -10n)).toBe(-3n);
    // ours never forms a positive argument: every row gives max ≥ 0 and q ∈ [0, n]
    const p = makeShiftGeluParams({ inputBits: 16, scale: { multiplier: 1, shift: 4 } });
    for (const row of [[-1], [-32768], [-5, -7, -32768]]) expect(shiftGeluStages(Int32Array.from(row), p).max).toBe(0);
  });

  test("random rows over random scales, input widths 8, 16, 25", () => {
    for (const bits of [8, 16, 25]) {
      fc.assert(
        fc.property(
          scaleArb.chain((scale) => fc.tuple(fc.constant(scale), rowArb(bits, refX0(scale)))),
          ([scale, row]) => {
            const p = makeShiftGeluParams({ inputBits: bits, scale });
            const s = shiftGeluStages(Int32Array.from(row), p);
            const r = refGelu(row, p.x0);
            expect(Array.from(s.sigmoid)).toEqual(r.sig);
            expect(Array.from(s.out)).toEqual(r.y);
          },
        ),
        { numRuns: 150 },
      );
    }
  });

  test("extreme rows: all-min, all-max, single element, constant, negative max, alternating", () => {
    for (const bits of [8, 16, 25]) {
      for (const scale of [
        { multiplier: 1, shift: 0 },
        { multiplier: 1, shift: 4 },
        { multiplier: 3, shift: 7 },
        { multiplier: 40000, shift: 22 },
        { multiplier: 65535, shift: 16 },
      ]) {
        const p = makeShiftGeluParams({ inputBits: bits, scale });
        for (const row of extremeRows(bits)) {
          expect(Array.from(shiftGelu(Int32Array.from(row), p)), `${bits} bits x0' ${p.x0} row ${row.slice(0, 3)}`).toEqual(refGelu(row, p.x0).y);
        }
      }
    }
  });

  test("other n and b follow the same formula", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 26 }),
        fc.integer({ min: 2, max: 12 }),
        fc.integer({ min: 1, max: 4000 }),
        fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 16 }),
        (n, b, m, row) => {
          const scale = { multiplier: m, shift: 12 };
          fc.pre(validScale(scale, n));
          const p = makeShiftGeluParams({ inputBits: 12, scale, n, outBits: b });
          expect(Array.from(shiftGelu(Int32Array.from(row), p))).toEqual(refGelu(row, p.x0, n, b).y);
        },
      ),
    );
  });
});

describe("[ours] 2·|x0'|·2^n ≤ 2^31 − 1: a + c never clamps, sig stays in [0, 2^(b−1) − 1]", () => {
  test("a scale past the bound is a QuantrtlError with the largest valid n; y wider than 32 bits too", () => {
    // S = 2^−8: x0' = floor(−256/1.702) = −151; 2·151·2^23 > 2^31 − 1; 2·151·2^22 fits → n ≤ 22
    expect(() => makeShiftGeluParams({ inputBits: 8, scale: { multiplier: 1, shift: 8 } })).toThrow(QuantrtlError);
    expect(() => makeShiftGeluParams({ inputBits: 8, scale: { multiplier: 1, shift: 8 } })).toThrow(/shiftgelu.scale[\s\S]*n ≤ 22/);
    expect(makeShiftGeluParams({ inputBits: 8, scale: { multiplier: 1, shift: 8 }, n: 22 }).x0).toBe(-151);
    // the edge: |x0'| = 127 passes at n = 23 (2·127·2^23 < 2^31), 128 does not (2·128·2^23 = 2^31)
    // 500·2^16/851 = 38505.3: m = 304 → −126.66 → −127; m = 302 → −127.5 → −128
    expect(makeShiftGeluParams({ inputBits: 8, scale: { multiplier: 304, shift: 16 } }).x0).toBe(-127);
    expect(() => makeShiftGeluParams({ inputBits: 8, scale: { multiplier: 302, shift: 16 } })).toThrow(/x0 = -128/);
  });

  test("y = x·sig wider than 32 bits is rejected", () => {
    expect(() => makeShiftGeluParams({ inputBits: 26, scale: { multiplier: 1, shift: 0 } })).toThrow(/inputBits ≤ 25/);
  });

  test("every intermediate lies in its computed range on random and extreme rows", () => {
    const check = (p: ShiftGeluParams, row: number[]): void => {
      const w = shiftGeluWidths(p);
      const s = shiftGeluStages(Int32Array.from(row), p);
      const inRange = (v: number, r: { lo: bigint; hi: bigint }): boolean => BigInt(v) >= r.lo && BigInt(v) <= r.hi;
      expect(inRange(s.expMax, w.exp)).toBe(true);
      for (let i = 0; i < row.length; i++) {
        expect(inRange(s.exps[i], w.exp)).toBe(true);
        expect(inRange(s.exps[i] + s.expMax, w.sum)).toBe(true);
        expect(s.exps[i] + s.expMax).toBeLessThanOrEqual(2 ** 31 - 1);
        expect(inRange(s.factors[i], w.factor)).toBe(true);
        expect(s.exps[i] * s.factors[i]).toBeLessThan(2 ** w.productBits);
        expect(inRange(s.sigmoid[i], w.sigmoid)).toBe(true);
        expect(inRange(s.out[i], w.out)).toBe(true);
      }
    };
    for (const bits of [8, 25]) {
      for (const scale of [
        { multiplier: 1, shift: 0 },
        { multiplier: 40000, shift: 22 },
      ]) {
        const p = makeShiftGeluParams({ inputBits: bits, scale });
        for (const row of extremeRows(bits)) check(p, row);
      }
      fc.assert(
        fc.property(
          scaleArb.chain((scale) => fc.tuple(fc.constant(scale), rowArb(bits, refX0(scale)))),
          ([scale, row]) => check(makeShiftGeluParams({ inputBits: bits, scale }), row),
        ),
        { numRuns: 100 },
      );
    }
  });

  test("widths on a hand-worked case: int8 input, S = 1/16 (x0' = −10), n = 23, b = 8", () => {
    const w = shiftGeluWidths(makeShiftGeluParams({ inputBits: 8, scale: { multiplier: 1, shift: 4 } }));
    // x − m ∈ [−255, 0]: 9 bits; ·1.4375: −255 − 128 + 16 = −367: 10 bits; clamp at −230: 9 bits
    expect([w.argBits, w.scaledBits, w.clampedBits]).toEqual([9, 10, 9]);
    // q ≤ 23: 5 bits; r ∈ [−9, 0]: 5 bits; r + 20 ∈ [11, 20]: 5 bits; 20·2^23: 28 bits; e ≤ 10·2^23: 27 bits
    expect([w.quotientBits, w.remainderBits, w.mantissaBits, w.shiftedBits, w.expBits]).toEqual([5, 5, 5, 28, 27]);
    // e ≥ exp_shift(−255) = 10 (clamped: q = 23, r = 0); a + c ∈ [20, 20·2^23]: 28 bits
    expect([w.exp.lo, w.sum.lo, w.sum.hi, w.sumBits]).toEqual([10n, 20n, 20n * 2n ** 23n, 28]);
    // f ∈ [floor((2^31−1)/(20·2^23)) = 12, floor((2^31−1)/20) = 107374182]: 27 bits
    expect([w.factor.lo, w.factor.hi, w.factorBits, w.productBits, w.outShift]).toEqual([12n, 107374182n, 27, 31, 24]);
    // sig ∈ [0, 127]: 7 bits; y = x·sig ∈ [−128·127, 127·127] = [−16256, 16129] ⊂ [−2^14, 2^14 − 1]: 15 bits
    expect([w.sigmoidBits, w.out.lo, w.out.hi, w.outBits]).toEqual([7, -16256n, 16129n, 15]);
  });
});

describe("ShiftGELU against float GELU (error bound and SQNR)", () => {
  /*
   * Bound, per element, for x on scale S, S' = 1.702·S, m' = max(0, max x), U = |x0'|·2^n:
   * 1. Slope. As for Shiftmax, exp_shift(d) ≈ U·e^(−κ·S'·|d|) with κ = 1.4375/(|x0'|·S'·log2 e);
   *    so a ≈ U·A, A = e^(−κS'(m' − x)), and c ≈ U·Cm, Cm = e^(−κS'm'), and
   *    A/(A + Cm) = σ(κ·1.702·S·x) =: σκ, evaluated here; |σκ − σ| is the systematic part.
   * 2. Interpolation and floors: a ∈ [ρ_lo·U·A − ε, ρ_hi·U·A + ε] (same for c), with
   *    ρ_lo = 2^(−1/(2|x0'|)), ρ_hi = 1.0615·2^(15/(16|x0'|)), ε = 1.5|x0'| + 1 (floor, and
   *    the flush to |x0'| below the clamp n·x0'). a/(a + c) grows with a and falls with c:
   *    σ̃ ∈ [a_lo/(a_lo + c_hi), a_hi/(a_hi + c_lo)].
   * 3. Output: a + c ≤ 2^31 − 1 ([ours] bound), f = floor((2^31−1)/(a+c)) loses < a/2^31,
   *    the final floor one step 2^(1−b): sig/2^(b−1) ∈ (σ̃ − a_hi/2^31 − 2^(1−b) − 2^−31, σ̃].
   *    a_hi/2^31 ≈ |x0'|/2^8 is the coarse f of n = 23: up to 5 % of σ at |x0'| = 13.
   * |y·S/2^(b−1) − x·S·σ(1.702·x·S)| ≤ |x·S|·(|σκ − σ| + max(σ̃_hi − σκ, σκ − σ̃_lo + a_hi/2^31 + 2^(1−b) + 2^−31)).
   * Against the exact (erf) GELU add |x·Φ(x) − x·σ(1.702x)| (≤ 0.021), computed.
   */
  function bound(xReal: number, sigma: number, x0: number, n: number, Sp: number, mReal: number): number {
    const a0 = -x0;
    const U = a0 * 2 ** n;
    const kappa = 1.4375 / (a0 * Sp * Math.LOG2E);
    const A = Math.exp(-kappa * 1.702 * (mReal - xReal));
    const Cm = Math.exp(-kappa * 1.702 * mReal);
    const sk = A / (A + Cm);
    const rhoLo = 2 ** (-1 / (2 * a0));
    const rhoHi = 1.0615 * 2 ** (15 / (16 * a0));
    const eps = 1.5 * a0 + 1;
    const aLo = Math.max(0, rhoLo * U * A - eps);
    const aHi = rhoHi * U * A + eps;
    const cLo = Math.max(0, rhoLo * U * Cm - eps);
    const cHi = rhoHi * U * Cm + eps;
    const sHi = aHi / (aHi + cLo);
    const sLo = aLo / (aLo + cHi);
    return Math.abs(xReal) * (Math.abs(sk - sigma) + Math.max(sHi - sk, sk - sLo + aHi / 2 ** 31 + 2 / 2 ** 8 + 2 ** -31));
  }

  test("every element within the derived bound; SQNR against x·σ(1.702x) and against the erf GELU", () => {
    const refSig: number[] = [];
    const refErf: number[] = [];
    const approx: number[] = [];
    let maxErr = 0;
    let maxErrErf = 0;
    let tightest = 0;
    fc.assert(
      fc.property(
        fc.double({ min: 0.005, max: 0.035, noNaN: true }),
        fc.array(fc.integer({ min: -128, max: 127 }), { minLength: 1, maxLength: 64 }),
        (s, row) => {
          const { multiplier, shift } = multiplierFromRatio(s, 16);
          const scale = { multiplier, shift };
          const S = dyadicValue(scale);
          const p = makeShiftGeluParams({ inputBits: 8, scale });
          const y = shiftGelu(Int32Array.from(row), p);
          const outScale = shiftGeluOutputScale(scale, p);
          const real = row.map((v) => v * S);
          const mReal = Math.max(0, ...real);
          const sig = geluSigmoidFloat(real);
          const erf = geluFloat(real);
          for (let i = 0; i < row.length; i++) {
            const got = y[i] * outScale;
            const sigma = 1 / (1 + Math.exp(-1.702 * real[i]));
            const b = bound(real[i], sigma, p.x0, 23, 1.702 * S, mReal) + 1e-6; // + float32 rounding of the reference
            const err = Math.abs(got - sig[i]);
            expect(err, `S=${S} x=${row[i]}`).toBeLessThanOrEqual(b);
            expect(Math.abs(got - erf[i])).toBeLessThanOrEqual(b + Math.abs(erf[i] - sig[i]) + 1e-6);
            tightest = Math.max(tightest, err / b);
            maxErr = Math.max(maxErr, err);
            maxErrErf = Math.max(maxErrErf, Math.abs(got - erf[i]));
            refSig.push(sig[i]);
            refErf.push(erf[i]);
            approx.push(got);
          }
        },
      ),
      { numRuns: 400 },
    );
    const sqnrSig = sqnrDb(Float64Array.from(refSig), Float64Array.from(approx));
    const sqnrErf = sqnrDb(Float64Array.from(refErf), Float64Array.from(approx));
    console.log(
      `ShiftGELU (int8, S in [0.005, 0.035]): SQNR ${sqnrSig.toFixed(2)} dB vs x·σ(1.702x), ${sqnrErf.toFixed(2)} dB vs erf GELU; ` +
        `max |error| ${maxErr.toFixed(4)} / ${maxErrErf.toFixed(4)} (real units); largest error/bound ${tightest.toFixed(2)}; ${approx.length} elements`,
    );
    expect(sqnrSig).toBeGreaterThan(20);
    expect(sqnrErf).toBeGreaterThan(20);
  });
});

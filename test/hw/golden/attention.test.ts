/**
 * Golden multi-head attention (src/hw/golden/attention.ts) against an
 * independent, straightforward BigInt implementation written here from the text of
 * docs/integer-ops.md §1, §3 and §6 (nothing from src/ but the model loader):
 * random shapes, x0, n and requants, on random Q, K, V and on the extremes
 * (all −128, all 127, alternating, one outlier token).
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { parseModel } from "../../../src/ir/load.js";
import type { AttentionLayer, IntTensor } from "../../../src/ir/model.js";
import { runLayer } from "../../../src/hw/golden/network.js";

type Rounding = "floor" | "half_up" | "half_away" | "half_even";

// ---------------------------------------------------------------- the reference, from the spec text

/** Mathematical floor(a / b), b ≠ 0. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** §3 exp_shift for x ≤ 0. */
function expShift(x: bigint, x0: bigint, n: bigint): bigint {
  let v = x + floorDiv(x, 2n) - floorDiv(x, 16n);
  if (v < n * x0) v = n * x0;
  const q = floorDiv(v, x0);
  const r = v - x0 * q;
  return floorDiv((r - 2n * x0) * 2n ** (n - q), 2n);
}

/** §3 shiftmax of one row, b = 8. */
function shiftmax(row: bigint[], x0: bigint, n: bigint): bigint[] {
  const C = 2n ** 31n - 1n;
  const m = row.reduce((a, b) => (b > a ? b : a));
  const e = row.map((x) => expShift(x - m, x0, n));
  let sum = e.reduce((a, b) => a + b, 0n);
  if (sum > C) sum = C;
  const f = C / sum;
  return e.map((v) => (v * f) / 2n ** 24n);
}

/** §1 round_k(v, mode). */
function roundK(v: bigint, k: bigint, mode: Rounding): bigint {
  if (k === 0n) return v;
  const p = 2n ** k;
  const half = p / 2n;
  const fl = floorDiv(v, p);
  const rem = v - fl * p;
  switch (mode) {
    case "floor":
      return fl;
    case "half_up":
      return floorDiv(v + half, p);
    case "half_away":
      return v < 0n ? -((-v + half) / p) : (v + half) / p;
    case "half_even":
      return rem > half ? fl + 1n : rem < half ? fl : fl % 2n === 0n ? fl : fl + 1n;
  }
}

/** §1 y = sat_b(round_k(acc·m) + 0). */
function requant(acc: bigint, m: number, k: number, mode: Rounding, bits: number): number {
  const y = roundK(acc * BigInt(m), BigInt(k), mode);
  const hi = 2n ** BigInt(bits - 1) - 1n;
  const lo = -(2n ** BigInt(bits - 1));
  return Number(y > hi ? hi : y < lo ? lo : y);
}

interface Case {
  tokens: number;
  heads: number;
  headDim: number;
  x0: number;
  n: number;
  multiplier: number;
  shift: number;
  rounding: Rounding;
  outBits: 8 | 16;
  data: number[];
}

/** §6: per row and head, Q·Kᵀ → Shiftmax → A·V → requant; heads side by side. */
function referenceAttention(c: Case): number[] {
  const D = c.heads * c.headDim;
  const at = (t: number, part: number, h: number, ch: number) => BigInt(c.data[t * 3 * D + part * D + h * c.headDim + ch]);
  const out: number[] = new Array(c.tokens * D);
  for (let t = 0; t < c.tokens; t++) {
    for (let h = 0; h < c.heads; h++) {
      const scores: bigint[] = [];
      for (let j = 0; j < c.tokens; j++) {
        let s = 0n;
        for (let ch = 0; ch < c.headDim; ch++) s += at(t, 0, h, ch) * at(j, 1, h, ch);
        scores.push(s);
      }
      const p = shiftmax(scores, BigInt(c.x0), BigInt(c.n));
      for (let ch = 0; ch < c.headDim; ch++) {
        let acc = 0n;
        for (let j = 0; j < c.tokens; j++) acc += p[j] * at(j, 2, h, ch);
        out[t * D + h * c.headDim + ch] = requant(acc, c.multiplier, c.shift, c.rounding, c.outBits);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- the golden, through a model file

function golden(c: Case): number[] {
  const D = c.heads * c.headDim;
  const model = parseModel({
    quantrtl: 1,
    name: "attn",
    input: { height: c.tokens, width: 1, channels: 3 * D, bits: 8 },
    layers: [
      {
        type: "attention",
        name: "attn",
        heads: c.heads,
        x0: c.x0,
        n: c.n,
        requant: { multiplier: c.multiplier, shift: c.shift, rounding: c.rounding, outBits: c.outBits },
      },
    ],
  });
  const layer = model.layers[0] as AttentionLayer;
  const x: IntTensor = { shape: [c.tokens, 1, 3 * D], bits: 8, data: Int32Array.from(c.data) };
  return Array.from(runLayer(layer, [x]).data);
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    tokens: fc.integer({ min: 1, max: 9 }),
    heads: fc.integer({ min: 1, max: 3 }),
    headDim: fc.integer({ min: 1, max: 6 }),
    n: fc.integer({ min: 0, max: 15 }),
    x0Fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    multiplier: fc.integer({ min: 0, max: 65535 }),
    shift: fc.integer({ min: 0, max: 30 }),
    rounding: fc.constantFrom<Rounding>("floor", "half_up", "half_away", "half_even"),
    outBits: fc.constantFrom<8 | 16>(8, 16),
    fill: fc.constantFrom("random", "min", "max", "alternating", "outlier"),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map((r) => {
    const count = r.tokens * 3 * r.heads * r.headDim;
    let s = r.seed;
    const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const data = Array.from({ length: count }, (_, i) => {
      switch (r.fill) {
        case "min":
          return -128;
        case "max":
          return 127;
        case "alternating":
          return i % 2 ? -128 : 127;
        case "outlier":
          return i < 3 * r.heads * r.headDim ? 127 : -1 - Math.floor(next() * 3);
        default:
          return -128 + Math.floor(next() * 256);
      }
    });
    // |x0|·2^n ≤ 2^31 − 1 (the loader's bound), x0 spread over its whole range on a log scale
    const maxAbs = Math.floor((2 ** 31 - 1) / 2 ** r.n);
    const x0 = -Math.max(1, Math.round(maxAbs ** r.x0Fraction));
    return {
      tokens: r.tokens,
      heads: r.heads,
      headDim: r.headDim,
      x0,
      n: r.n,
      multiplier: r.multiplier,
      shift: r.shift,
      rounding: r.rounding,
      outBits: r.outBits,
      data,
    };
  });

describe("golden attention = the spec, computed independently", () => {
  test("random shapes, x0, n, requants; random and extreme Q, K, V", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        expect(golden(c)).toEqual(referenceAttention(c));
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  test("one token, worked by hand: p = floor(e0·floor((2^31 − 1)/e0) / 2^24), output requant(p·v)", () => {
    const v = [-128, -1, 0, 5, 127, 64];
    const data = [3, -7, 100, 2, -9, 4, /* k */ 1, 2, 3, 4, 5, 6, /* v */ ...v];
    // x0 = −1000, n = 15: e0 = exp_shift(0) = 1000·2^15 = 32768000, f = floor((2^31 − 1)/e0) = 65,
    // p = floor(32768000·65 / 2^24) = floor(126.95) = 126 (not 127: both floors lose)
    // a = 126·v, m/2^k = 1/128 half_even: −126, −0.98 → −1, 0, 4.92 → 5, 125.02 → 125, 63
    const c: Case = { tokens: 1, heads: 2, headDim: 3, x0: -1000, n: 15, multiplier: 1, shift: 7, rounding: "half_even", outBits: 8, data };
    expect(golden(c)).toEqual([-126, -1, 0, 5, 125, 63]);
    expect(referenceAttention(c)).toEqual([-126, -1, 0, 5, 125, 63]);
    // x0 = −1, n = 0: e0 = 1, f = 2^31 − 1, p = floor((2^31 − 1)/2^24) = 127
    expect(golden({ ...c, x0: -1, n: 0 })).toEqual([-127, -1, 0, 5, 126, 64]);
  });

  test("DeiT-like shape (197 tokens would be slow here: 33 tokens, 2 heads of 16) on random int8", () => {
    let s = 7;
    const next = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const c: Case = {
      tokens: 33,
      heads: 2,
      headDim: 16,
      x0: -3000,
      n: 12,
      multiplier: 50000,
      shift: 24,
      rounding: "half_even",
      outBits: 8,
      data: Array.from({ length: 33 * 96 }, () => -128 + Math.floor(next() * 256)),
    };
    expect(golden(c)).toEqual(referenceAttention(c));
  });
});

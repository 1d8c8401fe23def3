/**
 * Golden pooling (src/hw/golden/pool.ts): max pool, average pool and global
 * average pool against a naive reference written here — nested arrays, BigInt
 * window sums and the four rounding modes of docs/integer-ops.md §1 spelled out
 * from their definitions (no src/arith code) — on random shapes with fast-check,
 * including all-minimum / all-maximum inputs and rounding ties.
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { parseModel } from "../../../src/ir/load.js";
import type { AvgPoolLayer, GlobalAvgPoolLayer, IntTensor, Layer, MaxPoolLayer } from "../../../src/ir/model.js";
import { avgPoolGolden, globalAvgPoolGolden, maxPoolGolden } from "../../../src/hw/golden/pool.js";

type Mode = "floor" | "half_up" | "half_away" | "half_even";
const MODES: Mode[] = ["floor", "half_up", "half_away", "half_even"];

interface Rq {
  multiplier: number;
  shift: number;
  rounding: Mode;
  outBits: 8 | 16;
}

/** One-layer model through the real loader; returns its layer. */
function layerOf(input: { height: number; width: number; channels: number; bits: number }, raw: Record<string, unknown>): Layer {
  return parseModel({ quantrtl: 1, name: "g", input, layers: [{ name: "p", ...raw }] }).layers[0];
}

// ------------------------------------------------------------ naive reference

/** round_k(v) by the definitions of docs/integer-ops.md §1, on BigInt. */
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
      // nearest; on an exact tie (2·remainder = 2^k) the even one of the two neighbours
      const q = floorDiv(v);
      const twiceRem = 2n * (v - q * d);
      if (twiceRem < d) return q;
      if (twiceRem > d) return q + 1n;
      return q % 2n === 0n ? q : q + 1n;
    }
  }
}

function naiveRequant(sum: bigint, rq: Rq): number {
  const y = naiveRound(sum * BigInt(rq.multiplier), rq.shift, rq.rounding);
  const hi = (1n << BigInt(rq.outBits - 1)) - 1n;
  const lo = -(1n << BigInt(rq.outBits - 1));
  return Number(y > hi ? hi : y < lo ? lo : y);
}

/** HWC flat data to [y][x][c]. */
function grid(t: IntTensor): number[][][] {
  const [H, W, C] = t.shape;
  return Array.from({ length: H }, (_, y) => Array.from({ length: W }, (_, x) => Array.from({ length: C }, (_, c) => t.data[(y * W + x) * C + c])));
}

/** The kh×kw windows per output pixel and channel, in HWC output order. */
function windows(t: IntTensor, kernel: readonly number[], stride: readonly number[]): number[][] {
  const g = grid(t);
  const [H, W, C] = t.shape;
  const out: number[][] = [];
  for (let oy = 0; oy * stride[0] + kernel[0] <= H; oy++) {
    for (let ox = 0; ox * stride[1] + kernel[1] <= W; ox++) {
      for (let c = 0; c < C; c++) {
        const win: number[] = [];
        for (let ky = 0; ky < kernel[0]; ky++) for (let kx = 0; kx < kernel[1]; kx++) win.push(g[oy * stride[0] + ky][ox * stride[1] + kx][c]);
        out.push(win);
      }
    }
  }
  return out;
}

const bigSum = (xs: number[]) => xs.reduce((s, x) => s + BigInt(x), 0n);

// ------------------------------------------------------------ generators

const valueRange = (bits: number) => (bits === 1 ? { lo: -1, hi: 1 } : { lo: -(2 ** (bits - 1)), hi: 2 ** (bits - 1) - 1 });

/** Tensor data: uniform, all minimum, all maximum, or only the two extremes. */
function tensorArb(n: number, bits: number): fc.Arbitrary<Int32Array> {
  const { lo, hi } = valueRange(bits);
  const value = bits === 1 ? fc.constantFrom(-1, 1) : fc.integer({ min: lo, max: hi });
  return fc
    .oneof(
      fc.array(value, { minLength: n, maxLength: n }),
      fc.constant(new Array<number>(n).fill(lo)),
      fc.constant(new Array<number>(n).fill(hi)),
      fc.array(fc.constantFrom(lo, hi), { minLength: n, maxLength: n }),
    )
    .map((a) => Int32Array.from(a));
}

/** Requant params: general ones, and m = 1 with small k where ties (remainder = 2^(k−1)) are frequent. */
const rqArb: fc.Arbitrary<Rq> = fc.oneof(
  fc.record({
    multiplier: fc.integer({ min: 0, max: 65535 }),
    shift: fc.integer({ min: 0, max: 24 }),
    rounding: fc.constantFrom(...MODES),
    outBits: fc.constantFrom(8 as const, 16 as const),
  }),
  fc.record({
    multiplier: fc.constantFrom(1, 3),
    shift: fc.integer({ min: 0, max: 4 }),
    rounding: fc.constantFrom(...MODES),
    outBits: fc.constantFrom(8 as const, 16 as const),
  }),
);

const poolShapeArb = fc
  .record({
    H: fc.integer({ min: 1, max: 7 }),
    W: fc.integer({ min: 1, max: 7 }),
    C: fc.integer({ min: 1, max: 4 }),
    kh: fc.integer({ min: 1, max: 4 }),
    kw: fc.integer({ min: 1, max: 4 }),
    sy: fc.integer({ min: 1, max: 3 }),
    sx: fc.integer({ min: 1, max: 3 }),
  })
  .map((s) => ({ ...s, kh: Math.min(s.kh, s.H), kw: Math.min(s.kw, s.W) }));

function tensorOf(H: number, W: number, C: number, bits: number, data: Int32Array): IntTensor {
  return { shape: [H, W, C], bits, data };
}

// ------------------------------------------------------------ tests

describe("golden max pool", () => {
  test("a hand-computed 4×4×1 2×2 pool takes the max of each quadrant", () => {
    const layer = layerOf({ height: 4, width: 4, channels: 1, bits: 8 }, { type: "maxpool", kernelSize: 2 }) as MaxPoolLayer;
    // quadrants: {1,-2,5,0} {3,4,-1,-1} {-128,-128,-128,-127} {127,0,0,0}
    const data = Int32Array.from([1, -2, 3, 4, 5, 0, -1, -1, -128, -128, 127, 0, -128, -127, 0, 0]);
    expect(Array.from(maxPoolGolden(layer, tensorOf(4, 4, 1, 8, data)).data)).toEqual([5, 4, -127, 127]);
  });

  test("matches the naive window max on random shapes, strides, widths and extreme values (±1 included)", () => {
    fc.assert(
      fc.property(
        poolShapeArb.chain((s) => fc.constantFrom(1, 8, 16).chain((bits) => tensorArb(s.H * s.W * s.C, bits).map((data) => ({ ...s, bits, data })))),
        (s) => {
          const layer = layerOf(
            { height: s.H, width: s.W, channels: s.C, bits: s.bits },
            { type: "maxpool", kernelSize: [s.kh, s.kw], stride: [s.sy, s.sx] },
          ) as MaxPoolLayer;
          const x = tensorOf(s.H, s.W, s.C, s.bits, s.data);
          const expected = windows(x, [s.kh, s.kw], [s.sy, s.sx]).map((w) => Math.max(...w));
          const got = maxPoolGolden(layer, x);
          expect(got.shape).toEqual([layer.output.height, layer.output.width, s.C]);
          expect(got.bits).toBe(s.bits);
          expect(Array.from(got.data)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("golden average pool", () => {
  test("a hand-computed 2×2 average with m = 1, k = 2 rounds the ties by mode", () => {
    // windows (2×1 pool, one channel): sums 2 (= 0.5·4), -2, 6 (= 1.5·4), -6 → /4 = 0.5, -0.5, 1.5, -1.5
    const input = { height: 2, width: 4, channels: 1, bits: 8 };
    const data = Int32Array.from([1, -1, 3, -3, 1, -1, 3, -3]);
    const expected: Record<Mode, number[]> = {
      floor: [0, -1, 1, -2],
      half_up: [1, 0, 2, -1],
      half_away: [1, -1, 2, -2],
      half_even: [0, 0, 2, -2],
    };
    for (const mode of MODES) {
      const layer = layerOf(input, {
        type: "avgpool",
        kernelSize: [2, 1],
        stride: [2, 1],
        requant: { multiplier: 1, shift: 2, rounding: mode, outBits: 8 },
      }) as AvgPoolLayer;
      expect(Array.from(avgPoolGolden(layer, tensorOf(2, 4, 1, 8, data)).data), mode).toEqual(expected[mode]);
    }
  });

  test("matches the naive BigInt window sum + §1 requant on random shapes, modes, ties and extreme values", () => {
    fc.assert(
      fc.property(
        poolShapeArb.chain((s) =>
          fc.constantFrom(8, 16).chain((bits) => fc.tuple(tensorArb(s.H * s.W * s.C, bits), rqArb).map(([data, rq]) => ({ ...s, bits, data, rq }))),
        ),
        (s) => {
          const layer = layerOf(
            { height: s.H, width: s.W, channels: s.C, bits: s.bits },
            { type: "avgpool", kernelSize: [s.kh, s.kw], stride: [s.sy, s.sx], requant: s.rq },
          ) as AvgPoolLayer;
          const x = tensorOf(s.H, s.W, s.C, s.bits, s.data);
          const expected = windows(x, [s.kh, s.kw], [s.sy, s.sx]).map((w) => naiveRequant(bigSum(w), s.rq));
          const got = avgPoolGolden(layer, x);
          expect(got.bits).toBe(s.rq.outBits);
          expect(Array.from(got.data)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("products beyond 2^53 (32-bit multiplier, 16-bit extremes, 16×16 window) stay exact", () => {
    const input = { height: 16, width: 16, channels: 2, bits: 16 };
    const rq = { multiplier: 2 ** 32 - 1, multiplierBits: 32, shift: 60, rounding: "half_even" as const, outBits: 16 as const };
    const layer = layerOf(input, { type: "avgpool", kernelSize: 16, requant: rq }) as AvgPoolLayer;
    for (const v of [-32768, 32767, -12345]) {
      const x = tensorOf(16, 16, 2, 16, new Int32Array(512).fill(v));
      // 256·v·(2^32 − 1) reaches 2^55: only an exact path gets the low bits right
      const expected = naiveRequant(256n * BigInt(v), rq);
      expect(Array.from(avgPoolGolden(layer, x).data)).toEqual([expected, expected]);
    }
  });
});

describe("golden global average pool", () => {
  test("matches the naive per-channel BigInt sum + §1 requant on random shapes, modes, ties and extreme values", () => {
    fc.assert(
      fc.property(
        fc
          .record({ H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 9 }), C: fc.integer({ min: 1, max: 6 }), bits: fc.constantFrom(8, 16) })
          .chain((s) => fc.tuple(tensorArb(s.H * s.W * s.C, s.bits), rqArb).map(([data, rq]) => ({ ...s, data, rq }))),
        (s) => {
          const layer = layerOf({ height: s.H, width: s.W, channels: s.C, bits: s.bits }, { type: "global_avgpool", requant: s.rq }) as GlobalAvgPoolLayer;
          const x = tensorOf(s.H, s.W, s.C, s.bits, s.data);
          const g = grid(x);
          const expected = Array.from({ length: s.C }, (_, c) => naiveRequant(bigSum(g.flat().map((px) => px[c])), s.rq));
          const got = globalAvgPoolGolden(layer, x);
          expect(got.shape).toEqual([1, 1, s.C]);
          expect(Array.from(got.data)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

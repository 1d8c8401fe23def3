/**
 * Golden ViT token layers (src/hw/golden/tokens.ts): the token embedding
 * y = sat(round_k(x·m) + E) with the class row first, and the token selection —
 * against hand-computed cases and, over random shapes (fast-check), a naive
 * reference written here (BigInt products, the §1 rounding modes from their
 * definitions).
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { parseModel } from "../../../src/ir/load.js";
import type { IntTensor, TokenEmbedLayer, TokenSelectLayer } from "../../../src/ir/model.js";
import { tokenEmbedGolden, tokenSelectGolden } from "../../../src/hw/golden/tokens.js";
import { runGolden } from "../../../src/hw/golden/network.js";

type Mode = "floor" | "half_up" | "half_away" | "half_even";
const MODES: Mode[] = ["floor", "half_up", "half_away", "half_even"];

function embedLayer(tokens: [number, number], channels: number, bits: number, embedding: number[], requant: Record<string, unknown>): TokenEmbedLayer {
  const m = parseModel({
    quantrtl: 1,
    name: "g",
    input: { height: tokens[0], width: tokens[1], channels, bits },
    layers: [{ type: "token_embed", name: "e", embedding, requant }],
  });
  return m.layers[0] as TokenEmbedLayer;
}

const tensor = (shape: [number, number, number], bits: number, data: number[]): IntTensor => ({ shape, bits, data: Int32Array.from(data) });

/** floor(a / 2^k) on BigInt. */
function floorPow(a: bigint, k: number): bigint {
  const d = 1n << BigInt(k);
  const q = a / d;
  return a < 0n && q * d !== a ? q - 1n : q;
}

/** §1 round_k(v, mode), from the definitions. */
function roundK(v: bigint, k: number, mode: Mode): bigint {
  if (k === 0) return v;
  const half = 1n << BigInt(k - 1);
  switch (mode) {
    case "floor":
      return floorPow(v, k);
    case "half_up":
      return floorPow(v + half, k);
    case "half_away":
      return v < 0n ? -floorPow(-v + half, k) : floorPow(v + half, k);
    case "half_even": {
      const q = floorPow(v, k);
      const twice = 2n * (v - (q << BigInt(k)));
      const unit = 1n << BigInt(k);
      if (twice > unit) return q + 1n;
      if (twice < unit) return q;
      return q % 2n === 0n ? q : q + 1n;
    }
  }
}

const sat = (v: bigint, bits: number) => {
  const hi = (1n << BigInt(bits - 1)) - 1n;
  const lo = -(1n << BigInt(bits - 1));
  return Number(v > hi ? hi : v < lo ? lo : v);
};

describe("token_embed", () => {
  test("a hand-computed 2-token case: class row from the table, rescaled tokens plus their positions, saturated", () => {
    // x = [[5, −3], [100, −128]], m = 3, k = 2 (half_up), E rows [10, −20], [1, 2], [120, −100]
    // 5·3 = 15 → floor(17/4) = 4, +1 = 5;  −3·3 = −9 → floor(−7/4) = −2, +2 = 0
    // 100·3 = 300 → 75, +120 = 195 → 127;  −128·3 = −384 → floor(−382/4) = −96, −100 → −196 → −128
    const layer = embedLayer([2, 1], 2, 8, [10, -20, 1, 2, 120, -100], { multiplier: 3, shift: 2, rounding: "half_up", outBits: 8 });
    const y = tokenEmbedGolden(layer, tensor([2, 1, 2], 8, [5, -3, 100, -128]));
    expect(y.shape).toEqual([3, 1, 2]);
    expect(Array.from(y.data)).toEqual([10, -20, 5, 0, 127, -128]);
  });

  test("ties of round_k(x·m): x·m = ±1 and 3 at k = 1 in every mode (the class row saturates the table alone)", () => {
    const expected: Record<Mode, number[]> = {
      floor: [0, -1, 1],
      half_up: [1, 0, 2],
      half_away: [1, -1, 2],
      half_even: [0, 0, 2],
    };
    for (const mode of MODES) {
      const layer = embedLayer([3, 1], 1, 8, [300, 0, 0, 0], { multiplier: 1, shift: 1, rounding: mode, outBits: 8 });
      const y = tokenEmbedGolden(layer, tensor([3, 1, 1], 8, [1, -1, 3]));
      expect(Array.from(y.data), mode).toEqual([127, ...expected[mode]]);
    }
  });

  test("a 2×2 map is read as 4 tokens in HWC order (patch (py, px) = token py·2 + px)", () => {
    const layer = embedLayer([2, 2], 1, 8, [0, 0, 0, 0, 0], { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 });
    expect(Array.from(tokenEmbedGolden(layer, tensor([2, 2, 1], 8, [1, 2, 3, 4])).data)).toEqual([0, 1, 2, 3, 4]);
  });

  test("matches the naive reference on random shapes, multipliers, shifts and tables (8/16-bit)", () => {
    fc.assert(
      fc.property(
        fc.record({
          h: fc.integer({ min: 1, max: 4 }),
          w: fc.integer({ min: 1, max: 3 }),
          c: fc.integer({ min: 1, max: 5 }),
          bits: fc.constantFrom(8, 16),
          outBits: fc.constantFrom(8, 16),
          multiplierBits: fc.constantFrom(8, 16, 31),
          shift: fc.integer({ min: 0, max: 40 }),
          mode: fc.constantFrom(...MODES),
          seed: fc.integer({ min: 0, max: 2 ** 30 }),
          tableSpan: fc.constantFrom(10, 200, 2 ** 20, 2 ** 31 - 1),
        }),
        (p) => {
          let s = p.seed;
          const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31);
          const T = p.h * p.w;
          const lo = -(2 ** (p.bits - 1));
          const hi = 2 ** (p.bits - 1) - 1;
          const x = Array.from({ length: T * p.c }, () => (next() < 0.2 ? (next() < 0.5 ? lo : hi) : lo + Math.floor(next() * (hi - lo + 1))));
          const embedding = Array.from({ length: (T + 1) * p.c }, () => Math.round((next() * 2 - 1) * p.tableSpan));
          const multiplier = Math.floor(next() * 2 ** p.multiplierBits);
          const layer = embedLayer([p.h, p.w], p.c, p.bits, embedding, {
            multiplier,
            multiplierBits: p.multiplierBits,
            shift: p.shift,
            rounding: p.mode,
            outBits: p.outBits,
          });
          const y = tokenEmbedGolden(layer, tensor([p.h, p.w, p.c], p.bits, x));
          const ref = embedding.map((e, i) => sat(roundK(i < p.c ? 0n : BigInt(x[i - p.c]) * BigInt(multiplier), p.shift, p.mode) + BigInt(e), p.outBits));
          expect(Array.from(y.data)).toEqual(ref);
          expect(y.bits).toBe(p.outBits);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("token_select", () => {
  test("keeps row `index` of the token sequence", () => {
    const m = parseModel({
      quantrtl: 1,
      name: "s",
      input: { height: 3, width: 1, channels: 2, bits: 16 },
      layers: [{ type: "token_select", name: "s", index: 1 }],
    });
    const y = tokenSelectGolden(m.layers[0] as TokenSelectLayer, tensor([3, 1, 2], 16, [1, 2, -30000, 30000, 5, 6]));
    expect([y.shape, y.bits, Array.from(y.data)]).toEqual([[1, 1, 2], 16, [-30000, 30000]]);
  });

  test("after token_embed, index 0 is the class token: the network returns the table's row 0", () => {
    const m = parseModel({
      quantrtl: 1,
      name: "es",
      input: { height: 2, width: 1, channels: 3, bits: 8 },
      layers: [
        { type: "token_embed", name: "e", embedding: [7, -8, 9, 0, 0, 0, 0, 0, 0], requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 } },
        { type: "token_select", name: "s", index: 0 },
      ],
    });
    const trace = runGolden(m, tensor([2, 1, 3], 8, [1, 2, 3, 4, 5, 6]));
    expect(Array.from(trace.layers[1].data)).toEqual([7, -8, 9]);
  });
});

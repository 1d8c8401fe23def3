/**
 * The banked line buffer of the sliding-window unit (src/hw/units/swu/params.ts):
 * for random geometries and foldings, every lane of every slice finds its window
 * element where the writer put it, each bank is read once per slice, and the bank
 * depth holds every row. The expectation is computed from the layout's definition
 * (element p of running row r in bank (p + r·M) mod SIMD, word (p + r·M mod SIMD)
 * div SIMD of slot r mod BR), not from the unit's tables. The recurrences the RTL
 * uses to step beta and E are covered by the RTL tests (predicted = measured cycles,
 * bit-exact).
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { swuBanking } from "../../../src/hw/units/swu/params.js";
import { convModel, firstConv } from "../../helpers/models.js";
import type { Conv2dLayer } from "../../../src/ir/model.js";

const mod = (a: number, m: number) => ((a % m) + m) % m;

/** Checks every pixel of two frames; returns the first problem, or "" when the layout holds. */
function checkLayout(layer: Conv2dLayer): string {
  const { height: H, width: W, channels: C } = layer.input;
  const [KH, KW] = layer.kernel;
  const [SY, SX] = layer.stride;
  const [PY, PX] = layer.padding;
  const { height: HOUT, width: WOUT } = layer.output;
  const SIMD = layer.arch.simd;
  const K = KH * KW * C;
  const M = KW * C;
  const BR = KH + SY;
  const bank = swuBanking(layer);
  const rho = (r: number) => mod(r * M, SIMD);
  // the writer's placement of element p of running row r
  const place = (r: number, p: number) => ({ bank: (p + rho(r)) % SIMD, word: mod(r, BR) * bank.rowWords + Math.floor((p + rho(r)) / SIMD) });
  for (let r = 0; r < 2 * H; r++) {
    const last = place(r, W * C - 1);
    if (last.word >= (mod(r, BR) + 1) * bank.rowWords) return `row ${r} overflows its slot (${bank.rowWords} words)`;
  }
  for (let frame = 0; frame < 2; frame++) {
    for (let oy = 0; oy < HOUT; oy++) {
      const rTop = frame * H + oy * SY - PY;
      for (let ox = 0; ox < WOUT; ox++) {
        const E = (ox * SX - PX) * C + rho(rTop);
        const beta = mod(E, SIMD);
        bank.slices.forEach((slice, sf) => {
          const lanesSeen = new Set<number>();
          for (let b = 0; b < SIMD; b++) {
            const lane = mod(b - beta, SIMD);
            lanesSeen.add(lane);
            const k = sf * SIMD + lane;
            if (k >= K) continue;
            const ky = Math.floor(k / M);
            const kx = Math.floor(k / C) % KW;
            const ic = k % C;
            if (slice.lanes[lane].ky !== ky || slice.lanes[lane].kx !== kx) throw new Error(`lane table of fold ${sf} lane ${lane}`);
            const iy = oy * SY - PY + ky;
            const ix = ox * SX - PX + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue; // padding: the data is replaced
            const row = slice.rowStarts.filter((s) => s <= lane).length;
            const sr = slice.rows[row];
            if (sr.ky !== ky) return `fold ${sf}: bank ${b} (lane ${lane}) picks row ky=${sr.ky}, needs ${ky}`;
            const slot = mod(rTop + ky, BR);
            const word = slot * bank.rowWords + Math.floor(E / SIMD) + sf - sr.wordOffset - (rho(rTop) >= sr.wrapAt ? 1 : 0) + (b < beta ? 1 : 0);
            const want = place(rTop + ky, ix * C + ic);
            if (want.bank !== b || want.word !== word)
              return `pixel (${oy}, ${ox}) fold ${sf} element ${k}: reads bank ${b} word ${word}, written to bank ${want.bank} word ${want.word}`;
          }
          if (lanesSeen.size !== SIMD) throw new Error("beta is not a rotation");
        });
      }
    }
  }
  return "";
}

describe("banked line buffer", () => {
  test("the default model's shape: 16 banks of 4 slots x 9 words, slices span at most two window rows", () => {
    const layer = firstConv(convModel({ kernel: "adder", bits: 8, height: 16, width: 16, channels: 8, outChannels: 16, pe: 4, simd: 16 }));
    const b = swuBanking(layer);
    // rows rotate by 24 mod 16 = 8: a 128-element row takes 8 words, or 9 when rotated by 8
    expect([b.banks, b.rowWords, b.bankDepth, b.rowsPerSlice]).toEqual([16, 9, 36, 2]);
    // fold 1 holds k = 16..31: ky 0 up to lane 7, ky 1 from lane 8
    expect(b.slices[1].rows.map((r) => r.ky)).toEqual([0, 1]);
    expect(b.slices[1].rowStarts).toEqual([8]);
    expect(checkLayout(layer)).toBe("");
  });

  test("one lane is one bank holding the whole buffer in row order", () => {
    const layer = firstConv(convModel({ kernel: "mac", bits: 8, pe: 1, simd: 1 }));
    const b = swuBanking(layer);
    expect([b.banks, b.rowWords, b.bankDepth, b.rowsPerSlice]).toEqual([1, 7 * 3, 4 * 7 * 3, 1]);
    expect(checkLayout(layer)).toBe("");
  });

  test("every lane of every slice reads its element from its own bank, for any geometry and folding", () => {
    const geometry = fc
      .record({
        height: fc.integer({ min: 1, max: 7 }),
        width: fc.integer({ min: 1, max: 7 }),
        channels: fc.integer({ min: 1, max: 5 }),
        kh: fc.integer({ min: 1, max: 4 }),
        kw: fc.integer({ min: 1, max: 4 }),
        sy: fc.integer({ min: 1, max: 3 }),
        sx: fc.integer({ min: 1, max: 3 }),
        py: fc.integer({ min: 0, max: 2 }),
        px: fc.integer({ min: 0, max: 2 }),
        simdFrac: fc.double({ min: 0, max: 1, noNaN: true }),
      })
      .filter((g) => g.height + 2 * g.py >= g.kh && g.width + 2 * g.px >= g.kw && g.py < g.kh && g.px < g.kw);
    fc.assert(
      fc.property(geometry, (g) => {
        const K = g.kh * g.kw * g.channels;
        const simd = 1 + Math.floor(g.simdFrac * (K - 1));
        const model = convModel({
          kernel: "mac",
          bits: 8,
          height: g.height,
          width: g.width,
          channels: g.channels,
          outChannels: 2,
          kernelSize: [g.kh, g.kw],
          stride: [g.sy, g.sx],
          padding: [g.py, g.px],
          pe: 1,
          simd,
        });
        const problem = checkLayout(firstConv(model));
        if (problem !== "") throw new Error(`${JSON.stringify({ ...g, simd })}: ${problem}`);
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Parameters of the pool reducer, the pooling conv views and the argmax unit
 * (src/hw/units/pool/params.ts, argmax.ts): lane choice, accumulator widths from
 * value ranges (sufficient and minimal), and the degenerate shapes that change
 * the template (one position, one group, ±1 bits).
 */
import { describe, expect, test } from "vitest";
import fc from "fast-check";
import { poolAccBits, poolConvViews, poolLanes, poolReduceParams } from "../../../src/hw/units/pool/params.js";
import { argmaxParams } from "../../../src/hw/units/argmax/params.js";
import { foldCounts } from "../../../src/ir/folding.js";
import { parseModel } from "../../../src/ir/load.js";
import type { ArgmaxLayer, MaxPoolLayer } from "../../../src/ir/model.js";

describe("pool lanes", () => {
  test("all channels up to 16, else the largest divisor ≤ 16", () => {
    expect([1, 3, 16, 17, 18, 20, 32, 48, 49, 97].map(poolLanes)).toEqual([1, 3, 16, 1, 9, 10, 16, 16, 7, 1]);
  });
  test("always divides the channel count and never exceeds 16", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), (c) => c % poolLanes(c) === 0 && poolLanes(c) <= 16));
  });
});

describe("pool accumulator width", () => {
  test("hand-computed: 9 int8 values span [−1152, 1143] (12 bits); 4 int16 values 18 bits; max keeps the input width", () => {
    expect(poolAccBits({ op: "sum", inBits: 8, positions: 9 })).toBe(12);
    expect(poolAccBits({ op: "sum", inBits: 16, positions: 4 })).toBe(18);
    expect(poolAccBits({ op: "sum", inBits: 8, positions: 1 })).toBe(8);
    expect(poolAccBits({ op: "max", inBits: 16, positions: 49 })).toBe(16);
  });
  test("the sum width holds n·min and n·max and is the smallest that does", () => {
    fc.assert(
      fc.property(fc.constantFrom(8, 16), fc.integer({ min: 1, max: 1 << 20 }), (bits, n) => {
        const w = poolAccBits({ op: "sum", inBits: bits, positions: n });
        const lo = -(2n ** BigInt(bits - 1)) * BigInt(n);
        const hi = (2n ** BigInt(bits - 1) - 1n) * BigInt(n);
        const fits = (b: number) => lo >= -(2n ** BigInt(b - 1)) && hi <= 2n ** BigInt(b - 1) - 1n;
        return fits(w) && !fits(w - 1);
      }),
    );
  });
});

describe("pool reducer parameters", () => {
  test("one position has no accumulators; one group shifts nothing; ±1 bits reduce with OR", () => {
    const single = poolReduceParams({ lanes: 4, groups: 1, positions: 1, inBits: 8, op: "max" }, "m");
    expect(single.hasAcc).toBe(false);
    expect(single.hasGroups).toBe(false);
    const oneGroup = poolReduceParams({ lanes: 3, groups: 1, positions: 4, inBits: 8, op: "sum" }, "m");
    expect(oneGroup.shiftExpr).toBe("reduced");
    expect(oneGroup.ext.x).toBe("{ { 2 { x[7] } }, x }");
    const groups = poolReduceParams({ lanes: 2, groups: 3, positions: 4, inBits: 16, op: "max" }, "m");
    expect(groups.hasGroups).toBe(true);
    expect(groups.srW).toBe(3 * 2 * 16);
    expect(groups.shiftExpr).toBe("{ reduced, acc_sr[95:32] }");
    expect(poolReduceParams({ lanes: 5, groups: 1, positions: 4, inBits: 1, op: "max" }, "m").combineExpr).toBe("acc | x_e");
  });

  test("the window unit reads each window once (NF = 1) in P-lane slices; the serializer takes C/P beats of P", () => {
    const model = parseModel({
      quantrtl: 1,
      name: "v",
      input: { height: 7, width: 5, channels: 20, bits: 8 },
      layers: [{ type: "maxpool", name: "p", kernelSize: [3, 2], stride: [2, 1] }],
    });
    const views = poolConvViews(model.layers[0] as MaxPoolLayer);
    expect(views.lanes).toBe(10);
    expect(foldCounts(views.swu)).toMatchObject({ nf: 1, sf: 3 * 2 * 2, simd: 10, lastSimd: 10 });
    expect(foldCounts(views.serializer)).toMatchObject({ pe: 10, nf: 2, lastPe: 10 });
    expect(views.swu.padding).toEqual([0, 0]);
  });
});

describe("argmax parameters", () => {
  const argmax = (channels: number, bits: number) =>
    argmaxParams(
      parseModel({ quantrtl: 1, name: "a", input: { height: 1, width: 1, channels, bits }, layers: [{ type: "argmax", name: "a" }] }).layers[0] as ArgmaxLayer,
      "m",
    );
  test("the index counter covers C − 1 and widens to the output bits; ±1 bits compare unsigned", () => {
    const p = argmax(10, 16);
    expect(p.IW).toBe(4);
    expect(p.lit.idxLast).toBe("4'h9");
    expect(p.ext.winIdx).toBe("{ 4'd0, win_idx }");
    expect(p.greaterExpr).toBe("$signed(in_data) > $signed(best_val)");
    expect(argmax(9, 1).greaterExpr).toBe("in_data > best_val");
    expect(argmax(1, 8).IW).toBe(1);
  });
});

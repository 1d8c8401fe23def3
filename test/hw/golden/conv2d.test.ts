/**
 * Golden conv2d (src/hw/golden/conv2d.ts) for the mac, adder and xnor
 * datapaths — docs/integer-ops.md §2. Hand-computed cases (arithmetic in the
 * comments), then a naive nested-loop reference written here, compared on
 * random shapes with fast-check.
 * Layout: tensors HWC, weights OHWI ([oc][ky][kx][ic]). Padding value: 0 for
 * mac/adder (a padded adder tap contributes −|w|), +1 for xnor.
 */
import { describe, expect, test } from "vitest";
import { firstConv } from "../../helpers/models.js";
import fc from "fast-check";
import { parseModel } from "../../../src/ir/load.js";
import type { Conv2dLayer, IntTensor } from "../../../src/ir/model.js";
import { conv2dAccumulators, conv2dGolden } from "../../../src/hw/golden/conv2d.js";

type Dp = "mac" | "adder" | "xnor";
type Mode = "floor" | "half_up" | "half_away" | "half_even";

interface Spec {
  dp: Dp;
  H: number;
  W: number;
  C: number;
  OC: number;
  kh: number;
  kw: number;
  sy?: number;
  sx?: number;
  py?: number;
  px?: number;
  padValue?: number;
  xBits?: number; // 8 / 16 (1 for xnor)
  wBits?: number;
  weights: number[];
  bias?: number[];
  requant?: { multiplier: number; multiplierBits?: number; shift: number; rounding: Mode; outBits: number; zeroPoint?: number };
  relu?: boolean;
  thresholds?: number[];
  directions?: ("ge" | "le")[];
}

const ID16 = { multiplier: 1, shift: 0, rounding: "floor", outBits: 16 } as const;

/** Builds a one-layer model through the real loader and returns its layer. */
function layerOf(s: Spec): Conv2dLayer {
  const binary = s.dp === "xnor";
  const xBits = binary ? 1 : (s.xBits ?? 8);
  const wBits = binary ? 1 : (s.wBits ?? xBits);
  const raw: Record<string, unknown> = {
    type: "conv2d",
    name: "c0",
    kernel: s.dp,
    outChannels: s.OC,
    kernelSize: [s.kh, s.kw],
    stride: [s.sy ?? 1, s.sx ?? 1],
    padding: [s.py ?? 0, s.px ?? 0],
    weightBits: wBits,
    activationBits: xBits,
    weights: s.weights,
  };
  if (s.bias) raw.bias = s.bias;
  if (s.padValue !== undefined) raw.padValue = s.padValue;
  if (binary) {
    raw.thresholds = s.thresholds ?? new Array(s.OC).fill(0);
    if (s.directions) raw.thresholdDirections = s.directions;
  } else {
    raw.requant = s.requant ?? ID16;
    if (s.relu !== undefined) raw.relu = s.relu;
  }
  const model = parseModel({ quantrtl: 1, name: "t", input: { height: s.H, width: s.W, channels: s.C, bits: xBits }, layers: [raw] });
  return firstConv(model);
}

function tensor(s: Spec, data: number[]): IntTensor {
  return { shape: [s.H, s.W, s.C], bits: s.dp === "xnor" ? 1 : (s.xBits ?? 8), data: Int32Array.from(data) };
}

const accs = (s: Spec, x: number[]): number[] => Array.from(conv2dAccumulators(layerOf(s), Int32Array.from(x)), (v) => v + 0);
const outs = (s: Spec, x: number[]): number[] => Array.from(conv2dGolden(layerOf(s), tensor(s, x)).data);

describe("conv2d golden on hand-computed cases", () => {
  const x2 = [5, -3, 0, 7]; // 2×2×1: x00 = 5, x01 = −3, x10 = 0, x11 = 7
  const w2 = [1, 2, 3, 4]; // 1×2×2×1: w00 = 1, w01 = 2, w10 = 3, w11 = 4

  test("adder conv matches −Σ|x−w| on a hand-computed 2×2 case", () => {
    // −(|5−1| + |−3−2| + |0−3| + |7−4|) = −(4 + 5 + 3 + 3) = −15
    const s: Spec = { dp: "adder", H: 2, W: 2, C: 1, OC: 1, kh: 2, kw: 2, weights: w2 };
    expect(accs(s, x2)).toEqual([-15]);
    const y = conv2dGolden(layerOf(s), tensor(s, x2));
    expect(y.shape).toEqual([1, 1, 1]);
    expect(y.bits).toBe(16);
    expect(Array.from(y.data)).toEqual([-15]);
  });

  test("mac conv matches Σx·w on the same 2×2 case", () => {
    // 5·1 + (−3)·2 + 0·3 + 7·4 = 5 − 6 + 0 + 28 = 27
    const s: Spec = { dp: "mac", H: 2, W: 2, C: 1, OC: 1, kh: 2, kw: 2, weights: w2 };
    expect(accs(s, x2)).toEqual([27]);
    expect(outs(s, x2)).toEqual([27]);
  });

  test("adder with two output channels: each filter is its own OHWI row", () => {
    // oc0 as above: −15. oc1 w = [−1, −2, 5, 0]: −(|5+1| + |−3+2| + |0−5| + |7−0|) = −(6 + 1 + 5 + 7) = −19
    const s: Spec = { dp: "adder", H: 2, W: 2, C: 1, OC: 2, kh: 2, kw: 2, weights: [...w2, -1, -2, 5, 0] };
    expect(accs(s, x2)).toEqual([-15, -19]);
  });

  test("HWC input and OHWI weights with 2 input channels and a 1×2 kernel", () => {
    // input 1×2×2: pixel (0,0) = (1, 2), pixel (0,1) = (3, 4) → data [1, 2, 3, 4]
    // oc0 weights [kx0ic0, kx0ic1, kx1ic0, kx1ic1] = [1, 10, 100, 1000]: 1·1 + 2·10 + 3·100 + 4·1000 = 4321
    // oc1 weights [0, 0, 0, 1]: 4;  oc2 [0, 1, 0, 0]: 2
    const s: Spec = { dp: "mac", H: 1, W: 2, C: 2, OC: 3, kh: 1, kw: 2, xBits: 8, wBits: 16, weights: [1, 10, 100, 1000, 0, 0, 0, 1, 0, 1, 0, 0] };
    expect(accs(s, [1, 2, 3, 4])).toEqual([4321, 4, 2]);
  });

  // 3×3 kernel, padding 1 on a 2×2 input: every window covers all four pixels plus five padded taps.
  // input x = [[1, 2], [3, 4]]; w = [[1, 0, −1], [2, 0, −2], [1, 1, 1]]
  const xp = [1, 2, 3, 4];
  const wp = [1, 0, -1, 2, 0, -2, 1, 1, 1];

  test("adder with padding 1: a padded tap contributes −|w|", () => {
    // out(0,0): row ky0 padded: |w| = 1+0+1 = 2;  ky1: pad |2| + |1−0| + |2+2| = 2+1+4 = 7;  ky2: pad |1| + |3−1| + |4−1| = 1+2+3 = 6 → −15
    // out(0,1): ky0 padded: 2;  ky1: |1−2| + |2−0| + pad |−2| = 1+2+2 = 5;  ky2: |3−1| + |4−1| + pad |1| = 2+3+1 = 6 → −13
    // out(1,0): ky0: pad |1| + |1−0| + |2+1| = 1+1+3 = 5;  ky1: pad |2| + |3−0| + |4+2| = 2+3+6 = 11;  ky2 padded: 3 → −19
    // out(1,1): ky0: |1−1| + |2−0| + pad |−1| = 0+2+1 = 3;  ky1: |3−2| + |4−0| + pad |−2| = 1+4+2 = 7;  ky2 padded: 3 → −13
    const s: Spec = { dp: "adder", H: 2, W: 2, C: 1, OC: 1, kh: 3, kw: 3, py: 1, px: 1, weights: wp };
    expect(accs(s, xp)).toEqual([-15, -13, -19, -13]);
    expect(conv2dGolden(layerOf(s), tensor(s, xp)).shape).toEqual([2, 2, 1]);
  });

  test("mac with padding 1: padded taps contribute 0", () => {
    // out(0,0): x00·w11 + x01·w12 + x10·w21 + x11·w22 = 1·0 + 2·(−2) + 3·1 + 4·1 = 3
    // out(0,1): x00·w10 + x01·w11 + x10·w20 + x11·w21 = 1·2 + 2·0 + 3·1 + 4·1 = 9
    // out(1,0): x00·w01 + x01·w02 + x10·w11 + x11·w12 = 1·0 + 2·(−1) + 3·0 + 4·(−2) = −10
    // out(1,1): x00·w00 + x01·w01 + x10·w10 + x11·w11 = 1·1 + 2·0 + 3·2 + 4·0 = 7
    const s: Spec = { dp: "mac", H: 2, W: 2, C: 1, OC: 1, kh: 3, kw: 3, py: 1, px: 1, weights: wp };
    expect(accs(s, xp)).toEqual([3, 9, -10, 7]);
  });

  test("mac with padding 1 and a pad value: each padded tap contributes pad·w", () => {
    // the padding-1 case above plus pad·(Σ w over the padded taps): out(0,0) row 0 (1+0−1) and column 0 (2+1): 3;
    // out(0,1) row 0 (0) and column 2 (−2+1): −1; out(1,0) row 2 (1+1+1) and column 0 (1+2): 6; out(1,1) row 2 (3), column 2 (−1−2): 0
    const s: Spec = { dp: "mac", H: 2, W: 2, C: 1, OC: 1, kh: 3, kw: 3, py: 1, px: 1, weights: wp, padValue: 5 };
    expect(accs(s, xp)).toEqual([3 + 15, 9 - 5, -10 + 30, 7]);
    expect(accs({ ...s, padValue: -3 }, xp)).toEqual([3 - 9, 9 + 3, -10 - 18, 7]);
    // an explicit pad value 0 is the default: the adder padding case above
    expect(accs({ ...s, dp: "adder", padValue: 0 }, xp)).toEqual([-15, -13, -19, -13]);
  });

  test("a pad value outside the input's range, or on an xnor layer, is refused with its path", () => {
    const s: Spec = { dp: "mac", H: 2, W: 2, C: 1, OC: 1, kh: 3, kw: 3, py: 1, px: 1, weights: wp };
    expect(() => layerOf({ ...s, padValue: 128 })).toThrow(/padValue: 128 is outside the 8-bit input range/);
    expect(() => layerOf({ ...s, padValue: -129 })).toThrow(/padValue/);
    expect(() => layerOf({ ...s, dp: "xnor", weights: wp.map((w) => (w >= 0 ? 1 : -1)), padValue: 1 })).toThrow(/padValue/);
  });

  test("mac with stride 2: 4×4 input, 2×2 kernel → 2×2 output", () => {
    // x(y, x) = 4y + x (0 … 15); w = [[1, −1], [2, 0]]
    // out(oy, ox) = x(2oy, 2ox) − x(2oy, 2ox+1) + 2·x(2oy+1, 2ox)
    // (0,0): 0 − 1 + 2·4 = 7;  (0,1): 2 − 3 + 2·6 = 11;  (1,0): 8 − 9 + 2·12 = 23;  (1,1): 10 − 11 + 2·14 = 27
    const s: Spec = { dp: "mac", H: 4, W: 4, C: 1, OC: 1, kh: 2, kw: 2, sy: 2, sx: 2, weights: [1, -1, 2, 0] };
    const x = Array.from({ length: 16 }, (_, i) => i);
    expect(accs(s, x)).toEqual([7, 11, 23, 27]);
    expect(conv2dGolden(layerOf(s), tensor(s, x)).shape).toEqual([2, 2, 1]);
  });

  test("stride 2 drops the last row and column that do not fit: 5×5 input, 2×2 kernel → 2×2", () => {
    // x(y, x) = 5y + x; w = [[1, 0], [0, 1]]: out(oy, ox) = x(2oy, 2ox) + x(2oy+1, 2ox+1)
    // (0,0): 0 + 6 = 6;  (0,1): 2 + 8 = 10;  (1,0): 10 + 16 = 26;  (1,1): 12 + 18 = 30
    const s: Spec = { dp: "mac", H: 5, W: 5, C: 1, OC: 1, kh: 2, kw: 2, sy: 2, sx: 2, weights: [1, 0, 0, 1] };
    const x = Array.from({ length: 25 }, (_, i) => i);
    expect(accs(s, x)).toEqual([6, 10, 26, 30]);
  });

  test("adder with bias and requant rounding (m = 1, k = 1)", () => {
    // bias 20: 20 − 15 = 5 → 2.5: floor 2, half_up 3, half_away 3, half_even 2
    // bias 10: 10 − 15 = −5 → −2.5: floor −3, half_up −2, half_away −3, half_even −2
    const expected: Record<Mode, [number, number]> = { floor: [2, -3], half_up: [3, -2], half_away: [3, -3], half_even: [2, -2] };
    for (const rounding of ["floor", "half_up", "half_away", "half_even"] as const) {
      for (const [i, bias] of [20, 10].entries()) {
        const s: Spec = {
          dp: "adder",
          H: 2,
          W: 2,
          C: 1,
          OC: 1,
          kh: 2,
          kw: 2,
          weights: w2,
          bias: [bias],
          requant: { multiplier: 1, shift: 1, rounding, outBits: 8 },
        };
        expect(accs(s, x2), `${rounding} bias ${bias}`).toEqual([bias - 15]);
        expect(outs(s, x2), `${rounding} bias ${bias}`).toEqual([expected[rounding][i]]);
      }
    }
  });

  // 1×1 kernel on a 1×1×2 input x = [10, −7], three filters:
  //   [3, 2]: 30 − 14 = 16, bias 1 → 17;  [−4, 1]: −40 − 7 = −47, bias 2 → −45;  [1, 1]: 3, bias −4 → −1
  const s1 = (rounding: Mode, relu: boolean): Spec => ({
    dp: "mac",
    H: 1,
    W: 1,
    C: 2,
    OC: 3,
    kh: 1,
    kw: 1,
    weights: [3, 2, -4, 1, 1, 1],
    bias: [1, 2, -4],
    requant: { multiplier: 2, shift: 2, rounding, outBits: 8 },
    relu,
  });

  test("mac with bias, requant m = 2, k = 2 in every rounding mode", () => {
    // acc·2/4 = acc/2: 8.5, −22.5, −0.5
    expect(accs(s1("floor", false), [10, -7])).toEqual([17, -45, -1]);
    expect(outs(s1("floor", false), [10, -7])).toEqual([8, -23, -1]);
    expect(outs(s1("half_up", false), [10, -7])).toEqual([9, -22, 0]);
    expect(outs(s1("half_away", false), [10, -7])).toEqual([9, -23, -1]);
    expect(outs(s1("half_even", false), [10, -7])).toEqual([8, -22, 0]);
  });

  test("relu clamps negative outputs to the zero point", () => {
    expect(outs(s1("floor", true), [10, -7])).toEqual([8, 0, 0]);
    expect(outs(s1("half_up", true), [10, -7])).toEqual([9, 0, 0]);
    // with zp = 5: floor [8, −23, −1] + 5 = [13, −18, 4] → relu [13, 5, 5]
    const s = s1("floor", true);
    const withZp: Spec = { ...s, requant: { ...s.requant!, zeroPoint: 5 } };
    expect(outs(withZp, [10, -7])).toEqual([13, 5, 5]);
  });

  test("requant saturates to the output bits", () => {
    // acc = 27 · 100 = 2700 (weights ×100 of the 2×2 mac case): m = 1, k = 0 → 8 bits: 127;  negated: −128
    const s: Spec = {
      dp: "mac",
      H: 2,
      W: 2,
      C: 1,
      OC: 2,
      kh: 2,
      kw: 2,
      wBits: 16,
      weights: [100, 200, 300, 400, -100, -200, -300, -400],
      requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 },
    };
    expect(accs(s, x2)).toEqual([2700, -2700]);
    expect(outs(s, x2)).toEqual([127, -128]);
  });

  // xnor: x = [+1, −1, −1, +1]; oc0 w = [+1, +1, −1, −1] → products 1, −1, 1, −1: dot 0 (popcount 2: 2·2 − 4 = 0)
  //                             oc1 w = [+1, −1, −1, +1] → products 1, 1, 1, 1: dot 4 (popcount 4)
  const xb = [1, -1, -1, 1];
  const wb = [1, 1, -1, -1, 1, -1, -1, 1];
  const sx = (thresholds: number[], directions?: ("ge" | "le")[]): Spec => ({
    dp: "xnor",
    H: 2,
    W: 2,
    C: 1,
    OC: 2,
    kh: 2,
    kw: 2,
    weights: wb,
    thresholds,
    directions,
  });

  test("xnor dot = Σ x·w = 2·popcount(xnor) − K on a 2×2 case", () => {
    expect(accs(sx([0, 0]), xb)).toEqual([0, 4]);
  });

  test("xnor threshold ge: dot ≥ τ → +1 else −1 (default direction)", () => {
    expect(outs(sx([1, 4]), xb)).toEqual([-1, 1]); // 0 ≥ 1 no; 4 ≥ 4 yes
    expect(outs(sx([0, 5]), xb)).toEqual([1, -1]); // 0 ≥ 0 yes; 4 ≥ 5 no
    expect(outs(sx([1, 4], ["ge", "ge"]), xb)).toEqual([-1, 1]);
    const y = conv2dGolden(layerOf(sx([0, 0])), tensor(sx([0, 0]), xb));
    expect(y.shape).toEqual([1, 1, 2]);
    expect(y.bits).toBe(1);
  });

  test("xnor threshold le: dot ≤ τ → +1 else −1, per output channel", () => {
    expect(outs(sx([0, 3], ["le", "le"]), xb)).toEqual([1, -1]); // 0 ≤ 0 yes; 4 ≤ 3 no
    expect(outs(sx([-1, 4], ["le", "le"]), xb)).toEqual([-1, 1]); // 0 ≤ −1 no; 4 ≤ 4 yes
    expect(outs(sx([-1, 5], ["le", "ge"]), xb)).toEqual([-1, -1]); // 0 ≤ −1 no; 4 ≥ 5 no
    expect(outs(sx([0, 4], ["ge", "le"]), xb)).toEqual([1, 1]); // 0 ≥ 0; 4 ≤ 4
  });

  test("xnor with padding 1 pads with +1", () => {
    // x = [[+1, −1], [−1, −1]];  w = [[1, −1, 1], [−1, 1, −1], [1, 1, −1]]
    // out(0,0): inside x00·w11 + x01·w12 + x10·w21 + x11·w22 = 1 + 1 − 1 + 1 = 2; padded w00+w01+w02+w10+w20 = 1 − 1 + 1 − 1 + 1 = 1 → 3
    // out(0,1): inside x00·w10 + x01·w11 + x10·w20 + x11·w21 = −1 − 1 − 1 − 1 = −4; padded w00+w01+w02+w12+w22 = 1 − 1 + 1 − 1 − 1 = −1 → −5
    // out(1,0): inside x00·w01 + x01·w02 + x10·w11 + x11·w12 = −1 − 1 − 1 + 1 = −2; padded w00+w10+w20+w21+w22 = 1 − 1 + 1 + 1 − 1 = 1 → −1
    // out(1,1): inside x00·w00 + x01·w01 + x10·w10 + x11·w11 = 1 + 1 + 1 − 1 = 2; padded w02+w12+w20+w21+w22 = 1 − 1 + 1 + 1 − 1 = 1 → 3
    const s: Spec = { dp: "xnor", H: 2, W: 2, C: 1, OC: 1, kh: 3, kw: 3, py: 1, px: 1, weights: [1, -1, 1, -1, 1, -1, 1, 1, -1], thresholds: [0] };
    const x = [1, -1, -1, -1];
    expect(accs(s, x)).toEqual([3, -5, -1, 3]);
    expect(outs(s, x)).toEqual([1, -1, -1, 1]);
  });
});

// ---------------------------------------------------------------------------
// Naive reference: direct nested loops over a 4-D index function.

interface Case {
  dp: Dp;
  H: number;
  W: number;
  C: number;
  OC: number;
  kh: number;
  kw: number;
  sy: number;
  sx: number;
  py: number;
  px: number;
  padValue?: number;
  xBits: number;
  wBits: number;
  input: number[];
  weights: number[];
  bias?: number[];
  requant?: { multiplier: number; multiplierBits: number; shift: number; rounding: Mode; outBits: number; zeroPoint: number };
  relu: boolean;
  thresholds: number[];
  directions?: ("ge" | "le")[];
}

function naiveConv(c: Case): { OH: number; OW: number; acc: number[] } {
  const X = (y: number, x: number, ch: number) => c.input[(y * c.W + x) * c.C + ch];
  const Wt = (o: number, ky: number, kx: number, ch: number) => c.weights[((o * c.kh + ky) * c.kw + kx) * c.C + ch];
  let OH = 0;
  while (OH * c.sy + c.kh <= c.H + 2 * c.py) OH++;
  let OW = 0;
  while (OW * c.sx + c.kw <= c.W + 2 * c.px) OW++;
  const acc: number[] = [];
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      for (let o = 0; o < c.OC; o++) {
        let s = 0;
        for (let ky = 0; ky < c.kh; ky++) {
          for (let kx = 0; kx < c.kw; kx++) {
            for (let ch = 0; ch < c.C; ch++) {
              const y = oy * c.sy + ky - c.py;
              const x = ox * c.sx + kx - c.px;
              const inside = y >= 0 && y < c.H && x >= 0 && x < c.W;
              const xv = inside ? X(y, x, ch) : c.dp === "xnor" ? 1 : (c.padValue ?? 0);
              const wv = Wt(o, ky, kx, ch);
              s += c.dp === "adder" ? -Math.abs(xv - wv) : xv * wv; // xnor: ±1 product
            }
          }
        }
        acc.push(s + (c.bias ? c.bias[o] : 0));
      }
    }
  }
  return { OH, OW, acc };
}

function refRound(v: bigint, k: number, mode: Mode): bigint {
  const p = 1n << BigInt(k);
  const r = ((v % p) + p) % p;
  const q = (v - r) / p;
  if (mode === "floor" || 2n * r < p) return q;
  if (2n * r > p) return q + 1n;
  if (mode === "half_up") return q + 1n;
  if (mode === "half_away") return v > 0n ? q + 1n : q;
  return q % 2n === 0n ? q : q + 1n;
}

function naiveOutput(c: Case, acc: number[]): number[] {
  return acc.map((a, i) => {
    if (c.dp === "xnor") {
      const o = i % c.OC;
      const dir = c.directions ? c.directions[o] : "ge";
      return (dir === "ge" ? a >= c.thresholds[o] : a <= c.thresholds[o]) ? 1 : -1;
    }
    const rq = c.requant!;
    const lo = -(2 ** (rq.outBits - 1));
    const hi = 2 ** (rq.outBits - 1) - 1;
    let y = Number(refRound(BigInt(a) * BigInt(rq.multiplier), rq.shift, rq.rounding)) + rq.zeroPoint;
    y = Math.min(hi, Math.max(lo, y));
    return (c.relu ? Math.max(y, rq.zeroPoint) : y) + 0; // + 0 turns a −0 into 0, as Int32Array does
  });
}

const shapeArb = (dp: Dp) =>
  fc
    .record({
      dp: fc.constant(dp),
      H: fc.integer({ min: 1, max: 7 }),
      W: fc.integer({ min: 1, max: 7 }),
      C: fc.integer({ min: 1, max: 4 }),
      OC: fc.integer({ min: 1, max: 5 }),
      kh: fc.integer({ min: 1, max: 3 }),
      kw: fc.integer({ min: 1, max: 3 }),
      sy: fc.integer({ min: 1, max: 3 }),
      sx: fc.integer({ min: 1, max: 3 }),
      pyRaw: fc.integer({ min: 0, max: 2 }),
      pxRaw: fc.integer({ min: 0, max: 2 }),
      xBitsRaw: fc.constantFrom(8, 16),
      wBitsRaw: fc.constantFrom(8, 16),
    })
    .map(({ pyRaw, pxRaw, xBitsRaw, wBitsRaw, ...s }) => ({
      ...s,
      py: pyRaw % s.kh, // padding < kernel
      px: pxRaw % s.kw,
      xBits: s.dp === "xnor" ? 1 : xBitsRaw,
      wBits: s.dp === "xnor" ? 1 : s.dp === "adder" ? xBitsRaw : wBitsRaw, // adder: one shared width
    }))
    .filter((s) => s.kh <= s.H + 2 * s.py && s.kw <= s.W + 2 * s.px);

const valueArb = (bits: number) => (bits === 1 ? fc.constantFrom(-1, 1) : fc.integer({ min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 }));
const arrayOf = <T>(arb: fc.Arbitrary<T>, n: number) => fc.array(arb, { minLength: n, maxLength: n });

const caseArb = (dp: Dp): fc.Arbitrary<Case> =>
  shapeArb(dp).chain((s) => {
    const K = s.kh * s.kw * s.C;
    const binary = s.dp === "xnor";
    return fc
      .record({
        input: arrayOf(valueArb(s.xBits), s.H * s.W * s.C),
        weights: arrayOf(valueArb(s.wBits), s.OC * K),
        bias: binary ? fc.constant(undefined) : fc.option(arrayOf(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), s.OC), { nil: undefined }),
        multiplierBits: fc.constantFrom(16, 32),
        mFrac: fc.double({ min: 0, max: 1, noNaN: true }),
        shift: fc.oneof(fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 62 })),
        rounding: fc.constantFrom<Mode>("floor", "half_up", "half_away", "half_even"),
        outBits: fc.constantFrom(8, 16),
        zpFrac: fc.double({ min: -1, max: 1, noNaN: true }),
        relu: fc.boolean(),
        thresholds: arrayOf(fc.integer({ min: -K - 2, max: K + 2 }), s.OC),
        directions: fc.option(arrayOf(fc.constantFrom<"ge" | "le">("ge", "le"), s.OC), { nil: undefined }),
      })
      .map((r): Case => {
        const mMax = 2 ** r.multiplierBits - 1;
        const half = 2 ** (r.outBits - 1);
        return {
          ...s,
          input: r.input,
          weights: r.weights,
          bias: r.bias,
          requant: binary
            ? undefined
            : {
                multiplier: Math.min(mMax, Math.floor(r.mFrac * (mMax + 1))),
                multiplierBits: r.multiplierBits,
                shift: r.shift,
                rounding: r.rounding,
                outBits: r.outBits,
                zeroPoint: Math.max(-half, Math.min(half - 1, Math.round(r.zpFrac * half))) + 0, // + 0: no −0 in the IR
              },
          relu: binary ? false : r.relu,
          thresholds: r.thresholds,
          directions: binary ? r.directions : undefined,
        };
      });
  });

function layerOfCase(c: Case): Conv2dLayer {
  return layerOf({ ...c, relu: c.dp === "xnor" ? undefined : c.relu });
}

describe("conv2d golden equals a naive nested-loop reference (property)", () => {
  test("the naive reference reproduces the hand-computed adder padding case", () => {
    const c: Case = {
      dp: "adder",
      H: 2,
      W: 2,
      C: 1,
      OC: 1,
      kh: 3,
      kw: 3,
      sy: 1,
      sx: 1,
      py: 1,
      px: 1,
      xBits: 8,
      wBits: 8,
      input: [1, 2, 3, 4],
      weights: [1, 0, -1, 2, 0, -2, 1, 1, 1],
      relu: false,
      thresholds: [0],
    };
    expect(naiveConv(c)).toEqual({ OH: 2, OW: 2, acc: [-15, -13, -19, -13] });
  });

  for (const dp of ["mac", "adder", "xnor"] as const) {
    test(`${dp}: conv2dAccumulators and conv2dGolden equal the reference on random shapes`, () => {
      fc.assert(
        fc.property(caseArb(dp), (c) => {
          const layer = layerOfCase(c);
          const ref = naiveConv(c);
          expect([layer.output.height, layer.output.width, layer.output.channels]).toEqual([ref.OH, ref.OW, c.OC]);
          const acc = conv2dAccumulators(layer, Int32Array.from(c.input));
          expect(Array.from(acc, (v) => v + 0)).toEqual(ref.acc.map((v) => v + 0));
          const y = conv2dGolden(layer, { shape: [c.H, c.W, c.C], bits: c.xBits, data: Int32Array.from(c.input) });
          expect(y.shape).toEqual([ref.OH, ref.OW, c.OC]);
          expect(Array.from(y.data)).toEqual(naiveOutput(c, ref.acc));
        }),
        { numRuns: 250 },
      );
    });
  }

  for (const dp of ["mac", "adder"] as const) {
    test(`${dp} with a pad value: conv2dAccumulators equal the reference on random shapes`, () => {
      const withPad = caseArb(dp).chain((c) => valueArb(c.xBits).map((padValue): Case => ({ ...c, padValue })));
      fc.assert(
        fc.property(withPad, (c) => {
          const acc = conv2dAccumulators(layerOfCase(c), Int32Array.from(c.input));
          expect(Array.from(acc, (v) => v + 0)).toEqual(naiveConv(c).acc.map((v) => v + 0));
        }),
        { numRuns: 150 },
      );
    });
  }

  test("xnor: the ±1 dot product equals 2·popcount(xnor) − K on random vectors", () => {
    // an independent check of the identity the golden model relies on, with bits 1 ↔ +1, 0 ↔ −1
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(-1, 1), fc.constantFrom(-1, 1)), { minLength: 1, maxLength: 64 }), (pairs) => {
        const dot = pairs.reduce((s, [x, w]) => s + x * w, 0);
        const popcount = pairs.filter(([x, w]) => (x > 0 ? 1 : 0) === (w > 0 ? 1 : 0)).length;
        expect(dot).toBe(2 * popcount - pairs.length);
        const s: Spec = { dp: "xnor", H: 1, W: 1, C: pairs.length, OC: 1, kh: 1, kw: 1, weights: pairs.map(([, w]) => w) };
        expect(
          accs(
            s,
            pairs.map(([x]) => x),
          ),
        ).toEqual([dot]);
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * Post-training quantization of a float conv layer (src/frontend/quantize.ts) —
 * docs/integer-ops.md §1 (requant (m, k)) and §2 (adder: ONE shared scale
 * s = max(max|W|, clip_X) / (2^(b−1) − 1); mac: s_x = clip_X / (2^(b−1) − 1),
 * s_w = max|W| / (2^(b−1) − 1), accumulator on s_x·s_w).
 * Every expected scale, integer weight, bias and (m, k) property is computed
 * here by hand from the float inputs; multiplierFromRatio is not called.
 * The end-to-end check (quantize → parseModel → conv2dGolden vs floatConv2d)
 * is the only place with a tolerance, and that tolerance is derived per element.
 */
import { describe, expect, test } from "vitest";
import { quantizeConv, quantizeTensor } from "../../src/frontend/quantize.js";
import type { Calibration, QuantizeOptions } from "../../src/frontend/quantize.js";
import { floatConv2d } from "../../src/frontend/float/conv2d.js";
import type { FloatConvSpec } from "../../src/frontend/float/conv2d.js";
import { parseModel } from "../../src/ir/load.js";
import type { Conv2dLayer } from "../../src/ir/model.js";
import { conv2dGolden } from "../../src/hw/golden/conv2d.js";
import { QuantrtlError } from "../../src/util/errors.js";

// ---------------------------------------------------------------- helpers (independent of src/)

/** Deterministic PRNG (mulberry32), uniform in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function uniform(n: number, lo: number, hi: number, next: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}

const qmaxOf = (bits: number): number => 2 ** (bits - 1) - 1;

/** Nearest integer, ties to even (random data never hits a tie, see the tie test below). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function sat(v: number, bits: number): number {
  const hi = qmaxOf(bits);
  const lo = -(2 ** (bits - 1));
  return v > hi ? hi : v < lo ? lo : v;
}

/** −0 and 0 are the same integer. */
const ints = (a: ArrayLike<number>): number[] => Array.from(a, (v) => (v === 0 ? 0 : v));

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * The §1 rule for (m, k) from r, checked by its defining property:
 * m = round(r·2^k) < 2^mBits, and k is the largest such shift — either k = 62
 * (the documented cap) or round(r·2^(k+1)) ≥ 2^mBits. round(r·2^k) is
 * non-decreasing in k, so "not k+1" means "no larger k". Scaling by 2^k is exact.
 */
function expectDyadic(rq: { multiplier: number; shift: number; multiplierBits: number }, r: number, mBits: number): void {
  const { multiplier: m, shift: k } = rq;
  expect(rq.multiplierBits).toBe(mBits);
  expect(Number.isInteger(m) && Number.isInteger(k)).toBe(true);
  expect(k).toBeGreaterThanOrEqual(0);
  expect(k).toBeLessThanOrEqual(62);
  expect(m).toBe(Math.round(r * 2 ** k));
  expect(m).toBeLessThan(2 ** mBits);
  if (k < 62) expect(Math.round(r * 2 ** (k + 1))).toBeGreaterThanOrEqual(2 ** mBits);
  // consequence worth stating: the multiplier uses its full width (top bit set) when r·2^62 is large enough
  if (k < 62) expect(m).toBeGreaterThanOrEqual(2 ** (mBits - 1));
}

interface Shape {
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
}

function spec(datapath: "mac" | "adder", s: Shape, weights: Float64Array, bias?: Float64Array): FloatConvSpec {
  return {
    datapath,
    input: { height: s.H, width: s.W, channels: s.C },
    outChannels: s.OC,
    kernel: [s.kh, s.kw],
    stride: [s.sy, s.sx],
    padding: [s.py, s.px],
    weights,
    ...(bias ? { bias } : {}),
  };
}

const SMALL: Shape = { H: 5, W: 6, C: 3, OC: 4, kh: 3, kw: 3, sy: 1, sx: 1, py: 1, px: 1 };
const K_SMALL = SMALL.kh * SMALL.kw * SMALL.C; // 27

function doc(name: string, s: Shape, bits: number, layer: Record<string, unknown>): unknown {
  return { quantrtl: 1, name, input: { height: s.H, width: s.W, channels: s.C, bits }, layers: [layer] };
}

// ---------------------------------------------------------------- 1. adder

describe("quantizeConv, adder: one shared scale (§2)", () => {
  const cases = [
    // weights dominate: max|W| = 2 > clip 1 → s = 2 / 127
    { label: "weights dominate", wRange: 1.5, wPeak: -2, clip: 1, outClip: 40, expectedMax: 2 },
    // activations dominate: max|W| = 0.5 < clip 3 → s = 3 / 127
    { label: "activations dominate", wRange: 0.4, wPeak: 0.5, clip: 3, outClip: 90, expectedMax: 3 },
  ];
  for (const c of cases) {
    test(`${c.label}: s = max(max|W|, clip) / 127; weights, bias, requant on s`, () => {
      const next = prng(11);
      const weights = uniform(SMALL.OC * K_SMALL, -c.wRange, c.wRange, next);
      weights[5] = c.wPeak; // pins max|W|
      const bias = Float64Array.from([0.3, -1.7, 2.45, -0.01]);
      const q = quantizeConv(spec("adder", SMALL, weights, bias), { inputClip: c.clip, outputClip: c.outClip }, { name: "a0", bits: 8, outBits: 8 });

      // the scale, by hand: max(max|W|, clip) / (2^7 − 1)
      expect(Math.max(maxAbs(weights), c.clip)).toBe(c.expectedMax);
      const s = c.expectedMax / 127;
      expect(q.scales.shared).toBe(s);
      expect(q.scales.input).toBe(s);
      expect(q.scales.weight).toBe(s);
      expect(q.scales.accumulator).toBe(s);
      const sOut = c.outClip / 127;
      expect(q.scales.output).toBe(sOut);
      expect(q.layer.scales).toEqual({ input: s, weight: s, output: sOut, shared: s });

      // integer weights: round(w / s), saturated to 8 bits
      const wq = ints(q.layer.weights as number[]);
      expect(wq).toEqual(Array.from(weights, (w) => sat(roundHalfEven(w / s), 8)));
      expect(Math.max(...wq.map(Math.abs))).toBeLessThanOrEqual(127);
      if (c.label === "weights dominate") expect(wq[5]).toBe(-127); // the largest weight lands on the full range

      // bias on the accumulator scale = s
      expect(ints(q.layer.bias as number[])).toEqual(Array.from(bias, (b) => roundHalfEven(b / s)));

      // requant: r = s / s_out
      const rq = q.layer.requant as { multiplier: number; multiplierBits: number; shift: number; rounding: string; outBits: number; zeroPoint: number };
      expectDyadic(rq, s / sOut, 16);
      expect(rq.rounding).toBe("half_even");
      expect(rq.outBits).toBe(8);
      expect(rq.zeroPoint).toBe(0);

      expect(q.layer).toMatchObject({
        type: "conv2d",
        name: "a0",
        datapath: "adder",
        outChannels: 4,
        kernelSize: [3, 3],
        stride: [1, 1],
        padding: [1, 1],
        weightBits: 8,
        activationBits: 8,
      });
      expect(q.layer.relu).toBeUndefined();
    });
  }

  test("int16, options carried through: multiplierBits 12, rounding, outBits 8, relu", () => {
    const next = prng(5);
    const weights = uniform(SMALL.OC * K_SMALL, -0.9, 0.9, next);
    const clip = 1.25;
    const q = quantizeConv(
      spec("adder", SMALL, weights),
      { inputClip: clip, outputClip: 55 },
      { name: "a16", bits: 16, outBits: 8, multiplierBits: 12, rounding: "floor", relu: true },
    );
    const s = Math.max(maxAbs(weights), clip) / 32767;
    expect(q.scales.shared).toBe(s);
    expect(q.scales.input).toBe(s);
    expect(q.scales.weight).toBe(s);
    expect(ints(q.layer.weights as number[])).toEqual(Array.from(weights, (w) => sat(roundHalfEven(w / s), 16)));
    expect(q.layer.bias).toBeUndefined();
    const rq = q.layer.requant as { multiplier: number; multiplierBits: number; shift: number; rounding: string; outBits: number };
    expectDyadic(rq, s / (55 / 127), 12);
    expect(rq.rounding).toBe("floor");
    expect(rq.outBits).toBe(8);
    expect(q.layer.relu).toBe(true);
    expect(q.layer.weightBits).toBe(16);
    expect(q.layer.activationBits).toBe(16);
  });
});

// ---------------------------------------------------------------- 2. mac

describe("quantizeConv, mac: per-tensor scales (§2)", () => {
  test("s_x = clip/127, s_w = max|W|/127, accumulator s_x·s_w, bias on s_x·s_w", () => {
    const next = prng(23);
    const weights = uniform(SMALL.OC * K_SMALL, -0.6, 0.6, next);
    weights[17] = 0.75; // pins max|W|
    const bias = Float64Array.from([0.12, -0.5, 0.0031, 1.9]);
    const clip = 2.5;
    const outClip = 6;
    const q = quantizeConv(spec("mac", SMALL, weights, bias), { inputClip: clip, outputClip: outClip }, { name: "m0", bits: 8, outBits: 8 });

    const sx = 2.5 / 127;
    const sw = 0.75 / 127;
    const sAcc = sx * sw;
    const sOut = outClip / 127;
    expect(maxAbs(weights)).toBe(0.75);
    expect(q.scales.input).toBe(sx);
    expect(q.scales.weight).toBe(sw);
    expect(q.scales.input).not.toBe(q.scales.weight);
    expect(q.scales.accumulator).toBe(sAcc);
    expect(q.scales.output).toBe(sOut);
    expect(q.scales.shared).toBeUndefined();
    expect(q.layer.scales).toEqual({ input: sx, weight: sw, output: sOut }); // no "shared" key for mac

    const wq = ints(q.layer.weights as number[]);
    expect(wq).toEqual(Array.from(weights, (w) => sat(roundHalfEven(w / sw), 8)));
    expect(wq[17]).toBe(127);
    expect(ints(q.layer.bias as number[])).toEqual(Array.from(bias, (b) => roundHalfEven(b / sAcc)));
    // e.g. bias 1.9 → 1.9 / (2.5·0.75/127²) = 1.9·16129/1.875 = 16344.05… → 16344
    expect((q.layer.bias as number[])[3]).toBe(16344);

    expectDyadic(q.layer.requant as { multiplier: number; multiplierBits: number; shift: number }, sAcc / sOut, 16);
    expect(q.layer.datapath).toBe("mac");
  });

  test("int16 in, int16 out: scales on 32767", () => {
    const next = prng(29);
    const weights = uniform(SMALL.OC * K_SMALL, -0.3, 0.3, next);
    const q = quantizeConv(spec("mac", SMALL, weights), { inputClip: 4, outputClip: 3 }, { name: "m16", bits: 16, outBits: 16 });
    const sx = 4 / 32767;
    const sw = maxAbs(weights) / 32767;
    expect(q.scales.input).toBe(sx);
    expect(q.scales.weight).toBe(sw);
    expect(q.scales.accumulator).toBe(sx * sw);
    expect(q.scales.output).toBe(3 / 32767);
    expect(ints(q.layer.weights as number[])).toEqual(Array.from(weights, (w) => sat(roundHalfEven(w / sw), 16)));
    expectDyadic(q.layer.requant as { multiplier: number; multiplierBits: number; shift: number }, (sx * sw) / (3 / 32767), 16);
  });
});

// ---------------------------------------------------------------- 3. end to end: integer model ≈ float conv

/**
 * Tolerance, derived per output element (no saturation of inputs or weights:
 * clip_X = max|x| of the very input used, and |w/s_w| ≤ 2^(b−1) − 1 by the choice of s_w).
 * Write x = s_x·x_q + e_x, w = s_w·w_q + e_w, b = s_acc·b_q + e_b with
 * |e_x| ≤ s_x/2, |e_w| ≤ s_w/2, |e_b| ≤ s_acc/2 (round to nearest).
 *
 * mac:   x·w − s_x s_w x_q w_q = x·e_w + w·e_x − e_x·e_w, so
 *        |s_acc·acc − y| ≤ s_acc/2 + Σ_K (|x|·s_w/2 + |w|·s_x/2 + s_x·s_w/4).
 *        (Padded taps: x = 0 exactly, both sides contribute 0.)
 * adder: s = s_x = s_w = s_acc; ||x − w| − s·|x_q − w_q|| ≤ |e_x| + |e_w| ≤ s, so
 *        |s·acc − y| ≤ s/2 + K·s.  (Padded taps: x = 0 exactly, error ≤ |e_w| ≤ s/2 — covered.)
 * requant: out = sat(round_k(acc·m)); |m − r·2^k| ≤ 1/2 gives |m/2^k − r| ≤ 2^−(k+1), and
 *        rounding adds ≤ 1/2 output step, so |s_out·out − s_acc·acc| ≤ s_out/2 + s_out·|acc|·2^−(k+1).
 *        Saturation never increases the error: |y| ≤ outputClip = s_out·(2^(bo−1) − 1), so clamping
 *        moves the value towards y/s_out.
 * Sum of the two, plus 1e-9 relative slack for the float reference's own rounding (~1e-15).
 * The scales in the bound are computed here from the formulas (not read from quantizeConv),
 * so a wrong scale cannot loosen the bound; as a non-vacuity check we also require an SQNR of
 * > 25 dB (int8) / > 60 dB (int16): for int8 the output step alone gives roughly 6·8 dB minus the
 * crest factor of the outputs, and for int16 every term above is ~2^8 times smaller.
 */
describe("quantizeConv → parseModel → conv2dGolden ≈ floatConv2d", () => {
  const shapes: { label: string; s: Shape }[] = [
    { label: "3x3 pad 1", s: SMALL },
    { label: "3x2 stride 2, pad (1,0)", s: { H: 7, W: 6, C: 2, OC: 3, kh: 3, kw: 2, sy: 2, sx: 2, py: 1, px: 0 } },
  ];
  const configs = [
    { datapath: "mac" as const, bits: 8 as const, minDb: 25 },
    { datapath: "mac" as const, bits: 16 as const, minDb: 60 },
    { datapath: "adder" as const, bits: 8 as const, minDb: 25 },
    { datapath: "adder" as const, bits: 16 as const, minDb: 60 },
  ];
  let seed = 100;
  for (const { label, s } of shapes) {
    for (const cfg of configs) {
      const mySeed = seed++;
      test(`${cfg.datapath} int${cfg.bits}, ${label}`, () => {
        const next = prng(mySeed);
        const K = s.kh * s.kw * s.C;
        const weights = uniform(s.OC * K, -0.8, 0.8, next);
        const bias = uniform(s.OC, -0.5, 0.5, next);
        const x = uniform(s.H * s.W * s.C, -1.5, 1.5, next);
        const fspec = spec(cfg.datapath, s, weights, bias);
        const yf = floatConv2d(fspec, x);
        const calib: Calibration = { inputClip: maxAbs(x), outputClip: maxAbs(yf.data) };
        const opts: QuantizeOptions = { name: "conv0", bits: cfg.bits, outBits: cfg.bits };
        const q = quantizeConv(fspec, calib, opts);

        const model = parseModel(doc(`e2e-${cfg.datapath}`, s, cfg.bits, q.layer));
        const layer = model.layers[0] as Conv2dLayer;
        expect(layer.output.height).toBe(yf.height);
        expect(layer.output.width).toBe(yf.width);
        expect(layer.scales).toEqual(q.layer.scales);

        const xq = quantizeTensor(x, q.scales.input, cfg.bits);
        const out = conv2dGolden(layer, { shape: [s.H, s.W, s.C], bits: cfg.bits, data: xq });
        expect(out.data.length).toBe(yf.data.length);

        // scales by hand (§2), for the bound
        const qmax = qmaxOf(cfg.bits);
        const maxW = maxAbs(weights);
        const sx = cfg.datapath === "adder" ? Math.max(maxW, calib.inputClip) / qmax : calib.inputClip / qmax;
        const sw = cfg.datapath === "adder" ? sx : maxW / qmax;
        const sAcc = cfg.datapath === "adder" ? sx : sx * sw;
        const sOut = calib.outputClip / qmax;
        expect(q.scales.input).toBe(sx);
        expect(q.scales.output).toBe(sOut);
        const k = (q.layer.requant as { shift: number }).shift;

        let sig = 0;
        let noise = 0;
        for (let oy = 0; oy < yf.height; oy++)
          for (let ox = 0; ox < yf.width; ox++)
            for (let oc = 0; oc < s.OC; oc++) {
              const i = (oy * yf.width + ox) * s.OC + oc;
              let convErr = sAcc / 2; // bias rounding
              for (let ky = 0; ky < s.kh; ky++)
                for (let kx = 0; kx < s.kw; kx++) {
                  const iy = oy * s.sy - s.py + ky;
                  const ix = ox * s.sx - s.px + kx;
                  const inside = iy >= 0 && iy < s.H && ix >= 0 && ix < s.W;
                  for (let ic = 0; ic < s.C; ic++) {
                    const xv = inside ? Math.abs(x[(iy * s.W + ix) * s.C + ic]) : 0;
                    const wv = Math.abs(weights[oc * K + (ky * s.kw + kx) * s.C + ic]);
                    convErr += cfg.datapath === "mac" ? (xv * sw) / 2 + (wv * sx) / 2 + (sx * sw) / 4 : sx;
                  }
                }
              // |acc| ≤ (|y| + convErr) / s_acc
              const accBound = (Math.abs(yf.data[i]) + convErr) / sAcc;
              const bound = convErr + sOut / 2 + sOut * accBound * 2 ** -(k + 1);
              const err = Math.abs(out.data[i] * q.scales.output - yf.data[i]);
              expect(err, `output ${i}: int ${out.data[i]}, float ${yf.data[i]}`).toBeLessThanOrEqual(bound * (1 + 1e-9) + 1e-12);
              sig += yf.data[i] ** 2;
              noise += (out.data[i] * q.scales.output - yf.data[i]) ** 2;
            }
        const sqnrDb = 10 * Math.log10(sig / noise);
        expect(sqnrDb).toBeGreaterThan(cfg.minDb);
      });
    }
  }
});

// ---------------------------------------------------------------- quantizeTensor

describe("quantizeTensor", () => {
  test("round(x / s), saturated to b bits", () => {
    const x = Float64Array.from([0, 0.26, -0.26, 1.0, -1.0, 5, -5, 0.013]);
    // s = 1/100: 26, −26, 100, −100, 500 → 127, −500 → −128, 1.3 → 1
    expect(ints(quantizeTensor(x, 0.01, 8))).toEqual([0, 26, -26, 100, -100, 127, -128, 1]);
    expect(ints(quantizeTensor(x, 0.01, 16))).toEqual([0, 26, -26, 100, -100, 500, -500, 1]);
  });

  test("ties round to even, as documented (2.5 → 2, −2.5 → −2, 3.5 → 4, −0.5 → 0)", () => {
    const x = Float64Array.from([2.5, -2.5, 3.5, -0.5, 0.5]);
    expect(ints(quantizeTensor(x, 1, 8))).toEqual([2, -2, 4, 0, 0]);
  });
});

// ---------------------------------------------------------------- 4. errors

describe("quantizeConv: invalid calibration ranges", () => {
  const next = prng(3);
  const weights = uniform(SMALL.OC * K_SMALL, -0.5, 0.5, next);
  const opts: QuantizeOptions = { name: "bad", bits: 8, outBits: 8 };
  const bad = (datapath: "mac" | "adder", calib: Calibration) => () => quantizeConv(spec(datapath, SMALL, weights), calib, opts);

  for (const datapath of ["mac", "adder"] as const) {
    for (const outputClip of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      test(`${datapath}: outputClip ${outputClip} → QuantrtlError`, () => {
        expect(bad(datapath, { inputClip: 1, outputClip })).toThrow(QuantrtlError);
      });
    }
    test(`${datapath}: inputClip NaN → QuantrtlError`, () => {
      expect(bad(datapath, { inputClip: Number.NaN, outputClip: 1 })).toThrow(QuantrtlError);
    });
  }

  for (const inputClip of [0, -1]) {
    // checked before the datapath split: for the adder, max(max|W|, clip) would otherwise hide it
    for (const datapath of ["mac", "adder"] as const) {
      test(`${datapath}: inputClip ${inputClip} → QuantrtlError naming calibration.inputClip`, () => {
        expect(bad(datapath, { inputClip, outputClip: 1 })).toThrow(QuantrtlError);
        try {
          bad(datapath, { inputClip, outputClip: 1 })();
        } catch (e) {
          expect((e as QuantrtlError).path).toBe("calibration.inputClip");
        }
      });
    }
  }
});

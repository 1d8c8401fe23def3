/**
 * AdderNet layers (src/frontend/float/adder-layers.ts): the forward −Σ|x − w|
 * against naive loops written here, and the training gradients of
 * arXiv 1912.13200 — ∂Y/∂W = X − W (eq. 5), ∂Y/∂X = HardTanh(W − X) (eq. 6),
 * adaptive scaling η·√k/‖ΔW‖₂ (eq. 13) — against numbers worked out by hand.
 */
import { beforeAll, describe, expect, test } from "vitest";
import type * as tfType from "@tensorflow/tfjs";
import { AdderConv2D, AdderDense, adderConv2d, adderMatMul, scaleAdderGradient } from "../../../src/frontend/float/adder-layers.js";
import { initTf } from "../../../src/frontend/float/tfjs.js";
import { rng } from "../../../src/ir/inputs.js";

let tf: typeof tfType;
beforeAll(async () => {
  tf = await initTf();
});

function randoms(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = rng(seed);
  return Float32Array.from({ length: count }, () => lo + (hi - lo) * next());
}

/** Naive adder conv, NHWC input, HWIO kernel, stride 1, zero padding (top/left = floor((K−1)/2) for 'same'). */
function naiveAdderConv(x: Float32Array, [N, H, W, C]: number[], k: Float32Array, [KH, KW, , O]: number[], padding: "valid" | "same") {
  const top = padding === "same" ? Math.floor((KH - 1) / 2) : 0;
  const left = padding === "same" ? Math.floor((KW - 1) / 2) : 0;
  const OH = padding === "same" ? H : H - KH + 1;
  const OW = padding === "same" ? W : W - KW + 1;
  const out = new Float64Array(N * OH * OW * O);
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < OH; oy++)
      for (let ox = 0; ox < OW; ox++)
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let ky = 0; ky < KH; ky++)
            for (let kx = 0; kx < KW; kx++)
              for (let c = 0; c < C; c++) {
                const iy = oy + ky - top;
                const ix = ox + kx - left;
                const xv = iy >= 0 && iy < H && ix >= 0 && ix < W ? x[((n * H + iy) * W + ix) * C + c] : 0;
                s -= Math.abs(xv - k[((ky * KW + kx) * C + c) * O + o]);
              }
          out[((n * OH + oy) * OW + ox) * O + o] = s;
        }
  return { out, OH, OW };
}

describe("adder forward", () => {
  for (const padding of ["valid", "same"] as const)
    test(`AdderConv2D (${padding}) equals a naive −Σ|x−w| loop on a random 2×6×5×3 input, 3×3×3→4 kernel`, () => {
      const xShape = [2, 6, 5, 3];
      const kShape = [3, 3, 3, 4];
      const x = randoms(2 * 6 * 5 * 3, 11, 0, 1);
      const layer = new AdderConv2D({ filters: 4, kernelSize: 3, padding, seed: 5 });
      const input = tf.tensor4d(x, xShape as [number, number, number, number]);
      const y = layer.apply(input) as tfType.Tensor;
      const k = layer.getWeights()[0].dataSync() as Float32Array;
      expect(layer.getWeights()[0].shape).toEqual(kShape);
      const expected = naiveAdderConv(x, xShape, k, kShape, padding);
      expect(y.shape).toEqual([2, expected.OH, expected.OW, 4]);
      const got = y.dataSync();
      // float32 inputs, sums of 27 terms each < 2: float32 rounding stays far below 1e-5.
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected.out[i], 5);
    });

  test("AdderDense equals a naive loop on a random 3×7 → 5 case", () => {
    const x = randoms(21, 3);
    const layer = new AdderDense({ units: 5, seed: 9 });
    const y = (layer.apply(tf.tensor2d(x, [3, 7])) as tfType.Tensor).dataSync();
    const w = layer.getWeights()[0].dataSync();
    for (let m = 0; m < 3; m++)
      for (let o = 0; o < 5; o++) {
        let s = 0;
        for (let k = 0; k < 7; k++) s -= Math.abs(x[m * 7 + k] - w[k * 5 + o]);
        expect(y[m * 5 + o]).toBeCloseTo(s, 5);
      }
  });
});

describe("adder gradients (paper eqs. 5 and 6)", () => {
  test("one output, three inputs: dX = clip(W − X, −1, 1), dW = X − W, by hand", () => {
    // x = [0.2, 0.9, −0.5], w = [0.5, 0.1, 2.0]
    // y = −(|0.2−0.5| + |0.9−0.1| + |−0.5−2.0|) = −(0.3 + 0.8 + 2.5) = −3.6
    // dX = clip(w − x) = clip([0.3, −0.8, 2.5]) = [0.3, −0.8, 1]   (not sign: [1, −1, 1])
    // dW = x − w = [−0.3, 0.8, −2.5]                                 (not sign: [−1, 1, −1])
    const x = tf.tensor2d([[0.2, 0.9, -0.5]]);
    const w = tf.tensor2d([[0.5], [0.1], [2.0]]);
    expect(adderMatMul(x, w).dataSync()[0]).toBeCloseTo(-3.6, 6);
    const [dx, dw] = tf.grads((a: tfType.Tensor, b: tfType.Tensor) => tf.sum(adderMatMul(a as tfType.Tensor2D, b as tfType.Tensor2D)))([x, w]);
    expect(Array.from(dx.dataSync())).toEqual([0.3, -0.8, 1].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(dw.dataSync())).toEqual([-0.3, 0.8, -2.5].map((v) => expect.closeTo(v, 6)));
  });

  test("two rows, two outputs, upstream gradient weights each term: by hand", () => {
    // x = [[1, 0], [0.5, 3]], w = [[0, 2], [0.25, −1]] (k × o), loss = Σ dy ⊙ Y, dy = [[1, 2], [−1, 0.5]]
    // dX[m,k] = Σ_o dy[m,o]·clip(w[k,o] − x[m,k]):
    //   m0,k0: 1·clip(0−1) + 2·clip(2−1)      = −1 + 2       = 1
    //   m0,k1: 1·clip(0.25−0) + 2·clip(−1−0)  = 0.25 − 2     = −1.75
    //   m1,k0: −1·clip(0−0.5) + 0.5·clip(2−0.5) = 0.5 + 0.5  = 1
    //   m1,k1: −1·clip(0.25−3) + 0.5·clip(−1−3) = 1 − 0.5    = 0.5
    // dW[k,o] = Σ_m dy[m,o]·(x[m,k] − w[k,o]):
    //   k0,o0: 1·(1−0) + (−1)·(0.5−0)        = 0.5
    //   k0,o1: 2·(1−2) + 0.5·(0.5−2)         = −2 − 0.75 = −2.75
    //   k1,o0: 1·(0−0.25) + (−1)·(3−0.25)    = −0.25 − 2.75 = −3
    //   k1,o1: 2·(0+1) + 0.5·(3+1)           = 2 + 2 = 4
    const x = tf.tensor2d([
      [1, 0],
      [0.5, 3],
    ]);
    const w = tf.tensor2d([
      [0, 2],
      [0.25, -1],
    ]);
    const dy = tf.tensor2d([
      [1, 2],
      [-1, 0.5],
    ]);
    const [dx, dw] = tf.grads((a: tfType.Tensor, b: tfType.Tensor) => tf.sum(tf.mul(adderMatMul(a as tfType.Tensor2D, b as tfType.Tensor2D), dy)))([x, w]);
    expect(Array.from(dx.dataSync())).toEqual([1, -1.75, 1, 0.5].map((v) => expect.closeTo(v, 6)));
    expect(Array.from(dw.dataSync())).toEqual([0.5, -2.75, -3, 4].map((v) => expect.closeTo(v, 6)));
  });

  test("inputGradient: false gives a zero input gradient and the same weight gradient", () => {
    const x = tf.tensor2d([[0.2, 0.9, -0.5]]);
    const w = tf.tensor2d([[0.5], [0.1], [2.0]]);
    const [dx, dw] = tf.grads((a: tfType.Tensor, b: tfType.Tensor) =>
      tf.sum(adderMatMul(a as tfType.Tensor2D, b as tfType.Tensor2D, { inputGradient: false })),
    )([x, w]);
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 0]);
    expect(Array.from(dw.dataSync())).toEqual([-0.3, 0.8, -2.5].map((v) => expect.closeTo(v, 6)));
  });

  test("adder conv gradients equal the formulas summed over every window (im2col + col2im)", () => {
    const xShape = [1, 4, 4, 2] as [number, number, number, number];
    const kShape = [3, 3, 2, 2] as [number, number, number, number];
    const x = randoms(32, 21);
    const k = randoms(36, 22);
    const r = randoms(1 * 2 * 2 * 2, 23); // upstream gradient per output
    const [dx, dk] = tf.grads((a: tfType.Tensor, b: tfType.Tensor) =>
      tf.sum(tf.mul(adderConv2d(a as tfType.Tensor4D, b as tfType.Tensor4D, "valid"), tf.tensor4d(r, [1, 2, 2, 2]))),
    )([tf.tensor4d(x, xShape), tf.tensor4d(k, kShape)]);
    const ex = new Float64Array(32);
    const ek = new Float64Array(36);
    for (let oy = 0; oy < 2; oy++)
      for (let ox = 0; ox < 2; ox++)
        for (let o = 0; o < 2; o++)
          for (let ky = 0; ky < 3; ky++)
            for (let kx = 0; kx < 3; kx++)
              for (let c = 0; c < 2; c++) {
                const xi = ((oy + ky) * 4 + (ox + kx)) * 2 + c;
                const ki = ((ky * 3 + kx) * 2 + c) * 2 + o;
                const g = r[(oy * 2 + ox) * 2 + o];
                ex[xi] += g * Math.min(1, Math.max(-1, k[ki] - x[xi]));
                ek[ki] += g * (x[xi] - k[ki]);
              }
    dx.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ex[i], 5));
    dk.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ek[i], 5));
  });

  test("adaptive scaling (eq. 13) rescales a gradient to norm η·√k", () => {
    // ΔW = [3, 4] (‖ΔW‖ = 5), k = 2, η = 0.1: α = 0.1·√2/5, result = [0.3, 0.4]·√2/5·… = ΔW·α
    const scaled = scaleAdderGradient(tf.tensor1d([3, 4]), 0.1).dataSync();
    const alpha = (0.1 * Math.SQRT2) / 5;
    expect(scaled[0]).toBeCloseTo(3 * alpha, 6);
    expect(scaled[1]).toBeCloseTo(4 * alpha, 6);
    expect(Math.hypot(scaled[0], scaled[1])).toBeCloseTo(0.1 * Math.SQRT2, 6);
  });
});

/**
 * Binary layers (src/frontend/float/binary-layers.ts): sign with sign(0) = +1 and
 * the straight-through estimator (gradient passes where |x| ≤ 1, zero
 * elsewhere), and the binary conv/dense forwards against naive ±1 loops.
 */
import { beforeAll, describe, expect, test } from "vitest";
import type * as tfType from "@tensorflow/tfjs";
import { BinaryConv2D, BinaryDense, signPlusOne, signSte } from "../../../src/frontend/float/binary-layers.js";
import { initTf } from "../../../src/frontend/float/tfjs.js";
import { rng } from "../../../src/ir/inputs.js";

let tf: typeof tfType;
beforeAll(async () => {
  tf = await initTf();
});

const sign = (v: number) => (v >= 0 ? 1 : -1);

describe("sign with straight-through estimator", () => {
  const xs = [-2.5, -1.0001, -1, -0.3, -0, 0, 0.7, 1, 1.0001, 3];

  test("forward: every value is ±1 and sign(0) = sign(−0) = +1", () => {
    expect(Array.from(signSte(tf.tensor1d(xs)).dataSync())).toEqual([-1, -1, -1, -1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(signPlusOne(tf.tensor1d(xs)).dataSync())).toEqual([-1, -1, -1, -1, 1, 1, 1, 1, 1, 1]);
  });

  test("backward: the upstream gradient passes where |x| ≤ 1 (inclusive) and is 0 elsewhere", () => {
    const upstream = tf.tensor1d(xs.map((_, i) => i + 1));
    const [dx] = tf.grads((x: tfType.Tensor) => tf.sum(tf.mul(signSte(x), upstream)))([tf.tensor1d(xs)]);
    //                  −2.5 −1.0001 −1 −0.3 −0  0  0.7  1  1.0001  3
    expect(Array.from(dx.dataSync())).toEqual([0, 0, 3, 4, 5, 6, 7, 8, 0, 0]);
  });
});

describe("binary layers", () => {
  test("BinaryDense = sign(x)·sign(W), latent weights kept as floats", () => {
    const next = rng(4);
    const x = Float32Array.from({ length: 2 * 6 }, () => next() * 2 - 1);
    const layer = new BinaryDense({ units: 3, seed: 2 });
    const y = (layer.apply(tf.tensor2d(x, [2, 6])) as tfType.Tensor).dataSync();
    const w = layer.getWeights()[0].dataSync();
    expect(Array.from(w).some((v) => Math.abs(v) !== 1)).toBe(true);
    for (let m = 0; m < 2; m++)
      for (let o = 0; o < 3; o++) {
        let s = 0;
        for (let k = 0; k < 6; k++) s += sign(x[m * 6 + k]) * sign(w[k * 3 + o]);
        expect(y[m * 3 + o]).toBe(s);
      }
  });

  test("BinaryConv2D (valid) = Σ sign(x)·sign(w) over each window", () => {
    const next = rng(8);
    const [H, W, C, O, K] = [5, 4, 2, 3, 3];
    const x = Float32Array.from({ length: H * W * C }, () => next() * 2 - 1);
    const layer = new BinaryConv2D({ filters: O, kernelSize: K, seed: 3 });
    const y = layer.apply(tf.tensor4d(x, [1, H, W, C])) as tfType.Tensor;
    expect(y.shape).toEqual([1, H - K + 1, W - K + 1, O]);
    const got = y.dataSync();
    const w = layer.getWeights()[0].dataSync();
    for (let oy = 0; oy <= H - K; oy++)
      for (let ox = 0; ox <= W - K; ox++)
        for (let o = 0; o < O; o++) {
          let s = 0;
          for (let ky = 0; ky < K; ky++)
            for (let kx = 0; kx < K; kx++)
              for (let c = 0; c < C; c++) s += sign(x[((oy + ky) * W + ox + kx) * C + c]) * sign(w[((ky * K + kx) * C + c) * O + o]);
          expect(got[(oy * (W - K + 1) + ox) * O + o]).toBe(s);
        }
  });
});

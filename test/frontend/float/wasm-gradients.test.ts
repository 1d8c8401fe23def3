/**
 * The Conv2DBackpropFilter kernel quantrtl registers for the tfjs wasm backend
 * (src/frontend/float/wasm-gradients.ts) against the definition
 * dW[ky,kx,c,o] = Σ_{n,oy,ox} x[n, oy·s + ky − top, ox·s + kx − left, c] · dy[n,oy,ox,o],
 * through tf.grads of a plain tf.conv2d (so tfjs's own conv2d gradient calls it).
 */
import { beforeAll, describe, expect, test } from "vitest";
import type * as tfType from "@tensorflow/tfjs";
import { initTf } from "../../../src/frontend/float/tfjs.js";
import { rng } from "../../../src/ir/inputs.js";

let tf: typeof tfType;
beforeAll(async () => {
  tf = await initTf();
});

describe("conv2d filter gradient", () => {
  const cases = [
    { stride: 1, pad: "valid" as const, H: 6, W: 5 },
    { stride: 1, pad: "same" as const, H: 5, W: 6 },
    { stride: 2, pad: "same" as const, H: 7, W: 6 },
  ];
  for (const { stride, pad, H, W } of cases)
    test(`stride ${stride}, ${pad}: equals Σ x·dy over every window (${H}×${W}×3, 3×3 → 2)`, () => {
      const [N, C, KH, KW, O] = [2, 3, 3, 3, 2];
      const next = rng(stride * 10 + H);
      const x = Float32Array.from({ length: N * H * W * C }, () => next() * 2 - 1);
      const k = Float32Array.from({ length: KH * KW * C * O }, () => next() * 2 - 1);
      const probe = tf.conv2d(tf.tensor4d(x, [N, H, W, C]), tf.tensor4d(k, [KH, KW, C, O]), stride, pad);
      const [, OH, OW] = probe.shape;
      const r = Float32Array.from({ length: N * OH * OW * O }, () => next() * 2 - 1); // upstream gradient
      const [dk] = tf.grads((w: tfType.Tensor) =>
        tf.sum(tf.mul(tf.conv2d(tf.tensor4d(x, [N, H, W, C]), w as tfType.Tensor4D, stride, pad), tf.tensor4d(r, [N, OH, OW, O]))),
      )([tf.tensor4d(k, [KH, KW, C, O])]);
      // tfjs 'same': total padding max(0, (out−1)·s + k − in), the smaller half on top/left
      const top = pad === "same" ? Math.floor(Math.max(0, (OH - 1) * stride + KH - H) / 2) : 0;
      const left = pad === "same" ? Math.floor(Math.max(0, (OW - 1) * stride + KW - W) / 2) : 0;
      const expected = new Float64Array(KH * KW * C * O);
      for (let n = 0; n < N; n++)
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++)
            for (let ky = 0; ky < KH; ky++)
              for (let kx = 0; kx < KW; kx++) {
                const iy = oy * stride + ky - top;
                const ix = ox * stride + kx - left;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                for (let c = 0; c < C; c++)
                  for (let o = 0; o < O; o++)
                    expected[((ky * KW + kx) * C + c) * O + o] += x[((n * H + iy) * W + ix) * C + c] * r[((n * OH + oy) * OW + ox) * O + o];
              }
      dk.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    });
});

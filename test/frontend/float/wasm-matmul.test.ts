/**
 * The wasm BatchMatMul wrapper (src/frontend/float/wasm-matmul.ts): every
 * combination of transposed operands, 2-D and batched, equals a float64 loop
 * over the documented products; and a matMul gradient (a transposed product)
 * equals its hand-written form.
 */
import { beforeAll, describe, expect, test } from "vitest";
import type * as tfType from "@tensorflow/tfjs";
import { initTf } from "../../../src/frontend/float/tfjs.js";
import { rng } from "../../../src/ir/inputs.js";

let tf: typeof tfType;
beforeAll(async () => {
  tf = await initTf();
});

/** C[b][i][j] = Σ_k A[b][i][k]·B[b][k][j], with A or B read transposed from their stored layout. */
function naiveBatchMatMul(a: Float32Array, b: Float32Array, batch: number, M: number, K: number, N: number, ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(batch * M * N);
  for (let n = 0; n < batch; n++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = ta ? a[n * K * M + k * M + i] : a[n * M * K + i * K + k];
          const bv = tb ? b[n * N * K + j * K + k] : b[n * K * N + k * N + j];
          s += av * bv;
        }
        out[n * M * N + i * N + j] = s;
      }
  return out;
}

describe("wasm BatchMatMul with transposed operands", () => {
  for (const [batch, M, K, N] of [
    [1, 5, 7, 3],
    [4, 17, 16, 17],
  ])
    for (const ta of [false, true])
      for (const tb of [false, true])
        test(`batch ${batch}, ${M}×${K}·${K}×${N}, transposeA ${ta}, transposeB ${tb}: equals the float64 loop, frees its temporaries`, () => {
          expect(tf.getBackend()).toBe("wasm");
          const next = rng(batch * 1000 + M + (ta ? 2 : 0) + (tb ? 1 : 0));
          const a = Float32Array.from({ length: batch * M * K }, () => 2 * next() - 1);
          const b = Float32Array.from({ length: batch * K * N }, () => 2 * next() - 1);
          const shapeA = ta ? [K, M] : [M, K];
          const shapeB = tb ? [N, K] : [K, N];
          const lead = batch > 1 ? [batch] : [];
          const dataIds = tf.engine().backend.numDataIds();
          const y = tf.tidy(() => tf.matMul(tf.tensor(a, [...lead, ...shapeA]), tf.tensor(b, [...lead, ...shapeB]), ta, tb));
          expect(y.shape).toEqual([...lead, M, N]);
          const got = y.dataSync();
          y.dispose();
          expect(tf.engine().backend.numDataIds()).toBe(dataIds); // the explicit transposes are freed
          const want = naiveBatchMatMul(a, b, batch, M, K, N, ta, tb);
          // |values| ≤ 1, K ≤ 16 terms: float32 sums err by at most K·2^−24·K ≈ 2e−5
          for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(2e-5);
        });

  test("the gradient of x·W is dy·Wᵀ and xᵀ·dy, and no tensor is left behind", () => {
    const next = rng(7);
    const [M, K, N] = [6, 4, 3];
    const x = Float32Array.from({ length: M * K }, () => 2 * next() - 1);
    const w = Float32Array.from({ length: K * N }, () => 2 * next() - 1);
    const before = tf.memory().numTensors;
    const [dx, dw] = tf.tidy(() => tf.grads((a: tfType.Tensor, b: tfType.Tensor) => tf.sum(tf.matMul(a, b)))([tf.tensor2d(x, [M, K]), tf.tensor2d(w, [K, N])]));
    // d/dx Σ(x·W) = 1·Wᵀ: every row of dx is the row sums of W; d/dW = xᵀ·1: every column of dW is the column sums of x
    const rowSumW = Array.from({ length: K }, (_, k) => w.slice(k * N, (k + 1) * N).reduce((s, v) => s + v, 0));
    const colSumX = Array.from({ length: K }, (_, k) => Array.from({ length: M }, (_, i) => x[i * K + k]).reduce((s, v) => s + v, 0));
    const dxv = dx.dataSync();
    const dwv = dw.dataSync();
    for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) expect(dxv[i * K + k]).toBeCloseTo(rowSumW[k], 5);
    for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) expect(dwv[k * N + j]).toBeCloseTo(colSumX[k], 5);
    tf.dispose([dx, dw]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

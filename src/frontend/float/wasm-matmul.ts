/**
 * The tfjs wasm backend runs BatchMatMul through XNNPACK only when neither
 * operand is transposed; a transposed operand falls back to a plain loop that
 * was measured 4–10× slower here (a [2176, 192]·[192, 64]ᵀ product: 33 ms
 * against 8 ms for an explicit Transpose then the plain product). Every matMul
 * gradient is a transposed product (dA = dY·Bᵀ, dB = Aᵀ·dY), so ViT training
 * spent most of its time there. This wraps the wasm BatchMatMul kernel: a
 * transposed operand is transposed explicitly (the wasm Transpose kernel) and
 * the plain kernel multiplies. Same products, float32 sums in another order.
 */
import * as tf from "@tensorflow/tfjs";

interface WasmBackendLike {
  disposeData(dataId: unknown): boolean;
}

let registered = false;

export function registerWasmTransposedMatMul(): void {
  if (registered) return;
  const plain = tf.getKernel("BatchMatMul", "wasm");
  const transpose = tf.getKernel("Transpose", "wasm");
  if (!plain || !transpose) return;
  registered = true;
  tf.unregisterKernel("BatchMatMul", "wasm");
  tf.registerKernel({
    kernelName: "BatchMatMul",
    backendName: "wasm",
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
      if (!transposeA && !transposeB) return plain.kernelFunc(args);
      const swapLast = (t: tf.TensorInfo): tf.TensorInfo => {
        const rank = t.shape.length;
        const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
        return transpose.kernelFunc({ inputs: { x: t }, backend: args.backend, attrs: { perm } }) as tf.TensorInfo;
      };
      const a2 = transposeA ? swapLast(a) : a;
      const b2 = transposeB ? swapLast(b) : b;
      try {
        return plain.kernelFunc({ ...args, inputs: { a: a2, b: b2 }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
      } finally {
        const backend = args.backend as unknown as WasmBackendLike;
        if (a2 !== a) backend.disposeData(a2.dataId);
        if (b2 !== b) backend.disposeData(b2.dataId);
      }
    },
  });
}

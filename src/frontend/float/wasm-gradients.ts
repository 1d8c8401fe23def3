/**
 * The tfjs wasm backend is built for inference: it registers no
 * Conv2DBackpropFilter kernel, so every conv2d gradient (plain and fused)
 * fails there. This supplies that one kernel for wasm, computed the way the
 * tfjs cpu backend does it — dW[ky,kx,c,o] = Σ_{n,oy,ox} x[n, oy·s+ky−top,
 * ox·s+kx−left, c] · dy[n,oy,ox,o] — on the tensors' data, in float64
 * accumulators. NHWC only (what tfjs layers use).
 */
import * as tf from "@tensorflow/tfjs";

interface WasmBackendLike {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

interface BackpropFilterAttrs {
  readonly strides: number | [number, number];
  readonly pad: "valid" | "same" | number | tf.backend_util.ExplicitPadding;
  readonly dataFormat: "NHWC" | "NCHW";
  readonly dimRoundingMode?: "floor" | "round" | "ceil";
  readonly filterShape: [number, number, number, number];
}

let registered = false;

export function registerWasmConv2dBackpropFilter(): void {
  if (registered || tf.getKernel("Conv2DBackpropFilter", "wasm")) return;
  registered = true;
  tf.registerKernel({
    kernelName: "Conv2DBackpropFilter",
    backendName: "wasm",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as BackpropFilterAttrs;
      if (dataFormat !== "NHWC") throw new Error("Conv2DBackpropFilter (wasm, quantrtl): only NHWC is supported");
      const wasm = backend as unknown as WasmBackendLike;
      const info = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        filterShape,
        strides,
        1,
        pad,
        dimRoundingMode,
        false,
        "channelsLast",
      );
      const {
        batchSize: N,
        inHeight: H,
        inWidth: W,
        inChannels: C,
        outHeight: OH,
        outWidth: OW,
        outChannels: O,
        strideHeight: SY,
        strideWidth: SX,
        filterHeight: KH,
        filterWidth: KW,
      } = info;
      const top = info.padInfo.top;
      const left = info.padInfo.left;
      const xs = wasm.readSync(x.dataId) as Float32Array;
      const gs = wasm.readSync(dy.dataId) as Float32Array;
      const acc = new Float64Array(KH * KW * C * O);
      for (let ky = 0; ky < KH; ky++)
        for (let kx = 0; kx < KW; kx++)
          for (let n = 0; n < N; n++)
            for (let oy = 0; oy < OH; oy++) {
              const iy = oy * SY + ky - top;
              if (iy < 0 || iy >= H) continue;
              for (let ox = 0; ox < OW; ox++) {
                const ix = ox * SX + kx - left;
                if (ix < 0 || ix >= W) continue;
                const xBase = ((n * H + iy) * W + ix) * C;
                const gBase = ((n * OH + oy) * OW + ox) * O;
                for (let c = 0; c < C; c++) {
                  const xv = xs[xBase + c];
                  if (xv === 0) continue;
                  const wBase = ((ky * KW + kx) * C + c) * O;
                  for (let o = 0; o < O; o++) acc[wBase + o] += xv * gs[gBase + o];
                }
              }
            }
      return wasm.makeOutput([KH, KW, C, O], "float32", undefined, Float32Array.from(acc));
    },
  });
}

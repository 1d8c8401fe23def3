/**
 * The input quantizer recorded in an imported model (metadata.inputQuantizer):
 * q = clip(round_mode(x / scale + zeroPoint), min, max) — the QONNX Quant of the
 * graph's input, with any scalar Mul/Add before it folded into scale and zero point;
 * with zeroPointAfterRounding k (ONNX QuantizeLinear: its zero point),
 * q = clip(round_mode(x / scale + zeroPoint − k) + k, min, max).
 */
import type { IntTensor, TensorSpec } from "../../ir/model.js";
import { quantInt32, QonnxRounding } from "./qonnx.js";

export interface InputQuantizerSpec {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly bits: number;
  readonly signed: boolean;
  readonly narrow: boolean;
  readonly rounding: QonnxRounding;
  readonly zeroPointAfterRounding?: number;
}

/** Float input in NCHW order (batch 1) → the model's integer input tensor in HWC order. */
export function quantizeInput(x: ArrayLike<number>, q: InputQuantizerSpec, spec: TensorSpec): IntTensor {
  const { height: H, width: W, channels: C } = spec;
  const data = new Int32Array(H * W * C);
  for (let c = 0; c < C; c++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) {
        data[(h * W + w) * C + c] = quantInt32(x[(c * H + h) * W + w], q);
      }
  return { shape: [H, W, C], bits: spec.bits, data };
}

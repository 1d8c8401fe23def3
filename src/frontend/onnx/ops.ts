/** The ops the importer lowers, for the refusal message and the README. */
export const SUPPORTED_OPS = [
  "Quant (IntQuant)",
  "Trunc (v2, of a quantized tensor, pool or residual add)",
  "BipolarQuant (weights; activations after a MatMul/Gemm/Conv → xnor)",
  "MultiThreshold (after a MatMul/Gemm/Conv: 2 levels ±s → threshold layer; more → exact requant)",
  "QuantizeLinear → DequantizeLinear pairs, DequantizeLinear of integer weights (QDQ)",
  "QLinearConv / QLinearMatMul (QOperator format; requant exact over the reachable accumulator or refused)",
  "Conv",
  "MatMul",
  "Gemm",
  "Add (a constant; or a residual Add of two quantized 8-bit tensors)",
  "Sub",
  "Mul",
  "Div",
  "Relu",
  "Clip",
  "BatchNormalization",
  "MaxPool",
  "AveragePool (no padding)",
  "GlobalAveragePool",
  "Reshape",
  "Flatten",
  "Squeeze",
  "Unsqueeze",
  "Transpose (of constants)",
  "Identity",
  "Constant",
  "Shape / Gather / Concat / Pow / Sqrt (on constants)",
  "Softmax / LogSoftmax / ArgMax (at the output)",
];

export function supportedOpsText(): string {
  return SUPPORTED_OPS.join(", ");
}

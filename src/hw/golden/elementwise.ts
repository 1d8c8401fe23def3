/** Golden element-wise layers: relu, residual add, flatten, argmax. */
import { AddLayer, ArgmaxLayer, FlattenLayer, IntTensor, ReluLayer } from "../../ir/model.js";
import { argmaxIndex, relu, residualAdd } from "../../arith/elementwise.js";

export function reluGolden(layer: ReluLayer, input: IntTensor): IntTensor {
  return { shape: input.shape, bits: layer.output.bits, data: input.data.map(relu) };
}

export function addGolden(layer: AddLayer, a: IntTensor, b: IntTensor): IntTensor {
  const p = { multipliers: layer.multipliers, shift: layer.shift, rounding: layer.rounding, outBits: layer.output.bits, relu: layer.relu };
  const out = new Int32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = residualAdd(a.data[i], b.data[i], p);
  return { shape: a.shape, bits: layer.output.bits, data: out };
}

export function flattenGolden(layer: FlattenLayer, input: IntTensor): IntTensor {
  return { shape: [1, 1, input.data.length], bits: layer.output.bits, data: input.data };
}

export function argmaxGolden(layer: ArgmaxLayer, input: IntTensor): IntTensor {
  return { shape: [1, 1, 1], bits: layer.output.bits, data: Int32Array.of(argmaxIndex(input.data)) };
}

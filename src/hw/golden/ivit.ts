/**
 * Golden integer ViT layers applied per token row (the channels of one pixel):
 * I-LayerNorm (§5) + per-channel requant, ShiftGELU (§4) + requant, Shiftmax (§3).
 * The ops themselves are defined once in src/arith/ivit; this only walks the rows.
 */
import { channelRequantParams, GeluLayer, IntTensor, LayerNormLayer, SoftmaxLayer } from "../../ir/model.js";
import { requantize } from "../../arith/requant.js";
import { layerNorm } from "../../arith/ivit/layernorm.js";
import { shiftGelu } from "../../arith/ivit/shiftgelu.js";
import { shiftmax } from "../../arith/ivit/shiftmax.js";

function mapRows(input: IntTensor, bits: number, row: (x: Int32Array) => Int32Array): IntTensor {
  const C = input.shape[2];
  const out = new Int32Array(input.data.length);
  for (let start = 0; start < out.length; start += C) out.set(row(input.data.subarray(start, start + C)), start);
  return { shape: input.shape, bits, data: out };
}

/** z = ilayernorm(x) per token, then y[c] = requant_c(z[c]) (|z·m| < 2^48: requantize is exact). */
export function layerNormGolden(layer: LayerNormLayer, input: IntTensor): IntTensor {
  const C = layer.params.channels;
  const params = Array.from({ length: C }, (_, c) => channelRequantParams(layer.out, c));
  return mapRows(input, layer.output.bits, (x) => {
    const z = layerNorm(x, layer.params);
    return z.map((v, c) => requantize(v, params[c]));
  });
}

/** y = x·sig per token (ShiftGELU), then the dyadic requant. */
export function geluGolden(layer: GeluLayer, input: IntTensor): IntTensor {
  return mapRows(input, layer.output.bits, (x) => shiftGelu(x, layer.params).map((v) => requantize(v, layer.requant)));
}

export function softmaxGolden(layer: SoftmaxLayer, input: IntTensor): IntTensor {
  return mapRows(input, layer.output.bits, (x) => shiftmax(x, layer.params));
}

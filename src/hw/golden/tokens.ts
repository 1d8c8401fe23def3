/**
 * Golden ViT token layers: the token embedding (class token prepended, position
 * embedding added; the op is src/arith/tokens.ts embedToken) and the selection of
 * one token row.
 */
import { IntTensor, TokenEmbedLayer, TokenSelectLayer } from "../../ir/model.js";
import { embedToken } from "../../arith/tokens.js";

/** Row 0 = sat(E[0]) (the class token), row t ≥ 1 = sat(round_k(x[t − 1]·m) + E[t]). */
export function tokenEmbedGolden(layer: TokenEmbedLayer, input: IntTensor): IntTensor {
  const C = layer.output.channels;
  const out = new Int32Array(layer.embedding.length);
  for (let i = 0; i < out.length; i++) out[i] = embedToken(i < C ? 0 : input.data[i - C], layer.embedding[i], layer.requant);
  return { shape: [layer.output.height, 1, C], bits: layer.output.bits, data: out };
}

export function tokenSelectGolden(layer: TokenSelectLayer, input: IntTensor): IntTensor {
  const C = layer.output.channels;
  return { shape: [1, 1, C], bits: layer.output.bits, data: input.data.slice(layer.index * C, (layer.index + 1) * C) };
}

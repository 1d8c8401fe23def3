/**
 * Loading the ViT token layers (model.ts TokenEmbedLayer, TokenSelectLayer): the
 * schema (schema.ts) has checked the fields' forms; here the checks that relate them
 * to the input tensor, each failing with the JSON path of the field to change.
 */
import { Layer, TensorSpec, TokenEmbedLayer, TokenSelectLayer } from "./model.js";
import { checkValues, Ctx, parsePoolRequant, RawLayer, readInts } from "./load-common.js";
import { QuantrtlError } from "../util/errors.js";
import { signedMax, signedMin } from "../arith/rounding.js";

export function parseTokenLayer(raw: RawLayer, base: { name: string; inputs: readonly string[]; input: TensorSpec }, ctx: Ctx): Layer {
  const input = base.input;
  const fail = (path: string, problem: string, hint: string): never => {
    throw new QuantrtlError(ctx.file, `${ctx.at}${path}`, problem, hint);
  };
  if (input.bits === 1) fail("/inputs", `a ${raw.type} layer of a binary (±1) tensor is not defined`, "feed it an int8 or int16 tensor");
  const C = input.channels;
  // one parser per type, sharing the checks above
  const parsers: Partial<Record<RawLayer["type"], () => Layer>> = {
    token_embed: () => {
      // the input's H·W pixels are the tokens, in stream (HWC) order
      const T = input.height * input.width;
      const requant = parsePoolRequant(raw.requant!, "/requant", ctx);
      const expected = (T + 1) * C;
      const values = readInts(raw.embedding!, "/embedding", 32, ctx, { count: expected, shape: `(tokens + 1)·channels = (${T} + 1)·${C}` });
      if (values.length !== expected) {
        fail(
          "/embedding",
          `has ${values.length} values; expected (tokens + 1)·channels = (${T} + 1)·${C} = ${expected}`,
          `give ${expected} integers on the output scale: row 0 the class token plus its position, then the positions of the ${T} tokens`,
        );
      }
      const embedding = checkValues(values, "/embedding", [signedMin(32), signedMax(32)], false, ctx);
      const layer: TokenEmbedLayer = {
        kind: "token_embed",
        ...base,
        output: { height: T + 1, width: 1, channels: C, bits: requant.outBits },
        requant,
        embedding,
      };
      return layer;
    },
    token_select: () => {
      const T = input.height;
      if (input.width !== 1)
        fail(
          "/inputs",
          `token_select takes a token sequence [T, 1, C]; the input is ${input.height}×${input.width}×${C}`,
          "put it after a layer on token rows (token_embed, layernorm, a linear layer …)",
        );
      const index = raw.index!;
      if (index >= T) fail("/index", `${index} is not a token of the ${T}-token input`, `use 0 … ${T - 1} (0 = the class token)`);
      const layer: TokenSelectLayer = { kind: "token_select", ...base, output: { height: 1, width: 1, channels: C, bits: input.bits }, index };
      return layer;
    },
  };
  const parse = parsers[raw.type];
  if (!parse) throw new Error(`parseTokenLayer: ${raw.type} is not handled here`);
  return parse();
}

/**
 * Loading the ViT token layers (src/ir/load-tokens.ts): the token embedding reads an
 * [H, W, C] map as H·W tokens and prepends the class token, the selection keeps one
 * row; every malformed layer gets one error naming its file, JSON path and a fix.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadModel, parseModel } from "../../src/ir/load.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { testDir } from "../helpers/temp.js";

type Doc = Record<string, any>;

/** A 2×2×3 map (4 tokens of 3) → token_embed → layernorm → token_select(1). */
const doc = (): Doc => ({
  quantrtl: 1,
  name: "tok",
  input: { height: 2, width: 2, channels: 3, bits: 8 },
  layers: [
    {
      type: "token_embed",
      name: "embed",
      embedding: Array.from({ length: 15 }, (_, i) => i - 7),
      requant: { multiplier: 3, shift: 2, rounding: "half_up", outBits: 8 },
    },
    { type: "layernorm", name: "ln", requant: { multiplier: 1, shift: 0, rounding: "floor", outBits: 8 } },
    { type: "token_select", name: "sel", index: 1 },
  ],
});

function errorOf(d: unknown, file?: string): QuantrtlError {
  try {
    if (file) loadModel(file);
    else parseModel(d);
  } catch (err) {
    if (err instanceof QuantrtlError) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("token layers load", () => {
  test("a 2×2 map is 4 tokens: the embedding gives 5 rows, the selection one", () => {
    const m = parseModel(doc());
    expect(m.layers.map((l) => [l.kind, l.output.height, l.output.width, l.output.channels, l.output.bits])).toEqual([
      ["token_embed", 5, 1, 3, 8],
      ["layernorm", 5, 1, 3, 8],
      ["token_select", 1, 1, 3, 8],
    ]);
    const [embed, , sel] = m.layers;
    if (embed.kind !== "token_embed" || sel.kind !== "token_select") throw new Error("kinds");
    expect(Array.from(embed.embedding)).toEqual(Array.from({ length: 15 }, (_, i) => i - 7));
    expect([embed.requant.multiplier, embed.requant.shift, embed.requant.rounding, embed.requant.outBits, embed.requant.multiplierBits]).toEqual([
      3,
      2,
      "half_up",
      8,
      16,
    ]);
    expect(sel.index).toBe(1);
  });

  test("16-bit output, and the table from a weight file beside the model", () => {
    const dir = testDir("quantrtl-tok-");
    writeFileSync(join(dir, "emb.json"), JSON.stringify(Array.from({ length: 15 }, () => 40000)));
    const d = doc();
    d.layers[0].embedding = { file: "emb.json" };
    d.layers[0].requant.outBits = 16;
    d.layers.splice(1, 2);
    writeFileSync(join(dir, "m.json"), JSON.stringify(d));
    const l = loadModel(join(dir, "m.json")).layers[0];
    expect(l.kind === "token_embed" && [l.output.bits, l.embedding[14]]).toEqual([16, 40000]);
  });

  const cases: { name: string; edit: (d: Doc) => void; path: string; mentions: string[] }[] = [
    {
      name: "an embedding one value short",
      edit: (d) => d.layers[0].embedding.pop(),
      path: "/layers/0/embedding",
      mentions: ["14 values", "(4 + 1)·3 = 15", "class token"],
    },
    { name: "an embedding value beyond 32 bits", edit: (d) => (d.layers[0].embedding[4] = 2 ** 31), path: "/layers/0/embedding/4", mentions: ["out of range"] },
    {
      name: "an embedding that is neither an array nor a file",
      edit: (d) => (d.layers[0].embedding = 3),
      path: "/layers/0/embedding",
      mentions: ["wrong form"],
    },
    { name: "an embedding without its table", edit: (d) => delete d.layers[0].embedding, path: "/layers/0", mentions: ['"embedding"'] },
    {
      name: "a token multiplier wider than multiplierBits",
      edit: (d) => (d.layers[0].requant.multiplier = 70000),
      path: "/layers/0/requant/multiplier",
      mentions: ["70000", "multiplierBits = 16"],
    },
    { name: "a token requant without a shift", edit: (d) => delete d.layers[0].requant.shift, path: "/layers/0/requant", mentions: ['"shift"'] },
    { name: "a selection index past the last token", edit: (d) => (d.layers[2].index = 5), path: "/layers/2/index", mentions: ["5", "5-token", "0 … 4"] },
    { name: "a negative selection index", edit: (d) => (d.layers[2].index = -1), path: "/layers/2/index", mentions: [">= 0"] },
    { name: "a selection without an index", edit: (d) => delete d.layers[2].index, path: "/layers/2", mentions: ['"index"'] },
    {
      name: "a selection of a map that is not a token sequence",
      edit: (d) => d.layers.splice(0, 2),
      path: "/layers/0/inputs",
      mentions: ["[T, 1, C]", "2×2×3"],
    },
    { name: "an embedding of a binary (±1) tensor", edit: (d) => (d.input.bits = 1), path: "/layers/0/inputs", mentions: ["binary"] },
    { name: "a misspelled field", edit: (d) => (d.layers[2].indx = 0), path: "/layers/2/indx", mentions: ["unknown field"] },
    {
      name: "an unknown layer type lists the token layers",
      edit: (d) => (d.layers[2].type = "token_pick"),
      path: "/layers/2/type",
      mentions: ["token_pick", "token_embed", "token_select"],
    },
  ];
  for (const c of cases) {
    test(`error: ${c.name}`, () => {
      const d = doc();
      c.edit(d);
      const e = errorOf(d);
      expect(e.path).toBe(c.path);
      for (const m of c.mentions) expect(e.message).toContain(m);
      expect(e.hint).not.toBe("");
    });
  }

  test("an error in a model file names the file", () => {
    const dir = testDir("quantrtl-tok-");
    const d = doc();
    d.layers[0].embedding.push(0);
    writeFileSync(join(dir, "bad.json"), JSON.stringify(d));
    const e = errorOf(undefined, join(dir, "bad.json"));
    expect(e.file).toBe(join(dir, "bad.json"));
    expect(e.path).toBe("/layers/0/embedding");
  });
});

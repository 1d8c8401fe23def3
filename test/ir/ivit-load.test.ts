/**
 * Loading the integer ViT layers (src/ir/load-ivit.ts): shapes and parameters of
 * layernorm, gelu, softmax, attention and the linear alias on token sequences
 * [T, 1, C]; every malformed layer gets one error naming its JSON path (or flag).
 */
import { describe, expect, test } from "vitest";
import { parseModel } from "../../src/ir/load.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { attentionDoc, geluDoc, layerNormDoc, linearDoc, tokenDoc } from "../helpers/ivit-models.js";

type Doc = Record<string, any>;

/** 6 tokens of 8: LN -> QKV linear (24) -> attention (2 heads of 4) -> linear -> gelu -> softmax. */
const block = (): Doc =>
  tokenDoc("vit", 6, 8, [
    layerNormDoc("ln", 8, 1),
    linearDoc("qkv", 8, 24, 2),
    attentionDoc("attn", 2, -2000, 2),
    linearDoc("fc", 8, 12, 3),
    geluDoc("g", -10),
    { type: "softmax", name: "sm", x0: -12 },
  ]);

function errorOf(doc: unknown, options = {}): QuantrtlError {
  try {
    parseModel(doc, options);
  } catch (err) {
    if (err instanceof QuantrtlError) return err;
    throw err;
  }
  throw new Error("no error");
}

describe("integer ViT layers load", () => {
  test("shapes, bits and parameters follow the token sequence", () => {
    const m = parseModel(block());
    const shapes = Object.fromEntries(m.layers.map((l) => [l.name, [l.output.height, l.output.width, l.output.channels, l.output.bits]]));
    expect(shapes).toEqual({ ln: [6, 1, 8, 8], qkv: [6, 1, 24, 8], attn: [6, 1, 8, 8], fc: [6, 1, 12, 8], g: [6, 1, 12, 8], sm: [6, 1, 12, 8] });
    const [ln, qkv, attn, , g, sm] = m.layers;
    // the linear alias is a 1×1 conv: the engine applied per token
    expect(qkv.kind).toBe("conv2d");
    if (qkv.kind === "conv2d")
      expect([qkv.kernel, qkv.stride, qkv.padding]).toEqual([
        [1, 1],
        [1, 1],
        [0, 0],
      ]);
    if (ln.kind !== "layernorm" || attn.kind !== "attention" || g.kind !== "gelu" || sm.kind !== "softmax") throw new Error("kinds");
    expect(ln.params.channels).toBe(8);
    expect(ln.out.perChannel?.multipliers.length).toBe(8);
    // head dim 4: a score is a sum of 4 int8 products, in [4·(−128·127), 4·128²] = [−65024, 65536] → 18 bits
    expect([attn.heads, attn.headDim, attn.arch.simd, attn.softmax.inputBits, attn.softmax.x0, attn.softmax.n, attn.softmax.outBits]).toEqual([
      2, 4, 2, 18, -2000, 15, 8,
    ]);
    expect([g.params.x0, g.params.n, g.params.outBits, g.params.inputBits]).toEqual([-10, 23, 8, 8]);
    expect([sm.params.x0, sm.params.n, sm.params.outBits]).toEqual([-12, 15, 8]);
  });

  test("defaults: attention SIMD is the largest divisor of the head dim up to 16; biasInt defaults to zeros", () => {
    const doc = tokenDoc("a", 3, 72, [attentionDoc("attn", 1, -100)]); // head dim 24 -> simd 12
    const a = parseModel(doc).layers[0];
    expect(a.kind === "attention" && a.arch.simd).toBe(12);
    const ln = layerNormDoc("ln", 4, 1);
    delete ln.biasInt;
    const l = parseModel(tokenDoc("l", 2, 4, [ln])).layers[0];
    expect(l.kind === "layernorm" && Array.from(l.params.biasInt)).toEqual([0, 0, 0, 0]);
  });

  test("--simd reaches the attention unit, and one that does not divide the head dim is named as the flag", () => {
    const a = parseModel(block(), { arch: { simd: 4 } }).layers[2];
    expect(a.kind === "attention" && a.arch.simd).toBe(4);
    const e = errorOf(block(), { arch: { simd: 3 } });
    expect(e.path).toBe("--simd");
    expect(e.message).toContain("head dim 4");
  });

  const cases: { name: string; edit: (d: Doc) => void; path: string; mentions: string[] }[] = [
    { name: "layernorm with a bias_int per channel missing", edit: (d) => d.layers[0].biasInt.pop(), path: "/layers/0/biasInt", mentions: ["7 values", "8"] },
    { name: "layernorm bias_int beyond 32 bits", edit: (d) => (d.layers[0].biasInt[3] = 2 ** 31), path: "/layers/0/biasInt/3", mentions: ["out of range"] },
    {
      name: "layernorm bias_int that makes z wider than 32 bits",
      edit: (d) => (d.layers[0].biasInt[3] = 2 ** 31 - 1),
      path: "/layers/0/biasInt",
      mentions: ["32 bits"],
    },
    {
      name: "layernorm of 16-bit tokens (the variance can pass 2^32)",
      edit: (d) => ((d.input.bits = 16), (d.layers[0].requant.outBits = 8)),
      path: "/layers/0/inputs",
      mentions: ["2^32", "Newton"],
    },
    {
      name: "layernorm with per-channel multipliers of the wrong count",
      edit: (d) => d.layers[0].requant.multipliers.push(1),
      path: "/layers/0/requant/multipliers",
      mentions: ["9 values", "8"],
    },
    {
      name: "attention on a non-token tensor",
      edit: (d) => ((d.input = { height: 2, width: 3, channels: 24, bits: 8 }), d.layers.splice(0, 6, attentionDoc("attn", 1, -10))),
      path: "/layers/0/inputs",
      mentions: ["[T, 1, 3·D]"],
    },
    {
      name: "attention whose channels are not 3·D",
      edit: (d) => ((d.layers[1].outFeatures = 20), (d.layers[1].weights = d.layers[1].weights.slice(0, 160))),
      path: "/layers/2/inputs",
      mentions: ["20 channels", "3·D"],
    },
    { name: "attention with heads that do not divide D", edit: (d) => (d.layers[2].heads = 3), path: "/layers/2/heads", mentions: ["3 heads", "D = 8"] },
    {
      name: "attention SIMD that does not divide the head dim",
      edit: (d) => (d.layers[2].arch.simd = 3),
      path: "/layers/2/arch/simd",
      mentions: ["head dim 4"],
    },
    { name: "attention on 16-bit Q, K, V", edit: (d) => (d.layers[1].requant.outBits = 16), path: "/layers/2/inputs", mentions: ["int8"] },
    {
      name: "attention x0 too large for n (|x0|·2^n > 2^31 − 1)",
      edit: (d) => (d.layers[2].x0 = -70000),
      path: "/layers/2/x0",
      mentions: ["70000", "2^31 − 1", "65535"],
    },
    { name: "attention x0 that is not negative", edit: (d) => (d.layers[2].x0 = 0), path: "/layers/2/x0", mentions: ["<= -1"] },
    { name: "attention without heads", edit: (d) => delete d.layers[2].heads, path: "/layers/2", mentions: ['"heads"'] },
    { name: "gelu x0' too large (2·|x0'|·2^23 > 2^31 − 1)", edit: (d) => (d.layers[4].x0 = -128), path: "/layers/4/x0", mentions: ["2·|x0|", "127"] },
    { name: "gelu without a requant", edit: (d) => delete d.layers[4].requant, path: "/layers/4", mentions: ['"requant"'] },
    { name: "softmax n out of range", edit: (d) => (d.layers[5].n = 31), path: "/layers/5/n", mentions: ["<= 30"] },
    { name: "softmax x0 too large for n", edit: (d) => ((d.layers[5].x0 = -5000), (d.layers[5].n = 20)), path: "/layers/5/x0", mentions: ["5000·2^20"] },
    { name: "a misspelled field", edit: (d) => (d.layers[5].outbits = 8), path: "/layers/5/outbits", mentions: ["unknown field"] },
    {
      name: "an unknown layer type lists the ViT layers",
      edit: (d) => (d.layers[5].type = "rmsnorm"),
      path: "/layers/5/type",
      mentions: ["rmsnorm", "layernorm", "attention", "linear"],
    },
  ];
  for (const c of cases) {
    test(`error: ${c.name}`, () => {
      const doc = block();
      c.edit(doc);
      const e = errorOf(doc);
      expect(e.path).toBe(c.path);
      for (const m of c.mentions) expect(e.message).toContain(m);
    });
  }

  test("a ViT layer of a binary tensor is rejected at its inputs", () => {
    const e = errorOf(tokenDoc("b", 2, 4, [{ type: "softmax", name: "sm", x0: -3 }], 1));
    expect(e.path).toBe("/layers/0/inputs");
    expect(e.message).toContain("binary");
  });
});

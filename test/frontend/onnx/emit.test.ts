/**
 * Narrow engine layers (emit.ts): the QONNX integer weights as they are, the output in as
 * few bits as its levels need, and a falling channel (batch-norm γ < 0) fitted with a
 * negative multiplier rather than negated weights — golden equal to onnxruntime.
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../../src/frontend/onnx/import.js";
import { engineOutBits } from "../../../src/frontend/onnx/emit.js";
import { GraphBuilder } from "./graph-builder.js";
import { compare } from "./compare.js";

describe("narrow engine layers", () => {
  it("output widths: the fewest signed bits for the levels, stored at the top of the range", () => {
    // 3 levels (2-bit narrow): [−1, 1] in 2 bits, zero point 2^1 − 3 = −1
    expect(engineOutBits(3, true)).toEqual({ outBits: 2, zeroPoint: -1 });
    // 4 levels (2-bit unsigned): [−2, 1], zero point −2
    expect(engineOutBits(4, true)).toEqual({ outBits: 2, zeroPoint: -2 });
    expect(engineOutBits(5, true)).toEqual({ outBits: 3, zeroPoint: -1 });
    expect(engineOutBits(64, true)).toEqual({ outBits: 6, zeroPoint: -32 });
    // 2 levels still take 2 bits (1 bit is the bipolar ±1 type)
    expect(engineOutBits(2, true)).toEqual({ outBits: 2, zeroPoint: 0 });
    // read by other layers: 8 bits as before, [125, 127]
    expect(engineOutBits(3, false)).toEqual({ outBits: 8, zeroPoint: 125 });
  });

  it("3-bit weights (−4 included) → batch-norm (γ < 0 on one channel) → ReLU → unsigned 2-bit Quant → 2-bit weights: widths 3/2 and onnxruntime's integers", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 6]);
    const qx = g.quant(x, 1 / 16, 0, 8);
    // the QONNX integers of W ([in 6, out 3], scale 1/4, 3-bit signed, not narrow: −4 … 3), exact multiples of the scale
    const wInt = [-4, 3, 0, 1, -2, 2, 3, -4, -1, 0, 1, 3, -3, -1, 2, 2, 0, -4];
    const w = g.quant(
      g.init(
        "W",
        [6, 3],
        wInt.map((v) => v / 4),
      ),
      1 / 4,
      0,
      3,
    );
    const bn = g.node(
      "BatchNormalization",
      [
        g.node("MatMul", [qx, w]),
        g.init("gamma", [3], [0.9, -1.3, 0.55]),
        g.init("beta", [3], [0.2, 0.4, -0.1]),
        g.init("mean", [3], [0.1, -0.3, 0.05]),
        g.init("var", [3], [0.7, 1.9, 0.4]),
      ],
      { epsilon: { float: 1e-5 } },
    );
    const qh = g.quant(g.node("Relu", [bn]), 0.5, 0, 2, { signed: 0 });
    const w2Int = [1, -1, 0, 0, 1, -1, -1, 1, 1, 1, 0, -1];
    const w2 = g.quant(
      g.init(
        "W2",
        [3, 4],
        w2Int.map((v) => v * 0.3),
      ),
      0.3,
      0,
      2,
      { narrow: 1 },
    );
    const y = g.node("MatMul", [qh, w2]);
    g.output(y, [1, 4]);
    const bytes = g.bytes();
    const { doc } = importOnnx(bytes, undefined);
    const layers = doc.layers as { weightBits: number; activationBits: number; weights: number[]; requant: { outBits: number; multipliers?: number[] } }[];
    expect((doc.input as { bits: number }).bits).toBe(8);
    expect(layers.map((l) => [l.weightBits, l.activationBits])).toEqual([
      [3, 8],
      [2, 2],
    ]);
    // [out][in]: the transpose of wInt, not negated (channel 1 falls: its multiplier is negative instead)
    const want = [0, 1, 2].flatMap((o) => [0, 1, 2, 3, 4, 5].map((i) => wInt[i * 3 + o]));
    expect(layers[0].weights).toEqual(want);
    expect(layers[0].requant.outBits).toBe(2);
    expect(Math.sign(layers[0].requant.multipliers![1])).toBe(-1);
    expect(layers[1].weights).toEqual([0, 1, 2, 3].flatMap((o) => [0, 1, 2].map((i) => w2Int[i * 4 + o])));
    const { agree } = await compare(bytes, [1, 6], [{ tensor: qh, layer: 0, scale: 0.5, zeroPoint: 0 }], 80, 21, 2);
    expect(agree).toBe(80);
  });

  it("a Quant read by a residual Add keeps 8 bits (the add layer takes 8-bit operands)", () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 4]);
    const qx = g.quant(x, 1 / 8, 0, 4);
    const w = g.quant(g.init("W", [4, 4], [1, 0, -1, 1, 0, 1, 1, -1, -1, 1, 0, 0, 1, 1, -1, 0]), 1, 0, 2, { narrow: 1 });
    const qa = g.quant(g.node("MatMul", [qx, w]), 1 / 8, 0, 4);
    const w2 = g.quant(g.init("W2", [4, 2], [1, -1, 0, 1, -1, 0, 1, 1]), 1, 0, 2, { narrow: 1 });
    const qs = g.quant(g.node("Add", [qa, qx]), 1 / 8, 0, 8);
    g.output(g.node("MatMul", [qs, w2]), [1, 2]);
    const { doc } = importOnnx(g.bytes(), undefined);
    const layers = doc.layers as { type: string; requant?: { outBits: number }; outBits?: number }[];
    expect(layers[0].type).toBe("dense");
    expect(layers[0].requant!.outBits).toBe(8);
    expect((doc.input as { bits: number }).bits).toBe(8);
  });
});

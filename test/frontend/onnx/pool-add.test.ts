/**
 * Residual Add, AveragePool, GlobalAveragePool and the requant of a quantized tensor
 * against onnxruntime on the rewritten float graph: every checked golden tensor equals
 * onnxruntime's QONNX integers exactly (compare.ts), and the output top-1 agrees.
 * Scales are powers of two so that onnxruntime's float32 sums are exact.
 */
import { describe, expect, it } from "vitest";
import { importOnnx } from "../../../src/frontend/onnx/import.js";
import { GraphBuilder, QONNX } from "./graph-builder.js";
import { compare, randomWeights } from "./compare.js";

/** x [1, 2, 6, 6] → Quant(1/16) → conv 3×3 pad 1 (2 channels) → Quant(1/8, signed 8): a residual base. */
function residualBase(g: GraphBuilder, seed: number): { qa: string; qb: string } {
  const x = g.input("x", [1, 2, 6, 6]);
  const qx = g.quant(x, 1 / 16, 0, 8);
  const conv = (inp: string, s: number) =>
    g.node("Conv", [inp, g.quant(g.init(`W${s}`, [2, 2, 3, 3], randomWeights(36, -1, 1, s)), 1 / 8, 0, 4, { narrow: 1 })], {
      kernel_shape: [3, 3],
      pads: [1, 1, 1, 1],
    });
  const qa = g.quant(conv(qx, seed), 1 / 8, 0, 8);
  const qb = g.quant(conv(qa, seed + 1), 1 / 8, 0, 8);
  return { qa, qb };
}

function head(g: GraphBuilder, t: string, features: number, seed: number): void {
  const flat = g.node("Flatten", [t], { axis: 1 });
  g.output(g.node("Gemm", [flat, g.quant(g.init(`Wo${seed}`, [3, features], randomWeights(3 * features, -1, 1, seed)), 1 / 4, 0, 4)], { transB: 1 }), [1, 3]);
}

function layerIndex(bytes: Uint8Array, type: string, nth = 0): number {
  const layers = importOnnx(bytes, undefined).doc.layers as { type: string }[];
  return layers.map((l, i) => [l.type, i] as const).filter(([t]) => t === type)[nth][1];
}

describe("residual Add of two quantized branches", () => {
  it("Add → Quant on the operands' scale: one add layer saturating at 8 bits (exact)", async () => {
    const g = new GraphBuilder();
    const { qa, qb } = residualBase(g, 41);
    const sum = g.quant(g.node("Add", [qa, qb]), 1 / 8, 0, 8);
    head(g, sum, 72, 43);
    const bytes = g.bytes();
    const layers = importOnnx(bytes, undefined).doc.layers as { type: string; multipliers?: number[]; outBits?: number }[];
    expect(layers.filter((l) => l.type === "add")).toHaveLength(1);
    const add = layers.find((l) => l.type === "add")!;
    expect(add.multipliers).toEqual([1, 1]);
    expect(add.outBits).toBe(8);
    const { agree } = await compare(
      bytes,
      [1, 2, 6, 6],
      [
        { tensor: qa, layer: 0, scale: 1 / 8, zeroPoint: 0 },
        { tensor: sum, layer: layerIndex(bytes, "add"), scale: 1 / 8, zeroPoint: 0 },
      ],
      30,
      51,
      6,
    );
    expect(agree).toBe(30);
  });

  it("Add → Relu → Quant(unsigned, twice the scale, ROUND): the exact 16-bit sum, then a 1×1 requant with half-even rounding", async () => {
    const g = new GraphBuilder();
    const { qa, qb } = residualBase(g, 44);
    const sum = g.quant(g.node("Relu", [g.node("Add", [qa, qb])]), 1 / 4, 0, 8, { signed: 0 });
    head(g, sum, 72, 46);
    const bytes = g.bytes();
    const layers = importOnnx(bytes, undefined).doc.layers as { type: string; outBits?: number; relu?: boolean; requant?: { rounding: string } }[];
    const add = layers.find((l) => l.type === "add")!;
    expect([add.outBits, add.relu]).toEqual([16, true]);
    expect(layers.find((l) => l.type === "avgpool")!.requant!.rounding).toBe("half_even");
    const { agree } = await compare(bytes, [1, 2, 6, 6], [{ tensor: sum, layer: layerIndex(bytes, "avgpool"), scale: 1 / 4, zeroPoint: 0 }], 30, 52, 6);
    expect(agree).toBe(30);
  });
});

describe("AveragePool and GlobalAveragePool", () => {
  it("AveragePool 2×2 of unsigned 4-bit activations → Quant(ROUND): avgpool with a half-even requant, exact", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 2, 6, 6]);
    const qx = g.quant(x, 1 / 16, 0, 8);
    const w = g.quant(g.init("W", [3, 2, 3, 3], randomWeights(54, -1, 1, 61)), 1 / 8, 0, 4, { narrow: 1 });
    const qa = g.quant(g.node("Relu", [g.node("Conv", [qx, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]), 1 / 4, 0, 4, { signed: 0 });
    const pool = g.node("AveragePool", [qa], { kernel_shape: [2, 2], strides: [2, 2] });
    const qp = g.quant(pool, 1 / 4, 0, 4, { signed: 0 });
    head(g, qp, 27, 62);
    const bytes = g.bytes();
    const { agree } = await compare(
      bytes,
      [1, 2, 6, 6],
      [
        { tensor: qa, layer: 0, scale: 1 / 4, zeroPoint: 0 },
        { tensor: qp, layer: layerIndex(bytes, "avgpool"), scale: 1 / 4, zeroPoint: 0 },
      ],
      30,
      63,
      6,
    );
    expect(agree).toBe(30);
  });

  it("AveragePool 3×3 (1/9, not dyadic) of ReLU'd activations → Quant(FLOOR): exact on the finite range of window sums", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 1, 6, 6]);
    const qx = g.quant(x, 1 / 16, 0, 8);
    const w = g.quant(g.init("W", [2, 1, 3, 3], randomWeights(18, -1, 1, 64)), 1 / 8, 0, 4, { narrow: 1 });
    const qa = g.quant(g.node("Relu", [g.node("Conv", [qx, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]), 1 / 8, 0, 4, { signed: 0 });
    // floor(S/9) = floor(S·m/2^k) with m/2^k slightly above 1/9 holds for S ≥ 0 only (no bias): the ReLU makes it exact
    const qp = g.quant(g.node("AveragePool", [qa], { kernel_shape: [3, 3], strides: [3, 3] }), 1 / 8, 0, 4, { signed: 0, rounding: "FLOOR" });
    head(g, qp, 8, 65);
    const bytes = g.bytes();
    const { agree } = await compare(bytes, [1, 1, 6, 6], [{ tensor: qp, layer: layerIndex(bytes, "avgpool"), scale: 1 / 8, zeroPoint: 0 }], 30, 66, 6);
    expect(agree).toBe(30);
  });

  it("GlobalAveragePool → Flatten → Gemm with no Quant between: the exact 16-bit window sum feeds the dense layer", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 2, 6, 6]);
    const qx = g.quant(x, 1 / 16, 0, 8);
    const w = g.quant(g.init("W", [4, 2, 3, 3], randomWeights(72, -1, 1, 67)), 1 / 8, 0, 4, { narrow: 1 });
    const qa = g.quant(g.node("Relu", [g.node("Conv", [qx, w], { kernel_shape: [3, 3] })]), 1 / 4, 0, 4, { signed: 0 });
    head(g, g.node("GlobalAveragePool", [qa]), 4, 68);
    const bytes = g.bytes();
    const layers = importOnnx(bytes, undefined).doc.layers as { type: string; requant?: { outBits: number } }[];
    expect(layers.find((l) => l.type === "global_avgpool")!.requant!.outBits).toBe(16);
    const { agree } = await compare(bytes, [1, 2, 6, 6], [{ tensor: qa, layer: 0, scale: 1 / 4, zeroPoint: 0 }], 40, 69, 6);
    expect(agree).toBe(40);
  });
});

describe("QONNX Trunc", () => {
  it("Brevitas' average pool: AveragePool 2×2 → Mul 4 → Trunc(6 → 4 bits, FLOOR): one avgpool layer, exact", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 2, 6, 6]);
    const qx = g.quant(x, 1 / 16, 0, 8);
    const w = g.quant(g.init("W", [3, 2, 3, 3], randomWeights(54, -1, 1, 71)), 1 / 8, 0, 4, { narrow: 1 });
    const qa = g.quant(g.node("Relu", [g.node("Conv", [qx, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] })]), 1 / 4, 0, 4, { signed: 0 });
    const sum = g.node("Mul", [g.node("AveragePool", [qa], { kernel_shape: [2, 2], strides: [2, 2] }), g.scalar(4)]);
    const t = g.node("Trunc", [sum, g.scalar(1 / 4), g.scalar(0), g.scalar(6), g.scalar(1), g.scalar(4)], { rounding_mode: "FLOOR", signed: 0 }, QONNX);
    head(g, t, 27, 72);
    const bytes = g.bytes();
    const layers = importOnnx(bytes, undefined).doc.layers as { type: string; requant?: { rounding: string; shift: number } }[];
    expect(layers.map((l) => l.type)).toEqual(["conv2d", "avgpool", "dense"]);
    const { agree } = await compare(bytes, [1, 2, 6, 6], [{ tensor: t, layer: 1, scale: 1, zeroPoint: 0 }], 30, 73, 6);
    expect(agree).toBe(30);
  });
});

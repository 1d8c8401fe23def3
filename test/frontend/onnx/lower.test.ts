/**
 * Each lowering against onnxruntime on the rewritten float graph (float-graph.ts):
 * generated QONNX graphs, random inputs, and every quantized tensor of the golden
 * (stored integer − offset) equal to the QONNX integer q = float/scale + zp that
 * onnxruntime computes — exact integer equality.
 */
import { describe, expect, it } from "vitest";
import onnxProto from "onnx-proto";
import { importOnnx } from "../../../src/frontend/onnx/import.js";
import { rng } from "../../../src/ir/inputs.js";
import { GraphBuilder } from "./graph-builder.js";
import { compare, randomWeights } from "./compare.js";

const { onnx } = onnxProto;

describe("ONNX lowering equals onnxruntime", () => {
  it("dense with per-channel power-of-two weight scales, bias, ReLU, unsigned 4-bit activations (dyadic: exact requant)", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 8]);
    const qx = g.quant(x, 1 / 16, 0, 8);
    const w = g.quant(g.init("W", [8, 4], randomWeights(32, -1, 1, 3)), g.init("ws", [1, 4], [1 / 8, 1 / 4, 1 / 2, 1 / 16]), 0, 4, { narrow: 1 });
    const b = g.quant(g.init("B", [4], [0.3, -0.2, 0.05, 0.6]), 1 / 128, 0, 8);
    const h = g.node("Relu", [g.node("Add", [g.node("MatMul", [qx, w]), b])]);
    const qh = g.quant(h, 1 / 8, 0, 4, { signed: 0 });
    const w2 = g.quant(g.init("W2", [4, 3], randomWeights(12, -1, 1, 4)), 1 / 4, 0, 4, { narrow: 1 });
    const y = g.node("MatMul", [qh, w2]);
    g.output(y, [1, 3]);
    const { agree } = await compare(g.bytes(), [1, 8], [{ tensor: qh, layer: 0, scale: 1 / 8, zeroPoint: 0 }], 60, 11, 1.5);
    expect(agree).toBe(60);
  });

  it("conv with padding, per-channel non-power-of-two 3-bit weights, batch-norm (γ < 0 too), signed 3-bit Quant, maxpool, flatten, Gemm (staircase requant)", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 2, 6, 6]);
    const qx = g.quant(x, 0.05, 0, 8);
    const w = g.quant(g.init("W", [3, 2, 3, 3], randomWeights(54, -0.9, 0.9, 5)), g.init("ws", [3, 1, 1, 1], [0.3, 0.7, 0.11]), 0, 3, { narrow: 1 });
    const conv = g.node("Conv", [qx, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] });
    const bn = g.node(
      "BatchNormalization",
      [
        conv,
        g.init("gamma", [3], [1.3, -0.8, 0.45]),
        g.init("beta", [3], [0.1, 0.2, -0.3]),
        g.init("mean", [3], [0.05, -0.1, 0.2]),
        g.init("var", [3], [0.9, 1.7, 0.33]),
      ],
      { epsilon: { float: 1e-5 } },
    );
    const qa = g.quant(bn, 0.2, 0, 3);
    const pool = g.node("MaxPool", [qa], { kernel_shape: [2, 2], strides: [2, 2] });
    const flat = g.node("Flatten", [pool], { axis: 1 });
    const w2 = g.quant(g.init("W2", [4, 27], randomWeights(108, -1, 1, 6)), 0.13, 0, 4, { narrow: 1 });
    const y = g.node("Gemm", [flat, w2], { transB: 1 });
    g.output(y, [1, 4]);
    const { agree } = await compare(
      g.bytes(),
      [1, 2, 6, 6],
      [
        { tensor: qa, layer: 0, scale: 0.2, zeroPoint: 0 },
        { tensor: pool, layer: 1, scale: 0.2, zeroPoint: 0 },
      ],
      40,
      12,
      4,
    );
    expect(agree).toBe(40);
  });

  it("Mul/Sub before the input Quant, Shape/Gather/Unsqueeze/Concat/Reshape, Transpose, Identity, Constant, Mul/Div/Sub/Clip folds, Squeeze/Unsqueeze, Softmax at the output", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 1, 4, 4]);
    const pre = g.node("Sub", [g.node("Mul", [x, g.scalar(2)]), g.scalar(0.5)]);
    const qx = g.quant(pre, 0.1, 0, 8);
    const batch = g.node("Unsqueeze", [g.node("Gather", [g.node("Shape", [qx]), g.init("zero", [], [0], 7)], { axis: 0 })], { axes: [0] });
    const shape = g.node("Concat", [batch, g.init("rest", [1], [-1], 7)], { axis: 0 });
    const flat = g.node("Identity", [g.node("Reshape", [qx, shape])]);
    const w = g.node(
      "Transpose",
      [g.quant(g.init("W", [5, 16], randomWeights(80, -1, 1, 8)), g.init("ws", [5, 1], [0.3, 0.21, 0.5, 0.17, 0.4]), 0, 4, { narrow: 1 })],
      { perm: [1, 0] },
    );
    const mm = g.node("MatMul", [flat, w]);
    const scaled = g.node("Div", [g.node("Mul", [mm, g.init("k", [1, 5], [1.1, -0.7, 0.9, 1.3, 0.6])]), g.scalar(1.7)]);
    const off = g.node("Constant", [], { value: { tensor: { dims: [5], data: [0.1, -0.2, 0.3, 0, 0.05] } } });
    const clipped = g.node("Clip", [g.node("Sub", [scaled, off]), g.scalar(0), g.scalar(1.5)]);
    const qa = g.quant(clipped, 0.25, 0, 3, { signed: 0 });
    const sq = g.node("Unsqueeze", [g.node("Squeeze", [qa], { axes: [0] })], { axes: [0] });
    const w2 = g.quant(g.init("W2", [5, 3], randomWeights(15, -1, 1, 9)), 0.5, 0, 4, { narrow: 1 });
    const y = g.node("Softmax", [g.node("MatMul", [sq, w2])], { axis: 1 });
    g.output(y, [1, 3]);
    const softmax = ["Softmax at the output is not computed: it is monotone, so the top-1 class is unchanged; the integer output is the logits"];
    const { doc } = importOnnx(g.bytes(), undefined);
    // x·2 − 0.5 then Quant(0.1): scale 0.05, zero point −5
    const iq = (doc.metadata as { inputQuantizer: { scale: number; zeroPoint: number } }).inputQuantizer;
    expect(iq.scale).toBeCloseTo(0.05, 6);
    expect(iq.zeroPoint).toBeCloseTo(-5, 6);
    const { agree } = await compare(g.bytes(), [1, 1, 4, 4], [{ tensor: qa, layer: 0, scale: 0.25, zeroPoint: 0 }], 50, 13, 1.5, softmax);
    expect(agree).toBe(50);
  });

  it("BipolarQuant weights and activations: a thresholded first layer, then xnor layers (batch-norm with γ < 0 → 'le' thresholds)", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 8]);
    const qx = g.quant(x, 1 / 32, 0, 8);
    const bq = (t: string, s: number) => g.node("BipolarQuant", [t, g.scalar(s)], {}, "qonnx.custom_op.general");
    const layer = (inp: string, k: number, n: number, seed: number, gamma: number[]) => {
      const w = bq(g.init(`W${seed}`, [k, n], randomWeights(k * n, -1, 1, seed)), 0.5);
      const mm = g.node("MatMul", [inp, w]);
      const r = rng(seed + 100);
      const p = (f: () => number) => g.init(`bn${seed}_${g.nodes.length}_${r()}`, [n], Array.from({ length: n }, f));
      return g.node("BatchNormalization", [mm, g.init(`gamma${seed}`, [n], gamma), p(() => r() - 0.5), p(() => (r() - 0.5) * 2), p(() => 0.5 + r())]);
    };
    const h1 = bq(layer(qx, 8, 6, 21, [1, -1.2, 0.7, 1.5, -0.3, 0.9]), 1);
    const h2 = bq(layer(h1, 6, 5, 22, [0.8, 1.1, -0.6, 1, 1.3]), 1);
    const y = g.node("MatMul", [h2, bq(g.init("W3", [5, 3], randomWeights(15, -1, 1, 23)), 0.25)]);
    g.output(y, [1, 3]);
    const { doc } = importOnnx(g.bytes(), undefined);
    expect((doc.layers as { datapath: string }[]).map((l) => l.datapath)).toEqual(["mac", "xnor", "xnor"]);
    const { agree } = await compare(
      g.bytes(),
      [1, 8],
      [
        { tensor: h1, layer: 0, scale: 1, zeroPoint: 0 },
        { tensor: h2, layer: 1, scale: 1, zeroPoint: 0 },
      ],
      60,
      14,
      2,
    );
    expect(agree).toBe(60);
  });

  it("QDQ: QuantizeLinear/DequantizeLinear pairs (uint8 input with zero point 128), per-axis int8 weights", async () => {
    const g = new GraphBuilder();
    const INT8 = onnx.TensorProto.DataType.INT8;
    const UINT8 = onnx.TensorProto.DataType.UINT8;
    const x = g.input("x", [1, 8]);
    const qdq = (t: string, s: number, zp: number) => {
      const sc = g.scalar(s);
      const z = g.init(`z${g.nodes.length}`, [], [zp], UINT8);
      return g.node("DequantizeLinear", [g.node("QuantizeLinear", [t, sc, z]), sc, z]);
    };
    const r = rng(31);
    const w = g.node(
      "DequantizeLinear",
      [
        g.init(
          "W",
          [8, 4],
          Array.from({ length: 32 }, () => Math.round((r() * 2 - 1) * 100)),
          INT8,
        ),
        g.init("ws", [4], [1 / 64, 1 / 32, 1 / 256, 1 / 128]),
      ],
      { axis: 1 },
    );
    const h = g.node("Relu", [g.node("MatMul", [qdq(x, 1 / 16, 128), w])]);
    // power-of-two scales keep onnxruntime's float32 sums exact, so its integers are the exact reference
    const qh = qdq(h, 1 / 8, 0);
    const w2 = g.node("DequantizeLinear", [
      g.init(
        "W2",
        [4, 3],
        Array.from({ length: 12 }, () => Math.round((r() * 2 - 1) * 20)),
        INT8,
      ),
      g.scalar(1 / 64),
    ]);
    g.output(g.node("MatMul", [qh, w2]), [1, 3]);
    const bytes = g.bytes(13);
    const { doc } = importOnnx(bytes, undefined);
    expect((doc.metadata as { inputQuantizer: unknown }).inputQuantizer).toMatchObject({ scale: 1 / 16, zeroPoint: 128, bits: 8, signed: false });
    const { agree } = await compare(bytes, [1, 8], [{ tensor: qh, layer: 0, scale: 1 / 8, zeroPoint: 0 }], 60, 15, 6);
    expect(agree).toBe(60);
  });
});

/**
 * QONNX MultiThreshold (multithreshold.py: y = out_scale · #{j : x ≥ T[c, j]} + out_bias) after a
 * MatMul: hand-worked counts, and the golden against onnxruntime running the definition written
 * as standard ops by hand here (a sum of GreaterOrEqual over the thresholds) — not our rewrite.
 */
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import { importOnnx } from "../../../src/frontend/onnx/import.js";
import { toStandardOnnx } from "../../../src/frontend/onnx/float-graph.js";
import { quantizeInput } from "../../../src/frontend/onnx/input-quantizer.js";
import { parseModel } from "../../../src/ir/load.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import { rng } from "../../../src/ir/inputs.js";
import { GraphBuilder, ortSession, QONNX } from "./graph-builder.js";
import { randomWeights } from "./compare.js";
import { runCli } from "../../helpers/cli.js";
import { testDir } from "../../helpers/temp.js";

const { onnx } = onnxProto;

interface Mt {
  readonly thresholds: number[][];
  readonly outScale: number;
  readonly outBias: number;
}

/** x [1, inputs] → Quant(1/16, 8 bits) → MatMul(Quant W, 3-bit on 1/4) → MultiThreshold (or its standard-op definition) [→ MatMul(W2)]. */
function graph(mt: Mt, w: number[], outputs: number, reference: boolean, w2?: number[]) {
  const g = new GraphBuilder();
  const inputs = w.length / outputs;
  const x = g.input("x", [1, inputs]);
  const h = g.node("MatMul", [g.quant(x, 1 / 16, 0, 8), g.quant(g.init("W", [inputs, outputs], w), 1 / 4, 0, 3)]);
  const C = mt.thresholds.length;
  const B = mt.thresholds[0].length;
  let y: string;
  if (reference) {
    // Σ_j Cast(x ≥ T[:, j]) · out_scale + out_bias, one GreaterOrEqual per threshold column
    let count = "";
    for (let j = 0; j < B; j++) {
      const col = g.init(
        `T${j}`,
        [C],
        mt.thresholds.map((row) => row[j]),
      );
      const ge = g.node("Cast", [g.node("GreaterOrEqual", [h, col])], { to: onnx.TensorProto.DataType.FLOAT });
      count = j === 0 ? ge : g.node("Add", [count, ge]);
    }
    y = g.node("Add", [g.node("Mul", [count, g.scalar(mt.outScale)]), g.scalar(mt.outBias)], {}, "", "mt_ref", "mt");
  } else {
    y = g.node(
      "MultiThreshold",
      [h, g.init("T", [C, B], mt.thresholds.flat())],
      { out_dtype: "UINT2", out_scale: { float: mt.outScale }, out_bias: { float: mt.outBias } },
      QONNX,
      "mt_node",
      "mt",
    );
  }
  if (w2) {
    const z = g.node("MatMul", [y, g.quant(g.init("W2", [outputs, w2.length / outputs], w2), 1, 0, 2, { narrow: 1 })]);
    g.output(z, [1, w2.length / outputs]);
  } else g.output(y, [1, outputs]);
  return g.bytes(13);
}

function golden(bytes: Uint8Array, x: Float32Array) {
  const { doc } = importOnnx(bytes, undefined);
  const model = parseModel(doc);
  const q = (doc.metadata as { inputQuantizer: Parameters<typeof quantizeInput>[1] }).inputQuantizer;
  return { doc, trace: runGolden(model, quantizeInput(x, q, model.input)) };
}

describe("MultiThreshold", () => {
  it("counts the thresholds ≤ x per channel: hand-worked on a 2×2 MatMul", () => {
    // W (in × out) = [[1, −1], [2, 1]] on scale 1/4, so x·W/4 with x = (16, 32)/16 = (1, 2): (5, 1)/4 … scaled by 4 below
    const w = [1, -1, 2, 1].map((v) => v / 4);
    const mt = { thresholds: [[-1.5, 0.5, 2.5].map((t) => t / 4), [0, 1, 2].map((t) => t / 4)], outScale: 1, outBias: 0 };
    const bytes = graph(mt, w, 2, false);
    // h = (1·1 + 2·2, 1·(−1) + 2·1)/4 = (5/4, 1/4): channel 0 passes −1.5, 0.5, 2.5 (all 3); channel 1 passes 0 and 1 (2)
    const { doc, trace } = golden(bytes, Float32Array.of(1, 2));
    const out = trace.layers[trace.layers.length - 1];
    // 4 levels in 2 signed bits: stored count − 2
    expect((doc.layers as { requant: { outBits: number } }[])[0].requant.outBits).toBe(2);
    expect(Array.from(out.data)).toEqual([3 - 2, 2 - 2]);
    // x = (−1, 0.5): h = (−1 + 1, 1 + 0.5)/4 = (0, 1.5/4): channel 0 passes −1.5 only (1); channel 1 passes 0 and 1 (2)
    expect(Array.from(golden(bytes, Float32Array.of(-1, 0.5)).trace.layers[0].data)).toEqual([1 - 2, 2 - 2]);
  });

  it("equals onnxruntime on the definition in standard ops: per-channel evenly spaced thresholds, out_scale 0.5, out_bias −0.25, then a 2-bit MatMul", async () => {
    const r = rng(31);
    const C = 6;
    const w = randomWeights(10 * C, -1, 1, 32);
    // per channel a start and a spacing (a streamlined batch-norm + quantizer gives such rows), given unsorted
    const thresholds = Array.from({ length: C }, () => {
      const start = (r() * 2 - 1) * 1.5;
      const step = 0.2 + r() * 0.8;
      return [2, 0, 1].map((j) => start + j * step);
    });
    const mt = { thresholds, outScale: 0.5, outBias: -0.25 };
    const w2 = [1, -1, 0, 1, 1, 0, -1, 1, 0, 1, -1, -1];
    const ours = graph(mt, w, C, false, w2);
    // the Quants of the reference go through the float reference's rewrite; its MultiThreshold is the hand-written sum
    const ref = await ortSession(withOutput(toStandardOnnx(graph(mt, w, C, true, w2)), "mt"));
    const rewritten = await ortSession(withOutput(toStandardOnnx(ours), "mt"));
    const { doc } = importOnnx(ours, undefined);
    expect(doc.layers as unknown[]).toHaveLength(2);
    for (let n = 0; n < 60; n++) {
      const x = Float32Array.from({ length: 10 }, () => Math.round((r() * 2 - 1) * 3 * 16) / 16);
      const want = await ref(x, [1, 10]);
      // our standard-op rewrite (the float reference of `run`) agrees with the hand-written one
      expect(Array.from(await rewritten(x, [1, 10]))).toEqual(Array.from(want));
      const counts = Array.from(want, (v) => (v - mt.outBias) / mt.outScale);
      const { trace } = golden(ours, x);
      // stored = count + offset, offset 2^1 − 4 − 0 = −2 (4 levels in 2 bits)
      expect(Array.from(trace.layers[0].data), `input ${n}`).toEqual(counts.map((c) => c - 2));
    }
  });

  it("out scaling left as Mul and Add nodes after the MultiThreshold relabels its integers: the next layer reads 2 bits, logits equal to onnxruntime", async () => {
    const C = 4;
    const w = randomWeights(6 * C, -1, 1, 81);
    const w2 = [1, -1, 0, 1, 1, 0, -1, 1];
    const thresholds = [
      [-0.6, 0.1, 0.8],
      [-0.2, 0.3, 0.8],
      [0, 0.9, 1.8],
      [-1, -0.5, 0],
    ];
    const g = new GraphBuilder();
    const x = g.input("x", [1, 6]);
    const h = g.node("MatMul", [g.quant(x, 1 / 16, 0, 8), g.quant(g.init("W", [6, C], w), 1 / 4, 0, 3)]);
    const mt = g.node("MultiThreshold", [h, g.init("T", [C, 3], thresholds.flat())], { out_dtype: "UINT2" }, QONNX);
    const scaled = g.node("Add", [g.node("Mul", [mt, g.scalar(0.5)]), g.scalar(-0.25)]);
    const y = g.node("MatMul", [scaled, g.quant(g.init("W2", [C, 2], w2), 1, 0, 2, { narrow: 1 })]);
    g.output(y, [1, 2]);
    const bytes = g.bytes(13);
    const { doc } = importOnnx(bytes, undefined);
    expect((doc.layers as { activationBits: number }[]).map((l) => l.activationBits)).toEqual([8, 2]);
    const ref = await ortSession(toStandardOnnx(bytes));
    const r = rng(82);
    for (let n = 0; n < 40; n++) {
      const xs = Float32Array.from({ length: 6 }, () => Math.round((r() * 2 - 1) * 3 * 16) / 16);
      const logits = Array.from(await ref(xs, [1, 6]));
      const meta = (doc.metadata as { onnx: { output: { scale: number; offset: number } } }).onnx.output;
      // float logit = scale · y + offset (metadata.onnx.output): exact here (scales 1/2 and 1, offsets on 1/4)
      const got = Array.from(golden(bytes, xs).trace.layers[1].data, (v) => meta.scale * v + meta.offset);
      expect(got, `input ${n}`).toEqual(logits);
    }
  });

  it("two levels ±s (out_scale 2, out_bias −1: BIPOLAR) become a threshold layer, ±1 bits equal to onnxruntime's", async () => {
    const C = 5;
    const w = randomWeights(8 * C, -1, 1, 41);
    const thresholds = [[0.3], [-0.2], [0.05], [0.6], [-0.45]];
    const mt = { thresholds, outScale: 2, outBias: -1 };
    const ours = graph(mt, w, C, false);
    const ref = await ortSession(toStandardOnnx(graph(mt, w, C, true)));
    const { doc } = importOnnx(ours, undefined);
    const layer = (doc.layers as { thresholds?: number[]; requant?: unknown }[])[0];
    expect(layer.thresholds).toHaveLength(C);
    expect(layer.requant).toBeUndefined();
    const r = rng(43);
    for (let n = 0; n < 60; n++) {
      const x = Float32Array.from({ length: 8 }, () => Math.round((r() * 2 - 1) * 2 * 16) / 16);
      const want = Array.from(await ref(x, [1, 8]));
      expect(Array.from(golden(ours, x).trace.layers[0].data), `input ${n}`).toEqual(want);
    }
  });

  it("is refused, naming the node, where no requant can place the thresholds or it is not after a MatMul/Conv", () => {
    const w = [1, -1, 2, 1].map((v) => v / 4);
    // 0.5 apart then 3 apart: no line through both steps
    const uneven = {
      thresholds: [
        [0, 0.125, 0.875],
        [0, 0.25, 0.5],
      ],
      outScale: 1,
      outBias: 0,
    };
    expect(() => importOnnx(graph(uneven, w, 2, false), undefined)).toThrow(
      /node "mt_node" \(#\d+, MultiThreshold\): its thresholds are not reproduced exactly/,
    );
    const g = new GraphBuilder();
    const x = g.input("x", [1, 2]);
    g.output(g.node("MultiThreshold", [x, g.init("T", [1, 1], [0])], { out_dtype: "BIPOLAR" }, QONNX, "on_input"), [1, 2]);
    expect(() => importOnnx(g.bytes(), undefined)).toThrow(/node "on_input" \(#0, MultiThreshold\): thresholds the model input/);
    const bad = { thresholds: [[0], [1], [2]], outScale: 1, outBias: 0 };
    expect(() => importOnnx(graph(bad, w, 2, false), undefined)).toThrow(/has thresholds for 3 channels; its input has 2/);
  });
});

function withOutput(bytes: Uint8Array, name: string): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  m.graph!.output = [onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: 1 } } })];
  return onnx.ModelProto.encode(m).finish();
}

describe("MultiThreshold on a conv", () => {
  it("per-tensor thresholds [1, B] on a [1, C, H, W] conv output: equal to the standard-op definition (and to our rewrite at opsets 11 and 13)", async () => {
    const thresholds = [-0.5, 0.25, 1];
    const build = (reference: boolean, opset = 13) => {
      const g = new GraphBuilder();
      const x = g.input("x", [1, 2, 5, 5]);
      const w = g.quant(g.init("W", [3, 2, 3, 3], randomWeights(54, -0.9, 0.9, 71)), 1 / 4, 0, 3);
      const h = g.node("Conv", [g.quant(x, 1 / 8, 0, 8), w], { kernel_shape: [3, 3], strides: [1, 1] });
      let y: string;
      if (reference) {
        let count = "";
        thresholds.forEach((t, j) => {
          const ge = g.node("Cast", [g.node("GreaterOrEqual", [h, g.scalar(t)])], { to: onnx.TensorProto.DataType.FLOAT });
          count = j === 0 ? ge : g.node("Add", [count, ge]);
        });
        y = g.node("Identity", [count], {}, "", "mt_ref", "mt");
      } else y = g.node("MultiThreshold", [h, g.init("T", [1, 3], thresholds)], { out_dtype: "UINT2" }, QONNX, "mt_node", "mt");
      g.output(y, [1, 3, 3, 3]);
      return g.bytes(opset);
    };
    const ours = build(false);
    const ref = await ortSession(toStandardOnnx(build(true)));
    const rewritten = await ortSession(toStandardOnnx(ours));
    // opset 11: Unsqueeze and ReduceSum take their axes as attributes
    const rewritten11 = await ortSession(toStandardOnnx(build(false, 11)));
    const r = rng(72);
    for (let n = 0; n < 30; n++) {
      const x = Float32Array.from({ length: 50 }, () => Math.round((r() * 2 - 1) * 2 * 8) / 8);
      const want = Array.from(await ref(x, [1, 2, 5, 5]));
      expect(Array.from(await rewritten(x, [1, 2, 5, 5]))).toEqual(want);
      expect(Array.from(await rewritten11(x, [1, 2, 5, 5]))).toEqual(want);
      // golden HWC vs ONNX NCHW; stored = count − 2
      const got = golden(ours, x).trace.layers[0].data;
      const hwc = new Array<number>(27);
      for (let c = 0; c < 3; c++) for (let p = 0; p < 9; p++) hwc[p * 3 + c] = want[c * 9 + p] - 2;
      expect(Array.from(got), `input ${n}`).toEqual(hwc);
    }
  });
});

describe("MultiThreshold in RTL", () => {
  it("a 4-level and a bipolar MultiThreshold, then an xnor layer: verify proves it bit-exact in Verilator", async () => {
    const g = new GraphBuilder();
    const r = rng(53);
    const x = g.input("x", [1, 12]);
    const h1 = g.node("MatMul", [g.quant(x, 1 / 16, 0, 8), g.quant(g.init("W1", [12, 8], randomWeights(96, -1, 1, 54)), 1 / 4, 0, 3)]);
    const rows = (C: number, B: number, spread: number) =>
      Array.from({ length: C }, () => {
        const start = (r() * 2 - 1) * spread;
        const step = 0.3 + r();
        return Array.from({ length: B }, (_, j) => start + j * step);
      });
    const t1 = rows(8, 3, 1);
    const a1 = g.node("MultiThreshold", [h1, g.init("T1", [8, 3], t1.flat())], { out_dtype: "UINT2", out_scale: { float: 0.5 } }, QONNX);
    const h2 = g.node("MatMul", [a1, g.quant(g.init("W2", [8, 6], randomWeights(48, -1.4, 1.4, 55)), 1, 0, 2, { narrow: 1 })]);
    const t2 = rows(6, 1, 1);
    const a2 = g.node(
      "MultiThreshold",
      [h2, g.init("T2", [6, 1], t2.flat())],
      { out_dtype: "BIPOLAR", out_scale: { float: 2 }, out_bias: { float: -1 } },
      QONNX,
    );
    const w3 = g.node("BipolarQuant", [g.init("W3", [6, 4], randomWeights(24, -1, 1, 56)), g.scalar(1)], {}, QONNX);
    g.output(g.node("MatMul", [a2, w3]), [1, 4]);
    const dir = testDir("quantrtl-mt-onnx-");
    const file = join(dir, "mt.onnx");
    writeFileSync(file, g.bytes(13));
    const v = await runCli(["verify", file, "--vectors", "5", "--sim", "verilator"], { timeoutMs: 600_000 });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/bit-exact: \d+\/\d+ words, 5 vectors.*\(verilator\)/);
  }, 600_000);
});

describe("FINN-streamlined MultiThreshold graphs", () => {
  it("float weights of integers annotated INT2 / BIPOLAR, MultiThreshold between: equal to the standard-op definition, weights as the integers", async () => {
    const r = rng(61);
    const ints = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
    const w1 = ints(10 * 6, -2, 1);
    const w2 = ints(6 * 3, 0, 1).map((v) => 2 * v - 1);
    const thresholds = Array.from({ length: 6 }, () => {
      const start = Math.round((r() * 2 - 1) * 6) + 0.5;
      const step = 1 + Math.floor(r() * 3);
      return [0, 1, 2].map((j) => start + j * step);
    });
    const build = (reference: boolean) => {
      const g = new GraphBuilder();
      const x = g.input("x", [1, 10]);
      const h = g.node("MatMul", [g.quant(x, 1, 0, 4), g.annotate(g.init("W1", [10, 6], w1), "INT2")]);
      let a: string;
      if (reference) {
        let count = "";
        for (let j = 0; j < 3; j++) {
          const ge = g.node(
            "Cast",
            [
              g.node("GreaterOrEqual", [
                h,
                g.init(
                  `T${j}`,
                  [6],
                  thresholds.map((row) => row[j]),
                ),
              ]),
            ],
            { to: onnx.TensorProto.DataType.FLOAT },
          );
          count = j === 0 ? ge : g.node("Add", [count, ge]);
        }
        a = g.node("Identity", [count], {}, "", "mt_ref", "mt");
      } else a = g.node("MultiThreshold", [h, g.init("T", [6, 3], thresholds.flat())], { out_dtype: "UINT2" }, QONNX, "mt_node", "mt");
      g.output(g.node("MatMul", [a, g.annotate(g.init("W2", [6, 3], w2), "BIPOLAR")]), [1, 3]);
      return g.bytes(13);
    };
    const ours = build(false);
    const { doc } = importOnnx(ours, undefined);
    const layers = doc.layers as { weightBits: number; weights: number[] }[];
    expect(layers.map((l) => l.weightBits)).toEqual([2, 2]);
    expect(layers[0].weights).toEqual([0, 1, 2, 3, 4, 5].flatMap((o) => Array.from({ length: 10 }, (_, i) => w1[i * 6 + o])));
    const ref = await ortSession(withOutput(toStandardOnnx(build(true)), "mt"));
    for (let n = 0; n < 40; n++) {
      const x = Float32Array.from({ length: 10 }, () => Math.round((r() * 2 - 1) * 7));
      const counts = Array.from(await ref(x, [1, 10]));
      // stored = count − 2 (4 levels in 2 bits)
      expect(Array.from(golden(ours, x).trace.layers[0].data), `input ${n}`).toEqual(counts.map((c) => c - 2));
    }
    // an annotation the values break is refused, naming the weight
    const bad = new GraphBuilder();
    const bx = bad.input("x", [1, 2]);
    bad.output(bad.node("MatMul", [bad.quant(bx, 1, 0, 4), bad.annotate(bad.init("Wb", [2, 2], [1, 3, 0, -1]), "INT2")], {}, "", "mm"), [1, 2]);
    expect(() => importOnnx(bad.bytes(), undefined)).toThrow(/node "mm" \(#1, MatMul\): its weight Wb is annotated INT2 but holds 3/);
  });
});

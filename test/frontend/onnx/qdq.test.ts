/**
 * QDQ (QuantizeLinear → DequantizeLinear) at exact ties: ONNX's QuantizeLinear rounds x/s half to
 * even and then adds its zero point, where QONNX's Quant rounds x/s + zp; with an odd zero point the
 * two differ at every tie. Power-of-two scales put x/s exactly on .5, and onnxruntime (run on the graph
 * as given, graph optimizations on and off) is the reference for every golden integer.
 */
import { describe, expect, it } from "vitest";
import onnxProto from "onnx-proto";
import ort from "onnxruntime-node";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { importOnnx } from "../../../src/frontend/onnx/import.js";
import { quantizeInput } from "../../../src/frontend/onnx/input-quantizer.js";
import { inputQuantizerOf, quantizeSample } from "../../../src/frontend/data/quantize-input.js";
import { parseModel } from "../../../src/ir/load.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import { rng } from "../../../src/ir/inputs.js";
import { dump } from "npyjs";
import { GraphBuilder } from "./graph-builder.js";
import { runCli } from "../../helpers/cli.js";
import { testDir } from "../../helpers/temp.js";

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

function ints(n: number, lo: number, hi: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

/** Extra graph outputs of the given element types, so onnxruntime returns the integer tensors. */
function withIntOutputs(bytes: Uint8Array, outs: [string, number][]): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  for (const [name, elemType] of outs) m.graph!.output!.push(onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType } } }));
  return onnx.ModelProto.encode(m).finish();
}

/** NCHW (ONNX) → HWC (golden stream order). */
function toHwc(a: ArrayLike<number>, C: number, H: number, W: number): number[] {
  const out = new Array<number>(C * H * W);
  for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) out[(h * W + w) * C + c] = Number(a[(c * H + h) * W + w]);
  return out;
}

interface Run {
  readonly input: number[];
  readonly golden: (layer: number) => number[];
  /** onnxruntime's integers, per optimization level ("all", "disabled"). */
  readonly ort: Record<string, Record<string, number[]>>;
}

/** Each float input through the golden (the model's recorded input quantizer) and onnxruntime. */
async function runBoth(bytes: Uint8Array, dims: number[], outs: [string, number][], inputs: Float32Array[]): Promise<Run[]> {
  const { doc } = importOnnx(bytes, undefined);
  const model = parseModel(doc);
  const withOuts = withIntOutputs(bytes, outs);
  const sessions = {
    all: await ort.InferenceSession.create(withOuts, { logSeverityLevel: 3, graphOptimizationLevel: "all" }),
    disabled: await ort.InferenceSession.create(withOuts, { logSeverityLevel: 3, graphOptimizationLevel: "disabled" }),
  };
  const q = (doc.metadata as { inputQuantizer: Parameters<typeof quantizeInput>[1] }).inputQuantizer;
  const runs: Run[] = [];
  for (const x of inputs) {
    const input = quantizeInput(x, q, model.input);
    const trace = runGolden(model, input);
    const ortOut: Record<string, Record<string, number[]>> = {};
    for (const [level, session] of Object.entries(sessions)) {
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x, dims) });
      ortOut[level] = Object.fromEntries(outs.map(([name]) => [name, Array.from(out[name].data as ArrayLike<number>, Number)]));
    }
    runs.push({ input: Array.from(input.data), golden: (layer) => Array.from(trace.layers[layer].data), ort: ortOut });
  }
  return runs;
}

/** golden − onnxruntime is one constant (the stored offset) over every element of every run, at each optimization level. */
function expectOffsetEqual(runs: Run[], layer: number, tensor: string, hwc: (a: number[]) => number[], levels = ["all", "disabled"]): void {
  for (const level of levels) {
    const diffs = new Set<number>();
    for (const r of runs) {
      const o = hwc(r.ort[level][tensor]);
      r.golden(layer).forEach((v, j) => diffs.add(v - o[j]));
    }
    expect([...diffs], `${tensor} (onnxruntime, optimizations ${level}): golden − onnxruntime over all elements`).toHaveLength(1);
  }
}

/** A QuantizeLinear / DequantizeLinear pair on t (scalar scale, zero point of `type`). */
function qdq(g: GraphBuilder, t: string, scale: number, zp: number, type: number, name: string): { q: string; dq: string } {
  const s = g.init(`${name}_scale`, [], [scale]);
  const z = g.init(`${name}_zp`, [], [zp], type);
  const q = g.node("QuantizeLinear", [t, s, z], {}, "", name);
  return { q, dq: g.node("DequantizeLinear", [q, s, z], {}, "", `${name}_dq`) };
}

/**
 * Engines ending in a QuantizeLinear with an odd zero point, on an accumulator whose level r·A lands on
 * .5 for every odd A (r = 1/2): MatMul → QuantizeLinear (int8, zp 3) and Conv → Relu → QuantizeLinear
 * (uint8, zp 5), then a MatMul to the logits.
 */
function engineGraph(): { bytes: Uint8Array; xq: string; conv: string; dense: string } {
  const g = new GraphBuilder();
  const x = g.input("x", [1, 2, 5, 5]);
  const xin = qdq(g, x, 1 / 4, 0, DT.INT8, "quantize_x");
  // conv: x_scale·w_scale = 1/32, y_scale 1/16: r = 1/2
  const wc = g.node("DequantizeLinear", [g.init("WC", [3, 2, 3, 3], ints(54, -5, 5, 42), DT.INT8), g.init("wcs", [], [1 / 8])]);
  const conv = g.node("Relu", [g.node("Conv", [xin.dq, wc], { kernel_shape: [3, 3] }, "", "conv")]);
  const cq = qdq(g, conv, 1 / 16, 5, DT.UINT8, "quantize_conv");
  const flat = g.node("Flatten", [cq.dq], { axis: 1 });
  // dense: x_scale·w_scale = 1/16·1/4, y_scale 1/32: r = 1/2
  const wd = g.node("DequantizeLinear", [g.init("WD", [27, 6], ints(162, -2, 2, 43), DT.INT8), g.init("wds", [], [1 / 4])]);
  const dq = qdq(g, g.node("MatMul", [flat, wd], {}, "", "dense"), 1 / 32, 3, DT.INT8, "quantize_dense");
  const wo = g.node("DequantizeLinear", [g.init("WO", [6, 3], ints(18, -30, 30, 44), DT.INT8), g.init("wos", [], [1 / 32])]);
  g.output(g.node("MatMul", [dq.dq, wo], {}, "", "logits"), [1, 3]);
  return { bytes: g.bytes(13), xq: xin.q, conv: cq.q, dense: dq.q };
}

/** The engine graph's inputs: integers k on the input scale 1/4 (x/s = k exactly: the input quantizer is exact). */
function engineInputs(count: number): number[][] {
  return Array.from({ length: count }, (_, n) => ints(50, -6, 6, 200 + n));
}

/** Conv outputs of input integers k (NCHW) whose level acc/2 is a tie above the ReLU, inside the uint8 range (hand-written conv). */
function convTies(k: number[]): number {
  const W = ints(54, -5, 5, 42);
  let ties = 0;
  for (let o = 0; o < 3; o++)
    for (let y = 0; y < 3; y++)
      for (let xx = 0; xx < 3; xx++) {
        let acc = 0;
        for (let c = 0; c < 2; c++)
          for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) acc += k[(c * 5 + y + i) * 5 + xx + j] * W[((o * 2 + c) * 3 + i) * 3 + j];
        if (acc > 0 && acc % 2 !== 0 && acc / 2 + 5 < 255) ties++;
      }
  return ties;
}

describe("QDQ QuantizeLinear rounds before adding its zero point", () => {
  it("the model input quantizer (uint8, zero point 3): every tie x/s = k + ½ gives round_half_even(k + ½) + 3, as onnxruntime, in the golden and the dataset path", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 8]);
    const xin = qdq(g, x, 1 / 4, 3, DT.UINT8, "quantize_x");
    const w = g.node("DequantizeLinear", [g.init("W", [8, 4], ints(32, -60, 60, 41), DT.INT8), g.init("ws", [], [1 / 64])]);
    g.output(g.node("MatMul", [xin.dq, w]), [1, 4]);
    const bytes = g.bytes(13);
    const doc = importOnnx(bytes, undefined).doc;
    // x/s = k + ½ exactly (k from −6 to 253 covers both clamps and every parity)
    const inputs = Array.from({ length: 40 }, (_, n) => Float32Array.from(ints(8, -6, 253, 100 + n), (k) => (k + 0.5) / 4));
    const runs = await runBoth(bytes, [1, 8], [[xin.q, DT.UINT8]], inputs);
    const model = parseModel(doc);
    const dataset = inputQuantizerOf(model);
    for (const r of runs) {
      expect(r.input).toEqual(r.ort.all[xin.q]);
      expect(r.input).toEqual(r.ort.disabled[xin.q]);
    }
    inputs.forEach((x, n) => expect(Array.from(quantizeSample(dataset, x, 1))).toEqual(runs[n].ort.disabled[xin.q]));
    // hand-worked: x/s = 0.5 → round(0.5) + 3 = 3 (QONNX's round(3.5) would be 4); 1.5 → 2 + 3 = 5
    expect(Array.from(quantizeSample(dataset, [0.5 / 4, 1.5 / 4], 1))).toEqual([3, 5]);
    // the record says so (older documents, without the field, read as QONNX's order)
    expect((doc.metadata as { inputQuantizer: unknown }).inputQuantizer).toMatchObject({ scale: 1 / 4, zeroPoint: 3, zeroPointAfterRounding: 3 });
  });

  it("engine requants (Conv → Relu → QuantizeLinear uint8 zp 5, MatMul → QuantizeLinear int8 zp 3) equal onnxruntime at every tie", async () => {
    const { bytes, xq, conv, dense } = engineGraph();
    const inputs = engineInputs(30).map((k) => Float32Array.from(k, (v) => v / 4));
    const runs = await runBoth(
      bytes,
      [1, 2, 5, 5],
      [
        [xq, DT.INT8],
        [conv, DT.UINT8],
        [dense, DT.INT8],
      ],
      inputs,
    );
    const layers = importOnnx(bytes, undefined).doc.layers as { type: string }[];
    expect(layers.map((l) => l.type)).toEqual(["conv2d", "dense", "dense"]);
    expectOffsetEqual(runs, 0, conv, (a) => toHwc(a, 3, 3, 3));
    expectOffsetEqual(runs, 1, dense, (a) => a);
    // not vacuous: the independent accumulators (from onnxruntime's own integers) hit ties on both layers, above the ReLU
    const WD = ints(162, -2, 2, 43);
    let ties = 0;
    let denseTies = 0;
    for (const r of runs) {
      ties += convTies(r.ort.disabled[xq]);
      const ci = r.ort.disabled[conv].map((v) => v - 5);
      for (let n = 0; n < 6; n++) {
        // the flatten reads NCHW order, as WD's rows
        const acc = ci.reduce((s, v, k) => s + v * WD[k * 6 + n], 0);
        if (acc % 2 !== 0 && acc / 2 + 3 < 127 && acc / 2 + 3 > -128) denseTies++;
      }
    }
    expect(ties).toBeGreaterThan(50);
    expect(denseTies).toBeGreaterThan(20);
  });

  it("a requant of a quantized tensor (AveragePool → QuantizeLinear uint8 zp 129) equals onnxruntime at every tie", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 2, 4, 4]);
    const xin = qdq(g, x, 1 / 4, 1, DT.UINT8, "quantize_x");
    const wc = g.node("DequantizeLinear", [g.init("WC", [2, 2, 1, 1], [2, 1, -1, 3], DT.INT8), g.init("wcs", [], [1 / 2])]);
    const conv = qdq(g, g.node("Conv", [xin.dq, wc], { kernel_shape: [1, 1] }, "", "conv"), 1 / 8, 128, DT.UINT8, "quantize_conv");
    const pool = g.node("AveragePool", [conv.dq], { kernel_shape: [2, 2], strides: [2, 2] }, "", "pool");
    // real = (Σq/4 − 128)/8; /s_out (1/4) = Σq/8 − 64: a tie where Σq ≡ 4 (mod 8); the zero point keeps the levels
    // off the clamps (the avgpool requant has no zero point to place a clamp at level 0)
    const pq = qdq(g, pool, 1 / 4, 129, DT.UINT8, "quantize_pool");
    const wo = g.node("DequantizeLinear", [g.init("WO", [3, 2, 1, 1], [1, 2, -1, 1, 2, -2], DT.INT8), g.init("wos", [], [1 / 2])]);
    g.output(g.node("Conv", [pq.dq, wo], { kernel_shape: [1, 1] }, "", "out"), [1, 3, 2, 2]);
    const bytes = g.bytes(13);
    const layers = importOnnx(bytes, undefined).doc.layers as { type: string }[];
    expect(layers.map((l) => l.type)).toEqual(["conv2d", "avgpool", "conv2d"]);
    const inputs = Array.from({ length: 40 }, (_, n) => Float32Array.from(ints(32, -1, 40, 300 + n), (k) => k / 4));
    const runs = await runBoth(
      bytes,
      [1, 2, 4, 4],
      [
        [conv.q, DT.UINT8],
        [pq.q, DT.UINT8],
      ],
      inputs,
    );
    // onnxruntime's optimizer fuses DequantizeLinear → AveragePool → QuantizeLinear into its com.microsoft
    // QLinearAveragePool, which rounds average + zero point (QONNX's order: off by one at half the ties here);
    // the graph as the ONNX operators define it is the one run without optimizations
    expectOffsetEqual(runs, 1, pq.q, (a) => toHwc(a, 2, 2, 2), ["disabled"]);
    let ties = 0;
    for (const r of runs) {
      const cq = r.ort.disabled[conv.q];
      for (let c = 0; c < 2; c++)
        for (let y = 0; y < 2; y++)
          for (let xx = 0; xx < 2; xx++) {
            let sum = 0;
            for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) sum += cq[(c * 4 + 2 * y + i) * 4 + 2 * xx + j];
            const v = sum / 8 - 64;
            if (v - Math.floor(v) === 0.5) ties++;
          }
    }
    expect(ties).toBeGreaterThan(20);
  });

  it("a requant of a residual sum (Add of two int8 QDQ branches → QuantizeLinear uint8 zp 65 on 4× their scale) equals onnxruntime at every tie", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 2, 3, 3]);
    const xin = qdq(g, x, 1 / 4, 0, DT.INT8, "quantize_x");
    const branch = (name: string, w: number[], zp: number) => {
      const wt = g.node("DequantizeLinear", [g.init(`W${name}`, [2, 2, 1, 1], w, DT.INT8), g.init(`ws${name}`, [], [1])]);
      // q = Σ w·k + zp exactly (x/s = k, weights on scale 1): integer levels, no tie in the branches
      return qdq(g, g.node("Conv", [xin.dq, wt], { kernel_shape: [1, 1] }, "", `conv${name}`), 1 / 4, zp, DT.INT8, `quantize_${name}`);
    };
    const a = branch("a", [1, 2, -1, 1], 1);
    const b = branch("b", [2, -1, 1, 1], -1);
    // real/s_out = ((qa − 1) + (qb + 1))/4: a tie wherever qa + qb ≡ 2 (mod 4); round(·) + 65 stays in [1, 129] over
    // the operands' whole int8 range, so no clamp is reached (the requant of a sum has no zero point to place one)
    const sum = qdq(g, g.node("Add", [a.dq, b.dq], {}, "", "add"), 1, 65, DT.UINT8, "quantize_sum");
    const wo = g.node("DequantizeLinear", [g.init("WO", [2, 2, 1, 1], [1, -1, 2, 1], DT.INT8), g.init("wos", [], [1 / 2])]);
    g.output(g.node("Conv", [sum.dq, wo], { kernel_shape: [1, 1] }, "", "out"), [1, 2, 3, 3]);
    const bytes = g.bytes(13);
    const layers = importOnnx(bytes, undefined).doc.layers as { type: string }[];
    const sumLayer = layers.length - 2;
    const inputs = Array.from({ length: 30 }, (_, n) => Float32Array.from(ints(18, -20, 20, 400 + n), (k) => k / 4));
    const runs = await runBoth(
      bytes,
      [1, 2, 3, 3],
      [
        [a.q, DT.INT8],
        [b.q, DT.INT8],
        [sum.q, DT.UINT8],
      ],
      inputs,
    );
    expectOffsetEqual(runs, sumLayer, sum.q, (v) => toHwc(v, 2, 3, 3));
    let ties = 0;
    for (const r of runs) r.ort.disabled[a.q].forEach((qa, j) => (ties += (((qa + r.ort.disabled[b.q][j]) % 4) + 4) % 4 === 2 ? 1 : 0));
    expect(ties).toBeGreaterThan(60);
  });
});

/**
 * Convolutions padding inputs whose real zero is stored as a non-zero integer: a QDQ Conv on the model
 * input (uint8, zero point 3) and a QLinearConv on an int8 tensor with zero point −7, both with pads 1.
 * ONNX pads with the real 0 (QLinearConv: with x_zero_point); the IR pads with that stored integer.
 */
function paddedGraph(): { bytes: Uint8Array; xq: string; a: string; b: string } {
  const g = new GraphBuilder();
  const x = g.input("x", [1, 2, 5, 5]);
  const xin = qdq(g, x, 1 / 4, 3, DT.UINT8, "quantize_x");
  const wa = g.node("DequantizeLinear", [g.init("WA", [3, 2, 3, 3], ints(54, -5, 5, 51), DT.INT8), g.init("was", [], [1 / 8])]);
  // conv A: x_scale·w_scale = 1/32, y_scale 1/16 (r = 1/2); int8 zero point −7
  const a = g.node(
    "QuantizeLinear",
    [g.node("Conv", [xin.dq, wa], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, "", "convA"), g.init("ys", [], [1 / 16]), g.init("yzp", [], [-7], DT.INT8)],
    {},
    "",
    "quantize_a",
  );
  // conv B (QOperator) reads it with x_zero_point −7: x_scale·w_scale = 1/128, y_scale 1/64 (r = 1/2), y_zero_point 5
  const b = g.node(
    "QLinearConv",
    [
      a,
      "ys",
      "yzp",
      g.init("WB", [2, 3, 3, 3], ints(54, -6, 6, 52), DT.INT8),
      g.init("wbs", [], [1 / 8]),
      g.init("wbzp", [], [0], DT.INT8),
      g.init("ybs", [], [1 / 64]),
      g.init("ybzp", [], [5], DT.INT8),
    ],
    { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
    "",
    "convB",
  );
  const flat = g.node("Flatten", [g.node("DequantizeLinear", [b, "ybs", "ybzp"])], { axis: 1 });
  const wo = g.node("DequantizeLinear", [g.init("WO", [50, 3], ints(150, -20, 20, 53), DT.INT8), g.init("wos", [], [1 / 32])]);
  g.output(g.node("MatMul", [flat, wo], {}, "", "logits"), [1, 3]);
  return { bytes: g.bytes(13), xq: xin.q, a, b };
}

describe("padding with the zero point", () => {
  it("a QDQ Conv on the uint8 input (zero point 3) and a QLinearConv on int8 with zero point −7, both padded, equal onnxruntime", async () => {
    const { bytes, xq, a, b } = paddedGraph();
    const layers = importOnnx(bytes, undefined).doc.layers as { type: string; padValue?: number }[];
    // the input is stored as q (offset 0), conv A's output as q (256 levels in 8 bits: offset 0)
    expect(layers.map((l) => [l.type, l.padValue])).toEqual([
      ["conv2d", 3],
      ["conv2d", -7],
      ["dense", undefined],
    ]);
    const inputs = Array.from({ length: 30 }, (_, n) => Float32Array.from(ints(50, -3, 12, 500 + n), (k) => k / 4));
    const runs = await runBoth(
      bytes,
      [1, 2, 5, 5],
      [
        [xq, DT.UINT8],
        [a, DT.INT8],
        [b, DT.INT8],
      ],
      inputs,
    );
    for (const r of runs) expect(r.input).toEqual(toHwc(r.ort.disabled[xq], 2, 5, 5));
    expectOffsetEqual(runs, 0, a, (v) => toHwc(v, 3, 5, 5));
    expectOffsetEqual(runs, 1, b, (v) => toHwc(v, 2, 5, 5));
    // not vacuous: many levels are reached on both layers (the importer refused both convs before it could pad with a zero point)
    expect(new Set(runs.flatMap((r) => r.ort.disabled[a])).size).toBeGreaterThan(40);
    expect(new Set(runs.flatMap((r) => r.ort.disabled[b])).size).toBeGreaterThan(40);
  });

  it("a conv padding an input whose real zero is not one of its levels is refused", () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 1, 4, 4]);
    // unsigned 4 bits with zero point −5: q ∈ [0, 15], the real 0 would be q = −5
    const xq = g.quant(x, 0.25, -5, 4, { signed: 0 });
    const w = g.quant(g.init("W", [1, 1, 3, 3], [1, 0, -1, 2, 0, -2, 1, 1, 1]), 1, 0, 4);
    g.output(g.node("Conv", [xq, w], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, "", "conv"), [1, 1, 4, 4]);
    expect(() => importOnnx(g.bytes(), undefined)).toThrow(
      /node "conv".*pads an input whose real zero is not one of its levels \(zero point -5, levels \[0, 15\]\)/,
    );
  });
});

describe("QDQ in RTL", () => {
  it("the engine graph (requants adding an odd zero point after rounding, one behind a ReLU) verifies bit-exact in Verilator", async () => {
    const dir = testDir("quantrtl-qdq-rtl-");
    const file = join(dir, "qdq.onnx");
    writeFileSync(file, engineGraph().bytes);
    // three inputs of the engine test, as a float dataset: the vectors reach ties (checked) through the recorded input quantizer
    const inputs = engineInputs(3);
    expect(inputs.map(convTies).every((t) => t > 0)).toBe(true);
    const data = join(dir, "x.npy");
    writeFileSync(
      data,
      new Uint8Array(
        dump(
          Float32Array.from(inputs.flat(), (v) => v / 4),
          [3, 2, 5, 5],
        ),
      ),
    );
    const json = join(dir, "qdq.json");
    const imp = await runCli(["import", file, "--out", json]);
    expect(imp.status, imp.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8")) as { layers: { type: string; relu?: boolean; requant?: { zeroPoint: number } }[] };
    // conv: zp' = −128 + 5 with the ReLU at it; dense: zp' = −128 + 3 + 128, no ReLU (sat_8 is the clamp)
    expect(doc.layers.slice(0, 2).map((l) => [l.type, l.relu, l.requant?.zeroPoint])).toEqual([
      ["conv2d", true, -123],
      ["dense", false, 3],
    ]);
    const v = await runCli(["verify", json, "--dataset", data, "--vectors", "3", "--sim", "verilator"], { timeoutMs: 600_000 });
    expect(v.status, v.stderr).toBe(0);
    // every word of the tie-bearing layers is compared, not only the logits
    expect(v.stdout).toMatch(/layer conv .*: 81\/81 words/);
    expect(v.stdout).toMatch(/layer dense .*: 18\/18 words/);
    expect(v.stdout).toMatch(/bit-exact: \d+\/\d+ words, 3 vectors.*\(verilator\)/);
  }, 600_000);

  it("the padded convs (pad values 3 on the 16-bit input and −7 on 8 bits) verify bit-exact in Verilator and Icarus", async () => {
    const dir = testDir("quantrtl-qdq-pad-rtl-");
    const file = join(dir, "pad.onnx");
    writeFileSync(file, paddedGraph().bytes);
    const json = join(dir, "pad.json");
    const imp = await runCli(["import", file, "--out", json]);
    expect(imp.status, imp.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, "utf8")) as { input: { bits: number }; layers: { padValue?: number }[] };
    expect([doc.input.bits, doc.layers[0].padValue, doc.layers[1].padValue]).toEqual([16, 3, -7]);
    const data = join(dir, "x.npy");
    const inputs = Array.from({ length: 3 }, (_, n) => ints(50, -3, 12, 500 + n));
    writeFileSync(
      data,
      new Uint8Array(
        dump(
          Float32Array.from(inputs.flat(), (v) => v / 4),
          [3, 2, 5, 5],
        ),
      ),
    );
    const out = join(dir, "rtl");
    const v = await runCli(["verify", json, "--dataset", data, "--vectors", "3", "--sim", "both", "--out", out], { timeoutMs: 600_000 });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toMatch(/layer convA .*: 225\/225 words/);
    expect(v.stdout).toMatch(/layer convB .*: 150\/150 words/);
    expect(v.stdout).toMatch(/bit-exact: .*\(icarus\)/);
    expect(v.stdout).toMatch(/bit-exact: .*\(verilator\)/);
    // the sliding-window units pad with those literals
    const swu = readdirSync(out, { recursive: true, encoding: "utf8" })
      .filter((f) => /swu[^/]*\.v$/.test(f))
      .map((f) => readFileSync(join(out, f), "utf8"));
    expect(swu.length).toBeGreaterThan(0);
    expect(swu.some((t) => t.includes("16'h0003"))).toBe(true);
    expect(swu.some((t) => t.includes("8'hf9"))).toBe(true);
  }, 600_000);
});

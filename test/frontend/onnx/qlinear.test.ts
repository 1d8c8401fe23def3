/**
 * QOperator graphs (QuantizeLinear → QLinearConv → MaxPool → QLinearConv → QLinearMatMul →
 * DequantizeLinear, as onnxruntime's quantize_static writes them) against onnxruntime-node run on
 * the graph as given: every golden integer tensor equals onnxruntime's uint8/int8 tensor up to the
 * stored offset (one constant per tensor). With non-power-of-two scales onnxruntime requantizes
 * in float32, so there the golden is held to an exact rational reference computed here, and
 * onnxruntime may differ from it only at float32 near-ties (bound below).
 */
import { describe, expect, it } from "vitest";
import onnxProto from "onnx-proto";
import ort from "onnxruntime-node";
import { importOnnx } from "../../../src/frontend/onnx/import.js";
import { quantizeInput } from "../../../src/frontend/onnx/input-quantizer.js";
import { parseModel } from "../../../src/ir/load.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import { rng } from "../../../src/ir/inputs.js";
import { GraphBuilder } from "./graph-builder.js";

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
  readonly golden: (layer: number) => number[];
  readonly ort: Record<string, number[]>;
  readonly input: number[];
}

/** Runs `inputs` random inputs through the golden and onnxruntime; returns them to the caller's checks. */
async function runBoth(bytes: Uint8Array, dims: number[], outs: [string, number][], inputs: number, seed: number, xRange: number): Promise<Run[]> {
  const { doc } = importOnnx(bytes, undefined);
  const model = parseModel(doc);
  const session = await ort.InferenceSession.create(withIntOutputs(bytes, outs), { logSeverityLevel: 3 });
  const r = rng(seed);
  const runs: Run[] = [];
  for (let n = 0; n < inputs; n++) {
    const x = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * xRange);
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x, dims) });
    const q = (doc.metadata as { inputQuantizer: Parameters<typeof quantizeInput>[1] }).inputQuantizer;
    const input = quantizeInput(x, q, model.input);
    const trace = runGolden(model, input);
    runs.push({
      golden: (layer) => Array.from(trace.layers[layer].data),
      ort: Object.fromEntries(outs.map(([name]) => [name, Array.from(out[name].data as ArrayLike<number>, Number)])),
      input: Array.from(input.data),
    });
  }
  return runs;
}

/** golden − onnxruntime is one constant (the stored offset) over every element of every run. */
function expectOffsetEqual(golden: number[][], ortQ: number[][], what: string): void {
  const diffs = new Set<number>();
  golden.forEach((g, n) => g.forEach((v, j) => diffs.add(v - ortQ[n][j])));
  expect(diffs.size, `${what}: golden − onnxruntime over all elements`).toBe(1);
}

describe("QLinearConv / QLinearMatMul (QOperator format)", () => {
  it("power-of-two scales: QuantizeLinear → QLinearConv (pads, per-channel w_scale, bias) → MaxPool → QLinearConv (x_zp −10) → QLinearMatMul (b_zp, per-column scale) → DequantizeLinear equal onnxruntime's integers", async () => {
    const g = new GraphBuilder();
    const x = g.input("x", [1, 2, 6, 6]);
    const s = (v: number, name?: string) => g.init(name ?? `s${v}_${g.inits.length}`, [], [v]);
    const zp = (v: number, type: number) => g.init(`zp${g.inits.length}`, [], [v], type);
    const xs = s(1 / 16);
    const xzp = zp(0, DT.INT8);
    const xq = g.node("QuantizeLinear", [x, xs, xzp], {}, "", "quantize_x");
    // onnxruntime's kernels take one activation type (x, y: int8 here, as quantize_static's default QInt8)
    // conv A: int8 weights, per-channel scales, int32 bias, output zero point −10
    const wA = g.init("WA", [3, 2, 3, 3], ints(54, -40, 40, 1), DT.INT8);
    const wAs = g.init("WA_scale", [3], [1 / 64, 1 / 128, 1 / 32]);
    const wAzp = g.init("WA_zp", [3], [0, 0, 0], DT.INT8);
    const bA = g.init("BA", [3], [-700, 1500, 300], DT.INT32);
    const yAs = s(1 / 16);
    const yAzp = zp(-10, DT.INT8);
    const a = g.node("QLinearConv", [xq, xs, xzp, wA, wAs, wAzp, yAs, yAzp, bA], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }, "", "convA");
    const pool = g.node("MaxPool", [a], { kernel_shape: [2, 2], strides: [2, 2] }, "", "pool");
    // conv B reads int8 with zero point −10 (folded into its bias); no padding
    const wB = g.init("WB", [4, 3, 2, 2], ints(48, -50, 50, 2), DT.INT8);
    const wBs = s(1 / 32);
    const yBs = s(1 / 8);
    const yBzp = zp(7, DT.INT8);
    const b = g.node("QLinearConv", [pool, yAs, yAzp, wB, wBs, zp(0, DT.INT8), yBs, yBzp], { kernel_shape: [2, 2] }, "", "convB");
    const flat = g.node("Flatten", [b], { axis: 1 }, "", "flat");
    // QLinearMatMul: int8 weights with zero point −5, per-column scales
    const wM = g.init("WM", [16, 5], ints(80, -70, 60, 3), DT.INT8);
    const wMs = g.init("WM_scale", [5], [1 / 64, 1 / 32, 1 / 64, 1 / 128, 1 / 64]);
    const yMs = s(1 / 4);
    const yMzp = zp(-3, DT.INT8);
    const m = g.node("QLinearMatMul", [flat, yBs, yBzp, wM, wMs, zp(-5, DT.INT8), yMs, yMzp], {}, "", "matmul");
    g.output(g.node("DequantizeLinear", [m, yMs, yMzp], {}, "", "dequantize"), [1, 5]);
    const bytes = g.bytes(13);

    const layers = importOnnx(bytes, undefined).doc.layers as { type: string; name: string }[];
    expect(layers.map((l) => l.type)).toEqual(["conv2d", "maxpool", "conv2d", "dense"]);
    const runs = await runBoth(
      bytes,
      [1, 2, 6, 6],
      [
        [xq, DT.INT8],
        [a, DT.INT8],
        [b, DT.INT8],
        [m, DT.INT8],
      ],
      30,
      11,
      2,
    );
    // the input quantizer (int8, zero point 0: no offset) is onnxruntime's QuantizeLinear
    runs.forEach((r) => expect(r.input).toEqual(toHwc(r.ort[xq], 2, 6, 6)));
    expectOffsetEqual(
      runs.map((r) => r.golden(0)),
      runs.map((r) => toHwc(r.ort[a], 3, 6, 6)),
      "convA",
    );
    expectOffsetEqual(
      runs.map((r) => r.golden(2)),
      runs.map((r) => toHwc(r.ort[b], 4, 2, 2)),
      "convB",
    );
    expectOffsetEqual(
      runs.map((r) => r.golden(3)),
      runs.map((r) => r.ort[m]),
      "matmul",
    );
    // the test is not vacuous: the outputs vary and reach more than a few levels
    expect(new Set(runs.flatMap((r) => r.ort[a])).size).toBeGreaterThan(40);
    expect(new Set(runs.flatMap((r) => r.ort[m])).size).toBeGreaterThan(10);
  });
});

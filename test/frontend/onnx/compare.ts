/**
 * The lowering tests' oracle: imports a generated graph, runs the rewritten float graph
 * (float-graph.ts) in onnxruntime with the named intermediate tensors as extra outputs,
 * and requires every checked golden tensor to equal onnxruntime's integer
 * q = float/scale + zp up to one constant (the stored offset) — exact integer equality.
 */
import { expect } from "vitest";
import onnxProto from "onnx-proto";
import { importOnnx } from "../../../src/frontend/onnx/import.js";
import { toStandardOnnx } from "../../../src/frontend/onnx/float-graph.js";
import { quantizeInput } from "../../../src/frontend/onnx/input-quantizer.js";
import { parseModel } from "../../../src/ir/load.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import { rng } from "../../../src/ir/inputs.js";
import ort from "onnxruntime-node";

const { onnx } = onnxProto;

/** Adds extra graph outputs so onnxruntime returns intermediate tensors. */
export function withOutputs(bytes: Uint8Array, names: string[]): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  for (const n of names) m.graph!.output!.push(onnx.ValueInfoProto.create({ name: n, type: { tensorType: { elemType: 1 } } }));
  return onnx.ModelProto.encode(m).finish();
}

export function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}

export function randomWeights(n: number, lo: number, hi: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + r() * (hi - lo));
}

export interface Check {
  /** ONNX tensor name of a Quant output, golden layer index, its scale and zero point. */
  readonly tensor: string;
  readonly layer: number;
  readonly scale: number;
  readonly zeroPoint: number;
}

export async function compare(
  bytes: Uint8Array,
  dims: number[],
  checks: Check[],
  inputs: number,
  seed: number,
  xRange: number,
  expectedWarnings: string[] = [],
): Promise<{ agree: number }> {
  const { doc, warnings } = importOnnx(bytes, undefined);
  expect(warnings).toEqual(expectedWarnings);
  const model = parseModel(doc);
  const session = await ort.InferenceSession.create(
    withOutputs(
      toStandardOnnx(bytes),
      checks.map((c) => c.tensor),
    ),
    { logSeverityLevel: 3 },
  );
  const r = rng(seed);
  let agree = 0;
  for (let n = 0; n < inputs; n++) {
    const x = Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * xRange);
    const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x, dims) });
    const q = doc.metadata as { inputQuantizer: Parameters<typeof quantizeInput>[1] };
    const trace = runGolden(model, quantizeInput(x, q.inputQuantizer, model.input));
    checks.forEach((c) => {
      const golden = trace.layers[c.layer].data;
      const onnxQ = Array.from(out[c.tensor].data as Float32Array, (v) => Math.round(v / c.scale + c.zeroPoint));
      // ONNX NCHW vs golden HWC
      const t = trace.layers[c.layer];
      const [H, W, C] = t.shape;
      const hwc = new Array<number>(onnxQ.length);
      for (let ch = 0; ch < C; ch++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) hwc[(h * W + w) * C + ch] = onnxQ[(ch * H + h) * W + w];
      const diff = hwc.map((v, j) => golden[j] - v);
      // the offset is one constant per tensor
      expect(new Set(diff).size, `${c.tensor} vs golden layer ${c.layer}`).toBe(1);
    });
    const logits = out[session.outputNames[0]].data as Float32Array;
    // a tie between integer logits may be broken either way by onnxruntime's float32 sums: any of the tied classes agrees
    const integer = trace.layers[trace.layers.length - 1].data;
    agree += integer[argmax(logits)] === integer[argmax(integer)] ? 1 : 0;
  }
  return { agree };
}

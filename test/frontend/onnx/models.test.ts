/**
 * The vendored third-party models end to end: import → golden, against
 * onnxruntime running the QONNX graph rewritten to standard ops.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import onnxProto from "onnx-proto";
import ort from "onnxruntime-node";
import { importOnnx } from "../../../src/frontend/onnx/import.js";
import { toStandardOnnx } from "../../../src/frontend/onnx/float-graph.js";
import { quantizeInput } from "../../../src/frontend/onnx/input-quantizer.js";
import { parseModel } from "../../../src/ir/load.js";
import { runGolden } from "../../../src/hw/golden/network.js";
import { rng } from "../../../src/ir/inputs.js";
import { loadMnist, mnistImages } from "../../../src/frontend/float/mnist.js";
import { ROOT } from "../../helpers/cli.js";

const { onnx } = onnxProto;
const MODELS = join(ROOT, "models/onnx");

function argmax(a: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[b]) b = i;
  return b;
}

function load(name: string) {
  const bytes = readFileSync(join(MODELS, name));
  const { doc, warnings } = importOnnx(bytes, join(MODELS, name));
  return { bytes, doc, warnings, model: parseModel(doc) };
}

describe("vendored ONNX models", () => {
  it("TFC_2W2A: exact (no warnings); integer top-1 = onnxruntime's on 300 MNIST test images", async () => {
    const { bytes, doc, warnings, model } = load("TFC_2W2A.onnx");
    expect(warnings).toEqual([]);
    const q = (doc.metadata as { inputQuantizer: Parameters<typeof quantizeInput>[1] }).inputQuantizer;
    // Mul 2, Sub 1, Quant(scale 1, 2-bit narrow) folds to scale 0.5, zero point −1
    expect(q).toMatchObject({ scale: 0.5, zeroPoint: -1, bits: 2, signed: true, narrow: true, rounding: "ROUND" });
    // the input integers are {−1, 0, 1}: 2 bits
    expect(model.input).toEqual({ height: 28, width: 28, channels: 1, bits: 2 });
    const session = await ort.InferenceSession.create(toStandardOnnx(bytes), { logSeverityLevel: 3 });
    const set = loadMnist("test", 300);
    const images = mnistImages(set);
    let agree = 0;
    let correct = 0;
    for (let n = 0; n < images.length; n++) {
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", images[n], [1, 1, 28, 28]) });
      const f = argmax(out[session.outputNames[0]].data as Float32Array);
      const trace = runGolden(model, quantizeInput(images[n], q, model.input));
      const g = argmax(trace.layers[trace.layers.length - 1].data);
      agree += f === g ? 1 : 0;
      correct += g === set.labels[n] ? 1 : 0;
    }
    expect(agree).toBe(300);
    expect(correct).toBeGreaterThanOrEqual(285); // published 96.6 % on the full set
  });

  it("TFC_2W2A: narrow layers: the weights are the QONNX 2-bit integers, activations 2 bits; hidden tensors equal onnxruntime's Quant outputs", async () => {
    const { bytes, doc } = load("TFC_2W2A.onnx");
    const layers = doc.layers as { name: string; weightBits: number; activationBits: number; weights: number[]; requant: { outBits: number } }[];
    // every Quant in the graph is 2-bit narrow signed on scale 1: integers {−1, 0, 1}
    expect(layers.map((l) => [l.weightBits, l.activationBits])).toEqual([
      [2, 2],
      [2, 2],
      [2, 2],
      [2, 2],
    ]);
    expect(layers.slice(0, 3).map((l) => l.requant.outBits)).toEqual([2, 2, 2]);
    // onnxruntime's view of the quantized weights (Quant outputs 44, 56, 68, 80: [out, in] on scale 1) and hidden activations (51, 63, 75)
    const m = onnx.ModelProto.decode(toStandardOnnx(bytes));
    const weightTensors = ["44", "56", "68", "80"];
    const hidden = ["51", "63", "75"];
    for (const n of [...weightTensors, ...hidden]) m.graph!.output!.push(onnx.ValueInfoProto.create({ name: n, type: { tensorType: { elemType: 1 } } }));
    const session = await ort.InferenceSession.create(onnx.ModelProto.encode(m).finish(), { logSeverityLevel: 3 });
    const images = mnistImages(loadMnist("test", 20));
    const q = (doc.metadata as { inputQuantizer: Parameters<typeof quantizeInput>[1] }).inputQuantizer;
    const model = parseModel(doc);
    for (let n = 0; n < images.length; n++) {
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", images[n], [1, 1, 28, 28]) });
      if (n === 0) {
        // a dense layer's weights are [out][in], as the Quant's [out, in] tensor before the Transpose
        weightTensors.forEach((name, i) => {
          const want = out[name].data as Float32Array;
          const differ = layers[i].weights.filter((w, k) => w !== want[k]).length;
          expect(differ, name).toBe(0);
          expect(layers[i].weights.length).toBe(want.length);
        });
      }
      const trace = runGolden(model, quantizeInput(images[n], q, model.input));
      // stored = q + offset, offset = zero point (2^1 − 3 = −1) − qmin (−1) = 0
      hidden.forEach((name, i) =>
        expect(Array.from(trace.layers[i].data), `${name}, image ${n}`).toEqual(Array.from(out[name].data as Float32Array, (v) => v + 0)),
      );
    }
  });

  it("qkeras_jettagging: every hidden Quant tensor equals onnxruntime's integers; same argmax, on inputs on the 2^-8 grid", async () => {
    const { bytes, doc, warnings, model } = load("qkeras_jettagging.onnx");
    // the input is float in the model: quantrtl quantizes it and says so; the Softmax is dropped (monotone)
    expect(warnings.length).toBe(2);
    expect(warnings[0]).toMatch(/input is float/);
    expect(warnings[1]).toMatch(/Softmax/);
    const m = onnx.ModelProto.decode(toStandardOnnx(bytes));
    const hidden = ["Quant_8_out0", "Quant_9_out0", "Quant_10_out0"];
    for (const n of hidden) m.graph!.output!.push(onnx.ValueInfoProto.create({ name: n, type: { tensorType: { elemType: 1 } } }));
    const session = await ort.InferenceSession.create(onnx.ModelProto.encode(m).finish(), { logSeverityLevel: 3 });
    const q = (doc.metadata as { inputQuantizer: Parameters<typeof quantizeInput>[1] }).inputQuantizer;
    const r = rng(7);
    for (let n = 0; n < 50; n++) {
      // on the importer's input grid the float model sees exactly the integers the golden gets
      const x = Float32Array.from({ length: 16 }, () => Math.round((r() * 2 - 1) * 3 * 256) / 256);
      const out = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x, [1, 16]) });
      const trace = runGolden(model, quantizeInput(x, q, model.input));
      hidden.forEach((name, i) => {
        const want = Array.from(out[name].data as Float32Array, (v) => Math.round(v * 64)); // unsigned 6-bit on 1/64
        // unsigned 6-bit (64 levels) stored in 6 signed bits: q + offset, offset = zero point 2^5 − 64 = −32
        const got = Array.from(trace.layers[i].data, (v) => v + 32);
        expect(got, `${name}, input ${n}`).toEqual(want);
      });
      expect(argmax(trace.layers[3].data)).toBe(argmax(out[session.outputNames[0]].data as Float32Array));
    }
  });

  it("mnist_conv (float weights) is refused with the node named, not mis-lowered", () => {
    expect(() => load("mnist_conv.onnx")).toThrow(/node "Convolution28" \(#1, Conv\): its weights are float/);
  });
});

/**
 * Accuracy on real MNIST images through the whole chain: a float LeNet (fresh
 * tfjs initialisation, untrained: this checks plumbing and agreement, not skill)
 * -> post-training quantization -> model file with metadata -> dataset inputs
 * -> golden top-1 and the float model's top-1 in tfjs.
 */
import { describe, expect, test } from "vitest";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildLenet } from "../../src/frontend/float/lenet.js";
import { describeLayers, mnistInput, type FloatModel } from "../../src/frontend/float/float-model.js";
import { initTf } from "../../src/frontend/float/tfjs.js";
import { loadMnist } from "../../src/frontend/float/mnist.js";
import { floatActivations, quantizeNetwork } from "../../src/frontend/ptq.js";
import { loadModel } from "../../src/ir/load.js";
import { loadDataset } from "../../src/frontend/dataset.js";
import { accuracyLine, measureAccuracy } from "../../src/flows/accuracy.js";
import { QuantrtlError } from "../../src/util/errors.js";
import { testDir } from "../helpers/temp.js";
import { mnistConvOnnx } from "../helpers/onnx-models.js";

async function untrained(variant: "mac" | "adder" | "xnor"): Promise<string> {
  await initTf();
  const net = buildLenet(variant, 7);
  const desc = {
    format: "quantrtl-float",
    version: 1,
    name: `t-${variant}`,
    topology: "lenet",
    variant,
    input: { shape: [28, 28, 1], layout: "HWC", scale: 1 / 255, encoding: "p/255" },
    classes: 10,
    layers: describeLayers(net),
    training: {},
    accuracy: { floatTop1Test: 0, testImages: 0 },
  } as unknown as FloatModel;
  net.dispose();
  const train = loadMnist("train", 16);
  const calibration = Array.from({ length: train.count }, (_, i) => mnistInput(train.images.subarray(i * 784, (i + 1) * 784)));
  const q = quantizeNetwork(desc, { calibration, name: `t_${variant}` });
  const dir = testDir("quantrtl-acc-");
  writeFileSync(join(dir, "float.json"), JSON.stringify(desc));
  writeFileSync(join(dir, "model.json"), JSON.stringify({ ...q.document, metadata: { ...(q.document.metadata as object), floatModel: "float.json" } }));
  return join(dir, "model.json");
}

describe("accuracy on mnist-test", () => {
  for (const variant of ["mac", "adder", "xnor"] as const) {
    test(`${variant}: tfjs float predictions equal an independent float64 forward; the summary line has the documented form`, async () => {
      const file = await untrained(variant);
      const model = loadModel(file);
      const data = loadDataset(model, "mnist-test", 24);
      const r = await measureAccuracy(model, data);
      expect(r.images).toBe(24);
      expect(r.floatPredictions).toBeDefined();
      // second implementation: float64 JS forward of the same description. float32 (tfjs) and float64 sums
      // may order two logits differently only when they are within float32 rounding of each other (~1e-5 relative)
      const { readFloatModel } = await import("../../src/frontend/float/float-model.js");
      const desc = readFloatModel(join(file, "..", "float.json"), "lenet");
      let compared = 0;
      for (let i = 0; i < data.count; i++) {
        const logits = floatActivations(desc, data.floatImages!.subarray(i * 784, (i + 1) * 784)).at(-1)!.data;
        const sorted = [...logits].sort((a, b) => b - a);
        if (sorted[0] - sorted[1] <= 1e-4 * Math.max(1, Math.abs(sorted[0]))) continue;
        expect(r.floatPredictions![i], `image ${i}`).toBe(logits.indexOf(sorted[0]));
        compared++;
      }
      expect(compared).toBeGreaterThan(12);
      const agree = r.integerPredictions.filter((p, i) => p === r.floatPredictions![i]).length;
      expect(r.agreement).toBeCloseTo(agree / 24, 12);
      expect(accuracyLine(r)).toMatch(/^accuracy: float \d+\.\d\d%, integer \d+\.\d\d%, agreement \d+\.\d\d% on 24 images$/);
    });
  }

  test("a model without an input scale, or of the wrong shape, is refused with the JSON path", async () => {
    const file = await untrained("mac");
    const model = loadModel(file);
    const noScale = { ...model, metadata: {} };
    expect(() => loadDataset(noScale, "mnist-test", 2)).toThrow(QuantrtlError);
    expect(() => loadDataset(noScale, "mnist-test", 2)).toThrow(/metadata\/inputScale/);
    expect(() => loadDataset(model, "cifar10", 2)).toThrow(/--dataset/);
    expect(() => loadDataset({ ...model, input: { ...model.input, height: 32 } }, "mnist-test", 2)).toThrow(/\/input/);
  });
});

describe("accuracy with an ONNX float model", () => {
  test("metadata.floatModel *.onnx (relative to the model file) is run by onnxruntime: its predictions are onnxruntime's own", async () => {
    const dir = testDir("quantrtl-acc-onnx-");
    copyFileSync(mnistConvOnnx(), join(dir, "float.onnx"));
    const doc = JSON.parse(readFileSync("models/mnist-adder.json", "utf8")) as { metadata: object };
    writeFileSync(join(dir, "model.json"), JSON.stringify({ ...doc, metadata: { ...doc.metadata, floatModel: "float.onnx" } }));
    const model = loadModel(join(dir, "model.json"));
    const data = loadDataset(model, "mnist-test", 60);
    const r = await measureAccuracy(model, data);
    expect(r.floatRuntime).toBe("onnxruntime");
    // reference: onnxruntime's API called here directly, one NCHW image at a time (mnist_conv's input is [1, 1, 28, 28])
    const ort = (await import("onnxruntime-node")).default;
    const session = await ort.InferenceSession.create(join(dir, "float.onnx"));
    const set = loadMnist("test", 60);
    for (let i = 0; i < 60; i++) {
      const x = Float32Array.from(set.images.subarray(i * 784, (i + 1) * 784), (p) => p / 255);
      const out = (await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x, [1, 1, 28, 28]) }))[session.outputNames[0]].data as Float32Array;
      expect(r.floatPredictions![i], `image ${i}`).toBe(out.indexOf(Math.max(...out)));
    }
    await session.release();
    expect(r.floatTop1).toBeGreaterThanOrEqual(0.95);
    expect(accuracyLine(r)).toMatch(/^accuracy: float \d+\.\d\d%, integer \d+\.\d\d%, agreement \d+\.\d\d% on 60 images$/);
  });
});

/**
 * `quantrtl import --calibrate`: post-training quantization of a float ONNX graph built
 * here (Conv + bias + BatchNormalization + Relu → MaxPool → Reshape → MatMul + bias),
 * calibrated on 100 MNIST training images and checked against onnxruntime, which runs the
 * float graph independently of the lowering.
 */
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GraphBuilder, ortSession } from "../frontend/onnx/graph-builder.js";
import { testDir } from "../helpers/temp.js";
import { runCli, ROOT } from "../helpers/cli.js";
import { calibrateOnnx } from "../../src/flows/calibrate-onnx.js";
import { runGolden } from "../../src/hw/golden/network.js";
import { loadFloatSamples } from "../../src/frontend/dataset.js";
import { inputQuantizerOf, quantizeSample } from "../../src/frontend/data/quantize-input.js";

/** A seeded generator (mulberry32), so the graph is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

function floatGraph(): Uint8Array {
  const rnd = random(17);
  const g = new GraphBuilder();
  const x = g.input("x", [1, 1, 28, 28]);
  const O = 4;
  const w = g.init(
    "w",
    [O, 1, 3, 3],
    Array.from({ length: O * 9 }, () => rnd()),
  );
  const conv = g.node("Conv", [x, w], { kernel_shape: [3, 3], auto_pad: "SAME_UPPER" });
  const biased = g.node("Add", [conv, g.init("b", [O, 1, 1], [0.05, -0.1, 0.02, 0.0])]);
  const bn = g.node("BatchNormalization", [
    biased,
    g.init("gamma", [O], [1.5, 0.7, -0.9, 1.1]),
    g.init("beta", [O], [0.1, 0.0, 0.2, -0.05]),
    g.init("mean", [O], [0.02, -0.03, 0.01, 0.0]),
    g.init("var", [O], [0.5, 0.8, 1.2, 0.3]),
  ]);
  const relu = g.node("Relu", [bn]);
  const pool = g.node("MaxPool", [relu], { kernel_shape: [4, 4], strides: [4, 4] });
  const flat = g.node("Reshape", [pool, g.init("shape", [2], [1, O * 49], 7)]);
  const wd = g.init(
    "wd",
    [O * 49, 10],
    Array.from({ length: O * 49 * 10 }, () => rnd() * 0.3),
  );
  const mm = g.node("MatMul", [flat, wd]);
  const logits = g.node(
    "Add",
    [
      mm,
      g.init(
        "bd",
        [1, 10],
        Array.from({ length: 10 }, () => rnd() * 0.2),
      ),
    ],
    {},
    "",
    "logits",
    "logits",
  );
  g.output(logits, [1, 10]);
  return g.bytes(11);
}

describe("import --calibrate (post-training quantization of a float ONNX model)", () => {
  it("gives integer logits within 3 % of onnxruntime's float logits, and records each layer's SQNR", async () => {
    const dir = testDir("quantrtl-ptq-");
    const file = join(dir, "float.onnx");
    writeFileSync(file, floatGraph());
    const result = await calibrateOnnx(file, { dataset: "mnist-train", limit: 100, sqnrImages: 50, outFile: join(dir, "m.json") });
    expect(result.calibrationImages).toBe(100);
    const model = result.model;
    expect(model.layers.map((l) => l.kind)).toEqual(["conv2d", "maxpool", "dense"]);
    // per-channel weights (different multipliers per output channel), batch-norm folded: γ < 0 gives a negative multiplier
    const conv = (result.doc.layers as { requant: { multipliers: number[] } }[])[0];
    expect(conv.requant.multipliers[2]).toBeLessThan(0);
    expect(new Set(conv.requant.multipliers).size).toBe(4);

    // the independent reference: onnxruntime on the float graph, 50 MNIST test images
    const run = await ortSession(floatGraph());
    const test = loadFloatSamples(model.input, "mnist-test", 50, "--dataset");
    const q = inputQuantizerOf(model);
    const logitScale = result.sqnr.find((s) => s.tensor === "logits")!.scale;
    let signal = 0;
    let noise = 0;
    let agree = 0;
    let worst = 0;
    let range = 0;
    for (let n = 0; n < test.count; n++) {
      const image = test.images.subarray(n * 784, (n + 1) * 784);
      const float = await run(Float32Array.from(image), [1, 1, 28, 28]);
      const ints = runGolden(model, { shape: [28, 28, 1], bits: 8, data: quantizeSample(q, image, 1) }).layers[2].data;
      const argmax = (v: ArrayLike<number>) => Array.from(v).reduce((b, x, i, a) => (x > a[b] ? i : b), 0);
      if (argmax(float) === argmax(ints)) agree++;
      for (let c = 0; c < 10; c++) {
        const err = float[c] - ints[c] * logitScale;
        signal += float[c] ** 2;
        noise += err ** 2;
        worst = Math.max(worst, Math.abs(err));
        range = Math.max(range, Math.abs(float[c]));
      }
    }
    // Tolerance [stated]: every rounding (input, conv output, logits) is at most half a step of an
    // 8-bit scale, 0.4 % of that tensor's range; the dense layer sums 196 such conv errors with
    // weights of either sign, a random walk of √196 = 14 steps: ≈ 14 · 0.2 % ≈ 3 % of the logit range.
    expect(worst).toBeLessThanOrEqual(0.03 * range);
    expect(agree).toBeGreaterThanOrEqual(48);
    // the SQNR the flow recorded for the logits is the one computed here from onnxruntime (other images, same
    // quantizer): both measure one quantization noise, so they agree within a few dB, and it is far above 8-bit noise
    const recorded = result.sqnr.find((s) => s.tensor === "logits")!.sqnrDb;
    const here = 10 * Math.log10(signal / noise);
    expect(Math.abs(recorded - here)).toBeLessThan(3);
    expect(here).toBeGreaterThan(25);
    const meta = (result.doc.metadata as { ptq: { sqnr: { layers: { layer: string; sqnrDb: number }[] } } }).ptq;
    expect(meta.sqnr.layers.map((l) => l.layer)).toEqual(model.layers.map((l) => l.name));
    for (const l of meta.sqnr.layers) expect(l.sqnrDb).toBeGreaterThan(25);
  });

  it("refuses --calibrate on a model that already has Quant nodes, with exit 1 and the flag named", async () => {
    const dir = testDir("quantrtl-ptq-");
    const r = await runCli(["import", join(ROOT, "models/onnx/TFC_2W2A.onnx"), "--calibrate", "mnist-train", "--out", join(dir, "t.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n")[0]).toMatch(/--calibrate.*already quantized/);
  });

  it("refuses a missing calibration file, and --limit without --calibrate", async () => {
    const dir = testDir("quantrtl-ptq-");
    const file = join(dir, "float.onnx");
    writeFileSync(file, floatGraph());
    const missing = await runCli(["import", file, "--calibrate", join(dir, "nope.npz"), "--out", join(dir, "m.json")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr.split("\n")[0]).toMatch(/--calibrate/);
    const stray = await runCli(["import", file, "--limit", "10", "--out", join(dir, "m.json")]);
    expect(stray.status).toBe(1);
    expect(stray.stderr.split("\n")[0]).toMatch(/--limit.*only applies with --calibrate/);
  });
});

/**
 * Post-training quantization of a float ViT description (src/frontend/ptq-vit.ts) on a
 * small seeded network in the description format (vit-model.ts vitLayers, perturbed
 * to look trained): the IR it writes, the token-embedding table and multiplier
 * recomputed here from the float values, every 8-bit requant calibrated so that
 * the golden outputs of the calibration images reach the int8 range, and the
 * integer logits tracking the tfjs float32 forward pass (a second implementation).
 */
import { beforeAll, describe, expect, test } from "vitest";
import { parseModel } from "../../src/ir/load.js";
import type { Model } from "../../src/ir/model.js";
import { quantizeInput } from "../../src/frontend/ptq.js";
import { quantizeVit, VitPtqResult } from "../../src/frontend/ptq-vit.js";
import { conv2dAccumulators } from "../../src/hw/golden/conv2d.js";
import { runGolden, runLayer } from "../../src/hw/golden/network.js";
import { rng } from "../../src/ir/inputs.js";
import { mnistInput } from "../../src/frontend/float/float-model.js";
import { loadMnist } from "../../src/frontend/float/mnist.js";
import { vitForwardImages } from "../../src/frontend/float/vit.js";
import { vitLayers, type FloatVitModel, type VitLayer } from "../../src/frontend/float/vit-model.js";
import { QuantrtlError } from "../../src/util/errors.js";

const golden = { runLayer, accumulators: conv2dAccumulators };
const PIXELS = 784;

/** 16 patch tokens of dim 16, 2 heads, 2 blocks, MLP 32; seeded, with non-trivial class token, LayerNorm affine and biases. */
function tinyVit(seed: number): FloatVitModel {
  const next = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const f = Math.fround;
  const layers = vitLayers({ image: [28, 28, 1], patch: 7, dim: 16, heads: 2, depth: 2, mlp: 32, classes: 10, epsilon: 1e-6 }, seed).map((l): VitLayer => {
    switch (l.kind) {
      case "token_embed":
        return { ...l, cls: l.cls.map(() => f(0.5 * gauss())), pos: l.pos.map((p) => f(p * 10)) };
      case "layernorm":
        return { ...l, gamma: l.gamma.map(() => f(1 + 0.2 * gauss())), beta: l.beta.map(() => f(0.1 * gauss())) };
      case "linear":
      case "dense":
      case "conv2d":
        return { ...l, bias: (l.bias ?? []).map(() => f(0.05 * gauss())) } as VitLayer;
      default:
        return l;
    }
  });
  return {
    format: "quantrtl-float",
    version: 1,
    name: "tiny-vit",
    topology: "vit",
    input: { shape: [28, 28, 1], layout: "HWC", scale: 1 / 255, encoding: "uint8 MNIST pixel p → float p/255 in [0, 1]" },
    classes: 10,
    layers,
    training: {
      epochs: 0,
      batchSize: 1,
      seed,
      optimizer: "adam",
      lr: 0,
      lrSchedule: "none",
      trainImages: 0,
      trainSeconds: 0,
      finalTrainAcc: 0,
      gelu: "sigmoid-1.702",
    },
    accuracy: { floatTop1Test: 0, testImages: 0 },
  };
}

function images(set: "train" | "test", count: number): Float32Array[] {
  const d = loadMnist(set, count);
  return Array.from({ length: d.count }, (_, i) => mnistInput(d.images.subarray(i * PIXELS, (i + 1) * PIXELS)));
}

describe("quantizeVit on a seeded two-block ViT", () => {
  const desc = tinyVit(11);
  const calibration = images("train", 60);
  let result: VitPtqResult;
  let model: Model;
  beforeAll(() => {
    result = quantizeVit(desc, { calibration, golden });
    model = parseModel(result.document);
  });

  test("writes the integer ViT: patch conv, token embedding, two blocks, final LayerNorm, class token, 16-bit logits, argmax", () => {
    const block = (b: number) =>
      ["ln1:layernorm", "qkv:conv2d", "attn:attention", "proj:conv2d", "add1:add", "ln2:layernorm", "fc1:conv2d", "gelu:gelu", "fc2:conv2d", "add2:add"].map(
        (s) => `b${b}_${s}`,
      );
    expect(model.layers.map((l) => `${l.name}:${l.kind}`)).toEqual([
      "patch_embed:conv2d",
      "embed:token_embed",
      ...block(1),
      ...block(2),
      "final_ln:layernorm",
      "select:token_select",
      "head:dense",
      "predicted_class:argmax",
    ]);
    const byName = new Map(model.layers.map((l) => [l.name, l]));
    const pe = byName.get("patch_embed")!;
    expect(pe.kind === "conv2d" && [pe.kernel, pe.stride, pe.padding, pe.output]).toEqual([
      [7, 7],
      [7, 7],
      [0, 0],
      { height: 4, width: 4, channels: 16, bits: 8 },
    ]);
    expect(byName.get("embed")!.output).toEqual({ height: 17, width: 1, channels: 16, bits: 8 });
    expect(byName.get("b1_add1")!.inputs).toEqual(["embed", "b1_proj"]);
    expect(byName.get("b2_add2")!.inputs).toEqual(["b2_add1", "b2_fc2"]);
    expect(byName.get("head")!.output).toEqual({ height: 1, width: 1, channels: 10, bits: 16 });
    // MNIST pixels reach 1.0: one input step is 1/127
    expect(result.inputScale).toBeCloseTo(1 / 127, 12);
    expect(result.scales.b1_qkv).toHaveLength(3);
    expect(result.floatLayerOf.b1_qkv).toBe("b1.qkv");
  });

  test("the token-embedding table is round((cls + pos[0]) / s_out) then round(pos[t] / s_out), the multiplier m/2^k ≈ s_patch / s_out", () => {
    const embed = model.layers[1];
    if (embed.kind !== "token_embed") throw new Error("kind");
    const f = desc.layers[1];
    if (f.kind !== "token_embed") throw new Error("float kind");
    const sOut = result.scales.embed[0];
    const C = f.cls.length;
    const expected = f.pos.map((p, i) => Math.round((i < C ? f.cls[i] + p : p) / sOut));
    const diffs = Array.from(embed.embedding, (e, i) => Math.abs(e - expected[i]));
    expect(Math.max(...diffs)).toBeLessThanOrEqual(1); // ties may round to even
    const ratio = result.scales.patch_embed[0] / sOut;
    const { multiplier, shift } = embed.requant;
    expect(Math.abs(multiplier / 2 ** shift - ratio) / ratio).toBeLessThan(2 ** -15);
    expect(multiplier).toBeLessThan(2 ** 16);
    expect(multiplier).toBeGreaterThanOrEqual(2 ** 15);
  });

  test("every 8-bit requant is calibrated on the golden outputs: over the calibration images each layer reaches |y| ≥ 120 of 127", () => {
    const inputs = calibration.map((img) => ({ shape: [28, 28, 1] as [number, number, number], bits: 8, data: quantizeInput(img, result.inputScale) }));
    const traces = inputs.map((x) => runGolden(model, x));
    model.layers.forEach((l, li) => {
      if (l.output.bits !== 8 || l.kind === "argmax" || l.kind === "token_select") return;
      let m = 0;
      for (const t of traces) for (const v of t.layers[li].data) m = Math.max(m, Math.abs(v));
      expect(m, l.name).toBeGreaterThanOrEqual(120);
    });
    // the 16-bit logits use the same rule with 32767
    let logitMax = 0;
    for (const t of traces) for (const v of t.layers[model.layers.length - 2].data) logitMax = Math.max(logitMax, Math.abs(v));
    expect(logitMax).toBeGreaterThanOrEqual(32000);
  });

  test("the integer logits track the tfjs float32 network on test images it was not calibrated on (SQNR > 15 dB)", async () => {
    const test = images("test", 50);
    const inputs = test.map((img) => quantizeInput(img, result.inputScale));
    const floatIn = new Float32Array(test.length * PIXELS);
    inputs.forEach((x, i) =>
      floatIn.set(
        Float32Array.from(x, (v) => v * result.inputScale),
        i * PIXELS,
      ),
    );
    const { logits } = await vitForwardImages(desc, floatIn);
    const sLogit = result.scales.head[0];
    let signal = 0;
    let noise = 0;
    inputs.forEach((x, i) => {
      const trace = runGolden(model, { shape: [28, 28, 1], bits: 8, data: x });
      const q = trace.layers[model.layers.length - 2].data;
      for (let c = 0; c < 10; c++) {
        const ref = logits[i * 10 + c];
        signal += ref * ref;
        noise += (ref - q[c] * sLogit) ** 2;
      }
    });
    expect(10 * Math.log10(signal / noise)).toBeGreaterThan(15);
  });

  test("coverage below 1 clips the calibrated ranges: the first layer's scale shrinks, and most others do", () => {
    const clipped = quantizeVit(desc, { calibration, golden, coverage: 0.99 });
    // the patch embedding sees the same accumulators either way: the 0.99 quantile is below the maximum
    expect(clipped.scales.patch_embed[0]).toBeLessThan(result.scales.patch_embed[0]);
    // later layers see inputs changed by the clipping upstream, so only most of them shrink
    const names = Object.keys(result.scales).filter((n) => n !== "predicted_class");
    const shrunk = names.filter((n) => clipped.scales[n][0] < result.scales[n][0]);
    expect(shrunk.length).toBeGreaterThan(names.length / 2);
  });
});

describe("quantizeVit errors", () => {
  const desc = tinyVit(3);
  const errorOf = (f: () => unknown): QuantrtlError => {
    try {
      f();
    } catch (err) {
      if (err instanceof QuantrtlError) return err;
      throw err;
    }
    throw new Error("no error");
  };

  test("no calibration images", () => {
    const e = errorOf(() => quantizeVit(desc, { calibration: [], golden, file: "vit.json" }));
    expect([e.file, e.path]).toEqual(["vit.json", "calibration"]);
  });

  test("a coverage outside (0, 1]", () => {
    const e = errorOf(() => quantizeVit(desc, { calibration: images("train", 2), golden, coverage: 1.5 }));
    expect(e.path).toBe("coverage");
    expect(e.hint).toContain("0.9999");
  });

  test("a LayerNorm channel with |beta/gamma| beyond sqrt(N) gets bias_int ±2^30 and a warning, not a load error", () => {
    const layers = desc.layers.map((l) =>
      l.name === "final_ln" && l.kind === "layernorm" ? { ...l, gamma: [0.001, ...l.gamma.slice(1)], beta: [-1, ...l.beta.slice(1)] } : l,
    );
    const r = quantizeVit({ ...desc, layers }, { calibration: images("train", 2), golden });
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toContain("final_ln");
    const ln = parseModel(r.document).layers.find((l) => l.name === "final_ln")!;
    // −1/0.001 / (sqrt(16)/2^30) is far below −2^30
    expect(ln.kind === "layernorm" && ln.params.biasInt[0]).toBe(-(2 ** 30));
  });

  test("a head that is not a MAC layer names its float layer", () => {
    const bad = { ...desc, layers: desc.layers.map((l) => (l.kind === "dense" ? { ...l, datapath: "adder" as const } : l)) };
    const e = errorOf(() => quantizeVit(bad, { calibration: images("train", 2), golden, file: "vit.json" }));
    expect([e.file, e.path]).toEqual(["vit.json", `/layers/${desc.layers.length - 1}/datapath`]);
    expect(e.hint).toContain("mac");
  });
});

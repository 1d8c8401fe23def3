/**
 * The float ViT (src/frontend/float/vit.ts, vit-model.ts): the tfjs float32 forward
 * pass of small random descriptions against a float64 forward written here with
 * plain loops straight from the documented format, the validator on malformed
 * descriptions (errors carry file and JSON path), the topology the MNIST ViT is
 * built with, floatForward's dispatch, and a two-step training run.
 */
import { beforeAll, describe, expect, test } from "vitest";
import type * as tfType from "@tensorflow/tfjs";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkFloatModel, floatForward, readFloatModel } from "../../../src/frontend/float/float-model.js";
import { initTf } from "../../../src/frontend/float/tfjs.js";
import { trainVit, warmupCosine } from "../../../src/frontend/float/train-vit.js";
import { vitForwardImages } from "../../../src/frontend/float/vit.js";
import {
  MNIST_VIT,
  vitLayers,
  type FloatVitModel,
  type GeluForm,
  type VitConfig,
  type VitLayer,
  type VitLinear,
} from "../../../src/frontend/float/vit-model.js";
import { erf } from "../../../src/arith/ivit/float.js";
import { rng } from "../../../src/ir/inputs.js";
import { QuantrtlError } from "../../../src/util/errors.js";
import { testDir } from "../../helpers/temp.js";

let tf: typeof tfType;
beforeAll(async () => {
  tf = await initTf();
});

/** 6×6×2 image, 3×3 patches → 4 tokens + class = 5; dim 8, 2 heads of 4, 2 blocks, MLP 16, 3 classes. */
const SMALL: VitConfig = { image: [6, 6, 2], patch: 3, dim: 8, heads: 2, depth: 2, mlp: 16, classes: 3, epsilon: 1e-6 };

/** The SMALL graph with EVERY parameter random (float32 values), so no zero bias or unit gamma hides an error. */
function randomDescription(seed: number, gelu: GeluForm): FloatVitModel {
  const next = rng(seed);
  const values = (n: number, lo = -1, hi = 1) => Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * next()));
  const layers = vitLayers(SMALL, seed).map((l): VitLayer => {
    switch (l.kind) {
      case "conv2d":
      case "linear":
      case "dense":
        return {
          ...l,
          weights: values(l.weights.length, -0.6, 0.6),
          bias: values(l.weights.length / (l.kind === "conv2d" ? l.kernel[0] * l.kernel[1] * l.inChannels : l.inFeatures), -0.3, 0.3),
        } as VitLayer;
      case "token_embed":
        return { ...l, cls: values(l.cls.length), pos: values(l.pos.length, -0.5, 0.5) };
      case "layernorm":
        return { ...l, gamma: values(l.gamma.length, 0.5, 1.5), beta: values(l.beta.length, -0.5, 0.5) };
      default:
        return l;
    }
  });
  const training = {
    epochs: 0,
    batchSize: 1,
    seed: 0,
    optimizer: "adam",
    lr: 0,
    lrSchedule: "",
    trainImages: 0,
    trainSeconds: 0,
    finalTrainAcc: 0,
    gelu,
  } as const;
  return {
    format: "quantrtl-float",
    version: 1,
    name: "small-vit",
    topology: "vit",
    input: { shape: SMALL.image, layout: "HWC", scale: 1, encoding: "test" },
    classes: SMALL.classes,
    layers,
    training,
    accuracy: { floatTop1Test: 0, testImages: 0 },
  };
}

/** The second implementation: float64, one image, every layer's output by name, from the format's documentation. */
function naiveVit(desc: FloatVitModel, image: Float64Array): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>([["input", image]]);
  for (const l of desc.layers) {
    const x = out.get(l.inputs[0])!;
    let y: Float64Array;
    switch (l.kind) {
      case "conv2d": {
        const [, W, C] = l.inputShape;
        const [KH, KW] = l.kernel;
        const [SY, SX] = l.stride;
        const [OH, OW, O] = l.outputShape;
        y = new Float64Array(OH * OW * O);
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++)
            for (let o = 0; o < O; o++) {
              let s = l.bias ? l.bias[o] : 0;
              for (let ky = 0; ky < KH; ky++)
                for (let kx = 0; kx < KW; kx++)
                  for (let c = 0; c < C; c++) s += x[((oy * SY + ky) * W + ox * SX + kx) * C + c] * l.weights[((o * KH + ky) * KW + kx) * C + c];
              y[(oy * OW + ox) * O + o] = s;
            }
        break;
      }
      case "token_embed": {
        const [T, C] = l.outputShape;
        y = new Float64Array(T * C);
        for (let c = 0; c < C; c++) y[c] = l.cls[c] + l.pos[c];
        for (let t = 1; t < T; t++) for (let c = 0; c < C; c++) y[t * C + c] = x[(t - 1) * C + c] + l.pos[t * C + c];
        break;
      }
      case "layernorm": {
        const C = l.gamma.length;
        y = new Float64Array(x.length);
        for (let s = 0; s < x.length; s += C) {
          let mean = 0;
          for (let c = 0; c < C; c++) mean += x[s + c] / C;
          let variance = 0;
          for (let c = 0; c < C; c++) variance += (x[s + c] - mean) ** 2 / C;
          for (let c = 0; c < C; c++) y[s + c] = ((x[s + c] - mean) / Math.sqrt(variance + l.epsilon)) * l.gamma[c] + l.beta[c];
        }
        break;
      }
      case "linear":
      case "dense": {
        const [I, O] = [l.inFeatures, l.outFeatures];
        const rows = x.length / I;
        y = new Float64Array(rows * O);
        for (let r = 0; r < rows; r++)
          for (let o = 0; o < O; o++) {
            let s = l.bias ? l.bias[o] : 0;
            for (let i = 0; i < I; i++) s += x[r * I + i] * l.weights[o * I + i];
            y[r * O + o] = s;
          }
        break;
      }
      case "attention": {
        const [T] = l.inputShape;
        const { heads, dHead: d } = l;
        const C = heads * d;
        y = new Float64Array(T * C);
        for (let h = 0; h < heads; h++)
          for (let t = 0; t < T; t++) {
            const scores = Array.from({ length: T }, (_, j) => {
              let s = 0;
              for (let c = 0; c < d; c++) s += x[t * 3 * C + h * d + c] * x[j * 3 * C + C + h * d + c];
              return s / Math.sqrt(d);
            });
            const max = Math.max(...scores);
            const e = scores.map((s) => Math.exp(s - max));
            const sum = e.reduce((a, b) => a + b, 0);
            for (let c = 0; c < d; c++) {
              let a = 0;
              for (let j = 0; j < T; j++) a += (e[j] / sum) * x[j * 3 * C + 2 * C + h * d + c];
              y[t * C + h * d + c] = a;
            }
          }
        break;
      }
      case "add": {
        const b = out.get(l.inputs[1])!;
        y = x.map((v, i) => v + b[i]);
        break;
      }
      case "gelu":
        y = x.map((v) => (desc.training.gelu === "erf" ? 0.5 * v * (1 + erf(v / Math.SQRT2)) : v / (1 + Math.exp(-1.702 * v))));
        break;
      case "token_select": {
        const C = l.inputShape[1];
        y = x.slice(l.index * C, (l.index + 1) * C);
        break;
      }
    }
    out.set(l.name, y);
  }
  return out;
}

describe("ViT forward (tfjs float32)", () => {
  for (const gelu of ["sigmoid-1.702", "erf"] as const)
    test(`every layer matches a float64 loop implementation on a random 2-block dim-8 2-head description (GELU ${gelu})`, async () => {
      const desc = randomDescription(gelu === "erf" ? 11 : 7, gelu);
      checkFloatModel(desc);
      const perImage = 6 * 6 * 2;
      const count = 3;
      const next = rng(99);
      const images = Float32Array.from({ length: count * perImage }, () => next());
      const names = desc.layers.map((l) => l.name);
      const { logits, kept } = await vitForwardImages(desc, images, names);
      // float32 vs float64: each op rounds to float32 (unit roundoff u = 2^−24 ≈ 6e−8); a dot
      // product of length K ≤ 18 errs by at most K·u·Σ|x·w| ≈ 1e−6 relative, ~25 ops run in a
      // row and a LayerNorm may amplify an input error by gamma/σ (≤ ~5 here): a worst case
      // near 1e−5 of (1 + |value|) with O(1) values (measured: ≤ 1e−6). 1e−4·(1 + |ref|) sits
      // above that bound and far below any layout error (O(0.1) or more).
      const tolerance = (ref: number) => 1e-4 * (1 + Math.abs(ref));
      let worst = 0;
      for (let n = 0; n < count; n++) {
        const ref = naiveVit(desc, Float64Array.from(images.subarray(n * perImage, (n + 1) * perImage)));
        for (const name of names) {
          const expected = ref.get(name)!;
          const got = kept.get(name)!.subarray(n * expected.length, (n + 1) * expected.length);
          for (let i = 0; i < expected.length; i++) {
            const err = Math.abs(got[i] - expected[i]);
            worst = Math.max(worst, err / (1 + Math.abs(expected[i])));
            if (err > tolerance(expected[i])) expect.fail(`image ${n}, layer ${name}[${i}]: tfjs ${got[i]}, float64 ${expected[i]}`);
          }
        }
        const last = ref.get(names[names.length - 1])!;
        for (let c = 0; c < SMALL.classes; c++) expect(Math.abs(logits[n * SMALL.classes + c] - last[c])).toBeLessThanOrEqual(tolerance(last[c]));
      }
      expect(worst).toBeGreaterThan(0); // float32 really differs from float64: the comparison is not vacuous
    });

  test("floatForward on a vit description gives the ViT's logits", async () => {
    const desc = randomDescription(3, "sigmoid-1.702");
    const next = rng(5);
    const images = Float32Array.from({ length: 2 * 72 }, () => next());
    const viaFloatForward = await floatForward(desc, images);
    const ref = [naiveVit(desc, Float64Array.from(images.subarray(0, 72))), naiveVit(desc, Float64Array.from(images.subarray(72)))];
    expect(viaFloatForward).toHaveLength(2 * SMALL.classes);
    for (let n = 0; n < 2; n++) for (let c = 0; c < SMALL.classes; c++) expect(viaFloatForward[n * 3 + c]).toBeCloseTo(ref[n].get("head")![c], 4);
  });
});

describe("MNIST ViT topology", () => {
  test("patch 7, dim 64, 4 heads, depth 2, MLP 128, T = 17, wired as the format describes", () => {
    const layers = vitLayers(MNIST_VIT, 1);
    const row = (l: VitLayer) => `${l.name} ${l.kind} [${l.inputs}] [${l.inputShape}]→[${l.outputShape}]`;
    const block = (b: number, from: string) => [
      `b${b}.ln1 layernorm [${from}] [17,64]→[17,64]`,
      `b${b}.qkv linear [b${b}.ln1] [17,64]→[17,192]`,
      `b${b}.attn attention [b${b}.qkv] [17,192]→[17,64]`,
      `b${b}.proj linear [b${b}.attn] [17,64]→[17,64]`,
      `b${b}.add1 add [${from},b${b}.proj] [17,64]→[17,64]`,
      `b${b}.ln2 layernorm [b${b}.add1] [17,64]→[17,64]`,
      `b${b}.fc1 linear [b${b}.ln2] [17,64]→[17,128]`,
      `b${b}.gelu gelu [b${b}.fc1] [17,128]→[17,128]`,
      `b${b}.fc2 linear [b${b}.gelu] [17,128]→[17,64]`,
      `b${b}.add2 add [b${b}.add1,b${b}.fc2] [17,64]→[17,64]`,
    ];
    expect(layers.map(row)).toEqual([
      "patch_embed conv2d [input] [28,28,1]→[4,4,64]",
      "embed token_embed [patch_embed] [16,64]→[17,64]",
      ...block(1, "embed"),
      ...block(2, "b1.add2"),
      "final_ln layernorm [b2.add2] [17,64]→[17,64]",
      "select token_select [final_ln] [17,64]→[64]",
      "head dense [select] [64]→[10]",
    ]);
    const attn = layers.find((l) => l.kind === "attention");
    expect(attn).toMatchObject({ heads: 4, dHead: 16 });
    expect(layers[0]).toMatchObject({ kernel: [7, 7], stride: [7, 7], padding: "valid", datapath: "mac", weights: expect.any(Array) });
    expect((layers[0] as VitLayer & { kind: "conv2d" }).weights).toHaveLength(64 * 7 * 7);
  });

  test("the committed models/float/mnist-vit.json (when present) is a valid vit description", () => {
    const file = join("models", "float", "mnist-vit.json");
    if (!existsSync(file)) return;
    const desc = readFloatModel(file, "vit");
    expect(desc.layers).toHaveLength(2 + 2 * 10 + 3);
    expect(desc.training.gelu).toBe("sigmoid-1.702");
    expect(desc.accuracy.testImages).toBe(10000);
  });
});

describe("ViT description validator", () => {
  const broken = (edit: (d: { layers: Record<string, unknown>[]; training: Record<string, unknown> }) => void) => {
    const d = JSON.parse(JSON.stringify(randomDescription(1, "sigmoid-1.702")));
    edit(d);
    return d as unknown;
  };
  const expectError = (value: unknown, path: string) => {
    let error: unknown;
    try {
      checkFloatModel(value, "vit.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(QuantrtlError);
    expect((error as QuantrtlError).path).toBe(path);
    expect((error as QuantrtlError).message).toContain(`vit.json ${path}`);
  };

  test("a QKV weight array of the wrong length is named by its JSON path", () => {
    expectError(
      broken((d) => (d.layers[3].weights as number[]).pop()),
      "/layers/3/weights",
    );
  });
  test("an input naming a later layer, an attention that does not divide into heads, a wrong GELU form", () => {
    expectError(
      broken((d) => (d.layers[2].inputs = ["b1.qkv"])),
      "/layers/2/inputs/0",
    );
    expectError(
      broken((d) => (d.layers[4].heads = 3)),
      "/layers/4/inputShape",
    );
    expectError(
      broken((d) => (d.training.gelu = "tanh")),
      "/training/gelu",
    );
    expectError(
      broken((d) => (d.layers[1].kind = "cls_token")),
      "/layers/1/kind",
    );
  });
  test("readFloatModel names the file; a LeNet reader rejects a vit description at /topology", () => {
    const dir = testDir("quantrtl-vit-");
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify(broken((d) => (d.layers[1].pos = [1, 2, 3]))));
    expect(() => readFloatModel(bad)).toThrow(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} /layers/1/pos`));
    const good = join(dir, "good.json");
    writeFileSync(good, JSON.stringify(randomDescription(1, "erf")));
    expect(readFloatModel(good, "vit").topology).toBe("vit");
    expect(() => readFloatModel(good, "lenet")).toThrow(/\/topology/);
  });
});

describe("ViT training", () => {
  test("warm-up rises linearly to the peak, then the cosine falls to 0", () => {
    // warm-up 4 of 14 steps: (s+1)/4 for s < 4, then ½(1 + cos(π(s−4)/10))
    expect([0, 1, 2, 3].map((s) => warmupCosine(s, 14, 4))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(warmupCosine(4, 14, 4)).toBe(1);
    expect(warmupCosine(9, 14, 4)).toBeCloseTo(0.5, 12);
    expect(warmupCosine(14, 14, 4)).toBeCloseTo(0, 12);
  });

  test("two steps on 64 images give a valid description with changed weights and finite loss, and free every tensor", async () => {
    const lines: string[] = [];
    const tensorsBefore = tf.memory().numTensors;
    const result = await trainVit({
      epochs: 1,
      batchSize: 32,
      seed: 3,
      lr: 1e-3,
      warmupSteps: 1,
      maxShift: 2,
      gelu: "sigmoid-1.702",
      limit: 64,
      log: (l) => lines.push(l),
      logEvery: 1,
    });
    expect(result.trainImages).toBe(64);
    expect(Number.isFinite(result.epochs[0].loss)).toBe(true);
    expect(lines.filter((l) => l.startsWith("step "))).toHaveLength(2);
    expect(tf.memory().numTensors).toBe(tensorsBefore); // parameters, optimizer state and batches all freed
    const initial = vitLayers(MNIST_VIT, 3);
    const qkvBefore = initial.find((l) => l.name === "b1.qkv") as VitLinear;
    const qkvAfter = result.layers.find((l) => l.name === "b1.qkv") as VitLinear;
    expect(qkvAfter.weights).toHaveLength(qkvBefore.weights.length);
    expect(qkvAfter.weights.some((w, i) => w !== qkvBefore.weights[i])).toBe(true);
    const desc = {
      ...randomDescription(1, "sigmoid-1.702"),
      input: { shape: [28, 28, 1], layout: "HWC", scale: 1 / 255, encoding: "test" },
      classes: 10,
      layers: result.layers,
    };
    expect(() => checkFloatModel(desc)).not.toThrow();
  });
});

/**
 * Float model description (src/frontend/float/float-model.ts): floatForward on
 * tiny random descriptions against a second, naive float64 implementation
 * written here from the documented format (OHWI conv weights, [out][in] dense
 * weights over the HWC flatten, inference batchnorm, sign(0) = +1), and the
 * description of a real tfjs LeNet against that model's own predict().
 */
import { beforeAll, describe, expect, test } from "vitest";
import type * as tfType from "@tensorflow/tfjs";
import {
  checkFloatModel,
  describeLayers,
  floatForward,
  floatTop1,
  type FloatDatapath,
  type FloatLayer,
  type FloatModel,
} from "../../../src/frontend/float/float-model.js";
import { buildLenet, LENET_VARIANTS } from "../../../src/frontend/float/lenet.js";
import { initTf } from "../../../src/frontend/float/tfjs.js";
import { rng } from "../../../src/ir/inputs.js";
import { QuantrtlError } from "../../../src/util/errors.js";

let tf: typeof tfType;
beforeAll(async () => {
  tf = await initTf();
});

const training = { epochs: 0, batchSize: 1, seed: 0, optimizer: "adam", lr: 0, lrSchedule: "", trainImages: 0, trainSeconds: 0, finalTrainAcc: 0 } as const;

/** 6×6×2 → conv 3×3 → 4×4×3 → BN → act → pool → 2×2×3 → flatten 12 → dense 4 (→ BN). */
function tinyDescription(variant: FloatDatapath, seed: number): FloatModel {
  const next = rng(seed);
  const values = (n: number, lo = -1, hi = 1) => Array.from({ length: n }, () => lo + (hi - lo) * next());
  const act = variant === "xnor" ? "sign" : "relu";
  const layers: FloatLayer[] = [
    {
      kind: "conv2d",
      name: "conv",
      datapath: variant,
      inputShape: [6, 6, 2],
      outputShape: [4, 4, 3],
      inChannels: 2,
      outChannels: 3,
      kernel: [3, 3],
      stride: [1, 1],
      padding: "valid",
      weights: values(3 * 3 * 3 * 2),
      ...(variant === "mac" ? { bias: values(3) } : {}),
    },
    // adder outputs sit near −Σ|x−w| ≈ −9: a mean of that size keeps the BN meaningful
    {
      kind: "batchnorm",
      name: "bn1",
      inputShape: [4, 4, 3],
      outputShape: [4, 4, 3],
      channels: 3,
      gamma: values(3, 0.5, 2),
      beta: values(3),
      mean: values(3, variant === "adder" ? -12 : -1, variant === "adder" ? -6 : 1),
      variance: values(3, 0.5, 3),
      epsilon: 1e-3,
    },
    { kind: act, name: "act1", inputShape: [4, 4, 3], outputShape: [4, 4, 3] },
    { kind: "maxpool", name: "pool", inputShape: [4, 4, 3], outputShape: [2, 2, 3], pool: [2, 2], stride: [2, 2] },
    { kind: "flatten", name: "flatten", inputShape: [2, 2, 3], outputShape: [12], order: "HWC" },
    {
      kind: "dense",
      name: "dense",
      datapath: variant,
      inputShape: [12],
      outputShape: [4],
      inFeatures: 12,
      outFeatures: 4,
      weights: values(4 * 12),
      ...(variant === "mac" ? { bias: values(4) } : {}),
    },
    {
      kind: "batchnorm",
      name: "bn2",
      inputShape: [4],
      outputShape: [4],
      channels: 4,
      gamma: values(4, 0.5, 2),
      beta: values(4),
      mean: values(4, variant === "adder" ? -8 : -1, variant === "adder" ? -2 : 1),
      variance: values(4, 0.5, 3),
      epsilon: 1e-3,
    },
  ];
  return {
    format: "quantrtl-float",
    version: 1,
    name: `tiny-${variant}`,
    topology: "lenet",
    variant,
    input: { shape: [6, 6, 2], layout: "HWC", scale: 1, encoding: "test" },
    classes: 4,
    layers,
    training,
    accuracy: { floatTop1Test: 0, testImages: 0 },
  };
}

const signOf = (v: number) => (v >= 0 ? 1 : -1);

/** The second implementation: float64, one image at a time, straight from the format's documentation. */
function naiveForward(desc: FloatModel, image: Float64Array): Float64Array {
  let x = image;
  let shape = [...desc.input.shape];
  for (const layer of desc.layers) {
    switch (layer.kind) {
      case "conv2d": {
        const [H, W, C] = shape;
        const [KH, KW] = layer.kernel;
        const [OH, OW, O] = [H - KH + 1, W - KW + 1, layer.outChannels];
        const y = new Float64Array(OH * OW * O);
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++)
            for (let o = 0; o < O; o++) {
              let s = layer.bias ? layer.bias[o] : 0;
              for (let ky = 0; ky < KH; ky++)
                for (let kx = 0; kx < KW; kx++)
                  for (let c = 0; c < C; c++) {
                    const xv = x[((oy + ky) * W + ox + kx) * C + c];
                    const wv = layer.weights[((o * KH + ky) * KW + kx) * C + c];
                    s += layer.datapath === "mac" ? xv * wv : layer.datapath === "adder" ? -Math.abs(xv - wv) : signOf(xv) * signOf(wv);
                  }
              y[(oy * OW + ox) * O + o] = s;
            }
        x = y;
        shape = [OH, OW, O];
        break;
      }
      case "dense": {
        const y = new Float64Array(layer.outFeatures);
        for (let o = 0; o < layer.outFeatures; o++) {
          let s = layer.bias ? layer.bias[o] : 0;
          for (let i = 0; i < layer.inFeatures; i++) {
            const xv = x[i];
            const wv = layer.weights[o * layer.inFeatures + i];
            s += layer.datapath === "mac" ? xv * wv : layer.datapath === "adder" ? -Math.abs(xv - wv) : signOf(xv) * signOf(wv);
          }
          y[o] = s;
        }
        x = y;
        shape = [layer.outFeatures];
        break;
      }
      case "batchnorm": {
        const C = layer.channels;
        x = x.map((v, i) => {
          const c = i % C;
          return (layer.gamma[c] * (v - layer.mean[c])) / Math.sqrt(layer.variance[c] + layer.epsilon) + layer.beta[c];
        });
        break;
      }
      case "relu":
        x = x.map((v) => Math.max(v, 0));
        break;
      case "sign":
        x = x.map(signOf);
        break;
      case "maxpool": {
        const [H, W, C] = shape;
        const [OH, OW] = [Math.floor(H / 2), Math.floor(W / 2)];
        const y = new Float64Array(OH * OW * C).fill(-Infinity);
        for (let oy = 0; oy < OH; oy++)
          for (let ox = 0; ox < OW; ox++)
            for (let c = 0; c < C; c++)
              for (let dy = 0; dy < 2; dy++)
                for (let dx = 0; dx < 2; dx++) y[(oy * OW + ox) * C + c] = Math.max(y[(oy * OW + ox) * C + c], x[((2 * oy + dy) * W + 2 * ox + dx) * C + c]);
        x = y;
        shape = [OH, OW, C];
        break;
      }
      case "flatten":
        shape = [x.length]; // HWC data is already in flatten order
        break;
    }
  }
  return x;
}

describe("floatForward", () => {
  for (const variant of ["mac", "adder", "xnor"] as const)
    test(`${variant}: equals a naive float64 implementation within 1e-4 relative`, async () => {
      const desc = tinyDescription(variant, 100 + variant.length);
      checkFloatModel(desc);
      const next = rng(7);
      const count = 5;
      const images = Float32Array.from({ length: count * 72 }, () => next());
      const logits = await floatForward(desc, images);
      expect(logits.length).toBe(count * 4);
      for (let n = 0; n < count; n++) {
        const expected = naiveForward(desc, Float64Array.from(images.subarray(n * 72, (n + 1) * 72)));
        // tfjs sums in float32 (and in another order); float64 here. Over ≤ 18-term sums of
        // O(1) values float32 keeps ~7 digits, so 1e-4 of the logit scale is a wide, still
        // meaningful margin (a wrong index or transpose moves logits by O(1)).
        const scale = Math.max(1, ...Array.from(expected, Math.abs));
        for (let o = 0; o < 4; o++) expect(Math.abs(logits[n * 4 + o] - expected[o])).toBeLessThanOrEqual(1e-4 * scale);
      }
    });

  test("floatTop1 counts argmax hits", async () => {
    const desc = tinyDescription("mac", 3);
    const images = Float32Array.from({ length: 3 * 72 }, (_, i) => (i % 7) / 7);
    const logits = await floatForward(desc, images);
    const argmax = [0, 1, 2].map((n) => Array.from(logits.subarray(n * 4, n * 4 + 4)).reduce((best, v, i, a) => (v > a[best] ? i : best), 0));
    const labels = Uint8Array.from([argmax[0], (argmax[1] + 1) % 4, argmax[2]]);
    expect(await floatTop1(desc, images, labels)).toEqual({ correct: 2, count: 3, top1: 2 / 3 });
  });
});

describe("describeLayers", () => {
  for (const variant of LENET_VARIANTS)
    test(`the description of an untrained LeNet ${variant} runs like the tfjs model itself`, async () => {
      const model = buildLenet(variant, 5);
      // non-trivial batchnorm statistics, so a mislabelled mean/variance would show
      for (const layer of model.layers.filter((l) => l.getClassName() === "BatchNormalization")) {
        const n = layer.getWeights()[0].shape[0]; // getWeights() returns the live variables: not disposed here
        layer.setWeights([
          tf.linspace(0.5, 1.5, n),
          tf.linspace(-0.2, 0.3, n),
          tf.linspace(variant === "adder" ? -20 : -0.5, variant === "adder" ? -5 : 0.5, n),
          tf.linspace(0.5, 4, n),
        ]);
      }
      const layers = describeLayers(model);
      expect(layers.map((l) => l.kind)).toEqual(
        variant === "mac"
          ? ["conv2d", "batchnorm", "relu", "maxpool", "conv2d", "batchnorm", "relu", "maxpool", "flatten", "dense", "batchnorm", "relu", "dense"]
          : [
              "conv2d",
              "batchnorm",
              variant === "xnor" ? "sign" : "relu",
              "maxpool",
              "conv2d",
              "batchnorm",
              variant === "xnor" ? "sign" : "relu",
              "maxpool",
              "flatten",
              "dense",
              "batchnorm",
              variant === "xnor" ? "sign" : "relu",
              "dense",
              "batchnorm",
            ],
      );
      expect(layers[8].outputShape).toEqual([256]);
      const desc: FloatModel = {
        ...tinyDescription(variant, 1),
        input: { shape: [28, 28, 1], layout: "HWC", scale: 1 / 255, encoding: "test" },
        classes: 10,
        layers,
      };
      checkFloatModel(desc);
      const next = rng(9);
      const images = Float32Array.from({ length: 3 * 784 }, () => (next() < 0.7 ? 0 : next()));
      const fromDesc = await floatForward(desc, images);
      const fromModel = (model.predict(tf.tensor4d(images, [3, 28, 28, 1])) as tfType.Tensor).dataSync();
      // the same float32 kernels on the same data, so agreement is to rounding
      for (let i = 0; i < fromModel.length; i++) expect(fromDesc[i]).toBeCloseTo(fromModel[i], 3);
      // and the description's own naive reading agrees too (OHWI / [out][in] / HWC order)
      const naive = naiveForward(desc, Float64Array.from(images.subarray(0, 784)));
      const scale = Math.max(1, ...Array.from(naive, Math.abs));
      for (let o = 0; o < 10; o++) expect(Math.abs(fromDesc[o] - naive[o])).toBeLessThanOrEqual(1e-4 * scale);
    });
});

describe("checkFloatModel", () => {
  test("a weight array of the wrong length is a QuantrtlError with its JSON path", () => {
    const desc = tinyDescription("mac", 1);
    const broken = { ...desc, layers: desc.layers.map((l, i) => (i === 0 ? { ...l, weights: [1, 2, 3] } : l)) };
    expect(() => checkFloatModel(broken)).toThrow(QuantrtlError);
    expect(() => checkFloatModel(broken)).toThrow(/\/layers\/0\/weights/);
  });
});

/**
 * Post-training quantization of a float network with batch-norm folding.
 *
 * The bound (per output element, in output steps): the integer layer computes
 * y = sat(round((acc + b_c) · m_c / 2^k)), the documented quantization of the
 * float network is round((a_c · acc + c_c) / s_out) with the same integer
 * inputs and weights (a_c = γ_c/σ_c · s_acc, c_c the folded shift). They differ by
 *   |acc + b_c| · |m_c/2^k − r_c|   (the dyadic multiplier: |m_c/2^k − r_c| ≤ 2^−(k+1))
 * + |r_c| · 1/2                      (the bias rounded to an integer accumulator step)
 * + 1                                (the two roundings may fall on either side of a tie)
 * where r_c = a_c / s_out. Thresholds (BN + sign) are exact: sign(a·acc + c) for integer acc.
 */
import { describe, expect, test } from "vitest";
import { quantizeNetwork } from "../../src/frontend/ptq.js";
import { parseModel } from "../../src/ir/load.js";
import { runGolden } from "../../src/hw/golden/network.js";
import { rng } from "../../src/ir/inputs.js";
import type { FloatModel } from "../../src/frontend/float/float-model.js";

type Doc = Record<string, any>;

function floatNet(variant: "mac" | "adder" | "xnor", seed: number): FloatModel {
  const next = rng(seed);
  const g = () => (next() - 0.5) * 2;
  const bn = (name: string, C: number, shape: number[]) => ({
    kind: "batchnorm",
    name,
    channels: C,
    inputShape: shape,
    outputShape: shape,
    epsilon: 1e-3,
    // γ of both signs, one channel with γ = 0 (a constant channel)
    gamma: Array.from({ length: C }, (_, c) => (c === 1 ? -0.7 : c === 2 && variant !== "xnor" ? 0.9 : 0.5 + next())),
    beta: Array.from({ length: C }, g),
    mean: Array.from({ length: C }, () => g() * (variant === "adder" ? 20 : 2) - (variant === "adder" ? 8 : 0)),
    variance: Array.from({ length: C }, () => 0.5 + next() * 4),
  });
  const k1 = variant === "adder" ? "adder" : "mac";
  const k2 = variant === "xnor" ? "xnor" : variant;
  const layers: Doc[] = [
    {
      kind: "conv2d",
      name: "conv1",
      datapath: k1,
      inChannels: 2,
      outChannels: 3,
      kernel: [3, 3],
      stride: [1, 1],
      padding: "valid",
      inputShape: [6, 6, 2],
      outputShape: [4, 4, 3],
      weights: Array.from({ length: 54 }, g),
      ...(k1 === "mac" ? { bias: [0.1, -0.2, 0.05] } : {}),
    },
    bn("bn1", 3, [4, 4, 3]),
    { kind: variant === "xnor" ? "sign" : "relu", name: "act1", inputShape: [4, 4, 3], outputShape: [4, 4, 3] },
    { kind: "maxpool", name: "pool1", pool: [2, 2], stride: [2, 2], inputShape: [4, 4, 3], outputShape: [2, 2, 3] },
    { kind: "flatten", name: "flat", order: "HWC", inputShape: [2, 2, 3], outputShape: [12] },
    // weights up to ±40 against activations of a few units: the adder quantizer must clip (and fold the excess)
    {
      kind: "dense",
      name: "fc1",
      datapath: k2,
      inFeatures: 12,
      outFeatures: 5,
      inputShape: [12],
      outputShape: [5],
      weights: Array.from({ length: 60 }, () => g() * 40),
    },
    bn("bn2", 5, [5]),
    ...(variant === "xnor"
      ? [{ kind: "sign", name: "act2", inputShape: [5], outputShape: [5] }]
      : [{ kind: "relu", name: "act2", inputShape: [5], outputShape: [5] }]),
    { kind: "dense", name: "fc2", datapath: k2, inFeatures: 5, outFeatures: 4, inputShape: [5], outputShape: [4], weights: Array.from({ length: 20 }, g) },
    bn("bn3", 4, [4]),
  ];
  return {
    format: "quantrtl-float",
    version: 1,
    name: `t-${variant}`,
    topology: "lenet",
    variant,
    input: { shape: [6, 6, 2], layout: "HWC", scale: 1, encoding: "test" },
    classes: 4,
    layers,
    training: {} as any,
    accuracy: { floatTop1Test: 0, testImages: 0 },
  } as unknown as FloatModel;
}

const images = (seed: number, n: number) => {
  const next = rng(seed);
  return Array.from({ length: n }, () => Float64Array.from({ length: 72 }, () => next()));
};

/** Integer accumulators of one engine layer, naive loops (conv valid padding, or dense), from the document's integers. */
function accumulators(layer: Doc, x: Int32Array, inShape: number[]): number[] {
  const w: number[] = layer.weights;
  const term = (a: number, b: number) => (layer.datapath === "adder" ? -Math.abs(a - b) : a * b);
  const out: number[] = [];
  if (layer.type === "dense") {
    const N = x.length;
    for (let o = 0; o < layer.outFeatures; o++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += term(x[i], w[o * N + i]);
      out.push(s);
    }
    return out;
  }
  const [H, W, C] = inShape;
  const [KH, KW] = layer.kernelSize;
  for (let oy = 0; oy <= H - KH; oy++)
    for (let ox = 0; ox <= W - KW; ox++)
      for (let o = 0; o < layer.outChannels; o++) {
        let s = 0;
        for (let ky = 0; ky < KH; ky++)
          for (let kx = 0; kx < KW; kx++) for (let c = 0; c < C; c++) s += term(x[((oy + ky) * W + ox + kx) * C + c], w[((o * KH + ky) * KW + kx) * C + c]);
        out.push(s);
      }
  return out;
}

describe("post-training quantization with batch-norm folding", () => {
  for (const variant of ["mac", "adder"] as const) {
    test(`${variant}: every folded layer equals the float fold on the same integers within the stated bound`, () => {
      // (for adder layers the fold includes the clipping of weights beyond ±clip_X, exact for |x| ≤ clip_X)
      const desc = floatNet(variant, 3);
      const q = quantizeNetwork(desc, { calibration: images(4, 16) });
      const model = parseModel(q.document);
      const doc = q.document as Doc;
      let checked = 0;
      for (const img of images(9, 6)) {
        const x = { shape: [6, 6, 2] as const, bits: 8, data: Int32Array.from(img, (v) => Math.max(-127, Math.min(127, Math.round(v / q.inputScale)))) };
        const trace = runGolden(model, x);
        doc.layers.forEach((layer: Doc, li: number) => {
          if (layer.type !== "conv2d" && layer.type !== "dense") return;
          const inT = li === 0 ? x : trace.layers[li - 1];
          const acc = accumulators(layer, inT.data, [...inT.shape]);
          // the float fold, recomputed here from the float description and the scales
          const fi = q.floatLayerOf[layer.name];
          const engine = desc.layers[fi - (desc.layers[fi].kind === "relu" ? 2 : 1)] as Doc;
          const bn = desc.layers[desc.layers.indexOf(engine as any) + 1] as Doc;
          const sIn = li === 0 ? q.inputScale : q.scales[li - 1]!;
          const wMax = Math.max(...engine.weights.map(Math.abs));
          const sAcc = variant === "adder" ? sIn : sIn * (wMax / 127);
          const sOut = q.scales[li]!;
          const C = model.layers[li].output.channels;
          const k = layer.requant.shift;
          const outBits = layer.requant.outBits;
          acc.forEach((av, i) => {
            const ch = i % C;
            const inv = bn.gamma[ch] / Math.sqrt(bn.variance[ch] + bn.epsilon);
            const a = inv * sAcc;
            // adder weights beyond the activation range are clipped to ±clip_X = ±127·s; their excess is a constant per channel
            const K = engine.weights.length / C;
            const clipX = 127 * sIn;
            const excess =
              variant === "adder" ? engine.weights.slice(ch * K, (ch + 1) * K).reduce((t: number, w: number) => t + Math.max(0, Math.abs(w) - clipX), 0) : 0;
            const c = inv * ((engine.bias?.[ch] ?? 0) - excess - bn.mean[ch]) + bn.beta[ch];
            const r = a / sOut;
            let want = Math.round((a * av + c) / sOut);
            const lim = 2 ** (outBits - 1) - 1;
            want = Math.max(-lim - 1, Math.min(lim, want));
            if (layer.relu) want = Math.max(0, want);
            const b = layer.bias?.[ch] ?? 0;
            const bound = Math.abs(av + b) * 2 ** -(k + 1) + Math.abs(r) / 2 + 1;
            const got = trace.layers[li].data[i];
            expect(Math.abs(got - want), `${layer.name}[${i}]: got ${got}, float fold ${want}, bound ${bound}`).toBeLessThanOrEqual(bound);
            checked++;
          });
        });
      }
      expect(checked).toBeGreaterThan(100);
      // γ < 0 gives a negative per-channel multiplier
      expect((q.document as Doc).layers[0].requant.multipliers[1]).toBeLessThan(0);
    });
  }

  test("xnor: batch-norm + sign folds into thresholds that agree with the float sign exactly", () => {
    const desc = floatNet("xnor", 5);
    const q = quantizeNetwork(desc, { calibration: images(6, 8) });
    const model = parseModel(q.document);
    const doc = q.document as Doc;
    expect(doc.layers[0].thresholds).toBeDefined();
    expect(doc.layers[0].thresholdDirections).toContain("le"); // γ < 0 on channel 1
    for (const img of images(10, 8)) {
      const x = { shape: [6, 6, 2] as const, bits: 8, data: Int32Array.from(img, (v) => Math.max(-127, Math.min(127, Math.round(v / q.inputScale)))) };
      const trace = runGolden(model, x);
      // layer 1 (fc1 after pool + flatten) reads ±1: the float sign of the folded BN on the integer dot must equal the threshold output
      const fc1 = doc.layers.findIndex((l: Doc) => l.name === "fc1");
      const dot = accumulators(doc.layers[fc1], trace.layers[fc1 - 1].data, [1, 1, 12]);
      const bn = desc.layers[6] as Doc;
      dot.forEach((d, ch) => {
        const v = (bn.gamma[ch] * (d - bn.mean[ch])) / Math.sqrt(bn.variance[ch] + bn.epsilon) + bn.beta[ch];
        expect(trace.layers[fc1].data[ch], `fc1 channel ${ch}: dot ${d}`).toBe(v >= 0 ? 1 : -1);
      });
    }
  });
});

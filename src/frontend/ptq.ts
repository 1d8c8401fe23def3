/**
 * Post-training quantization of a trained float network (the float model
 * description, src/frontend/float/float-model.ts) into a quantrtl model document.
 *
 * - Each engine (conv2d / dense) with the batch-norm and the activation that
 *   follow it becomes ONE layer: the batch-norm folds into a per-channel
 *   requant (multiplier per channel, one shift, integer bias) or, before a
 *   sign, into per-channel integer thresholds with a direction.
 * - Scales: a tensor read by an adder layer gets that layer's ONE shared scale
 *   s = max(max|W'|, clip_X) / (2^(b−1) − 1) (docs/integer-ops.md §2) = clip_X / (2^(b−1) − 1),
 *   and its producer requantizes straight onto it; any other tensor gets
 *   max|x| / (2^(b−1) − 1) from calibration. maxpool / flatten keep their input's scale.
 * - Adder weights beyond the activation range [ours]: W' = clamp(W, ±clip_X) and
 *   the excess Σ(|w| − clip_X) of each output goes into its bias. This is exact
 *   for every |x| ≤ clip_X: for w ≥ clip_X ≥ x, |x − w| = |x − clip_X| + (w − clip_X)
 *   (and symmetrically for w ≤ −clip_X). Without it one large trained weight
 *   (AdderNet training lets |w| grow far past the inputs) would set the shared
 *   scale and leave the activations with a handful of levels.
 * - MAC weights: one symmetric scale per tensor (max|W| / 127); xnor weights
 *   are sign(W) with sign(0) = +1; adder weights are quantized on the shared scale.
 * - The last engine's logits are 16-bit [ours]: saturating them to 8 bits
 *   would create argmax ties.
 *
 * Calibration runs the float network in float64 here (floatActivations), a
 * second implementation beside the tfjs one used for the float accuracy.
 */
import type { FloatBatchNorm, FloatConv2d, FloatDense, FloatLayer, FloatMaxPool, FloatModel } from "./float/float-model.js";
import { byKind, type ByKind } from "./float/by-kind.js";
import { QuantrtlError } from "../util/errors.js";
import { perChannelRequant } from "./quantize.js";

type Doc = Record<string, unknown>;

/** A float activation tensor of one image, HWC. */
export interface FloatTensor {
  readonly shape: readonly [number, number, number];
  readonly data: Float64Array;
}

const signOf = (v: number) => (v >= 0 ? 1 : -1);

function padBefore(size: number, kernel: number, padding: "valid" | "same"): number {
  if (padding === "valid") return 0;
  return Math.floor(Math.max(kernel - 1, 0) / 2);
}

function floatConv(l: FloatConv2d, x: FloatTensor): FloatTensor {
  const [H, W, C] = x.shape;
  const [KH, KW] = l.kernel;
  const py = padBefore(H, KH, l.padding);
  const px = padBefore(W, KW, l.padding);
  const OH = l.padding === "same" ? H : H - KH + 1;
  const OW = l.padding === "same" ? W : W - KW + 1;
  const O = l.outChannels;
  const out = new Float64Array(OH * OW * O);
  const xs = l.datapath === "xnor" ? x.data.map(signOf) : x.data;
  const ws = l.datapath === "xnor" ? l.weights.map(signOf) : l.weights;
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy - py + ky;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox - px + kx;
            const inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            for (let c = 0; c < C; c++) {
              const xv = inside ? xs[(iy * W + ix) * C + c] : 0;
              const wv = ws[((o * KH + ky) * KW + kx) * C + c];
              s += l.datapath === "adder" ? -Math.abs(xv - wv) : xv * wv;
            }
          }
        }
        out[(oy * OW + ox) * O + o] = s + (l.bias ? l.bias[o] : 0);
      }
  return { shape: [OH, OW, O], data: out };
}

function floatDense(l: FloatDense, x: FloatTensor): FloatTensor {
  const N = l.inFeatures;
  const xs = l.datapath === "xnor" ? x.data.map(signOf) : x.data;
  const ws = l.datapath === "xnor" ? l.weights.map(signOf) : l.weights;
  const out = new Float64Array(l.outFeatures);
  for (let o = 0; o < l.outFeatures; o++) {
    let s = 0;
    for (let i = 0; i < N; i++) s += l.datapath === "adder" ? -Math.abs(xs[i] - ws[o * N + i]) : xs[i] * ws[o * N + i];
    out[o] = s + (l.bias ? l.bias[o] : 0);
  }
  return { shape: [1, 1, l.outFeatures], data: out };
}

/** Every float layer's output for one image (float64, inference form: BN with moving statistics). */
export function floatActivations(desc: FloatModel, image: Float32Array | Float64Array): FloatTensor[] {
  const [H, W, C] = desc.input.shape;
  let x: FloatTensor = { shape: [H, W, C], data: Float64Array.from(image) };
  const outs: FloatTensor[] = [];
  for (const l of desc.layers) {
    x = byKind(FLOAT64_OPS, l, x);
    outs.push(x);
  }
  return outs;
}

/** Per kind: the layer on one image, float64. */
const FLOAT64_OPS: ByKind<FloatLayer, [FloatTensor], FloatTensor> = {
  conv2d: floatConv,
  dense: floatDense,
  batchnorm: (l, x) => {
    const C2 = l.channels;
    const d = x.data.map((v, i) => {
      const c = i % C2;
      return (l.gamma[c] * (v - l.mean[c])) / Math.sqrt(l.variance[c] + l.epsilon) + l.beta[c];
    });
    return { shape: x.shape, data: d };
  },
  relu: (_l, x) => ({ shape: x.shape, data: x.data.map((v) => (v < 0 ? 0 : v)) }),
  sign: (_l, x) => ({ shape: x.shape, data: x.data.map(signOf) }),
  maxpool: floatMaxPool,
  flatten: (_l, x) => ({ shape: [1, 1, x.data.length], data: x.data }),
};

function floatMaxPool(l: FloatMaxPool, x: FloatTensor): FloatTensor {
  const [h, w, c] = x.shape;
  const [PH, PW] = l.pool;
  const [SY, SX] = l.stride;
  const OH = Math.floor((h - PH) / SY) + 1;
  const OW = Math.floor((w - PW) / SX) + 1;
  const d = new Float64Array(OH * OW * c);
  for (let oy = 0; oy < OH; oy++)
    for (let ox = 0; ox < OW; ox++)
      for (let ch = 0; ch < c; ch++) {
        let m = -Infinity;
        for (let ky = 0; ky < PH; ky++) for (let kx = 0; kx < PW; kx++) m = Math.max(m, x.data[((oy * SY + ky) * w + ox * SX + kx) * c + ch]);
        d[(oy * OW + ox) * c + ch] = m;
      }
  return { shape: [OH, OW, c], data: d };
}

/** One IR layer to be: an engine group (engine + BN? + activation?) or a pass-through layer. */
interface Group {
  readonly kind: "engine" | "maxpool" | "flatten" | "relu";
  readonly engine?: FloatConv2d | FloatDense;
  readonly bn?: FloatBatchNorm;
  readonly act?: "relu" | "sign";
  readonly pool?: Extract<FloatLayer, { kind: "maxpool" }>;
  /** Index (into desc.layers) of the float layer whose output this IR layer's output is. */
  readonly last: number;
  readonly name: string;
}

function groupLayers(desc: FloatModel, file?: string): Group[] {
  const groups: Group[] = [];
  const L = desc.layers;
  for (let i = 0; i < L.length; i++) {
    const l = L[i];
    const at = `/layers/${i}`;
    if (l.kind === "conv2d" || l.kind === "dense") {
      let j = i;
      let bn: FloatBatchNorm | undefined;
      let act: "relu" | "sign" | undefined;
      if (L[j + 1]?.kind === "batchnorm") bn = L[++j] as FloatBatchNorm;
      if (L[j + 1]?.kind === "relu" || L[j + 1]?.kind === "sign") act = L[++j].kind as "relu" | "sign";
      groups.push({ kind: "engine", engine: l, bn, act, last: j, name: l.name });
      i = j;
    } else if (l.kind === "maxpool") groups.push({ kind: "maxpool", pool: l, last: i, name: l.name });
    else if (l.kind === "flatten") groups.push({ kind: "flatten", last: i, name: l.name });
    else if (l.kind === "relu") groups.push({ kind: "relu", last: i, name: l.name });
    else
      throw new QuantrtlError(
        file,
        at,
        `a ${l.kind} layer that does not follow a conv2d or dense layer cannot be folded`,
        "put batchnorm / sign right after a conv2d or dense layer",
      );
  }
  return groups;
}

export interface PtqOptions {
  /** Calibration images (float, HWC, the network's input encoding). */
  readonly calibration: readonly (Float32Array | Float64Array)[];
  readonly name?: string;
  readonly description?: string;
  /** Folding of every engine [ours default: pe ≤ 4, simd ≤ 16 as in load.ts]. */
  readonly arch?: (layer: { name: string; outChannels: number; reduction: number }) => { pe: number; simd: number };
  readonly file?: string;
}

export interface LayerSqnr {
  readonly layer: string;
  /** Signal-to-quantization-noise ratio of the integer output (× scale) against the float one, dB; binary outputs give the sign agreement instead. */
  readonly sqnrDb?: number;
  readonly signAgreement?: number;
}

export interface PtqResult {
  readonly document: Doc;
  /** Real value of one input step: the dataset's float input x is fed as round(x / inputScale). */
  readonly inputScale: number;
  /** Scale of every IR layer's output (undefined for ±1 tensors and argmax). */
  readonly scales: readonly (number | undefined)[];
  /** IR layer name -> index of the float layer whose output it reproduces. */
  readonly floatLayerOf: Readonly<Record<string, number>>;
}

const QMAX = 127;
const LOGIT_QMAX = 32767;

/** Quantizes a float image (HWC) to the model's int8 input: round half away, saturated to [−127, 127]. */
export function quantizeInput(image: ArrayLike<number>, inputScale: number): Int32Array {
  const out = new Int32Array(image.length);
  for (let i = 0; i < image.length; i++) {
    const q = Math.sign(image[i]) * Math.floor(Math.abs(image[i]) / inputScale + 0.5);
    out[i] = Math.max(-QMAX, Math.min(QMAX, q));
  }
  return out;
}

export function quantizeNetwork(desc: FloatModel, options: PtqOptions): PtqResult {
  const file = options.file;
  if (options.calibration.length === 0) throw new QuantrtlError(file, "calibration", "no calibration images", "give at least one image");
  const groups = groupLayers(desc, file);
  // calibration: max |activation| at every float layer output (and at the input)
  const maxAbs = new Float64Array(desc.layers.length);
  let inputMax = 0;
  for (const img of options.calibration) {
    for (const v of img) inputMax = Math.max(inputMax, Math.abs(v));
    floatActivations(desc, img).forEach((t, i) => {
      let m = maxAbs[i];
      for (const v of t.data) if (Math.abs(v) > m) m = Math.abs(v);
      maxAbs[i] = m;
    });
  }

  // scale of each group's output tensor; pass-through groups share their producer's scale
  const binaryOut = (g: Group, prev: boolean) => (g.kind === "engine" ? g.act === "sign" : prev);
  const isBinary: boolean[] = [];
  groups.forEach((g, gi) => isBinary.push(binaryOut(g, gi === 0 ? false : isBinary[gi - 1])));
  // class of a tensor = index of the producing engine group (-1 = model input); pass-throughs join their producer's class
  const classOf: number[] = [];
  groups.forEach((g, gi) => classOf.push(g.kind === "engine" ? gi : gi === 0 ? -1 : classOf[gi - 1]));
  const classMax = new Map<number, number>([[-1, inputMax]]);
  groups.forEach((g, gi) => {
    if (g.kind === "engine") classMax.set(gi, maxAbs[g.last]);
  });
  const classScale = new Map<number, number>();
  // adder consumers set their input class's scale first (shared scale, docs/integer-ops.md §2)
  groups.forEach((g, gi) => {
    if (g.kind !== "engine" || g.engine!.datapath !== "adder") return;
    const cls = gi === 0 ? -1 : classOf[gi - 1];
    // the weights are clipped to the activation range below, so max|W'| ≤ clip_X
    const clipX = classMax.get(cls)!;
    const s = (clipX > 0 ? clipX : 1) / QMAX;
    const had = classScale.get(cls);
    if (had !== undefined && had !== s)
      throw new QuantrtlError(
        file,
        `/layers/${gi}`,
        "two adder layers read one tensor with different shared scales",
        "not supported: give each adder layer its own input",
      );
    classScale.set(cls, s);
  });
  const lastEngine = groups.map((g) => g.kind).lastIndexOf("engine");
  for (const [cls, max] of classMax) {
    if (classScale.has(cls)) continue;
    const qmax = cls === lastEngine ? LOGIT_QMAX : QMAX;
    classScale.set(cls, (max > 0 ? max : 1) / qmax);
  }
  const inputScale = classScale.get(-1)!;

  const layers: Doc[] = [];
  const scales: (number | undefined)[] = [];
  const floatLayerOf: Record<string, number> = {};
  const names = new Set<string>();
  const irName = (n: string) => {
    let base = n.replace(/[^A-Za-z0-9_]/g, "_").replace(/^[^A-Za-z]+/, "");
    if (!base) base = "layer";
    base = base.slice(0, 28);
    let name = base;
    for (let k = 2; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  };
  groups.forEach((g, gi) => {
    const inBinary = gi === 0 ? false : isBinary[gi - 1];
    const inScale = inBinary ? 1 : classScale.get(gi === 0 ? -1 : classOf[gi - 1])!;
    const name = irName(g.name);
    floatLayerOf[name] = g.last;
    if (g.kind === "maxpool") {
      layers.push({ type: "maxpool", name, kernelSize: [...g.pool!.pool], stride: [...g.pool!.stride] });
      scales.push(inBinary ? undefined : inScale);
      return;
    }
    if (g.kind === "flatten" || g.kind === "relu") {
      layers.push({ type: g.kind, name });
      scales.push(inBinary ? undefined : inScale);
      return;
    }
    const e = g.engine!;
    const at = `/layers/${desc.layers.indexOf(e)}`;
    const outChannels = e.kind === "conv2d" ? e.outChannels : e.outFeatures;
    const reduction = e.kind === "conv2d" ? e.kernel[0] * e.kernel[1] * e.inChannels : e.inFeatures;
    // integer weights and the real value of one accumulator step
    let weights: number[];
    let accScale: number;
    let weightBits = 8;
    let adderExcess: Float64Array | undefined;
    if (e.datapath === "xnor") {
      if (!inBinary) throw new QuantrtlError(file, at, "an xnor layer must read a ±1 tensor (a sign before it)", "put a sign activation before the xnor layer");
      weights = e.weights.map(signOf);
      accScale = 1;
      weightBits = 1;
    } else if (e.datapath === "adder") {
      const clipX = inScale * QMAX;
      weights = e.weights.map((w) => Math.max(-QMAX, Math.min(QMAX, Math.round(w / inScale))));
      accScale = inScale;
      // the exact excess of the clipped weights, per output channel, as a (real) bias: acc = −Σ|x − w'| − excess
      adderExcess = new Float64Array(outChannels);
      e.weights.forEach((w, i) => (adderExcess![Math.floor(i / reduction)] += Math.max(0, Math.abs(w) - clipX)));
    } else {
      if (inBinary) throw new QuantrtlError(file, at, "a mac layer reading a ±1 tensor is not supported", "use an xnor layer after a sign");
      const wMax = e.weights.reduce((m, w) => Math.max(m, Math.abs(w)), 0) || 1;
      const ws = wMax / QMAX;
      weights = e.weights.map((w) => Math.round(w / ws));
      accScale = inScale * ws;
    }
    // real pre-activation = a_c · acc + c_c per output channel (BN folded)
    const a = new Float64Array(outChannels);
    const c = new Float64Array(outChannels);
    for (let o = 0; o < outChannels; o++) {
      const bias = (e.bias ? e.bias[o] : 0) - (adderExcess ? adderExcess[o] : 0);
      if (g.bn) {
        const inv = g.bn.gamma[o] / Math.sqrt(g.bn.variance[o] + g.bn.epsilon);
        a[o] = inv * accScale;
        c[o] = inv * (bias - g.bn.mean[o]) + g.bn.beta[o];
      } else {
        a[o] = accScale;
        c[o] = bias;
      }
    }
    const layer: Doc = {
      type: e.kind,
      name,
      datapath: e.datapath,
      weightBits,
      activationBits: inBinary ? 1 : 8,
      weights,
    };
    if (e.kind === "conv2d") {
      if (e.stride.some((s) => s !== 1)) throw new QuantrtlError(file, `${at}/stride`, "only stride 1 float convolutions are quantized", "train with stride 1");
      if (e.padding === "same" && (e.kernel[0] % 2 === 0 || e.kernel[1] % 2 === 0))
        throw new QuantrtlError(file, `${at}/padding`, '"same" padding with an even kernel is asymmetric', "use an odd kernel or valid padding");
      Object.assign(layer, {
        outChannels,
        kernelSize: [...e.kernel],
        stride: 1,
        padding: e.padding === "same" ? [(e.kernel[0] - 1) / 2, (e.kernel[1] - 1) / 2] : 0,
      });
    } else {
      layer.outFeatures = outChannels;
    }
    if (options.arch) layer.arch = options.arch({ name, outChannels, reduction });
    if (g.act === "sign") {
      // sign(a·acc + c): a > 0 → acc ≥ ceil(−c/a); a < 0 → acc ≤ floor(−c/a); a = 0 → the sign of c everywhere
      const thresholds: number[] = [];
      const directions: ("ge" | "le")[] = [];
      const lim = 2 ** 31 - 1;
      for (let o = 0; o < outChannels; o++) {
        if (a[o] === 0) {
          thresholds.push(c[o] >= 0 ? -lim : lim);
          directions.push("ge");
          continue;
        }
        const t = -c[o] / a[o];
        thresholds.push(Math.max(-lim, Math.min(lim, a[o] > 0 ? Math.ceil(t) : Math.floor(t))));
        directions.push(a[o] > 0 ? "ge" : "le");
      }
      layer.thresholds = thresholds;
      layer.thresholdDirections = directions;
      scales.push(undefined);
    } else {
      const outScale = classScale.get(gi)!;
      const outBits = gi === lastEngine ? 16 : 8;
      // y = round(r_c · (acc + b_c)) with r_c = a_c / s_out and b_c = c_c / a_c (an integer bias in accumulator units)
      const requant = perChannelRequant(a, c, outScale);
      if (!requant) throw new QuantrtlError(file, at, "every channel's batch-norm scale is 0", "retrain: the layer's output is constant");
      const { multipliers, shift, bias } = requant;
      const uniform = multipliers.every((m) => m === multipliers[0]) && multipliers[0] >= 0;
      layer.requant = uniform ? { multiplier: multipliers[0], shift, rounding: "half_even", outBits } : { multipliers, shift, rounding: "half_even", outBits };
      if (bias.some((b) => b !== 0)) layer.bias = bias;
      if (g.act === "relu") layer.relu = true;
      scales.push(outScale);
    }
    layers.push(layer);
  });
  layers.push({ type: "argmax", name: irName("predicted_class") });
  scales.push(undefined);
  const [H, W, C] = desc.input.shape;
  const document: Doc = {
    quantrtl: 1,
    name: options.name ?? desc.name,
    description:
      options.description ?? `${desc.name}: ${desc.variant} LeNet quantized by quantrtl (post-training, ${options.calibration.length} calibration images)`,
    input: { height: H, width: W, channels: C, bits: 8 },
    layers,
    metadata: { inputScale, source: desc.name },
  };
  return { document, inputScale, scales, floatLayerOf };
}

/**
 * Per-layer SQNR of the integer network against the float one on the same
 * images: the float activation of the float layer each IR layer reproduces,
 * against the golden integer output × the layer's scale. The float network is
 * fed the quantized input (× inputScale), so the figure is the quantization
 * noise of the layers, not of the input. Binary (±1) layers report the
 * fraction of matching signs instead.
 */
export function layerSqnr(
  desc: FloatModel,
  ptq: PtqResult,
  layerNames: readonly string[],
  integerTraces: readonly { readonly layers: readonly { readonly data: Int32Array }[] }[],
  inputs: readonly Int32Array[],
): LayerSqnr[] {
  const signal = new Float64Array(layerNames.length);
  const noise = new Float64Array(layerNames.length);
  const agree = new Float64Array(layerNames.length);
  const count = new Float64Array(layerNames.length);
  inputs.forEach((x, n) => {
    const f = floatActivations(
      desc,
      Float64Array.from(x, (v) => v * ptq.inputScale),
    );
    layerNames.forEach((name, li) => {
      const fi = ptq.floatLayerOf[name];
      if (fi === undefined) return;
      const ref = f[fi].data;
      const q = integerTraces[n].layers[li].data;
      const s = ptq.scales[li];
      for (let i = 0; i < ref.length; i++) {
        if (s === undefined) agree[li] += (ref[i] >= 0 ? 1 : -1) === q[i] ? 1 : 0;
        else {
          signal[li] += ref[i] * ref[i];
          noise[li] += (ref[i] - q[i] * s) ** 2;
        }
        count[li]++;
      }
    });
  });
  return layerNames.flatMap((layer, li): LayerSqnr[] => {
    if (ptq.floatLayerOf[layer] === undefined || count[li] === 0) return [];
    if (ptq.scales[li] === undefined) return [{ layer, signAgreement: agree[li] / count[li] }];
    return [{ layer, sqnrDb: noise[li] === 0 ? Infinity : 10 * Math.log10(signal[li] / noise[li]) }];
  });
}

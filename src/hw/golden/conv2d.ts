/**
 * Golden conv2d for the mac, adder, shift and xnor datapaths — the contract every
 * RTL output word is checked against. HWC activations, OHWI weights.
 *
 * Built for speed around the terms of src/arith/datapath.ts (§2): a per-layer
 * plan (cached) holds the window's input offsets for every output pixel and the
 * weights in the form the datapath's summed term reads (float64, shift
 * coefficients, packed sign words); each output pixel gathers its window once into
 * a contiguous patch and every output channel is one summed term over it.
 *
 * Bound: when accBits ≤ 53 (src/arith/datapath.ts accBits, from the widths, K and
 * the bias) every partial sum is an integer below 2^53, so float64 sums are exact.
 * A layer beyond that takes the exact path (BigInt, per term), which no bundled
 * model needs. The first per-element kernel is kept in reference/conv2d.ts as the
 * tests' oracle. Where the widths prove an i32 sum exact, the mac/adder/shift sums
 * are evaluated by WebAssembly SIMD kernels instead (wasm/simd.ts), the JS loops below
 * being the fallback.
 */
import { channelRequantParams, Conv2dLayer, convPadValue, DenseLayer, denseAsConv, IntTensor, reductionLength } from "../../ir/model.js";
import {
  accBits,
  adderSum,
  adderSum4,
  adderTerm,
  bitOfSign,
  macSum,
  macSum4,
  macTerm,
  packedWords,
  packSigns,
  paddingValue,
  shiftCoefficient,
  shiftTerm,
  thresholdBit,
  xnorBit,
  xnorDot,
  xnorPopcount,
} from "../../arith/datapath.js";
import { requantizeBig, requantizeTensor } from "../../arith/requant.js";
import { rangeOfValues } from "../../arith/widths.js";
import { SimdKernel, SimdPlan, simdAccumulators, simdAvailable, simdKernelFor, simdPlan } from "./wasm/simd.js";

/** Float64 sums are exact up to this accumulator width (53-bit significand). */
const EXACT_FLOAT_BITS = 53;

interface ConvPlan {
  readonly K: number;
  /** Window taps per output pixel (kh·kw); tap t of pixel p reads C values at taps[p·T + t], or padding when −1. */
  readonly tapsPerPixel: number;
  readonly taps: Int32Array;
  /** The window of every pixel is the input itself at taps[p] (1×1 kernel, no padded tap). */
  readonly direct: boolean;
  /** mac/adder: w; shift: its coefficient (shiftCoefficient); xnor: unused. */
  readonly weights: Float64Array;
  /** xnor: each output channel's weight signs, packedWords(K) words per channel. */
  readonly packed: Int32Array;
  readonly words: number;
  readonly bias: Float64Array;
  /** accBits > 53: the exact BigInt path instead of float64 sums. */
  readonly needsBigInt: boolean;
  /** The SIMD kernel's operands, when one evaluates this layer's sum exactly (wasm/simd.ts). */
  readonly simd: SimdPlan | undefined;
}

let simdEnabled = true;

/** Whether layers that allow it take the WebAssembly SIMD kernels (default) or the JS kernels (bench and tests compare the two). */
export function useSimdKernels(enabled: boolean): void {
  simdEnabled = enabled;
}

/** The evaluation a layer's sums take now: the exact BigInt path, the JS kernels, or a SIMD kernel. */
export function conv2dEvaluation(layer: Conv2dLayer): "bigint" | "js" | SimdKernel {
  const plan = planOf(layer);
  return plan.needsBigInt ? "bigint" : simdEnabled && plan.simd ? plan.simd.kernel : "js";
}

const plans = new WeakMap<Conv2dLayer, ConvPlan>();

function windowTaps(layer: Conv2dLayer): Int32Array {
  const { height: H, width: W, channels: C } = layer.input;
  const { height: OH, width: OW } = layer.output;
  const [KH, KW] = layer.kernel;
  const [SY, SX] = layer.stride;
  const [PY, PX] = layer.padding;
  const taps = new Int32Array(OH * OW * KH * KW);
  let t = 0;
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      for (let ky = 0; ky < KH; ky++) {
        const iy = oy * SY - PY + ky;
        for (let kx = 0; kx < KW; kx++) {
          const ix = ox * SX - PX + kx;
          taps[t++] = iy >= 0 && iy < H && ix >= 0 && ix < W ? (iy * W + ix) * C : -1;
        }
      }
    }
  }
  return taps;
}

function planOf(layer: Conv2dLayer): ConvPlan {
  const cached = plans.get(layer);
  if (cached) return cached;
  const K = reductionLength(layer);
  const OC = layer.output.channels;
  const taps = windowTaps(layer);
  const tapsPerPixel = layer.kernel[0] * layer.kernel[1];
  const w = layer.weights;
  const weights = new Float64Array(layer.datapath === "xnor" ? 0 : w.length);
  if (layer.datapath === "shift") for (let i = 0; i < w.length; i++) weights[i] = shiftCoefficient(w[i]);
  else if (layer.datapath !== "xnor") weights.set(w);
  const words = packedWords(K);
  const packed = new Int32Array(layer.datapath === "xnor" ? OC * words : 0);
  if (layer.datapath === "xnor") for (let oc = 0; oc < OC; oc++) packSigns(w, oc * K, K, packed, oc * words);
  const bias = new Float64Array(OC);
  if (layer.bias) bias.set(layer.bias);
  const bits = accBits(layer.datapath, layer.input.bits, layer.weightBits, K, layer.bias ? rangeOfValues(layer.bias) : undefined);
  // the SIMD kernels write padded taps as 0: a layer that pads with another value (an imported zero point) stays in JS
  const padsWithZero = convPadValue(layer) === 0 || (layer.padding[0] === 0 && layer.padding[1] === 0);
  const kernel = simdAvailable() && padsWithZero ? simdKernelFor(layer.datapath, layer.input.bits, layer.weightBits, K) : undefined;
  const plan: ConvPlan = {
    K,
    tapsPerPixel,
    taps,
    direct: tapsPerPixel === 1 && taps.every((o) => o >= 0),
    weights,
    packed,
    words,
    bias,
    needsBigInt: bits > EXACT_FLOAT_BITS,
    simd: kernel && bits <= EXACT_FLOAT_BITS ? simdPlan(kernel, layer, weights) : undefined,
  };
  plans.set(layer, plan);
  return plan;
}

/** Gathers pixel p's window into `patch` (K values, padding where the window leaves the input). */
function gatherWindow(plan: ConvPlan, p: number, input: Float64Array, C: number, pad: number, patch: Float64Array): void {
  const T = plan.tapsPerPixel;
  for (let t = 0; t < T; t++) {
    const src = plan.taps[p * T + t];
    const dst = t * C;
    if (src < 0) for (let ic = 0; ic < C; ic++) patch[dst + ic] = pad;
    else for (let ic = 0; ic < C; ic++) patch[dst + ic] = input[src + ic];
  }
}

/** Gathers pixel p's window as packed sign bits (§2: bit 1 ↔ +1; padding is +1, bit 1). */
function gatherSignWindow(plan: ConvPlan, p: number, inputBits: Uint8Array, C: number, padBit: number, packed: Int32Array): void {
  const T = plan.tapsPerPixel;
  packed.fill(0);
  for (let t = 0; t < T; t++) {
    const src = plan.taps[p * T + t];
    for (let ic = 0; ic < C; ic++) {
      const i = t * C + ic;
      const bit = src < 0 ? padBit : inputBits[src + ic];
      packed[i >>> 5] |= bit << (i & 31);
    }
  }
}

/** Accumulators (before requant / threshold) for every output element, HWC order. */
export function conv2dAccumulators(layer: Conv2dLayer, input: Int32Array): Float64Array {
  const plan = planOf(layer);
  if (plan.needsBigInt) return Float64Array.from(exactAccumulators(layer, input), Number);
  const C = layer.input.channels;
  const OC = layer.output.channels;
  const P = layer.output.height * layer.output.width;
  const K = plan.K;
  const acc = new Float64Array(P * OC);
  const bias = plan.bias;
  if (layer.datapath === "xnor") {
    const inputBits = new Uint8Array(input.length);
    for (let i = 0; i < input.length; i++) inputBits[i] = bitOfSign(input[i]);
    const padBit = bitOfSign(paddingValue("xnor"));
    const words = plan.words;
    const window = new Int32Array(words);
    for (let p = 0; p < P; p++) {
      gatherSignWindow(plan, p, inputBits, C, padBit, window);
      for (let oc = 0; oc < OC; oc++) acc[p * OC + oc] = xnorDot(xnorPopcount(window, 0, plan.packed, oc * words, words, K), K) + bias[oc];
    }
    return acc;
  }
  if (simdEnabled && plan.simd) {
    simdAccumulators(plan.simd, input, P, OC, layer.bias ? bias : undefined, acc);
    return acc;
  }
  const x = Float64Array.from(input);
  const patch = new Float64Array(K);
  const pad = convPadValue(layer);
  const adder = layer.datapath === "adder";
  const blocked = OC - (OC % 4);
  const w = plan.weights;
  for (let p = 0; p < P; p++) {
    let src: Float64Array = patch;
    let offset = 0;
    if (plan.direct) {
      src = x;
      offset = plan.taps[p];
    } else gatherWindow(plan, p, x, C, pad, patch);
    // direct calls (no function-valued variable): each call site stays monomorphic
    if (adder) {
      for (let oc = 0; oc < blocked; oc += 4) adderSum4(src, offset, w, oc * K, K, bias, oc, acc, p * OC + oc);
      for (let oc = blocked; oc < OC; oc++) acc[p * OC + oc] = adderSum(src, offset, w, oc * K, K) + bias[oc];
    } else {
      for (let oc = 0; oc < blocked; oc += 4) macSum4(src, offset, w, oc * K, K, bias, oc, acc, p * OC + oc);
      for (let oc = blocked; oc < OC; oc++) acc[p * OC + oc] = macSum(src, offset, w, oc * K, K) + bias[oc];
    }
  }
  return acc;
}

/** The exact path for accBits > 53: the datapath's term per element, summed in BigInt. */
function exactAccumulators(layer: Conv2dLayer, input: Int32Array): bigint[] {
  const plan = planOf(layer);
  const C = layer.input.channels;
  const OC = layer.output.channels;
  const P = layer.output.height * layer.output.width;
  const K = plan.K;
  const pad = convPadValue(layer);
  const dp = layer.datapath;
  const term = (x: number, w: number): number =>
    dp === "mac" ? macTerm(x, w) : dp === "adder" ? adderTerm(x, w) : dp === "shift" ? shiftTerm(x, w) : xnorBit(bitOfSign(x), bitOfSign(w));
  const acc: bigint[] = [];
  for (let p = 0; p < P; p++) {
    for (let oc = 0; oc < OC; oc++) {
      let s = 0n;
      for (let t = 0; t < plan.tapsPerPixel; t++) {
        const src = plan.taps[p * plan.tapsPerPixel + t];
        for (let ic = 0; ic < C; ic++) s += BigInt(term(src < 0 ? pad : input[src + ic], layer.weights[oc * K + t * C + ic]));
      }
      if (dp === "xnor") s = BigInt(xnorDot(Number(s), K));
      acc.push(s + BigInt(layer.bias ? layer.bias[oc] : 0));
    }
  }
  return acc;
}

/** The layer's integer output: requantized values, or ±1 from the thresholds of a binary layer. */
export function conv2dGolden(layer: Conv2dLayer, input: IntTensor): IntTensor {
  const OC = layer.output.channels;
  const stage = layer.out;
  const shape: IntTensor["shape"] = [layer.output.height, layer.output.width, OC];
  if (planOf(layer).needsBigInt && stage.kind === "requant") {
    const big = exactAccumulators(layer, input.data);
    const data = Int32Array.from(big, (a, i) => requantizeBig(a, channelRequantParams(stage, i % OC)));
    return { shape, bits: layer.output.bits, data };
  }
  const acc = conv2dAccumulators(layer, input.data);
  const out = new Int32Array(acc.length);
  if (stage.kind === "requant") {
    requantizeTensor(acc, stage.params, stage.perChannel?.multipliers, out);
  } else {
    for (let i = 0, oc = 0; i < acc.length; i++) {
      out[i] = thresholdBit(acc[i], stage.thresholds[oc], stage.directions[oc]) ? 1 : -1;
      if (++oc === OC) oc = 0;
    }
  }
  return { shape, bits: layer.output.bits, data: out };
}

const denseViews = new WeakMap<DenseLayer, Conv2dLayer>();

/** Dense = the 1×1 conv on the input read as a 1×1×N vector (HWC stream order); the view is kept so its plan is too. */
export function denseGolden(layer: DenseLayer, input: IntTensor): IntTensor {
  let conv = denseViews.get(layer);
  if (!conv) {
    conv = denseAsConv(layer);
    denseViews.set(layer, conv);
  }
  return conv2dGolden(conv, { shape: [1, 1, input.data.length], bits: input.bits, data: input.data });
}

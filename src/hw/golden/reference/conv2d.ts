/**
 * The first golden conv2d (one call of the datapath's term per element), kept
 * as the oracle of the fast kernels in ../conv2d.ts: the tests prove them equal
 * on every bundled model and on random layers, and bench/golden.ts measures
 * against it. Not used by the flows.
 *
 * Bound: |acc| ≤ K · 2^(bx+bw−2) + 2^31 < 2^53 for K < 2^19 at 16×16 bits, so
 * plain JS numbers are exact here; requantize() switches to BigInt for acc·m.
 */
import { channelRequantParams, Conv2dLayer, convPadValue, DenseLayer, denseAsConv, IntTensor, reductionLength } from "../../../ir/model.js";
import { adderTerm, macTerm, shiftTerm, thresholdBit, xnorBit, xnorDot, bitOfSign } from "../../../arith/datapath.js";
import { requantize } from "../../../arith/requant.js";

/** popcount step of the xnor datapath on ±1 values (1 when the sign bits agree). */
function xnorTerm(x: number, w: number): number {
  return xnorBit(bitOfSign(x), bitOfSign(w));
}

/** Accumulators (before requant / threshold) for every output element, HWC order. */
export function conv2dAccumulatorsReference(layer: Conv2dLayer, input: Int32Array): Float64Array {
  const { height: H, width: W, channels: C } = layer.input;
  const { height: OH, width: OW, channels: OC } = layer.output;
  const [KH, KW] = layer.kernel;
  const [SY, SX] = layer.stride;
  const [PY, PX] = layer.padding;
  const K = reductionLength(layer);
  const w = layer.weights;
  const pad = convPadValue(layer);
  const datapath = layer.datapath;
  const term = datapath === "mac" ? macTerm : datapath === "adder" ? adderTerm : datapath === "shift" ? shiftTerm : xnorTerm;
  const acc = new Float64Array(OH * OW * OC);
  for (let oy = 0; oy < OH; oy++) {
    for (let ox = 0; ox < OW; ox++) {
      const outBase = (oy * OW + ox) * OC;
      for (let oc = 0; oc < OC; oc++) {
        const wBase = oc * K;
        let sum = 0;
        for (let ky = 0; ky < KH; ky++) {
          const iy = oy * SY - PY + ky;
          const rowInside = iy >= 0 && iy < H;
          for (let kx = 0; kx < KW; kx++) {
            const ix = ox * SX - PX + kx;
            const inside = rowInside && ix >= 0 && ix < W;
            const xBase = (iy * W + ix) * C;
            const kBase = wBase + (ky * KW + kx) * C;
            // one loop per datapath keeps the inner loop free of branches on the datapath
            if (!inside) {
              for (let ic = 0; ic < C; ic++) sum += term(pad, w[kBase + ic]);
            } else if (datapath === "mac") {
              for (let ic = 0; ic < C; ic++) sum += macTerm(input[xBase + ic], w[kBase + ic]);
            } else if (datapath === "adder") {
              for (let ic = 0; ic < C; ic++) sum += adderTerm(input[xBase + ic], w[kBase + ic]);
            } else if (datapath === "shift") {
              for (let ic = 0; ic < C; ic++) sum += shiftTerm(input[xBase + ic], w[kBase + ic]);
            } else {
              for (let ic = 0; ic < C; ic++) sum += xnorTerm(input[xBase + ic], w[kBase + ic]);
            }
          }
        }
        if (layer.datapath === "xnor") sum = xnorDot(sum, K);
        acc[outBase + oc] = sum + (layer.bias ? layer.bias[oc] : 0);
      }
    }
  }
  return acc;
}

/** The layer's integer output: requantized values, or ±1 from the thresholds of a binary layer. */
export function conv2dGoldenReference(layer: Conv2dLayer, input: IntTensor): IntTensor {
  const acc = conv2dAccumulatorsReference(layer, input.data);
  const OC = layer.output.channels;
  const out = new Int32Array(acc.length);
  const stage = layer.out;
  if (stage.kind === "requant") {
    const perChannel = Array.from({ length: OC }, (_, oc) => channelRequantParams(stage, oc));
    for (let i = 0; i < acc.length; i++) out[i] = requantize(acc[i], perChannel[i % OC]);
  } else {
    for (let i = 0; i < acc.length; i++) {
      const oc = i % OC;
      out[i] = thresholdBit(acc[i], stage.thresholds[oc], stage.directions[oc]) ? 1 : -1;
    }
  }
  return { shape: [layer.output.height, layer.output.width, OC], bits: layer.output.bits, data: out };
}

/** Dense = the 1×1 conv on the input read as a 1×1×N vector (HWC stream order). */
export function denseGoldenReference(layer: DenseLayer, input: IntTensor): IntTensor {
  const conv = denseAsConv(layer);
  return conv2dGoldenReference(conv, { shape: [1, 1, input.data.length], bits: input.bits, data: input.data });
}

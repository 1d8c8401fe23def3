/** Threshold unit parameters and ROM image ({le, tau} per channel, tau clamped to one step outside the accumulator's range). */
import { Conv2dLayer, reductionLength } from "../../../ir/model.js";
import { accRange } from "../../../arith/datapath.js";
import { counterBits, IntRange, rangeOfValues, signedBitsFor } from "../../../arith/widths.js";
import { hexWord, literal, sext } from "../../verilog.js";
import { foldCounts } from "../../../ir/folding.js";
import { layerAccBits } from "../mvu/params.js";

/**
 * The accumulator lies in [lo, hi] (xnor: [−K, K]; mac/adder/shift: their datapath range
 * plus bias), so clamping tau to [lo − 1, hi + 1] changes no comparison (acc ≥ tau or acc ≤ tau).
 */
export function clampThreshold(tau: number, acc: IntRange): number {
  return Math.max(Number(acc.lo) - 1, Math.min(Number(acc.hi) + 1, tau));
}

/** The range of the accumulator a threshold is compared with. */
export function thresholdAccRange(layer: Conv2dLayer): IntRange {
  return accRange(layer.datapath, layer.input.bits, layer.weightBits, reductionLength(layer), layer.bias ? rangeOfValues(layer.bias) : undefined);
}

export function thresholdParams(layer: Conv2dLayer, module: string, thresholdFile: string) {
  if (layer.out.kind !== "threshold") throw new Error("thresholdParams: layer has no thresholds");
  const { pe: PE, nf: NF } = foldCounts(layer);
  const acc = thresholdAccRange(layer);
  const ACCW = layerAccBits(layer);
  const TW = signedBitsFor({ lo: acc.lo - 1n, hi: acc.hi + 1n });
  const CMPW = Math.max(ACCW, TW);
  const words: string[] = [];
  for (let nf = 0; nf < NF; nf++) {
    let word = 0n;
    for (let p = 0; p < PE; p++) {
      const oc = nf * PE + p;
      if (oc >= layer.output.channels) continue;
      const tau = clampThreshold(layer.out.thresholds[oc], acc);
      const le = layer.out.directions[oc] === "le" ? 1n : 0n;
      const field = (le << BigInt(TW)) | BigInt.asUintN(TW, BigInt(tau));
      word |= field << BigInt(p * (TW + 1));
    }
    words.push(hexWord(word, PE * (TW + 1)));
  }
  const nfW = counterBits(NF);
  return {
    module,
    PE,
    NF,
    ACCW,
    TW,
    CMPW,
    nfW,
    inW: PE * ACCW,
    thresholdFile,
    thresholdRom: words.join("\n") + "\n",
    lit: { nf0: literal(0, nfW), nf1: literal(1, nfW), nfLast: literal(NF - 1, nfW) },
    ext: { dot: sext("dot", ACCW, CMPW), tau: sext("tau", TW, CMPW) },
  };
}

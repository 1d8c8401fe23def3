/** Threshold unit parameters and ROM image ({le, tau} per channel, tau clamped to [−K−1, K+1]). */
import { Conv2dLayer, reductionLength } from "../../ir/model.js";
import { counterBits, signedBitsFor } from "../../quant/widths.js";
import { hexWord, literal, sext } from "../verilog.js";
import { foldCounts } from "./folding.js";
import { layerAccBits } from "./mvu.js";

/** dot ∈ [−K, K], so clamping tau to [−K−1, K+1] changes no comparison (dot ≥ tau or dot ≤ tau). */
export function clampThreshold(tau: number, reduction: number): number {
  return Math.max(-reduction - 1, Math.min(reduction + 1, tau));
}

export function thresholdParams(layer: Conv2dLayer, module: string, thresholdFile: string) {
  if (layer.out.kind !== "threshold") throw new Error("thresholdParams: layer has no thresholds");
  const { pe: PE, nf: NF } = foldCounts(layer);
  const K = reductionLength(layer);
  const ACCW = layerAccBits(layer);
  const TW = signedBitsFor({ lo: BigInt(-K - 1), hi: BigInt(K + 1) });
  const CMPW = Math.max(ACCW, TW);
  const words: string[] = [];
  for (let nf = 0; nf < NF; nf++) {
    let word = 0n;
    for (let p = 0; p < PE; p++) {
      const oc = nf * PE + p;
      if (oc >= layer.output.channels) continue;
      const tau = clampThreshold(layer.out.thresholds[oc], K);
      const le = layer.out.directions[oc] === "le" ? 1n : 0n;
      const field = (le << BigInt(TW)) | BigInt.asUintN(TW, BigInt(tau));
      word |= field << BigInt(p * (TW + 1));
    }
    words.push(hexWord(word, PE * (TW + 1)));
  }
  const nfW = counterBits(NF);
  return {
    module,
    PE, NF, ACCW, TW, CMPW, nfW,
    inW: PE * ACCW,
    thresholdFile,
    thresholdRom: words.join("\n") + "\n",
    lit: { nf0: literal(0, nfW), nf1: literal(1, nfW), nfLast: literal(NF - 1, nfW) },
    ext: { dot: sext("dot", ACCW, CMPW), tau: sext("tau", TW, CMPW) },
  };
}

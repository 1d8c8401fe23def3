/** Folding arithmetic shared by every unit and the cycle model: NF = ceil(Cout/PE), SF = ceil(K/SIMD). */
import { Conv2dLayer, outputPixels, reductionLength } from "./model.js";

export interface FoldCounts {
  readonly pe: number;
  readonly simd: number;
  /** Neuron folds: ceil(outChannels / pe). */
  readonly nf: number;
  /** Synapse folds: ceil(reductionLength / simd). */
  readonly sf: number;
  /** Output channels in the last neuron fold. */
  readonly lastPe: number;
  /** Valid lanes in the last synapse fold. */
  readonly lastSimd: number;
}

/** Folding of an engine layer: NF = ⌈channels/pe⌉ output-channel folds and SF = ⌈K/simd⌉ reduction folds. */
export function foldCounts(layer: Conv2dLayer): FoldCounts {
  const K = reductionLength(layer);
  const { pe, simd } = layer.arch;
  const nf = Math.ceil(layer.output.channels / pe);
  const sf = Math.ceil(K / simd);
  return { pe, simd, nf, sf, lastPe: layer.output.channels - (nf - 1) * pe, lastSimd: K - (sf - 1) * simd };
}

/** Ideal cycles of one frame: out_pixels · ceil(cout/pe) · ceil(K/simd). */
export function idealCycles(layer: Conv2dLayer): number {
  const { nf, sf } = foldCounts(layer);
  return outputPixels(layer) * nf * sf;
}

/**
 * Matrix-vector unit parameters and ROM images. Weight ROM word (nf, sf): for PE p
 * and lane l, bits [(p·SIMD + l)·BW +: BW] hold w[oc = nf·PE + p][k = sf·SIMD + l]
 * (0 past Cout or K; xnor stores the bit, 1 ↔ +1).
 */
import { Conv2dLayer, reductionLength } from "../../../ir/model.js";
import { accBits } from "../../../arith/datapath.js";
import { counterBits, rangeOfValues, signedBitsFor } from "../../../arith/widths.js";
import { hexWord, literal, sext } from "../../verilog.js";
import { foldCounts } from "../../../ir/folding.js";
import { contributionBits, weightField } from "../pe/params.js";

export function layerAccBits(layer: Conv2dLayer): number {
  return accBits(layer.datapath, layer.input.bits, layer.weightBits, reductionLength(layer), layer.bias ? rangeOfValues(layer.bias) : undefined);
}

/** The weight memory's words in address order (nf·SF + sf): the ROM image, and the load image of a loadable RAM. */
export function mvuWeightWords(layer: Conv2dLayer): bigint[] {
  const { pe: PE, simd: SIMD, nf: NF, sf: SF } = foldCounts(layer);
  const K = reductionLength(layer);
  const field = weightField(layer);
  const BW = field.bits;
  const OC = layer.output.channels;
  const words: bigint[] = [];
  for (let nf = 0; nf < NF; nf++) {
    for (let sf = 0; sf < SF; sf++) {
      let word = 0n;
      for (let p = 0; p < PE; p++) {
        const oc = nf * PE + p;
        for (let l = 0; l < SIMD; l++) {
          const k = sf * SIMD + l;
          if (oc >= OC || k >= K) continue;
          const w = layer.weights[oc * K + k];
          word |= field.encode(w) << BigInt((p * SIMD + l) * BW);
        }
      }
      words.push(word);
    }
  }
  return words;
}

/** The weight memory's shape: NF·SF words of PE·SIMD weights (ROM, or loadable RAM), each weight weightField bits. */
export function mvuWeightMemory(layer: Conv2dLayer): { depth: number; width: number } {
  const { pe, simd, nf, sf } = foldCounts(layer);
  return { depth: nf * sf, width: pe * simd * weightField(layer).bits };
}

/** Bytes a loadable weight RAM takes: each word as ceil(width / 8) bytes, least significant first. */
export function weightLoadBytesPerWord(layer: Conv2dLayer): number {
  return Math.ceil(mvuWeightMemory(layer).width / 8);
}

/** The load image of a loadable weight RAM: its words in address order, each LSB first in weightLoadBytesPerWord bytes. */
export function weightLoadImage(layer: Conv2dLayer): Uint8Array {
  const per = weightLoadBytesPerWord(layer);
  const words = mvuWeightWords(layer);
  const out = new Uint8Array(words.length * per);
  words.forEach((w, i) => {
    for (let b = 0; b < per; b++, w >>= 8n) out[i * per + b] = Number(w & 0xffn);
  });
  return out;
}

/** The bias ROM: word nf holds the PE lanes' biases of neuron fold nf, each in the bias width (none without bias). */
export function mvuBiasWords(layer: Conv2dLayer): bigint[] {
  if (!layer.bias) return [];
  const { pe: PE, nf: NF } = foldCounts(layer);
  const OC = layer.output.channels;
  const biasW = signedBitsFor(rangeOfValues(layer.bias));
  const words: bigint[] = [];
  for (let nf = 0; nf < NF; nf++) {
    let word = 0n;
    for (let p = 0; p < PE; p++) {
      const oc = nf * PE + p;
      if (oc < OC) word |= BigInt.asUintN(biasW, BigInt(layer.bias[oc])) << BigInt(p * biasW);
    }
    words.push(word);
  }
  return words;
}

export function mvuParams(layer: Conv2dLayer, module: string, peModule: string, files: { weight: string; bias: string }) {
  const { pe: PE, simd: SIMD, nf: NF, sf: SF, lastSimd } = foldCounts(layer);
  const field = weightField(layer);
  const BW = field.bits; // bits of one weight in the ROM and on the PE port
  const BX = layer.input.bits;
  const ACCW = layerAccBits(layer);
  const CW = contributionBits(layer);

  const weightWords = mvuWeightWords(layer).map((w) => hexWord(w, PE * SIMD * BW));

  const biasW = layer.bias ? signedBitsFor(rangeOfValues(layer.bias)) : 0;
  const biasWords = mvuBiasWords(layer).map((w) => hexWord(w, PE * biasW));

  const wDepth = NF * SF;
  const waddrW = counterBits(wDepth);
  const sfW = counterBits(SF);
  const nfW = counterBits(NF);
  const lastMask = (1n << BigInt(lastSimd)) - 1n;
  const wromW = mvuWeightMemory(layer).width;
  const spram = layer.arch.weightMemory === "spram";
  // the load port takes bytes: a word is WB bytes, the last completes it on top of the ones before
  const WB = weightLoadBytesPerWord(layer);
  const lbW = counterBits(WB);
  return {
    spram,
    // stage 1 takes a window only once the weights are in (always, for a ROM)
    inTake: spram ? "in_take" : "in_valid",
    loadWordBytes: WB,
    multiByteWord: WB > 1,
    lbW,
    loadAccW: (WB - 1) * 8,
    loadNextW: WB * 8,
    loadWord: wromW === WB * 8 ? "load_next" : `load_next[${wromW - 1}:0]`,
    loadPadded: wromW !== WB * 8,
    module,
    peModule,
    PE,
    SIMD,
    BW,
    BX,
    NF,
    ACCW,
    CW,
    sliceW: SIMD * BX,
    outW: PE * ACCW,
    wromW,
    wDepth,
    waddrW,
    sfW,
    nfW,
    hasBias: Boolean(layer.bias),
    biasW,
    weightFile: files.weight,
    biasFile: files.bias,
    weightRom: weightWords.join("\n") + "\n",
    biasRom: biasWords.join("\n") + "\n",
    lit: {
      sf0: literal(0, sfW),
      sf1: literal(1, sfW),
      sfLast: literal(SF - 1, sfW),
      nf0: literal(0, nfW),
      nf1: literal(1, nfW),
      nfLast: literal(NF - 1, nfW),
      waddr0: literal(0, waddrW),
      waddr1: literal(1, waddrW),
      waddrLast: literal(wDepth - 1, waddrW),
      lastMask: literal(lastMask, SIMD),
      fullMask: literal((1n << BigInt(SIMD)) - 1n, SIMD),
      acc0: literal(0, ACCW),
      lb0: literal(0, lbW),
      lb1: literal(1, lbW),
      lbLast: literal(WB - 1, lbW),
    },
    ext: {
      bias: layer.bias ? sext("bias", biasW, ACCW) : "",
      contrib: sext("contrib", CW, ACCW),
    },
  };
}

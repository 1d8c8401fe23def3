/**
 * Resource features of the matrix-vector unit and its PEs (templates/verilog/mvu.v.hbs,
 * pe-*.v.hbs, src/hw/units/mvu/params.ts, src/hw/units/pe/params.ts): PE·SIMD datapath lanes (one feature
 * per datapath: their cost per lane differs), PE adder trees and accumulators, the
 * stage-1 registers and the weight and bias ROMs (mapped as Yosys would).
 */
import { Conv2dLayer, reductionLength } from "../../../ir/model.js";
import { foldCounts } from "../../../ir/folding.js";
import { layerAccBits, mvuBiasWords, mvuWeightMemory } from "./params.js";
import { contributionBits, weightField } from "../pe/params.js";
import { maxShift } from "../../../arith/datapath.js";
import { rangeOfValues, signedBitsFor } from "../../../arith/widths.js";
import { dspsForProduct, Features, mapMemory, MemoryMapping, romLuts, signal, SynthTarget, variableColumns } from "../../target.js";
import { SPRAM_BITS, spramBlocks } from "../../families/ice40.js";

/** What the weight ROM's bit columns (one bit of a lane's weight over all NF·SF words) leave for the logic. */
export interface WeightRomBits {
  /**
   * Distinct non-constant columns: the flip-flops of s1_w that survive Yosys's
   * merging of equal and constant registers, and the ROM outputs its logic must
   * make. A deep ROM has nearly all PE·SIMD·BW columns; a 1×1 layer with NF·SF = 2 a handful.
   */
  readonly columns: number;
  /**
   * Lane weight bits that are not constant 0, summed over lanes: the partial-product
   * rows a multiplier in logic keeps (a bit that is 0 in every word drops its row).
   */
  readonly liveBits: number;
  /** Columns that are not constant (0 or 1 in every word), equal ones counted apart: the width Yosys maps the ROM at (hw/target.ts variableColumns). */
  readonly variable: number;
}

export function weightRomBits(layer: Conv2dLayer): WeightRomBits {
  const key = `${layer.arch.pe}x${layer.arch.simd}:${layer.datapath}:${layer.output.channels}`;
  let cached = columnCache.get(layer.weights);
  if (!cached) columnCache.set(layer.weights, (cached = new Map()));
  const hit = cached.get(key);
  if (hit !== undefined) return hit;
  const { pe, simd, nf, sf } = foldCounts(layer);
  const field = weightField(layer);
  const K = reductionLength(layer);
  const OC = layer.output.channels;
  // each column is fingerprinted by two 32-bit hashes of its bit sequence (collisions are negligible here)
  const encoded = Uint32Array.from(layer.weights, (w) => Number(field.encode(w)));
  const columns = new Set<string>();
  let liveBits = 0;
  let variable = 0;
  for (let p = 0; p < pe; p++) {
    for (let l = 0; l < simd; l++) {
      for (let b = 0; b < field.bits; b++) {
        let h1 = 0x811c9dc5;
        let h2 = 0x9e3779b9;
        let ones = 0;
        for (let n = 0; n < nf; n++) {
          for (let f = 0; f < sf; f++) {
            const oc = n * pe + p;
            const k = f * simd + l;
            const bit = oc < OC && k < K ? (encoded[oc * K + k] >>> b) & 1 : 0;
            ones += bit;
            h1 = Math.imul(h1 ^ (bit + 1), 0x01000193);
            h2 = Math.imul(h2 ^ (bit + 7), 0x85ebca6b) ^ (h2 >>> 13);
          }
        }
        if (ones > 0) liveBits++;
        if (ones > 0 && ones < nf * sf) {
          columns.add(`${h1 >>> 0}:${h2 >>> 0}`);
          variable++;
        }
      }
    }
  }
  const bits = { columns: columns.size, liveBits, variable };
  cached.set(key, bits);
  return bits;
}

/** Distinct non-constant bit columns of the weight ROM (WeightRomBits.columns). */
export function weightRomColumns(layer: Conv2dLayer): number {
  return weightRomBits(layer).columns;
}

const columnCache = new WeakMap<object, Map<string, WeightRomBits>>();

export function mvuFeatures(layer: Conv2dLayer, target: SynthTarget): Features {
  const { pe, simd, nf, sf } = foldCounts(layer);
  const bx = layer.input.bits;
  const lanes = pe * simd;
  const dp = layer.datapath;
  // pe-mac.v.hbs: xe * we, both sign-extended to PW = BX + BW bits; a product too narrow for mul2dsp
  // (xc7: Y under 9 bits, e.g. 2 × 2 bits) stays in soft logic even where DSPs are inferred
  const laneDsps = dp === "mac" ? dspsForProduct({ a: signal(bx), b: signal(layer.weightBits), width: bx + layer.weightBits }, target) : 0;
  const onDsp = laneDsps > 0;
  // a loadable weight RAM (ram_style "huge") is an SB_SPRAM256KA, never block RAM or logic
  const spram = layer.arch.weightMemory === "spram";
  const memory = mvuWeightMemory(layer);
  // a ROM maps at the width of its columns that vary (Yosys removes constant ones first)
  const weights: MemoryMapping = spram
    ? { style: "block", blockBits: 0, lutramLuts: 0, logicBits: 0 }
    : mapMemory(memory.depth, weightRomBits(layer).variable, "rom", "sync", target);
  const biasW = layer.bias ? pe * signedBitsFor(rangeOfValues(layer.bias)) : 0;
  const bias = biasW
    ? mapMemory(nf, variableColumns(mvuBiasWords(layer), biasW), "rom", "sync", target)
    : { blockBits: 0, lutramLuts: 0, logicBits: 0, style: "logic" };
  // a shift lane: x << q over one mux stage per bit of the shifts it can see (at most P + 1, at most
  // one per ROM word), and a conditional negate, 2·BX − 1 bits wide
  const shiftStages = dp === "shift" ? Math.ceil(Math.log2(Math.min(maxShift(layer.weightBits) + 1, nf * sf))) + 1 : 0;
  const { columns, liveBits } = weightRomBits(layer);
  return {
    "mvu.macDspLanes": onDsp ? lanes : 0,
    // a multiplier in logic: BX bits per partial-product row, a row per weight bit that is not 0 in every word
    "mvu.macLutBits": dp === "mac" && !onDsp ? bx * liveBits : 0,
    // x − w and its magnitude, BX + 1 bits
    "mvu.adderLaneBits": dp === "adder" ? lanes * (bx + 1) : 0,
    "mvu.shiftLaneBits": dp === "shift" ? lanes * (2 * bx - 1) * shiftStages : 0,
    "mvu.xnorLanes": dp === "xnor" ? lanes : 0,
    // SIMD − 1 adders of CW bits per PE
    "mvu.treeBits": pe * (simd - 1) * contributionBits(layer),
    "mvu.accBits": pe * layerAccBits(layer),
    // s1_x, and s1_w / s1_bias unless the block RAM's output register holds them
    "mvu.stageBits": simd * bx + (weights.style === "block" ? 0 : columns) + (bias.style === "block" ? 0 : biasW),
    "mvu.blockBits": weights.blockBits + bias.blockBits,
    "mvu.lutramLuts": weights.lutramLuts + bias.lutramLuts,
    // ROMs in soft logic: one LUT per surviving column per 2^k words
    "mvu.romLuts": (weights.style === "logic" ? romLuts(nf * sf, columns, target) : 0) + (bias.style === "logic" ? romLuts(nf, biasW, target) : 0),
    // not a fitted feature: SPRAM blocks are counted, as Yosys maps them (families/ice40.ts)
    "mvu.spramBits": spram ? spramBlocks(memory.depth, memory.width) * SPRAM_BITS : 0,
    "mvu.dsps": lanes * laneDsps,
  };
}

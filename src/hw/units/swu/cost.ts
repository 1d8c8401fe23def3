/**
 * Resource features of the sliding-window unit (templates/verilog/swu.v.hbs,
 * src/hw/units/swu/params.ts): SIMD line-buffer banks (block, distributed or soft
 * RAM, as Yosys would map them), the per-bank address select, the lane rotation,
 * the output register with its pad mux, and the lane table ROM.
 */
import { Conv2dLayer } from "../../../ir/model.js";
import { swuBanking, swuParams } from "./params.js";
import { counterBits } from "../../../arith/widths.js";
import { Features, mapMemory, SynthTarget, variableColumnsOfHex } from "../../target.js";

export function swuFeatures(layer: Conv2dLayer, target: SynthTarget): Features {
  const bank = swuBanking(layer);
  const simd = bank.banks;
  const bx = layer.input.bits;
  const sf = Math.ceil((layer.kernel[0] * layer.kernel[1] * layer.input.channels) / simd);
  const banks = mapMemory(bank.bankDepth, bx, "ram", "sync", target);
  const p = swuParams(layer, "swu_features", "");
  // the lane table at the width of its columns that vary (Yosys removes constant ones)
  const laneTable = mapMemory(sf, variableColumnsOfHex(p.laneRom, p.tabW), "rom", "async", target);
  return {
    // the writer's and reader's counters, row bookkeeping and compares: they grow with the image, not the folding
    "swu.counterBits": 2 * p.ABW + 2 * p.BNKW + p.POSW + p.XW + 3 * p.RBW + 3 * p.CBW + 3 * p.AW + p.sfW + p.nfW + p.oyW + p.oxW,
    // log2(SIMD) stages of 2:1 muxes over the slice
    "swu.rotate": simd * bx * Math.ceil(Math.log2(simd)),
    // per bank: its row's address, the wrap increment and the write enable
    "swu.bankAddress": simd * counterBits(bank.bankDepth),
    // out_data and the stage-1 pad mask
    "swu.slice": simd * (bx + 1),
    "swu.blockBits": simd * banks.blockBits,
    "swu.lutramLuts": simd * banks.lutramLuts + laneTable.lutramLuts,
    // banks left to soft logic: flip-flops and a read multiplexer
    "swu.ramLogicBits": simd * banks.logicBits,
    // the lane table in soft logic: one LUT per bit per 2^k folds
    "swu.romLuts": laneTable.logicBits ? (laneTable.logicBits / sf) * Math.ceil(sf / 2 ** target.lutInputs) : 0,
  };
}

/**
 * Resource features of the threshold unit (templates/verilog/threshold.v.hbs,
 * src/hw/units/threshold/params.ts): per PE one compare of the accumulator with its
 * channel's threshold, from a ROM of NF words.
 */
import { Conv2dLayer } from "../../../ir/model.js";
import { thresholdParams } from "./params.js";
import { Features, mapMemory, romLuts, SynthTarget, variableColumnsOfHex } from "../../target.js";

export function thresholdFeatures(layer: Conv2dLayer, target: SynthTarget): Features {
  if (layer.out.kind !== "threshold") return {};
  const th = thresholdParams(layer, "threshold_features", "");
  // at the width of its columns that vary (Yosys removes constant ones)
  const width = variableColumnsOfHex(th.thresholdRom, th.PE * (th.TW + 1));
  const rom = mapMemory(th.NF, width, "rom", "async", target);
  return {
    "threshold.compareBits": th.PE * th.CMPW,
    "threshold.blockBits": rom.blockBits,
    "threshold.lutramLuts": rom.lutramLuts,
    "threshold.romLuts": rom.logicBits ? romLuts(th.NF, width, target) : 0,
  };
}

/**
 * Resource features of the requant unit (templates/verilog/requant.v.hbs,
 * src/codegen/units/requant.ts): per PE the acc·m product (DSP tiles, or an array
 * multiplier in LUTs without DSPs), the rounding add, shift and saturation, and the
 * output register.
 */
import { Conv2dLayer } from "../../ir/model.js";
import { requantParams } from "../../codegen/units/requant.js";
import { dspsFor, Features, SynthTarget } from "./target.js";

export function requantFeatures(layer: Conv2dLayer, target: SynthTarget): Features {
  if (layer.out.kind !== "requant") return {};
  const rq = requantParams(layer, "requant_features");
  const pe = layer.arch.pe;
  const mBits = layer.out.params.multiplierBits + 1;
  const tiles = target.useDsp ? dspsFor(rq.ACCW, mBits, target) : 0;
  return {
    "requant.dsps": pe * tiles,
    // a product split over several DSPs is summed back in soft logic, PRODW bits per extra tile
    "requant.splitAddBits": pe * Math.max(0, tiles - 1) * rq.PRODW,
    "requant.mulLutBits": target.useDsp ? 0 : pe * rq.ACCW * mBits,
    "requant.sumBits": pe * rq.SUMW,
    "requant.outBits": pe * layer.out.params.outBits,
  };
}

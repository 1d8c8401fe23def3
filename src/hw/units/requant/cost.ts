/**
 * Resource features of the requant unit (templates/verilog/requant.v.hbs,
 * src/hw/units/requant/params.ts): per PE the acc·m product (DSP tiles, or in LUTs
 * without DSPs: shifts and adds for a constant, an array multiplier for the per-channel
 * multipliers), the rounding add, shift and saturation, the output register, and the
 * per-channel multiplier ROM mapped as Yosys would.
 */
import { Conv2dLayer } from "../../../ir/model.js";
import { requantParams } from "./params.js";
import { constant, dspsForProduct, Features, mapMemory, romLuts, signal, SynthTarget, variableColumnsOfHex } from "../../target.js";

export function requantFeatures(layer: Conv2dLayer, target: SynthTarget): Features {
  if (layer.out.kind !== "requant") return {};
  const perChannel = layer.out.perChannel !== undefined;
  const rq = requantParams(layer, "requant_features");
  const pe = layer.arch.pe;
  const mBits = layer.out.params.multiplierBits + 1;
  // requant.v.hbs: acc sign-extended to PRODW times the constant (or the ROM word, PRODW bits that Yosys
  // cannot narrow: measured 2–5 DSPs a lane), as Yosys reduces and tiles it (hw/families/dsp.ts)
  const m = perChannel ? signal(rq.PRODW) : constant(layer.out.params.multiplier);
  const tiles = dspsForProduct({ a: signal(rq.ACCW), b: m, width: rq.PRODW }, target);
  // per channel: the multipliers come from a ROM of NF words (read at a registered counter: synchronous)
  // (at the width of its columns that vary: Yosys removes constant ones)
  const romWidth = perChannel ? variableColumnsOfHex(rq.multiplierRom, rq.PE * rq.PRODW) : 0;
  const rom = perChannel ? mapMemory(rq.NF, romWidth, "rom", "sync", target) : undefined;
  return {
    "requant.dsps": perChannel ? 0 : pe * tiles,
    "requant.varDsps": perChannel ? pe * tiles : 0,
    // a product split over several DSPs is summed back in soft logic, PRODW bits per extra tile
    "requant.splitAddBits": pe * Math.max(0, tiles - 1) * rq.PRODW,
    // without DSPs: a multiply by a constant (shifts and adds of its one bits) or, per channel, a full array multiplier
    "requant.mulLutBits": target.useDsp || perChannel ? 0 : pe * rq.ACCW * mBits,
    "requant.varMulLutBits": target.useDsp || !perChannel ? 0 : pe * rq.ACCW * mBits,
    "requant.sumBits": pe * rq.SUMW,
    "requant.outBits": pe * layer.out.params.outBits,
    "requant.blockBits": rom?.blockBits ?? 0,
    "requant.lutramLuts": rom?.lutramLuts ?? 0,
    "requant.romLuts": rom?.logicBits ? romLuts(rq.NF, romWidth, target) : 0,
  };
}

/** Processing-element parameters per datapath: SIMD lanes -> one signed contribution of CW bits. */
import { Conv2dLayer } from "../../ir/model.js";
import { termRange } from "../../quant/datapath.js";
import { scaleRange, signedBitsFor } from "../../quant/widths.js";
import { literal, sext, zext } from "../verilog.js";

export function contributionBits(layer: Conv2dLayer): number {
  const range = scaleRange(termRange(layer.datapath, layer.input.bits, layer.weightBits), layer.arch.simd);
  return signedBitsFor(range);
}

export function peParams(layer: Conv2dLayer, module: string) {
  const SIMD = layer.arch.simd;
  const BX = layer.input.bits;
  const BW = layer.weightBits;
  const CW = contributionBits(layer);
  const base = { module, SIMD, BX, BW, CW, lit: { zero: literal(0, CW), plusOne: literal(1, CW), minusOne: literal(-1, CW), dzero: literal(0, BX + 1) } };
  switch (layer.datapath) {
    case "mac": {
      const PW = BX + BW;
      return { ...base, template: "pe_mac", PW, ext: { x: sext("xl", BX, PW), w: sext("wl", BW, PW), prod: sext("prod", PW, CW) } };
    }
    case "adder": {
      const DW = BX + 1;
      return { ...base, template: "pe_adder", DW, ext: { x: sext("xl", BX, DW), w: sext("wl", BW, DW), mag: zext("mag", DW, CW) } };
    }
    case "xnor":
      return { ...base, template: "pe_xnor", ext: {} };
  }
}

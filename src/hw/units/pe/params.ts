/** Processing-element parameters per datapath: SIMD lanes -> one signed contribution of CW bits. */
import { Conv2dLayer } from "../../../ir/model.js";
import { bitOfSign, maxShift, shiftAmount, termRange } from "../../../arith/datapath.js";
import { counterBits } from "../../../arith/widths.js";
import { scaleRange, signedBitsFor } from "../../../arith/widths.js";
import { literal, sext, zext } from "../../verilog.js";

export function contributionBits(layer: Conv2dLayer): number {
  const range = scaleRange(termRange(layer.datapath, layer.input.bits, layer.weightBits), layer.arch.simd);
  return signedBitsFor(range);
}

/**
 * How one weight is stored in the weight ROM and fed to the PE: two's complement
 * for mac/adder, the sign bit for xnor (1 ↔ +1), {negative, zero, q} for shift.
 */
export function weightField(layer: Conv2dLayer): { bits: number; encode: (w: number) => bigint } {
  switch (layer.datapath) {
    case "xnor":
      return { bits: 1, encode: (w) => BigInt(bitOfSign(w)) };
    case "shift": {
      const qb = counterBits(maxShift(layer.weightBits) + 1);
      return {
        bits: qb + 2,
        encode: (w) => (w === 0 ? 1n << BigInt(qb) : ((w < 0 ? 1n : 0n) << BigInt(qb + 1)) | BigInt(shiftAmount(w))),
      };
    }
    default:
      return { bits: layer.weightBits, encode: (w) => BigInt.asUintN(layer.weightBits, BigInt(w)) };
  }
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
      return { ...base, template: "pe-mac", PW, ext: { x: sext("xl", BX, PW), w: sext("wl", BW, PW), prod: sext("prod", PW, CW) } };
    }
    case "adder": {
      const DW = BX + 1;
      return { ...base, template: "pe-adder", DW, ext: { x: sext("xl", BX, DW), w: sext("wl", BW, DW), mag: zext("mag", DW, CW) } };
    }
    case "xnor":
      // a lane is one bit (1 = +1); a wider input (an xnor rebuild after a residual add) gives x > 0
      return {
        ...base,
        template: "pe-xnor",
        xWidth: BX === 1 ? `${SIMD}` : `${SIMD}*${BX}`,
        xbit: BX === 1 ? "x[l]" : `(~x[l*${BX} + ${BX - 1}] & (|x[l*${BX} +: ${BX}]))`,
        ext: {},
      };
    case "shift": {
      const field = weightField(layer);
      return { ...base, template: "pe-shift", FW: field.bits, QB: field.bits - 2, ext: { x: sext("xl", BX, CW) } };
    }
  }
}

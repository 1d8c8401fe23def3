/**
 * Residual-add unit parameters (docs/integer-ops.md §1): each operand through round_k(x·m)
 * with the layer's one k, widths computed from the operand ranges exactly as
 * the requant unit computes its own (requantWidths), then the sum, saturation
 * and the optional ReLU.
 */
import { AddLayer } from "../../../ir/model.js";
import { signedMax, signedMin } from "../../../arith/rounding.js";
import { signedRange } from "../../../arith/widths.js";
import { literal, sext } from "../../verilog.js";
import { requantWidths, roundingAddendExpr } from "../requant/params.js";

export function addUnitParams(layer: AddLayer, module: string, operandBits: readonly [number, number]) {
  const OB = layer.output.bits;
  const k = layer.shift;
  const ops = (["a", "b"] as const).map((id, j) => {
    const bits = operandBits[j];
    const m = layer.multipliers[j];
    // a 1-bit stream is a binary layer's ±1 (bit 1 = +1, arith/datapath signOfBit), not the signed range {−1, 0}
    const binary = bits === 1;
    const w = requantWidths(binary ? signedRange(2) : signedRange(bits), {
      multiplier: m,
      multiplierBits: 32,
      shift: k,
      rounding: layer.rounding,
      outBits: OB,
      zeroPoint: 0,
      relu: false,
    });
    // a multiplier of 0 or 1 can give a product range narrower than the operand itself
    const PRODW = Math.max(w.PRODW, binary ? 2 : bits);
    const SUMW = Math.max(w.SUMW, PRODW);
    const QW = SUMW - k;
    const addendExpr = roundingAddendExpr(layer.rounding, k, SUMW, `${id}_pe`);
    return {
      id,
      multiplier: m,
      PRODW,
      SUMW,
      QW,
      extIn: binary ? `(${id}_data ? ${literal(1, PRODW)} : ${literal(-1, PRODW)})` : sext(`${id}_data`, bits, PRODW),
      lit: literal(m, PRODW),
      extProd: sext(`${id}_prod`, PRODW, SUMW),
      addendExpr,
    };
  });
  const SW = Math.max(ops[0].QW, ops[1].QW, OB) + 1;
  const lo = layer.relu ? 0 : signedMin(OB);
  const hi = signedMax(OB);
  return {
    module,
    AB: operandBits[0],
    BB: operandBits[1],
    OB,
    SW,
    ma: layer.multipliers[0],
    mb: layer.multipliers[1],
    shift: k,
    hasShift: k > 0,
    rounding: layer.rounding,
    relu: layer.relu,
    ops,
    extQa: sext("a_q", ops[0].QW, SW),
    extQb: sext("b_q", ops[1].QW, SW),
    totalWider: SW > OB,
    lit: { hi: literal(hi, SW), lo: literal(lo, SW), hiOut: literal(hi, OB), loOut: literal(lo, OB) },
  };
}

/**
 * Requant unit parameters: every width from the value range of the step before it
 * (acc range × m, + rounding addend, >> k, + zp), never assumed.
 */
import { Conv2dLayer } from "../../ir/model.js";
import { productRange, RequantParams } from "../../quant/requant.js";
import { roundShiftBig, roundingAddend, signedMax, signedMin } from "../../quant/rounding.js";
import { accRange } from "../../quant/datapath.js";
import { IntRange, rangeOfValues, signedBitsFor } from "../../quant/widths.js";
import { reductionLength } from "../../ir/model.js";
import { literal, sext } from "../verilog.js";
import { layerAccBits } from "./mvu.js";

export function requantWidths(acc: IntRange, p: RequantParams) {
  const prod = productRange(acc, p.multiplier);
  const PRODW = Math.max(signedBitsFor(prod), 2);
  const k = p.shift;
  const maxAddend = k === 0 ? 0n : roundingAddend(p.rounding, k, false, 1);
  const SUMW = k === 0 ? PRODW : Math.max(signedBitsFor({ lo: prod.lo, hi: prod.hi + maxAddend }), PRODW, k + 1);
  const QW = SUMW - k;
  const q: IntRange = { lo: roundShiftBig(prod.lo, k, p.rounding), hi: roundShiftBig(prod.hi, k, p.rounding) };
  const z: IntRange = { lo: q.lo + BigInt(p.zeroPoint), hi: q.hi + BigInt(p.zeroPoint) };
  const ZW = Math.max(QW + 1, signedBitsFor(z), p.outBits + 1);
  return { PRODW, SUMW, QW, ZW };
}

export function requantParams(layer: Conv2dLayer, module: string) {
  if (layer.out.kind !== "requant") throw new Error("requantParams: layer has no requant stage");
  const p = layer.out.params;
  const ACCW = layerAccBits(layer);
  const acc = accRange(layer.datapath, layer.input.bits, layer.weightBits, reductionLength(layer), layer.bias ? rangeOfValues(layer.bias) : undefined);
  const { PRODW, SUMW, QW, ZW } = requantWidths(acc, p);
  const k = p.shift;
  const OB = p.outBits;
  const lo = p.relu ? Math.max(signedMin(OB), p.zeroPoint) : signedMin(OB);
  const hi = signedMax(OB);
  const half = k === 0 ? 0n : 1n << BigInt(k - 1);
  let addendExpr = "";
  switch (p.rounding) {
    case "floor":
      addendExpr = literal(0, SUMW);
      break;
    case "half_up":
      addendExpr = literal(half, SUMW);
      break;
    case "half_away": // v < 0 → 2^(k−1) − 1 (rounding.ts roundingAddend)
      addendExpr = `prod_e[SUMW-1] ? ${literal(half - 1n, SUMW)} : ${literal(half, SUMW)}`;
      break;
    case "half_even": // 2^(k−1) − 1 + bit k of v
      addendExpr = `prod_e[${k}] ? ${literal(half, SUMW)} : ${literal(half - 1n, SUMW)}`;
      break;
  }
  return {
    module,
    PE: layer.arch.pe,
    ACCW, PRODW, SUMW, QW, ZW, OB,
    inW: layer.arch.pe * ACCW,
    outW: layer.arch.pe * OB,
    multiplier: p.multiplier,
    shift: k,
    hasShift: k > 0,
    zeroPoint: p.zeroPoint,
    rounding: p.rounding,
    relu: p.relu,
    addendExpr,
    lit: {
      multiplier: literal(p.multiplier, PRODW),
      zeroPoint: literal(p.zeroPoint, ZW),
      hi: literal(hi, ZW),
      lo: literal(lo, ZW),
      hiOut: literal(hi, OB),
      loOut: literal(lo, OB),
    },
    ext: {
      acc: sext("acc", ACCW, PRODW),
      prod: sext("prod", PRODW, SUMW),
      q: sext("q", QW, ZW),
    },
  };
}

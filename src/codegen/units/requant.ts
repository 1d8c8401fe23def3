/**
 * Requant unit parameters: every width from the value range of the step before it
 * (acc range × m, + rounding addend, >> k, + zp), never assumed.
 */
import { Conv2dLayer } from "../../ir/model.js";
import { RequantParams } from "../../quant/requant.js";
import { roundShiftBig, roundingAddend, signedMax, signedMin } from "../../quant/rounding.js";
import { accRange } from "../../quant/datapath.js";
import { IntRange, mulRanges, rangeOfValues, signedBitsFor } from "../../quant/widths.js";
import { foldCounts } from "./folding.js";
import { reductionLength } from "../../ir/model.js";
import { hexWord, literal, sext } from "../verilog.js";
import { layerAccBits } from "./mvu.js";

/** Widths of the requant datapath; `multipliers` = every multiplier the unit may use (per-channel), default p.multiplier. */
export function requantWidths(acc: IntRange, p: RequantParams, multipliers: ArrayLike<number> = [p.multiplier]) {
  const prod = mulRanges(acc, rangeOfValues(multipliers));
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

export function requantParams(layer: Conv2dLayer, module: string, multiplierFile = "") {
  if (layer.out.kind !== "requant") throw new Error("requantParams: layer has no requant stage");
  const p = layer.out.params;
  const perChannel = layer.out.perChannel;
  const ACCW = layerAccBits(layer);
  const acc = accRange(layer.datapath, layer.input.bits, layer.weightBits, reductionLength(layer), layer.bias ? rangeOfValues(layer.bias) : undefined);
  const { PRODW, SUMW, QW, ZW } = requantWidths(acc, p, perChannel?.multipliers);
  // per-channel multipliers: a ROM of NF words, lane l of word nf = channel nf·PE + l, PRODW bits each
  const { nf: NF, pe: PE } = foldCounts(layer);
  const romWords: string[] = [];
  if (perChannel) {
    for (let nf = 0; nf < NF; nf++) {
      let word = 0n;
      for (let l = 0; l < PE; l++) {
        const oc = nf * PE + l;
        const m = oc < layer.output.channels ? perChannel.multipliers[oc] : 0;
        word |= BigInt.asUintN(PRODW, BigInt(m)) << BigInt(l * PRODW);
      }
      romWords.push(hexWord(word, PE * PRODW));
    }
  }
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
    multiplier: perChannel ? "per channel" : p.multiplier,
    perChannel: perChannel !== undefined,
    NF,
    NFW: Math.max(1, Math.ceil(Math.log2(NF))),
    nfLast: literal(NF - 1, Math.max(1, Math.ceil(Math.log2(NF)))),
    nfZero: literal(0, Math.max(1, Math.ceil(Math.log2(NF)))),
    nfOne: literal(1, Math.max(1, Math.ceil(Math.log2(NF)))),
    multiplierFile,
    multiplierRom: romWords.join("\n") + "\n",
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

/**
 * Parameters of templates/verilog/requant.v.hbs for `lanes` lanes of any
 * accumulator range (spec §1, y = sat_b(round_k(acc·m) + zp)): one multiplier for
 * the tensor, or — with `perChannel` and one lane — one multiplier per element of a
 * row of C channels from a ROM read in channel order (NF = C words, the
 * template's rotating index), as the LayerNorm's folded gamma needs.
 */
export function requantUnitParams(acc: IntRange, accBits: number, p: RequantParams, lanes: number, module: string, perChannel?: { readonly multipliers: Int32Array; readonly file: string }) {
  if (perChannel && lanes !== 1) throw new Error("requantUnitParams: per-channel multipliers need one lane");
  const multipliers = perChannel?.multipliers ?? [p.multiplier];
  const { PRODW, SUMW, QW, ZW } = requantWidths(acc, p, multipliers);
  const k = p.shift;
  const OB = p.outBits;
  const lo = p.relu ? Math.max(signedMin(OB), p.zeroPoint) : signedMin(OB);
  const hi = signedMax(OB);
  const half = k === 0 ? 0n : 1n << BigInt(k - 1);
  const addendExpr = {
    floor: literal(0, SUMW),
    half_up: literal(half, SUMW),
    half_away: `prod_e[SUMW-1] ? ${literal(half - 1n, SUMW)} : ${literal(half, SUMW)}`, // v < 0 → 2^(k−1) − 1
    half_even: `prod_e[${k}] ? ${literal(half, SUMW)} : ${literal(half - 1n, SUMW)}`, // 2^(k−1) − 1 + bit k
  }[p.rounding];
  const NF = perChannel ? perChannel.multipliers.length : 1;
  const NFW = Math.max(1, Math.ceil(Math.log2(NF)));
  return {
    module,
    PE: lanes,
    ACCW: accBits, PRODW, SUMW, QW, ZW, OB,
    inW: lanes * accBits,
    outW: lanes * OB,
    multiplier: perChannel ? "per channel" : p.multiplier,
    perChannel: perChannel !== undefined,
    NF,
    NFW,
    nfLast: literal(NF - 1, NFW),
    nfZero: literal(0, NFW),
    nfOne: literal(1, NFW),
    multiplierFile: perChannel?.file ?? "",
    multiplierRom: perChannel ? Array.from(perChannel.multipliers, (m) => hexWord(BigInt.asUintN(PRODW, BigInt(m)), PRODW)).join("\n") + "\n" : "",
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
      acc: sext("acc", accBits, PRODW),
      prod: sext("prod", PRODW, SUMW),
      q: sext("q", QW, ZW),
    },
  };
}

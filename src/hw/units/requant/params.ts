/**
 * Requant unit parameters: every width from the value range of the step before it
 * (acc range × m, + rounding addend, >> k, + zp), never assumed.
 */
import { Conv2dLayer } from "../../../ir/model.js";
import { RequantParams } from "../../../arith/requant.js";
import { RoundingMode, roundShiftBig, roundingAddend, signedMax, signedMin } from "../../../arith/rounding.js";
import { accRange } from "../../../arith/datapath.js";
import { counterBits, IntRange, mulRanges, rangeOfValues, signedBitsFor } from "../../../arith/widths.js";
import { reductionLength } from "../../../ir/model.js";
import { hexWord, literal, sext } from "../../verilog.js";
import { layerAccBits } from "../mvu/params.js";

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

/**
 * The rounding addend of round_k(v) as a Verilog expression on the SUMW-bit
 * sign-extended value `ident` (the addend form of rounding.ts roundingAddend):
 * floor 0, half_up 2^(k−1), half_away 2^(k−1) − [v < 0], half_even 2^(k−1) − 1 + bit k of v.
 */
export function roundingAddendExpr(mode: RoundingMode, k: number, SUMW: number, ident: string): string {
  const half = k === 0 ? 0n : 1n << BigInt(k - 1);
  switch (mode) {
    case "floor":
      return literal(0, SUMW);
    case "half_up":
      return literal(half, SUMW);
    case "half_away":
      return `${ident}[${SUMW - 1}] ? ${literal(half - 1n, SUMW)} : ${literal(half, SUMW)}`;
    case "half_even":
      return `${ident}[${k}] ? ${literal(half, SUMW)} : ${literal(half - 1n, SUMW)}`;
  }
}

/** The requant unit of a conv / dense engine: PE lanes, per-channel multipliers packed PE to a ROM word (one word per neuron fold). */
export function requantParams(layer: Conv2dLayer, module: string, multiplierFile = "") {
  if (layer.out.kind !== "requant") throw new Error("requantParams: layer has no requant stage");
  const acc = accRange(layer.datapath, layer.input.bits, layer.weightBits, reductionLength(layer), layer.bias ? rangeOfValues(layer.bias) : undefined);
  const perChannel = layer.out.perChannel ? { multipliers: layer.out.perChannel.multipliers, file: multiplierFile } : undefined;
  return requantUnitParams(acc, layerAccBits(layer), layer.out.params, layer.arch.pe, module, perChannel);
}

/**
 * Parameters of templates/verilog/requant.v.hbs for `lanes` lanes of any
 * accumulator range (docs/integer-ops.md §1, y = sat_b(round_k(acc·m) + zp)): one multiplier for
 * the tensor, or — with `perChannel` — one multiplier per channel from a ROM of
 * NF = ceil(C / lanes) words (word n holds channels n·lanes … n·lanes + lanes − 1)
 * read in the order the lanes emit them (the template's rotating index): the
 * engines' folded batch-norm and the LayerNorm's folded gamma alike.
 */
export function requantUnitParams(
  acc: IntRange,
  accBits: number,
  p: RequantParams,
  lanes: number,
  module: string,
  perChannel?: { readonly multipliers: Int32Array; readonly file: string },
) {
  const multipliers = perChannel?.multipliers ?? [p.multiplier];
  const { PRODW, SUMW, QW, ZW } = requantWidths(acc, p, multipliers);
  const k = p.shift;
  const OB = p.outBits;
  const lo = p.relu ? Math.max(signedMin(OB), p.zeroPoint) : signedMin(OB);
  const hi = signedMax(OB);
  const addendExpr = roundingAddendExpr(p.rounding, k, SUMW, "prod_e");
  // per-channel ROM: word n holds lanes l of channels n·lanes + l (0 past the last channel), PRODW bits each
  const NF = perChannel ? Math.ceil(perChannel.multipliers.length / lanes) : 1;
  const NFW = counterBits(NF);
  const romWords: string[] = [];
  for (let n = 0; perChannel && n < NF; n++) {
    let word = 0n;
    for (let l = 0; l < lanes; l++) {
      const c = n * lanes + l;
      const m = c < perChannel.multipliers.length ? perChannel.multipliers[c] : 0;
      word |= BigInt.asUintN(PRODW, BigInt(m)) << BigInt(l * PRODW);
    }
    romWords.push(hexWord(word, lanes * PRODW));
  }
  return {
    module,
    PE: lanes,
    ACCW: accBits,
    PRODW,
    SUMW,
    QW,
    ZW,
    OB,
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
    multiplierRom: perChannel ? romWords.join("\n") + "\n" : "",
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

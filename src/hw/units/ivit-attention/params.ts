/**
 * Parameters of the multi-head attention unit (templates/verilog/ivit-attention.v.hbs),
 * docs/integer-ops.md §6: every width from the value ranges of
 * src/arith/ivit/attention.ts and src/arith/ivit/shiftmax.ts. The unit's output is
 * the A·V accumulator stream; the layer requantizes it (requant.v.hbs).
 * Cycle model: src/hw/units/ivit-attention/timing.ts (AttentionTiming).
 */
import { AttentionLayer } from "../../../ir/model.js";
import { renderTemplate } from "../../render.js";
import { literal, sext, zext } from "../../verilog.js";
import { counterBits, mulRanges, signedBitsFor, signedRange, unsignedBitsFor } from "../../../arith/widths.js";
import { RECIPROCAL_NUMERATOR } from "../../../arith/ivit/expshift.js";
import { shiftmaxWidths } from "../../../arith/ivit/shiftmax.js";
import { attentionAccRange, attentionProbRange, attentionProductRange, attentionScoreRange } from "../../../arith/ivit/attention.js";
import { dividerCycles, emitDivider } from "../ivit-divider/params.js";
import { emitExpShift } from "../ivit-expshift/params.js";
import { IvitUnit } from "../ivit-unit/params.js";

/** The fixed shape of the unit: tokens T, model dim D, heads H, head dim DH, SIMD lanes S. */
export interface AttentionShape {
  readonly tokens: number;
  readonly dim: number;
  readonly heads: number;
  readonly headDim: number;
  readonly simd: number;
  /** DH / S: SIMD words per head. */
  readonly groups: number;
  /** D / S: SIMD words per token of Q (and of K, of V). */
  readonly words: number;
  readonly inBits: number;
}

export function attentionShape(layer: AttentionLayer): AttentionShape {
  const S = layer.arch.simd;
  const D = layer.output.channels;
  return {
    tokens: layer.input.height,
    dim: D,
    heads: layer.heads,
    headDim: layer.headDim,
    simd: S,
    groups: layer.headDim / S,
    words: D / S,
    inBits: layer.input.bits,
  };
}

/** The divider of the Shiftmax reciprocal floor((2^31 − 1) / sum). */
export function attentionDivider(layer: AttentionLayer) {
  const w = shiftmaxWidths(layer.softmax, layer.input.height);
  return { dividendBits: 31, divisorBits: w.sumBits };
}

/** Width of the accumulators the unit emits. */
export function attentionAccBits(layer: AttentionLayer): number {
  return signedBitsFor(attentionAccRange(layer.input.height, layer.softmax, layer.input.bits));
}

export function ivitAttentionParams(layer: AttentionLayer, module: string, expModule: string, divModule: string, header: string) {
  const sh = attentionShape(layer);
  const { tokens: T, dim: D, heads: H, headDim: DH, simd: S, groups: G, words: W, inBits: IB } = sh;
  const p = layer.softmax;
  const w = shiftmaxWidths(p, T);
  const SCW = p.inputBits;
  const DW = signedBitsFor(attentionScoreRange(S, IB));
  const PRW = signedBitsFor(attentionProductRange(IB));
  const PBW = p.outBits - 1;
  const AVPW = signedBitsFor(mulRanges(attentionProbRange(p), signedRange(IB)));
  const AVW = attentionAccBits(layer);
  const AW = w.argBits;
  const EW = w.expBits;
  const SUMW = w.sumBits;
  const SAW = w.sumAddBits;
  const FW = w.factorBits;
  const PW = w.productBits;
  const QUOW = 31;
  if (PW - w.outShift !== PBW) throw new Error(`ivit_attention: (e·f) >> ${w.outShift} has ${PW - w.outShift} bits, p ${PBW}`);
  if (SCW !== signedBitsFor(attentionScoreRange(DH, IB))) throw new Error("ivit_attention: softmax.inputBits is not the score width");
  const MAW = counterBits(T * W);
  const TW = counterBits(T);
  const GW = counterBits(G);
  const HW = counterBits(H);
  const LW = counterBits(S);
  const WW = counterBits(W);
  const ECW = unsignedBitsFor(S);
  const addr = (v: number) => literal(v, MAW);
  return {
    module,
    header,
    expModule,
    divModule,
    T,
    D,
    H,
    DH,
    S,
    G,
    W,
    IB,
    SCW,
    DW,
    PRW,
    PBW,
    AVPW,
    AVW,
    AW,
    EW,
    SUMW,
    SAW,
    FW,
    PW,
    QUOW,
    MAW,
    TW,
    GW,
    HW,
    LW,
    WW,
    ECW,
    depth: T * W,
    x0: p.x0,
    n: p.n,
    outShift: w.outShift,
    expHi: w.exp.hi.toString(),
    factorHi: w.factor.hi.toString(),
    divCycles: dividerCycles(attentionDivider(layer)),
    multiLane: S > 1,
    packW: (S - 1) * IB,
    packShift: S > 2 ? `{ in_data, pack[${(S - 1) * IB - 1}:${IB}] }` : "in_data",
    accShift: S > 1 ? `{ ${literal(0, AVW)}, acc_v[${S * AVW - 1}:${AVW}] }` : "acc_v",
    sumHasSpare: SAW > SUMW,
    quotientHasSpare: QUOW > FW,
    ext: {
      ldWord: zext("ld_word", WW, MAW),
      kg: zext("kg", GW, MAW),
      q: sext("ql", IB, PRW),
      k: sext("kl", IB, PRW),
      prod: sext("prod", PRW, DW),
      dot: sext("dot", DW, SCW),
      sRd: sext("s_rd", SCW, AW),
      max: sext("row_max", SCW, AW),
      sum: zext("sum", SUMW, SAW),
      e: zext("e", EW, SAW),
      eP: zext("e", EW, PW),
      fP: zext("factor", FW, PW),
      p: zext("p_rd", PBW, AVPW),
      v: sext("vl", IB, AVPW),
      avProd: sext("avp", AVPW, AVW),
    },
    lit: {
      lastLane: literal(S - 1, LW),
      zeroLane: literal(0, LW),
      oneLane: literal(1, LW),
      lastWord: literal(W - 1, WW),
      zeroWord: literal(0, WW),
      oneWord: literal(1, WW),
      lastTok: literal(T - 1, TW),
      zeroTok: literal(0, TW),
      oneTok: literal(1, TW),
      lastG: literal(G - 1, GW),
      zeroG: literal(0, GW),
      oneG: literal(1, GW),
      lastH: literal(H - 1, HW),
      zeroH: literal(0, HW),
      oneH: literal(1, HW),
      zeroAddr: addr(0),
      oneAddr: addr(1),
      words: addr(W),
      groups: addr(G),
      kStep: addr(W - G + 1),
      zeroScore: literal(0, SCW),
      zeroSum: literal(0, SUMW),
      zeroAcc: literal(0, AVW),
      simd: literal(S, ECW),
      zeroE: literal(0, ECW),
      oneE: literal(1, ECW),
      lastE: literal(S - 1, ECW),
      recipSaw: literal(RECIPROCAL_NUMERATOR, SAW),
      recipSum: literal(RECIPROCAL_NUMERATOR, SUMW),
      recipQuo: literal(RECIPROCAL_NUMERATOR, QUOW),
    },
  };
}

/** The attention unit and its exp_shift and divider submodules (top first). */
export function emitIvitAttention(layer: AttentionLayer, module: string, header: string): IvitUnit {
  const expModule = `${module}_exp`;
  const divModule = `${module}_div`;
  const p = ivitAttentionParams(layer, module, expModule, divModule, header);
  return {
    top: module,
    rowLength: p.D,
    inBits: p.IB,
    outBits: p.AVW,
    files: [
      { name: `${module}.v`, text: renderTemplate("ivit-attention", p) },
      { name: `${expModule}.v`, text: emitExpShift(expModule, { argLo: -(2 ** p.SCW - 1), x0: p.x0, n: p.n }, header) },
      { name: `${divModule}.v`, text: emitDivider(divModule, attentionDivider(layer), header) },
    ],
  };
}

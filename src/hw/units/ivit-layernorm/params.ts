/**
 * I-LayerNorm unit parameters (templates/verilog/ivit-layernorm.v.hbs), docs/integer-ops.md §5:
 * every width from src/arith/ivit/layernorm.ts layerNormWidths.
 */
import { renderTemplate } from "../../render.js";
import { literal, sext, zext } from "../../verilog.js";
import { counterBits, unsignedBitsFor } from "../../../arith/widths.js";
import { RECIPROCAL_NUMERATOR } from "../../../arith/ivit/expshift.js";
import { NEWTON_START } from "../../../arith/ivit/isqrt.js";
import { LayerNormParams, layerNormWidths } from "../../../arith/ivit/layernorm.js";
import { dividerCycles, emitDivider } from "../ivit-divider/params.js";
import { IvitEmitOptions, IvitUnit, ivitHeader, ivitModuleName } from "../ivit-unit/params.js";

export interface IvitLayerNormOptions extends IvitEmitOptions {
  readonly params: LayerNormParams;
}

export function ivitLayerNormParams(o: IvitLayerNormOptions, divModule: string, header: string) {
  const p = o.params;
  const N = p.channels;
  const w = layerNormWidths(p);
  const IW = p.inputBits;
  const SUMW = w.sumBits;
  const MDW = unsignedBitsFor(BigInt(N) * ((1n << BigInt(IW)) - 1n));
  const XW = Math.max(SUMW, MDW) + 1;
  const YW = IW + 1;
  const SQW = w.squareBits;
  const VW = w.varianceBits;
  const KW = w.newtonBits;
  const NQW = w.newtonQuotientBits;
  const KSW = w.newtonSumBits;
  const FW = w.factorBits;
  const PW = w.productBits;
  const BW = w.biasBits;
  const OUTW = w.outBits;
  const CW = unsignedBitsFor(N);
  const ADW = counterBits(N);
  const NW = Math.max(MDW, VW, 31);
  const DW = Math.max(unsignedBitsFor(N), KW);
  const usedQuotientBits = Math.max(IW, FW, NQW);
  const unused = ["product[0]", "mean_wide[IW]", "k_sum[0]"];
  if (NW > usedQuotientBits) unused.push(`div_quotient[NW-1:${usedQuotientBits}]`);
  if (SQW < YW) unused.push(`y[${YW - 1}:${SQW}]`);
  let kNext: string;
  if (KSW - 1 > KW) {
    kNext = `k_sum[${KW}:1]`;
    unused.push(`k_sum[${KSW - 1}:${KW + 1}]`);
  } else {
    kNext = zext(`k_sum[${KSW - 1}:1]`, KSW - 1, KW);
  }
  return {
    module: ivitModuleName(o.module),
    header,
    divModule,
    N,
    IW,
    SUMW,
    XW,
    MDW,
    YW,
    SQW,
    VW,
    KW,
    NQW,
    KSW,
    FW,
    PW,
    BW,
    OUTW,
    CW,
    ADW,
    NW,
    DW,
    newtonIterations: w.newtonIterations,
    newtonLo: w.newton.lo.toString(),
    squareHi: w.square.hi.toString(),
    varianceHi: w.variance.hi.toString(),
    newtonQuotientHi: w.newtonQuotient.hi.toString(),
    factorHi: w.factor.hi.toString(),
    divCycles: dividerCycles({ dividendBits: NW, divisorBits: DW }),
    addr: CW > ADW ? "count[ADW-1:0]" : "count",
    bias: Array.from(p.biasInt, (b, i) => ({ index: `${ADW}'d${i}`, value: literal(b, BW) })),
    ySquareIn: SQW <= YW ? `y[${SQW - 1}:0]` : sext("y", YW, SQW),
    kNext,
    unusedBits: unused.join(", "),
    ext: {
      rdY: sext("rd_data", IW, YW),
      meanY: sext("mean", IW, YW),
      sumX: sext("sum", SUMW, XW),
      meanDividend: zext(`offset_sum[MDW-1:0]`, MDW, NW),
      varDividend: zext("variance", VW, NW),
      kDivisor: zext("k", KW, DW),
      meanQuotient: zext(`div_quotient[${IW - 1}:0]`, IW, IW + 1),
      roundUp: zext("round_up", 1, IW + 1),
      kSum: zext("k", KW, KSW),
      quotientSum: zext("div_quotient[NQW-1:0]", NQW, KSW),
      yP: sext("y", YW, PW),
      fP: zext("factor", FW, PW),
      normZ: sext("normalized", PW - 1, OUTW),
      biasZ: sext("bias_q", BW, OUTW),
      inSum: sext("in_data", IW, SUMW),
      squareV: zext("square", SQW, VW),
    },
    lit: {
      n: literal(N, CW),
      zero: literal(0, CW),
      one: literal(1, CW),
      nMinus1: literal(N - 1, CW),
      zeroBias: literal(0, BW),
      zeroSum: literal(0, SUMW),
      zeroVar: literal(0, VW),
      offset: literal(BigInt(N) << BigInt(IW - 1), XW),
      recip: literal(RECIPROCAL_NUMERATOR, NW),
      channels: literal(N, DW),
      channelsWide: literal(N, DW + 1),
      meanOffset: literal(1n << BigInt(IW - 1), IW + 1),
      kStart: literal(NEWTON_START, KW),
      lastIteration: literal(w.newtonIterations - 1, 4),
    },
  };
}

/** I-LayerNorm unit and its divider submodule. */
export function emitIvitLayerNorm(o: IvitLayerNormOptions): IvitUnit {
  const top = ivitModuleName(o.module);
  const header = ivitHeader(`I-LayerNorm unit ${top}: ${o.params.channels} channels, ${o.params.inputBits}-bit input`, o.header);
  const divModule = `${top}_div`;
  const p = ivitLayerNormParams(o, divModule, header);
  return {
    top,
    rowLength: p.N,
    inBits: p.IW,
    outBits: p.OUTW,
    files: [
      { name: `${top}.v`, text: renderTemplate("ivit-layernorm", p) },
      { name: `${divModule}.v`, text: emitDivider(divModule, { dividendBits: p.NW, divisorBits: p.DW }, header) },
    ],
  };
}

/**
 * Shiftmax unit parameters (templates/verilog/ivit-shiftmax.v.hbs), docs/integer-ops.md §3:
 * every width from src/arith/ivit/shiftmax.ts shiftmaxWidths, for rows of `rowLength`.
 */
import { renderTemplate } from "../../render.js";
import { literal, sext, zext } from "../../verilog.js";
import { counterBits, unsignedBitsFor } from "../../../arith/widths.js";
import { RECIPROCAL_NUMERATOR } from "../../../arith/ivit/expshift.js";
import { ShiftmaxParams, shiftmaxWidths } from "../../../arith/ivit/shiftmax.js";
import { dividerCycles, emitDivider } from "../ivit-divider/params.js";
import { emitExpShift } from "../ivit-expshift/params.js";
import { IvitEmitOptions, IvitUnit, ivitHeader, ivitModuleName } from "../ivit-unit/params.js";

export interface IvitShiftmaxOptions extends IvitEmitOptions {
  readonly params: ShiftmaxParams;
  readonly rowLength: number;
}

export function ivitShiftmaxParams(o: IvitShiftmaxOptions, expModule: string, divModule: string, header: string) {
  const p = o.params;
  const N = o.rowLength;
  const w = shiftmaxWidths(p, N);
  const IW = p.inputBits;
  const AW = w.argBits;
  const EW = w.expBits;
  const SUMW = w.sumBits;
  const SAW = w.sumAddBits;
  const FW = w.factorBits;
  const PW = w.productBits;
  const OW = p.outBits;
  const CW = unsignedBitsFor(N);
  const ADW = counterBits(N);
  const QUOW = 31; // the dividend 2^31 − 1
  const C = RECIPROCAL_NUMERATOR;
  return {
    module: ivitModuleName(o.module),
    header,
    expModule,
    divModule,
    N,
    IW,
    AW,
    EW,
    SUMW,
    SAW,
    FW,
    PW,
    OW,
    CW,
    ADW,
    QUOW,
    x0: p.x0,
    n: p.n,
    outShift: w.outShift,
    outMagBits: p.outBits - 1,
    expLo: w.exp.lo.toString(),
    expHi: w.exp.hi.toString(),
    factorHi: w.factor.hi.toString(),
    divCycles: dividerCycles({ dividendBits: QUOW, divisorBits: SUMW }),
    sumHasSpare: SAW > SUMW,
    quotientHasSpare: QUOW > FW,
    addr: CW > ADW ? "count[ADW-1:0]" : "count",
    yExpr: zext(`product[${PW - 1}:${w.outShift}]`, PW - w.outShift, OW),
    ext: {
      rd: sext("rd_data", IW, AW),
      max: sext("row_max", IW, AW),
      sum: zext("sum", SUMW, SAW),
      e: zext("e", EW, SAW),
      eP: zext("e", EW, PW),
      fP: zext("factor", FW, PW),
    },
    lit: {
      n: literal(N, CW),
      zero: literal(0, CW),
      one: literal(1, CW),
      nMinus1: literal(N - 1, CW),
      zeroSum: literal(0, SUMW),
      recipSaw: literal(C, SAW),
      recipSum: literal(C, SUMW),
      recipQuo: literal(C, QUOW),
    },
  };
}

/** Shiftmax unit and its exp_shift and divider submodules. */
export function emitIvitShiftmax(o: IvitShiftmaxOptions): IvitUnit {
  const top = ivitModuleName(o.module);
  const header = ivitHeader(`Shiftmax unit ${top}: rows of ${o.rowLength}, x0 ${o.params.x0}, n ${o.params.n}, ${o.params.outBits}-bit output`, o.header);
  const expModule = `${top}_exp`;
  const divModule = `${top}_div`;
  const p = ivitShiftmaxParams(o, expModule, divModule, header);
  return {
    top,
    rowLength: o.rowLength,
    inBits: p.IW,
    outBits: p.OW,
    files: [
      { name: `${top}.v`, text: renderTemplate("ivit-shiftmax", p) },
      { name: `${expModule}.v`, text: emitExpShift(expModule, { argLo: -(2 ** p.IW - 1), x0: p.x0, n: p.n }, header) },
      { name: `${divModule}.v`, text: emitDivider(divModule, { dividendBits: p.QUOW, divisorBits: p.SUMW }, header) },
    ],
  };
}

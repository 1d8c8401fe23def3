/**
 * ShiftGELU unit parameters (templates/verilog/ivit-gelu.v.hbs), docs/integer-ops.md §4:
 * every width from src/arith/ivit/shiftgelu.ts shiftGeluWidths.
 */
import { renderTemplate } from "../../render.js";
import { literal, sext, zext } from "../../verilog.js";
import { counterBits } from "../../../arith/widths.js";
import { RECIPROCAL_NUMERATOR } from "../../../arith/ivit/expshift.js";
import { ShiftGeluParams, shiftGeluWidths } from "../../../arith/ivit/shiftgelu.js";
import { dividerCycles, emitDivider } from "../ivit-divider/params.js";
import { emitExpShift } from "../ivit-expshift/params.js";
import { IvitEmitOptions, IvitUnit, ivitHeader, ivitModuleName } from "../ivit-unit/params.js";

export interface IvitGeluOptions extends IvitEmitOptions {
  readonly params: ShiftGeluParams;
  readonly rowLength: number;
}

export function ivitGeluParams(o: IvitGeluOptions, expModule: string, divModule: string, header: string) {
  const p = o.params;
  const N = o.rowLength;
  const w = shiftGeluWidths(p);
  const IW = p.inputBits;
  const AW = w.argBits;
  const EW = w.expBits;
  const SW = w.sumBits;
  const FW = w.factorBits;
  const PW = w.productBits;
  const SGW = w.sigmoidBits;
  const OW = w.outBits;
  const CW = counterBits(N);
  const ADW = counterBits(N);
  const QUOW = 31; // the dividend 2^31 − 1
  if (PW - w.outShift !== SGW) throw new Error(`ivit_gelu: (a·f) >> ${w.outShift} has ${PW - w.outShift} bits, sig ${SGW}`);
  const quotient = FW === QUOW ? "div_quotient" : `div_quotient[${FW - 1}:0]`;
  return {
    module: ivitModuleName(o.module),
    header,
    expModule,
    divModule,
    N,
    IW,
    AW,
    EW,
    SW,
    FW,
    PW,
    SGW,
    OW,
    CW,
    ADW,
    QUOW,
    x0: p.x0,
    n: p.n,
    outShift: w.outShift,
    sigBits: SGW,
    expLo: w.exp.lo.toString(),
    expHi: w.exp.hi.toString(),
    sumHi: w.sum.hi.toString(),
    factorHi: w.factor.hi.toString(),
    divCycles: dividerCycles({ dividendBits: QUOW, divisorBits: SW }),
    quotientHasSpare: QUOW > FW,
    addr: "count",
    ext: {
      max: sext("row_max", IW, AW),
      rd: sext("rd_data", IW, AW),
      eS: zext("e", EW, SW),
      cS: zext("c_exp", EW, SW),
      aP: zext("a_cur", EW, PW),
      fP: zext(quotient, FW, PW),
      xY: sext("x_cur", IW, OW),
      sigY: zext("sig", SGW, OW),
    },
    lit: {
      zero: literal(0, CW),
      one: literal(1, CW),
      nMinus1: literal(N - 1, CW),
      zeroArg: literal(0, AW),
      zeroIn: literal(0, IW),
      recip: literal(RECIPROCAL_NUMERATOR, QUOW),
    },
  };
}

/** ShiftGELU unit and its exp_shift and divider submodules. */
export function emitIvitGelu(o: IvitGeluOptions): IvitUnit {
  const top = ivitModuleName(o.module);
  const header = ivitHeader(`ShiftGELU unit ${top}: rows of ${o.rowLength}, x0' ${o.params.x0}, n ${o.params.n}, ${o.params.outBits}-bit sigmoid`, o.header);
  const expModule = `${top}_exp`;
  const divModule = `${top}_div`;
  const p = ivitGeluParams(o, expModule, divModule, header);
  return {
    top,
    rowLength: o.rowLength,
    inBits: p.IW,
    outBits: p.OW,
    files: [
      { name: `${top}.v`, text: renderTemplate("ivit-gelu", p) },
      { name: `${expModule}.v`, text: emitExpShift(expModule, { argLo: -(2 ** p.IW - 1), x0: p.x0, n: p.n }, header) },
      { name: `${divModule}.v`, text: emitDivider(divModule, { dividendBits: p.QUOW, divisorBits: p.SW }, header) },
    ],
  };
}

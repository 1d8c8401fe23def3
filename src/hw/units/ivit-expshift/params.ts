/**
 * Parameters of the combinational exp_shift unit (templates/verilog/ivit-expshift.v.hbs),
 * docs/integer-ops.md §3, used by Shiftmax and ShiftGELU. Every width comes from
 * the value ranges of src/arith/ivit/expshift.ts for arguments in [argLo, 0].
 */
import { renderTemplate } from "../../render.js";
import { literal, sext, zext } from "../../verilog.js";
import { expShiftRanges, expShiftWidths } from "../../../arith/ivit/expshift.js";
import { unsignedBitsFor } from "../../../arith/widths.js";

export interface ExpShiftUnit {
  /** Arguments lie in [argLo, 0]. */
  readonly argLo: number;
  readonly x0: number;
  readonly n: number;
}

/** Verilog of an arithmetic shift right by k of a `bits`-wide identifier (floor(v / 2^k)). */
function sra(ident: string, bits: number, k: number): string {
  if (k >= bits) return `{ ${bits} { ${ident}[${bits - 1}] } }`;
  return `{ { ${k} { ${ident}[${bits - 1}] } }, ${ident}[${bits - 1}:${k}] }`;
}

export function expShiftUnitWidths(u: ExpShiftUnit) {
  const r = expShiftRanges(u.argLo, u.x0, u.n);
  const w = expShiftWidths(r, u.n);
  const absX0 = -u.x0;
  const uMax = Number(-r.clamped.lo);
  const AW = w.argBits;
  const SW = Math.max(w.scaledBits, AW);
  const UW = unsignedBitsFor(uMax);
  const RW = unsignedBitsFor(Math.min(absX0 - 1, uMax));
  const MW = w.mantissaBits;
  const SHW = unsignedBitsFor(u.n);
  const HW = w.shiftedBits;
  const EW = w.expBits;
  if (EW !== HW - 1) throw new Error(`expshift: e = shifted >> 1 must have ${HW - 1} bits, has ${EW}`);
  return { r, w, absX0, uMax, AW, SW, UW, RW, MW, SHW, HW, EW, QW: w.quotientBits };
}

export function expShiftParams(module: string, u: ExpShiftUnit, header: string) {
  const { r, absX0, uMax, AW, SW, UW, RW, MW, SHW, HW, EW, QW } = expShiftUnitWidths(u);
  const clampUsed = Number(r.scaled.lo) < u.n * u.x0;
  const stages = [];
  for (let j = QW - 1; j >= 0; j--) {
    const divisor = absX0 * 2 ** j;
    stages.push({ j, q: `q${j}`, remIn: `rem${j + 1}`, remOut: `rem${j}`, compare: divisor <= uMax, lit: literal(Math.min(divisor, 2 ** UW - 1), UW) });
  }
  const qBits = stages.map((s) => s.q);
  const qExpr = zext(qBits.length === 1 ? qBits[0] : `{ ${qBits.join(", ")} }`, QW, SHW);
  return {
    module,
    header,
    x0: u.x0,
    n: u.n,
    absX0,
    argLo: u.argLo,
    uMax,
    AW,
    SW,
    UW,
    RW,
    MW,
    SHW,
    HW,
    EW,
    clampUsed,
    negatedHasSpare: SW > UW,
    remHasSpare: UW > RW,
    firstRem: `rem${QW}`,
    lastRem: "rem0",
    stages,
    qExpr,
    sra1: sra("xs", SW, 1),
    sra4: sra("xs", SW, 4),
    ext: { x: sext("x", AW, SW), rem: zext("rem", RW, MW), mant: zext("mant", MW, HW) },
    lit: {
      clamp: clampUsed ? literal(u.n * u.x0, SW) : "",
      clampMagnitude: literal(u.n * absX0, UW),
      n: literal(u.n, SHW),
      twiceAbsX0: literal(2 * absX0, MW),
    },
  };
}

export function emitExpShift(module: string, u: ExpShiftUnit, header: string): string {
  return renderTemplate("ivit-expshift", expShiftParams(module, u, header));
}

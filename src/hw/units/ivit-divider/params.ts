/**
 * Parameters of the sequential restoring divider shared by the integer ViT units
 * (templates/verilog/ivit-divider.v.hbs): floor(dividend / divisor) and the
 * remainder, one quotient bit per cycle.
 */
import { renderTemplate } from "../../render.js";
import { literal } from "../../verilog.js";
import { counterBits } from "../../../arith/widths.js";

export interface DividerShape {
  /** Dividend (and quotient) bits: the divider takes this many cycles. */
  readonly dividendBits: number;
  /** Divisor (and remainder) bits. */
  readonly divisorBits: number;
}

export function dividerParams(module: string, shape: DividerShape, header: string) {
  // at least two dividend bits keep the shift registers' part-selects non-empty
  const NW = Math.max(2, shape.dividendBits);
  const DW = Math.max(1, shape.divisorBits);
  const CW = counterBits(NW);
  return {
    module,
    header,
    NW,
    DW,
    CW,
    lit: {
      last: literal(NW - 1, CW),
      zeroStep: literal(0, CW),
      oneStep: literal(1, CW),
      zeroRem: literal(0, DW),
      zeroQuo: literal(0, NW),
    },
  };
}

/** Cycles from the `start` pulse to the `done` pulse. */
export function dividerCycles(shape: DividerShape): number {
  return Math.max(2, shape.dividendBits) + 1;
}

export function emitDivider(module: string, shape: DividerShape, header: string): string {
  return renderTemplate("ivit-divider", dividerParams(module, shape, header));
}

/**
 * Cycle model of the Shiftmax unit (templates/verilog/ivit-shiftmax.v.hbs):
 * mirrors the template's registers that decide timing (phase, counters, valid bits,
 * the divider) with the same update equations, so stepping it reproduces the RTL's
 * handshakes cycle for cycle. Used by src/hw/layers/ivit.ts.
 */
import { RECIPROCAL_BITS } from "../ivit-divider/timing.js";
import { RowPassTiming } from "../ivit-unit/timing.js";

/** ivit-shiftmax.v.hbs: LOAD, SUM (the read pass), DIVIDE, EMIT. */
export class ShiftmaxTiming extends RowPassTiming<"SUM" | "DIVIDE"> {
  constructor(N: number) {
    super(N, RECIPROCAL_BITS, "SUM");
  }
  protected loaded(): boolean {
    this.phase = "SUM";
    return false;
  }
  protected readDone(): boolean {
    this.phase = "DIVIDE";
    return true;
  }
  protected other(divDone: boolean): boolean {
    if (divDone) this.beginEmit();
    return false;
  }
}

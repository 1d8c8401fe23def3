/**
 * Cycle model of the I-LayerNorm unit (templates/verilog/ivit-layernorm.v.hbs):
 * mirrors the template's registers that decide timing (phase, counters, valid bits,
 * the divider) with the same update equations, so stepping it reproduces the RTL's
 * handshakes cycle for cycle. Used by src/hw/layers/ivit.ts.
 */
import { RowPassTiming } from "../ivit-unit/timing.js";

/** ivit-layernorm.v.hbs: LOAD, MEAN (a divide), VAR (the read pass), NEWTON (one divide per step, ten by default), FACTOR (a divide), EMIT. */
export class LayerNormTiming extends RowPassTiming<"MEAN" | "VAR" | "NEWTON" | "FACTOR"> {
  private iteration = 0;
  constructor(
    N: number,
    dividendBits: number,
    private readonly newtonIterations: number,
  ) {
    super(N, dividendBits, "VAR");
  }
  protected loaded(): boolean {
    this.phase = "MEAN";
    return true;
  }
  protected readDone(): boolean {
    this.phase = "NEWTON";
    this.iteration = 0;
    return true;
  }
  protected other(divDone: boolean): boolean {
    if (!divDone) return false;
    if (this.phase === "MEAN") {
      this.beginRead();
      return false;
    }
    if (this.phase === "NEWTON") {
      // each Newton step's end starts the next division; the last one starts FACTOR's
      if (this.iteration === this.newtonIterations - 1) this.phase = "FACTOR";
      this.iteration++;
      return true;
    }
    this.beginEmit(); // FACTOR
    return false;
  }
}

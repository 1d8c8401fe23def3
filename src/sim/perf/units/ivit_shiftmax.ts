/**
 * Cycle model of the Shiftmax unit (templates/verilog/ivit_shiftmax.v.hbs):
 * mirrors the template's registers that decide timing (phase, counters, valid bits,
 * the divider) with the same update equations, so stepping it reproduces the RTL's
 * handshakes cycle for cycle. Used by src/sim/perf/units/ivit.ts.
 */
import { TimedUnit } from "./stream.js";
import { DividerTiming, RECIPROCAL_BITS } from "./ivit_divider.js";

/** ivit_shiftmax.v.hbs: LOAD, SUM, DIVIDE, EMIT. */
export class ShiftmaxTiming implements TimedUnit {
  private phase: "LOAD" | "SUM" | "DIVIDE" | "EMIT" = "LOAD";
  private count = 0;
  private s1Valid = false;
  private s1Last = false;
  private valid = false;
  private outLast = false;
  private divStart = false;
  private readonly div = new DividerTiming(RECIPROCAL_BITS);
  constructor(private readonly N: number) {}
  outValid(): boolean {
    return this.valid;
  }
  inReady(): boolean {
    return this.phase === "LOAD";
  }
  step(inFire: boolean, _outFire: boolean, _inValid: boolean, outReady: boolean): void {
    const { N } = this;
    const more = this.count !== N;
    const atLast = this.count === N - 1;
    const emitAdv = !this.valid || outReady;
    const rdEn = more && (this.phase === "SUM" || (this.phase === "EMIT" && emitAdv));
    const divDone = this.div.done;
    this.div.tick(this.divStart);
    const s1Last = this.s1Last;
    const s1Valid = this.s1Valid;
    if (rdEn) this.s1Last = atLast;
    let divStart = false;
    switch (this.phase) {
      case "LOAD":
        if (inFire) {
          if (atLast) {
            this.phase = "SUM";
            this.count = 0;
          } else this.count++;
        }
        break;
      case "SUM":
        this.s1Valid = more;
        if (more) this.count++;
        if (s1Valid && s1Last) {
          this.phase = "DIVIDE";
          divStart = true;
        }
        break;
      case "DIVIDE":
        if (divDone) {
          this.phase = "EMIT";
          this.count = 0;
          this.s1Valid = false;
        }
        break;
      case "EMIT": {
        const fire = this.valid && outReady && this.outLast;
        if (emitAdv) {
          this.outLast = s1Last;
          this.valid = s1Valid;
          this.s1Valid = more;
          if (more) this.count++;
        }
        if (fire) {
          this.phase = "LOAD";
          this.count = 0;
        }
        break;
      }
    }
    this.divStart = divStart;
  }
}

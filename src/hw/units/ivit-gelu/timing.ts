/**
 * Cycle model of the ShiftGELU unit (templates/verilog/ivit-gelu.v.hbs):
 * mirrors the template's registers that decide timing (phase, counters, valid bits,
 * the divider) with the same update equations, so stepping it reproduces the RTL's
 * handshakes cycle for cycle. Used by src/hw/layers/ivit.ts.
 */
import { TimedUnit } from "../stream/timing.js";
import { DividerTiming, RECIPROCAL_BITS } from "../ivit-divider/timing.js";

/** ivit-gelu.v.hbs: LOAD, CEXP, then per element READ, START, WAIT (the divider), EMIT. */
export class GeluTiming implements TimedUnit {
  private phase: "LOAD" | "CEXP" | "READ" | "START" | "WAIT" | "EMIT" = "LOAD";
  private count = 0;
  private valid = false;
  private readonly div = new DividerTiming(RECIPROCAL_BITS);
  constructor(private readonly N: number) {}
  outValid(): boolean {
    return this.valid;
  }
  inReady(): boolean {
    return this.phase === "LOAD";
  }
  step(inFire: boolean, _outFire: boolean, _inValid: boolean, outReady: boolean): void {
    const atLast = this.count === this.N - 1;
    const divDone = this.div.done;
    this.div.tick(this.phase === "START");
    switch (this.phase) {
      case "LOAD":
        if (inFire) {
          if (atLast) {
            this.phase = "CEXP";
            this.count = 0;
          } else this.count++;
        }
        break;
      case "CEXP":
        this.phase = "READ";
        break;
      case "READ":
        this.phase = "START";
        break;
      case "START":
        this.phase = "WAIT";
        break;
      case "WAIT":
        if (divDone) {
          this.phase = "EMIT";
          this.valid = true;
        }
        break;
      case "EMIT":
        if (outReady) {
          this.valid = false;
          if (atLast) {
            this.phase = "LOAD";
            this.count = 0;
          } else {
            this.phase = "READ";
            this.count++;
          }
        }
        break;
    }
  }
}

/**
 * Cycle model of the I-LayerNorm unit (templates/verilog/ivit_layernorm.v.hbs):
 * mirrors the template's registers that decide timing (phase, counters, valid bits,
 * the divider) with the same update equations, so stepping it reproduces the RTL's
 * handshakes cycle for cycle. Used by src/sim/perf/units/ivit.ts.
 */
import { NEWTON_ITERATIONS } from "../../../quant/ivit/isqrt.js";
import { TimedUnit } from "./stream.js";
import { DividerTiming } from "./ivit_divider.js";

/** ivit_layernorm.v.hbs: LOAD, MEAN, VAR, NEWTON (ten divides), FACTOR, EMIT. */
export class LayerNormTiming implements TimedUnit {
  private phase: "LOAD" | "MEAN" | "VAR" | "NEWTON" | "FACTOR" | "EMIT" = "LOAD";
  private count = 0;
  private s1Valid = false;
  private s1Last = false;
  private valid = false;
  private outLast = false;
  private divStart = false;
  private iteration = 0;
  private readonly div: DividerTiming;
  constructor(private readonly N: number, dividendBits: number) {
    this.div = new DividerTiming(dividendBits);
  }
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
    const rdEn = more && (this.phase === "VAR" || (this.phase === "EMIT" && emitAdv));
    const divDone = this.div.done;
    this.div.tick(this.divStart);
    const s1Last = this.s1Last;
    const s1Valid = this.s1Valid;
    if (rdEn) this.s1Last = atLast;
    let divStart = false;
    if (this.phase === "VAR") this.iteration = 0;
    switch (this.phase) {
      case "LOAD":
        if (inFire) {
          if (atLast) {
            this.phase = "MEAN";
            this.count = 0;
            divStart = true;
          } else this.count++;
        }
        break;
      case "MEAN":
        if (divDone) {
          this.phase = "VAR";
          this.s1Valid = false;
        }
        break;
      case "VAR":
        this.s1Valid = more;
        if (more) this.count++;
        if (s1Valid && s1Last) {
          this.phase = "NEWTON";
          divStart = true;
        }
        break;
      case "NEWTON":
        if (divDone) {
          if (this.iteration === NEWTON_ITERATIONS - 1) this.phase = "FACTOR";
          divStart = true;
          this.iteration++;
        }
        break;
      case "FACTOR":
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

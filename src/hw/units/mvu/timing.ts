/** Timing of the matrix-vector unit (templates/verilog/mvu.v.hbs): stage 1 register, accumulators as output register. */
import { Conv2dLayer } from "../../../ir/model.js";
import { foldCounts } from "../../../ir/folding.js";
import { TimedUnit } from "../stream/timing.js";

export class MvuTiming implements TimedUnit {
  private readonly SF: number;
  private sf = 0;
  private s1Valid = false;
  private s1Last = false;
  private valid = false;

  constructor(layer: Conv2dLayer) {
    this.SF = foldCounts(layer).sf;
  }
  outValid(): boolean {
    return this.valid;
  }
  inReady(outReady: boolean): boolean {
    return !this.valid || outReady;
  }
  step(inFire: boolean, _outFire: boolean, inValid: boolean, outReady: boolean): void {
    const adv = !this.valid || outReady;
    if (!adv) return;
    this.valid = this.s1Valid && this.s1Last;
    this.s1Valid = inValid;
    if (inFire) {
      this.s1Last = this.sf === this.SF - 1;
      this.sf = this.sf === this.SF - 1 ? 0 : this.sf + 1;
    }
  }
}

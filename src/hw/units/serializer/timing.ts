/** Timing of the serializer (templates/verilog/serializer.v.hbs): PE-wide beats out one element per cycle. */
import { Conv2dLayer } from "../../../ir/model.js";
import { foldCounts } from "../../../ir/folding.js";
import { TimedUnit } from "../stream/timing.js";

export class SerializerTiming implements TimedUnit {
  private readonly PE: number;
  private readonly NF: number;
  private readonly lastPe: number;
  private busy = false;
  private left = 0;
  private nf = 0;

  constructor(layer: Conv2dLayer) {
    const f = foldCounts(layer);
    this.PE = f.pe;
    this.NF = f.nf;
    this.lastPe = f.lastPe;
  }
  outValid(): boolean {
    return this.busy;
  }
  inReady(outReady: boolean): boolean {
    return !this.busy || (outReady && this.left === 0);
  }
  step(inFire: boolean, outFire: boolean): void {
    const done = outFire && this.left === 0;
    if (inFire) {
      this.busy = true;
      this.left = this.nf === this.NF - 1 ? this.lastPe - 1 : this.PE - 1;
      this.nf = this.nf === this.NF - 1 ? 0 : this.nf + 1;
    } else if (done) {
      this.busy = false;
    } else if (outFire) {
      this.left--;
    }
  }
}

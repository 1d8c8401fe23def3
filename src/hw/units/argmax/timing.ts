/**
 * Timing of the argmax unit (templates/verilog/argmax.v.hbs): one element per
 * cycle; only the frame's last element needs the output register. C + 1 cycles
 * per frame (first input to the index, inclusive).
 */
import { ArgmaxLayer, tensorSize } from "../../../ir/model.js";
import { TimedUnit } from "../stream/timing.js";

export class ArgmaxTiming implements TimedUnit {
  private readonly count: number;
  private idx = 0;
  private valid = false;

  constructor(layer: ArgmaxLayer) {
    this.count = tensorSize(layer.input);
  }
  private last(): boolean {
    return this.idx === this.count - 1;
  }
  outValid(): boolean {
    return this.valid;
  }
  inReady(outReady: boolean): boolean {
    return !this.last() || !this.valid || outReady;
  }
  step(inFire: boolean, _outFire: boolean, inValid: boolean, outReady: boolean): void {
    const last = this.last();
    if (!this.valid || outReady) this.valid = inValid && last;
    if (inFire) this.idx = last ? 0 : this.idx + 1;
  }
}

export function argmaxTiming(layer: ArgmaxLayer): TimedUnit[] {
  return [new ArgmaxTiming(layer)];
}

/**
 * Timing of the token-selection unit (templates/verilog/token-select.v.hbs): T·C
 * input elements, one per cycle, then the kept row leaves from its buffer, one word
 * per cycle through the output register, while no input is taken.
 */
import { TokenSelectLayer } from "../../../ir/model.js";
import { TimedUnit } from "../stream/timing.js";

export class TokenSelectTiming implements TimedUnit {
  private readonly count: number;
  private readonly channels: number;
  private idx = 0;
  private emitting = false;
  private ocol = 0;
  private valid = false;

  constructor(layer: TokenSelectLayer) {
    this.channels = layer.input.channels;
    this.count = layer.input.height * this.channels;
  }
  outValid(): boolean {
    return this.valid;
  }
  inReady(): boolean {
    return !this.emitting;
  }
  step(inFire: boolean, _outFire: boolean, _inValid: boolean, outReady: boolean): void {
    const adv = !this.valid || outReady;
    const emitting = this.emitting;
    if (emitting && adv) {
      const lastOut = this.ocol === this.channels - 1;
      this.ocol = lastOut ? 0 : this.ocol + 1;
      if (lastOut) this.emitting = false;
    } else if (inFire && this.idx === this.count - 1) {
      this.emitting = true;
    }
    if (inFire) this.idx = this.idx === this.count - 1 ? 0 : this.idx + 1;
    if (adv) this.valid = emitting;
  }
}

export function tokenSelectTiming(layer: TokenSelectLayer): TimedUnit[] {
  return [new TokenSelectTiming(layer)];
}

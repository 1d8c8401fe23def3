/**
 * Timing of the token-embedding unit (templates/verilog/token-embed.v.hbs): one
 * registered stage over (T + 1)·C output elements per frame; the first C (the class
 * row) leave while the frame's first token element is offered but not yet taken.
 */
import { TokenEmbedLayer } from "../../../ir/model.js";
import { TimedUnit } from "../stream/timing.js";

export class TokenEmbedTiming implements TimedUnit {
  private readonly count: number;
  private readonly channels: number;
  private idx = 0;
  private valid = false;

  constructor(layer: TokenEmbedLayer) {
    this.count = layer.embedding.length;
    this.channels = layer.output.channels;
  }
  private head(): boolean {
    return this.idx < this.channels;
  }
  outValid(): boolean {
    return this.valid;
  }
  inReady(outReady: boolean): boolean {
    return (!this.valid || outReady) && !this.head();
  }
  step(_inFire: boolean, _outFire: boolean, inValid: boolean, outReady: boolean): void {
    const adv = !this.valid || outReady;
    if (adv && inValid) this.idx = this.idx === this.count - 1 ? 0 : this.idx + 1;
    if (adv) this.valid = inValid;
  }
}

export function tokenEmbedTiming(layer: TokenEmbedLayer): TimedUnit[] {
  return [new TokenEmbedTiming(layer)];
}

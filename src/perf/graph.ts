/**
 * Cycle models of the stream units between layers (stream-fork.v.hbs,
 * stream-fifo.v.hbs, add.v.hbs) and the adapter that runs a layer's chain of
 * TimedUnits as one graph node. A node's output valids may depend on its input
 * valids (the fork's do) but never on a ready; readies may depend on valids.
 */
import { TimedUnit } from "../hw/units/stream/timing.js";

export interface GraphUnit {
  outValid(inValid: readonly boolean[]): boolean[];
  inReady(inValid: readonly boolean[], outReady: readonly boolean[]): boolean[];
  step(inFire: readonly boolean[], outFire: readonly boolean[], inValid: readonly boolean[], outReady: readonly boolean[]): void;
}

/** A layer's units in a chain (one input, one output). */
export class ChainNode implements GraphUnit {
  private readonly ready: boolean[];
  private readonly valid: boolean[];
  private readonly out = [false];
  private readonly inReadyOut = [false];
  constructor(private readonly units: readonly TimedUnit[]) {
    this.ready = new Array<boolean>(units.length + 1).fill(false);
    this.valid = new Array<boolean>(units.length).fill(false);
  }
  outValid(): boolean[] {
    this.out[0] = this.units[this.units.length - 1].outValid();
    return this.out;
  }
  inReady(_inValid: readonly boolean[], outReady: readonly boolean[]): boolean[] {
    const n = this.units.length;
    const r = this.ready;
    r[n] = outReady[0];
    for (let i = n - 1; i >= 0; i--) r[i] = this.units[i].inReady(r[i + 1]);
    this.inReadyOut[0] = r[0];
    return this.inReadyOut;
  }
  step(_inFire: readonly boolean[], _outFire: readonly boolean[], inValid: readonly boolean[]): void {
    const n = this.units.length;
    const r = this.ready;
    const valid = this.valid;
    for (let i = 0; i < n; i++) valid[i] = this.units[i].outValid();
    for (let i = 0; i < n; i++) {
      const v = i === 0 ? inValid[0] : valid[i - 1];
      this.units[i].step(v && r[i], valid[i] && r[i + 1], v, r[i + 1]);
    }
  }
}

/** stream-fork.v.hbs: eager 2-way fork with "taken" flags. */
export class ForkTiming implements GraphUnit {
  private taken = [false, false];
  outValid(inValid: readonly boolean[]): boolean[] {
    return [inValid[0] && !this.taken[0], inValid[0] && !this.taken[1]];
  }
  inReady(_inValid: readonly boolean[], outReady: readonly boolean[]): boolean[] {
    return [(outReady[0] || this.taken[0]) && (outReady[1] || this.taken[1])];
  }
  step(inFire: readonly boolean[], outFire: readonly boolean[]): void {
    if (inFire[0]) this.taken = [false, false];
    else this.taken = [this.taken[0] || outFire[0], this.taken[1] || outFire[1]];
  }
}

/** stream-fifo.v.hbs: `depth` entries plus a registered output word; ready from the count register. */
export class FifoTiming implements GraphUnit {
  private count = 0;
  private valid = false;
  /** Highest fill count seen (for sizing reports). */
  maxCount = 0;
  constructor(private readonly depth: number) {}
  outValid(): boolean[] {
    return [this.valid];
  }
  inReady(): boolean[] {
    return [this.count !== this.depth];
  }
  step(inFire: readonly boolean[], _outFire: readonly boolean[], _inValid: readonly boolean[], outReady: readonly boolean[]): void {
    const rd = this.count !== 0 && (!this.valid || outReady[0]);
    this.count += (inFire[0] ? 1 : 0) - (rd ? 1 : 0);
    this.maxCount = Math.max(this.maxCount, this.count);
    if (rd) this.valid = true;
    else if (outReady[0]) this.valid = false;
  }
}

/** add.v.hbs: joins two streams element by element into a registered output. */
export class JoinTiming implements GraphUnit {
  private valid = false;
  outValid(): boolean[] {
    return [this.valid];
  }
  inReady(inValid: readonly boolean[], outReady: readonly boolean[]): boolean[] {
    const adv = !this.valid || outReady[0];
    return [adv && inValid[1], adv && inValid[0]];
  }
  step(_inFire: readonly boolean[], _outFire: readonly boolean[], inValid: readonly boolean[], outReady: readonly boolean[]): void {
    if (!this.valid || outReady[0]) this.valid = inValid[0] && inValid[1];
  }
}

/**
 * Timing of the pooling layers (src/hw/layers/pool.ts):
 *   maxpool / avgpool: sliding-window unit -> pool reducer -> [requant] -> [serializer]
 *   global_avgpool:    pool reducer -> requant
 * The pool reducer (templates/verilog/pool.v.hbs) takes one slice per cycle and
 * needs its output register only for the slices of a window's last position.
 * Cycles per frame (source and sink never stalling): global_avgpool H·W·C + 2
 * (first input to last output, inclusive); max/avg pool at least
 * max(H·W·C, OH·OW·max(KH·KW·C/P, C)) (input rate, window slices, serializer),
 * plus the sliding-window unit's waits for rows at row and frame ends — stepping
 * these units is exact (e.g. 8×8×3 maxpool 2×2: 192 per frame in steady state;
 * 6×6×3 avgpool 3×3 stride 1: 171, against the bound 144).
 */
import { AvgPoolLayer, GlobalAvgPoolLayer, MaxPoolLayer } from "../../../ir/model.js";
import { poolConvViews } from "./params.js";
import { RegisteredStage, TimedUnit } from "../stream/timing.js";
import { SwuTiming } from "../swu/timing.js";
import { SerializerTiming } from "../serializer/timing.js";

/** The pool reducer's timing registers: position and group counters, out_valid. */
export class PoolReduceTiming implements TimedUnit {
  private pos = 0;
  private grp = 0;
  private valid = false;

  /** `groups` channel groups per position, `positions` window positions per result. */
  constructor(
    private readonly groups: number,
    private readonly positions: number,
  ) {}

  private lastPos(): boolean {
    return this.pos === this.positions - 1;
  }
  outValid(): boolean {
    return this.valid;
  }
  inReady(outReady: boolean): boolean {
    return !this.lastPos() || !this.valid || outReady;
  }
  step(inFire: boolean, _outFire: boolean, inValid: boolean, outReady: boolean): void {
    const lastPos = this.lastPos();
    if (!this.valid || outReady) this.valid = inValid && lastPos;
    if (inFire) {
      if (this.grp === this.groups - 1) {
        this.grp = 0;
        this.pos = lastPos ? 0 : this.pos + 1;
      } else this.grp++;
    }
  }
}

export function poolTiming(layer: MaxPoolLayer | AvgPoolLayer): TimedUnit[] {
  const views = poolConvViews(layer);
  const units: TimedUnit[] = [new SwuTiming(views.swu), new PoolReduceTiming(layer.input.channels / views.lanes, layer.kernel[0] * layer.kernel[1])];
  if (layer.kind === "avgpool") units.push(new RegisteredStage());
  if (views.lanes > 1) units.push(new SerializerTiming(views.serializer));
  return units;
}

export function globalAvgPoolTiming(layer: GlobalAvgPoolLayer): TimedUnit[] {
  return [new PoolReduceTiming(layer.input.channels, layer.input.height * layer.input.width), new RegisteredStage()];
}

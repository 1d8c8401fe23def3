/** Timing of the ReLU layer (templates/verilog/relu.v.hbs): one registered stage, H·W·C + 1 cycles per frame. */
import { ReluLayer } from "../../../ir/model.js";
import { RegisteredStage, TimedUnit } from "../stream/timing.js";

export function reluTiming(_layer: ReluLayer): TimedUnit[] {
  return [new RegisteredStage()];
}

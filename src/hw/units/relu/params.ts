/** ReLU unit parameters (templates/verilog/relu.v.hbs): y = max(x, 0), src/arith/elementwise.ts relu. */
import { ReluLayer } from "../../../ir/model.js";
import { literal } from "../../verilog.js";

export function reluParams(layer: ReluLayer, module: string) {
  const BX = layer.input.bits;
  return { module, BX, lit: { zero: literal(0, BX) } };
}

/**
 * Argmax unit parameters (templates/verilog/argmax.v.hbs): index of the first
 * maximum, src/arith/elementwise.ts argmaxIndex. Values compare signed; ±1 tensors
 * carry bit 1 for +1, so there the bits compare unsigned.
 */
import { ArgmaxLayer } from "../../../ir/model.js";
import { counterBits } from "../../../arith/widths.js";
import { literal, zext } from "../../verilog.js";

export function argmaxParams(layer: ArgmaxLayer, module: string) {
  const BX = layer.input.bits;
  const C = layer.input.height * layer.input.width * layer.input.channels;
  const OB = layer.output.bits;
  const IW = counterBits(C);
  // the loader guarantees C ≤ 2^(OB−1), so the index fits OB bits as a non-negative value
  if (IW > OB) throw new Error(`argmax: ${OB} output bits cannot hold an index up to ${C - 1}`);
  const binary = BX === 1;
  return {
    module,
    BX,
    OB,
    IW,
    C,
    compareText: binary ? "+-1 bits, 1 > 0" : "signed",
    greaterExpr: binary ? "in_data > best_val" : "$signed(in_data) > $signed(best_val)",
    lit: { idx0: literal(0, IW), idx1: literal(1, IW), idxLast: literal(C - 1, IW) },
    ext: { winIdx: zext("win_idx", IW, OB) },
  };
}

/** Token-selection unit parameters (templates/verilog/token-select.v.hbs): row `index` of T token rows of C channels passes, the rest are dropped. */
import { TokenSelectLayer } from "../../../ir/model.js";
import { counterBits } from "../../../arith/widths.js";
import { literal } from "../../verilog.js";

export function tokenSelectParams(layer: TokenSelectLayer, module: string) {
  const T = layer.input.height;
  const C = layer.input.channels;
  const RW = counterBits(T);
  const CW = counterBits(C);
  return {
    module,
    BX: layer.input.bits,
    T,
    C,
    RW,
    CW,
    index: layer.index,
    lit: {
      index: literal(layer.index, RW),
      row0: literal(0, RW),
      row1: literal(1, RW),
      rowLast: literal(T - 1, RW),
      col0: literal(0, CW),
      col1: literal(1, CW),
      colLast: literal(C - 1, CW),
    },
  };
}

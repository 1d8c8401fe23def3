/** Serializer parameters: PE-wide beats to one element per beat, dropping channels past Cout. */
import { Conv2dLayer } from "../../../ir/model.js";
import { counterBits } from "../../../arith/widths.js";
import { literal } from "../../verilog.js";
import { foldCounts } from "../../../ir/folding.js";

export function serializerParams(layer: Conv2dLayer, module: string) {
  const { pe: PE, nf: NF, lastPe } = foldCounts(layer);
  const OB = layer.output.bits;
  const leftW = counterBits(PE);
  const nfW = counterBits(NF);
  return {
    module,
    PE,
    OB,
    lastPe,
    leftW,
    nfW,
    inW: PE * OB,
    lit: {
      left0: literal(0, leftW),
      left1: literal(1, leftW),
      lastLeft: literal(lastPe - 1, leftW),
      fullLeft: literal(PE - 1, leftW),
      nf0: literal(0, nfW),
      nf1: literal(1, nfW),
      nfLast: literal(NF - 1, nfW),
    },
  };
}

/** Resource features of the generic stream units of a residual graph: the 2-way fork and the FIFO (stream-fork.v.hbs, stream-fifo.v.hbs). */
import { counterBits } from "../../../arith/widths.js";
import { SynthTarget } from "../../target.js";
import { Acc, StreamUnitFeatures } from "../../layers/features.js";

export function forkFeatures(bits: number): StreamUnitFeatures {
  return { kind: "fork", features: { "fork.units": 1, "fork.bits": bits } };
}

export function fifoFeatures(bits: number, depth: number, target: SynthTarget): StreamUnitFeatures {
  const a = new Acc(target)
    .add("fifo.units", 1)
    .add("fifo.bits", bits)
    .add("fifo.pointerBits", 2 * counterBits(depth));
  return { kind: "fifo", features: a.memory(depth, bits, "ram", "sync").f };
}

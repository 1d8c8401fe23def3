/** Parameters of the generic stream units: 2-way fork and FIFO. */
import { counterBits, unsignedBitsFor } from "../../../arith/widths.js";
import { literal } from "../../verilog.js";

export function forkParams(module: string, bits: number) {
  return { module, W: bits };
}

export function fifoParams(module: string, bits: number, depth: number) {
  const AW = counterBits(depth);
  const CW = unsignedBitsFor(depth);
  return {
    module,
    W: bits,
    DEPTH: depth,
    AW,
    CW,
    lit: {
      depth: literal(depth, CW),
      zero: literal(0, CW),
      one: literal(1, CW),
      ptrZero: literal(0, AW),
      ptrOne: literal(1, AW),
      ptrLast: literal(depth - 1, AW),
    },
  };
}

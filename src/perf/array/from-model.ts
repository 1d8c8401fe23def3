/**
 * Bridges the quantized IR and the boards to the array model: every conv layer of
 * a model becomes its GEMM (M = output pixels, K = kh·kw·Cin, N = Cout) with the
 * layer's own widths, and a board gives a default array (lanes that fit its DSPs
 * or LUTs, buffers from its block RAM, DRAM bytes per cycle at its clock).
 */
import { engineLayers, Model, outputPixels, reductionLength } from "../../ir/model.js";
import { Board } from "../../ir/board.js";
import { layerAccBits } from "../../hw/units/mvu/params.js";
import { QuantrtlError } from "../../util/errors.js";
import { ArrayArch, Dataflow } from "./arch.js";
import { Workload } from "./workload.js";
import { ArrayDatapath } from "./workload.js";

export function workloadOfModel(model: Model): Workload {
  const engines = engineLayers(model);
  const datapath = engines[0].datapath;
  return {
    name: model.name,
    datapath,
    layers: engines.map((l) => ({
      kind: "matmul" as const,
      name: l.name,
      M: outputPixels(l),
      K: reductionLength(l),
      N: l.output.channels,
      bits: { activation: l.input.bits, weight: l.weightBits, accumulator: layerAccBits(l), output: l.output.bits },
    })),
  };
}

function powerOfTwoSquare(lanes: number): [number, number] {
  let side = 1;
  while (side * 2 * (side * 2) <= lanes) side *= 2;
  return side * side * 2 <= lanes ? [side, side * 2] : [side, side];
}

/**
 * Default array for a board [ours]: MAC lanes take one DSP each (80 % of the DSPs);
 * adder lanes ≈ 4·(b+1) LUTs and xnor lanes ≈ 8 LUTs with adder trees and
 * control, from 40 % of the LUTs; buffers share 80 % of the block RAM in thirds.
 */
export function defaultArrayArch(
  board: Board,
  datapath: ArrayDatapath,
  bits: number,
  dataflow: Dataflow,
  overrides: { rows?: number; cols?: number } = {},
): ArrayArch {
  if (!(board.dram.gbPerSecond > 0)) {
    throw new QuantrtlError(
      undefined,
      "--board",
      `${board.name} has no external DRAM (${board.dram.note}); the array model streams weights and activations from DRAM`,
      "use --arch streaming, or a board with DRAM (pynq-z2, arty-a7-100t, zcu104, kv260, ulx3s-85f)",
    );
  }
  const lanes =
    datapath === "mac" ? Math.floor(board.resources.dsp * 0.8) : Math.floor((board.resources.lut * 0.4) / (datapath === "adder" ? 4 * (bits + 1) : 8));
  const [rows, cols] = powerOfTwoSquare(Math.max(1, lanes));
  const bufferBytes = Math.floor((board.resources.bramBits * 0.8) / 8 / 3);
  return {
    rows: overrides.rows ?? rows,
    cols: overrides.cols ?? cols,
    datapath,
    dataflow,
    ifmapBufferBytes: bufferBytes,
    weightBufferBytes: bufferBytes,
    ofmapBufferBytes: bufferBytes,
    dramBytesPerCycle: (board.dram.gbPerSecond * 1e9) / (board.clockMHz * 1e6),
    clockMHz: board.clockMHz,
  };
}

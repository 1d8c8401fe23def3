/**
 * `gen` and `run` as flows: the design with its golden vectors written into a folder,
 * the golden trace of one input, and the default output folder of a model — so the
 * CLI calls flows, not codegen or the golden model directly.
 */
import type { IntTensor, Model } from "../ir/model.js";
import { randomTensor } from "../ir/inputs.js";
import { generateDesign, modelIdentifier } from "../codegen/design.js";
import type { Board } from "../ir/board.js";
import { hasXilinxOutputs, writeBoardPackage } from "./board.js";
import { writeDesign } from "../codegen/write.js";
import { GoldenTrace, runGolden } from "../hw/golden/network.js";
import type { OutputOptions } from "../util/output.js";

export interface GeneratedDesign {
  readonly model: string;
  readonly hash: string;
  /** The folder written (absolute). */
  readonly dir: string;
  readonly top: string;
  /** Verilog sources in rtl/, in dependency order. */
  readonly sources: readonly string[];
  readonly vectors: number;
  /** With a Xilinx board: the board outputs written beside the design. */
  readonly boardFiles?: readonly string[];
}

/** Writes rtl/ and vectors/ for `vectors` seeded random inputs (seed·1000 + v, as verify draws them). */
export function generateInto(model: Model, out: string, vectors: number, seed: number, options: OutputOptions, board?: Board): GeneratedDesign {
  const inputs = Array.from({ length: vectors }, (_, v) => randomTensor(model.input, seed * 1000 + v));
  // a Xilinx board adds its outputs (AXI IP, Vivado scripts, driver, FuseSoC core) beside the design
  if (board && hasXilinxOutputs(board)) {
    const { dir, files } = writeBoardPackage(model, board, out, inputs, options);
    const design = generateDesign(model);
    return { model: model.name, hash: model.hash, dir, top: design.topModule, sources: design.sources, vectors: inputs.length, boardFiles: files };
  }
  const { dir, design } = writeDesign(model, out, inputs, options);
  return { model: model.name, hash: model.hash, dir, top: design.topModule, sources: design.sources, vectors: inputs.length };
}

/** Every layer's integer output for one input (the golden model). */
export function goldenTrace(model: Model, input: IntTensor): GoldenTrace {
  return runGolden(model, input);
}

/** The folder a command writes by default: out/<model identifier>. */
export function defaultOutDir(model: Model): string {
  return `out/${modelIdentifier(model)}`;
}

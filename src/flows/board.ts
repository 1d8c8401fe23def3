/**
 * The board outputs of a design for a Xilinx board, beside its rtl/ and vectors/:
 * the AXI4-Stream IP wrapper, its testbench (sim/), the Vivado scripts and XDC,
 * the PYNQ driver (Zynq boards) and a FuseSoC core. `gen --board` and `build
 * --board` write them; iCE40 outputs live elsewhere.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Board } from "../ir/board.js";
import type { IntTensor, Model } from "../ir/model.js";
import { DesignFiles, writeDesignFiles } from "../codegen/write.js";
import { modelIdentifier } from "../codegen/design.js";
import { axisParams, emitAxisTop } from "../codegen/board/axi.js";
import { emitBlockDesign, emitBuild, emitCreateProject, emitPackageIp, emitXdc, VivadoInputs } from "../codegen/board/vivado.js";
import { emitDriver } from "../codegen/board/driver.js";
import { emitCore } from "../codegen/board/fusesoc.js";
import { axiTestbench } from "../verify/axi.js";
import { stageDir } from "../util/atomic.js";
import type { OutputOptions } from "../util/output.js";
import { packageVersion } from "../util/paths.js";

/** Whether a board gets the AXI IP and Vivado outputs. */
export function hasXilinxOutputs(board: Board): boolean {
  return board.vendor === "xilinx";
}

/** Writes the board outputs into `root` (which holds what writeDesignFiles wrote); returns the paths written, relative to `root`. */
export function writeXilinxFiles(root: string, model: Model, board: Board, inputs: readonly IntTensor[], written: DesignFiles): string[] {
  const { design, traces } = written;
  const id = modelIdentifier(model);
  const wrapper = emitAxisTop(model, design.topModule);
  const p = axisParams(model, design.topModule, wrapper.module);
  const sources = [...design.sources, `${wrapper.module}.v`];
  const memories = design.files.filter((f) => f.path.startsWith("rtl/") && f.path.endsWith(".hex")).map((f) => f.path.slice(4));
  const files: { path: string; content: string }[] = [wrapper];
  const fileList = design.files.find((f) => f.path === "rtl/files.f");
  files.push({ path: "rtl/ip_files.f", content: `${fileList ? fileList.content.trimEnd() : ""}\n${wrapper.module}.v\n`.trimStart() });
  const last = model.layers.length - 1;
  const tb = axiTestbench(
    model,
    design.topModule,
    inputs,
    traces.map((t) => t.layers[last]),
    { stall: 0.25, seed: 1, beatsFile: "axi_beats.hex", expectFile: "axi_expected.hex" },
  );
  // the testbench's vectors sit beside the ROM images: simulators run from rtl/, where every relative $readmemh resolves
  files.push(
    { path: "sim/axi_tb.v", content: tb.tb },
    { path: "rtl/axi_beats.hex", content: tb.beatsHex },
    { path: "rtl/axi_expected.hex", content: tb.expectedHex },
  );
  const v: VivadoInputs = { id, board, top: wrapper.module, sources, memories, inTdataBits: p.inTdataBits, outTdataBits: p.outTdataBits };
  files.push(
    { path: `vivado/${id}.xdc`, content: emitXdc(v) },
    { path: "vivado/create_project.tcl", content: emitCreateProject(v) },
    { path: "vivado/package_ip.tcl", content: emitPackageIp(v) },
  );
  if (board.zynq) {
    files.push({ path: "vivado/block_design.tcl", content: emitBlockDesign(v) }, { path: "vivado/build.tcl", content: emitBuild(v) });
    files.push({ path: `driver/${id}.py`, content: emitDriver(model, id, design.topModule, wrapper.module) });
  }
  files.push({ path: `${id}.core`, content: emitCore({ id, board, top: wrapper.module, sources, memories, version: packageVersion() }) });
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.content);
  }
  return files.map((f) => f.path);
}

/** A self-contained board package at `out` (design, vectors, board outputs), written atomically. */
export function writeBoardPackage(
  model: Model,
  board: Board,
  out: string,
  inputs: readonly IntTensor[],
  options: OutputOptions = {},
): { dir: string; files: string[] } {
  const staged = stageDir(out, { ...options, owner: { model: model.name, modelHash: model.hash } });
  try {
    const written = writeDesignFiles(staged.path, model, inputs);
    const files = writeXilinxFiles(staged.path, model, board, inputs, written);
    return { dir: staged.commit(), files };
  } catch (err) {
    staged.discard();
    throw staged.explain(err);
  }
}

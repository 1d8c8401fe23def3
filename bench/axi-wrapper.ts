/**
 * Cost of the AXI4-Stream / AXI4-Lite wrapper (not a test: prints figures,
 * asserts nothing). Synthesizes a model's bare top and its AXI top with Yosys
 * (synth_xilinx, the board's family) and prints LUT / FF of both, and runs the
 * bare top (verify harness) and the AXI top (its testbench) without stalls on
 * the same frames, printing cycles per frame of both.
 * Run: node dist/bench/axi-wrapper.js [model.json] [board] [frames]
 *      (defaults: models/mnist-adder.json pynq-z2 3; after `npx tsc`)
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModel } from "../src/ir/load.js";
import { loadBoard } from "../src/ir/board.js";
import { randomTensor } from "../src/ir/inputs.js";
import { generateDesign } from "../src/codegen/design.js";
import { emitAxisTop } from "../src/codegen/board/axi.js";
import { countCells, synthCommand } from "../src/synth/families.js";
import { hasTool, run } from "../src/util/process.js";
import { verifyModel } from "../src/verify/index.js";
import { runAxi } from "../src/verify/axi.js";
import { makeTempDir, removeDir, writeFiles } from "../src/util/atomic.js";
import { packageRoot } from "../src/util/paths.js";
import type { Board } from "../src/ir/board.js";
import type { Model } from "../src/ir/model.js";

const [modelFile = "models/mnist-adder.json", boardName = "pynq-z2", framesArg = "3"] = process.argv.slice(2);

async function synth(model: Model, board: Board, wrapped: boolean): Promise<{ lut: number; ff: number; seconds: number }> {
  const design = generateDesign(model);
  const files = design.files.filter((f) => f.path.startsWith("rtl/")).map((f) => ({ path: f.path.slice(4), content: f.content }));
  const sources = [...design.sources];
  let top = design.topModule;
  if (wrapped) {
    const w = emitAxisTop(model, design.topModule);
    files.push({ path: w.path.slice(4), content: w.content });
    sources.push(`${w.module}.v`);
    top = w.module;
  }
  const dir = makeTempDir("quantrtl-axi-bench-");
  try {
    writeFiles(dir, files);
    const script = `read_verilog ${sources.join(" ")}; ${synthCommand(board, top)}; tee -q -o stat.json stat -json`;
    const start = Date.now();
    const [command, argv] = hasTool("yosys")
      ? ["yosys", ["-q", "-p", script]]
      : [process.execPath, [join(packageRoot(), "dist", "src", "synth", "yowasp-cli.js"), "yosys", dir, "-q", "-p", script]];
    const r = await run(command, argv, { cwd: dir });
    if (r.code !== 0 || !existsSync(join(dir, "stat.json"))) throw new Error(`yosys failed: ${(r.stdout + r.stderr).slice(-2000)}`);
    const stat = JSON.parse(readFileSync(join(dir, "stat.json"), "utf8")) as { design: { num_cells_by_type?: Record<string, number> } };
    const counts = countCells(board, stat.design.num_cells_by_type ?? {});
    return { lut: counts.lut, ff: counts.ff, seconds: (Date.now() - start) / 1000 };
  } finally {
    removeDir(dir);
  }
}

async function main(): Promise<void> {
  const model = loadModel(modelFile);
  const board = loadBoard(boardName);
  const frames = Number(framesArg);
  const inputs = Array.from({ length: frames }, (_, i) => randomTensor(model.input, 100 + i));

  const bareRun = await verifyModel(model, { sim: "verilator", inputs, backpressure: 0, seed: 1 });
  const dir = makeTempDir("quantrtl-axi-bench-sim-");
  let axi;
  try {
    axi = await runAxi(dir, model, { sim: "verilator", inputs, stall: 0, seed: 1 });
  } finally {
    removeDir(dir);
  }
  const bareEnds = bareRun.frameCycles;
  console.log(`${model.name} on ${board.name}, ${frames} frame(s), no stalls (Verilator)`);
  console.log(
    `  bare top: bit-exact ${bareRun.bitExact}, ${bareRun.cycles} cycles first input to last output; per frame (first input to last output): ${bareEnds.join(", ")}`,
  );
  console.log(
    `  AXI top:  ${axi.matched}/${axi.expectedBeats} beats equal, protocol errors ${axi.protocolErrors}, ${axi.frameEnds[axi.frameEnds.length - 1]} cycles first input to last output; frame ends ${axi.frameEnds.join(", ")}; LAST_FRAME_CYCLES register ${axi.registers.lastFrameCycles}`,
  );
  const perFrameBare = bareRun.cycles / frames;
  const perFrameAxi = axi.frameEnds[axi.frameEnds.length - 1] / frames;
  console.log(
    `  cycles per frame: bare ${perFrameBare.toFixed(1)}, AXI ${perFrameAxi.toFixed(1)} (difference ${(perFrameAxi - perFrameBare).toFixed(1)}; target: within one beat per frame)`,
  );

  const bare = await synth(model, board, false);
  const wrapped = await synth(model, board, true);
  const pct = (a: number, b: number) => `${(((a - b) / b) * 100).toFixed(2)} %`;
  console.log(`  Yosys ${synthCommand(board, "<top>")}:`);
  console.log(`    bare top: LUT ${bare.lut}, FF ${bare.ff} (${bare.seconds.toFixed(0)} s)`);
  console.log(`    AXI top:  LUT ${wrapped.lut}, FF ${wrapped.ff} (${wrapped.seconds.toFixed(0)} s)`);
  console.log(
    `    wrapper:  LUT +${wrapped.lut - bare.lut} (${pct(wrapped.lut, bare.lut)}; target ≤ 5 %), FF +${wrapped.ff - bare.ff} (${pct(wrapped.ff, bare.ff)})`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

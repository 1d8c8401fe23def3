/**
 * `quantrtl build <model>`: the main job. Golden accuracy on the test set (and
 * the float model's, when the model names one), RTL generation, the bit-exact
 * proof on real test images (Verilator, then Icarus), the cycle model, the
 * estimates, Yosys synthesis of the model (--no-synth skips it; --synth also
 * synthesizes the datapath comparison's builds), and the report — report.html last.
 */
import { join } from "node:path";
import { Args, intFlag, numberFlag, outputOptions } from "./args.js";
import { boardArg, modelArg } from "./inputs.js";
import { progress } from "./print.js";
import { QuantrtlError } from "../util/errors.js";
import { modelIdentifier } from "../codegen/design.js";
import { loadDataset } from "../frontend/dataset.js";
import { accuracyLine, measureAccuracy, predictedClass } from "../flows/accuracy.js";
import { SimulatorName, verifyModel, VerifyReport } from "../verify/index.js";
import { describeMismatch } from "../verify/verdict.js";
import { buildReport } from "../flows/report.js";
import { writeReport } from "../report/write.js";
import { claimOutputRoot, OutputOptions } from "../util/output.js";
import { hasXilinxOutputs, writeBoardPackage } from "../flows/board.js";
import type { Model } from "../ir/model.js";
import type { Board } from "../ir/board.js";

/** Synthesis in the main job: the model by default, none with --no-synth, the comparison builds too with --synth. */
function synthChoice(args: Args): "none" | "model" | "all" {
  if (args.flags.has("synth") && args.flags.has("no-synth")) throw new QuantrtlError(undefined, "--no-synth", "contradicts --synth", "give one of them");
  return args.flags.has("no-synth") ? "none" : args.flags.has("synth") ? "all" : "model";
}

export async function buildCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const out = typeof args.flags.get("out") === "string" ? String(args.flags.get("out")) : `out/${modelIdentifier(model)}`;
  const vectors = intFlag(args, "vectors", 10, 1, 10000);
  const limit = args.flags.has("limit") ? intFlag(args, "limit", 10000, 1, 10000) : undefined;
  const backpressure = numberFlag(args, "backpressure", 0.25, 0, 0.95);
  const seed = intFlag(args, "seed", 1, 0);
  const simFlag = String(args.flags.get("sim") ?? "both");
  const sims: SimulatorName[] = simFlag === "both" ? ["verilator", "icarus"] : simFlag === "verilator" || simFlag === "icarus" ? [simFlag] : [];
  if (sims.length === 0) throw new QuantrtlError(undefined, "--sim", `"${simFlag}" is not a simulator`, "use verilator, icarus or both");
  const synth = synthChoice(args);
  // --out holds verilator/, icarus/ and report/, each replaced on its own: the folder itself is checked, locked and marked first
  const options = outputOptions(args);
  const root = claimOutputRoot(out, { ...options, owner: { model: model.name, modelHash: model.hash } });
  try {
    return await buildInto(out, model, board, { vectors, limit, backpressure, seed, sims, synth, outOptions: { ...options, force: false } });
  } finally {
    root.release();
  }
}

interface BuildSettings {
  readonly vectors: number;
  readonly limit: number | undefined;
  readonly backpressure: number;
  readonly seed: number;
  readonly sims: readonly SimulatorName[];
  readonly synth: "none" | "model" | "all";
  readonly outOptions: OutputOptions;
}

async function buildInto(out: string, model: Model, board: Board, { vectors, limit, backpressure, seed, sims, synth, outOptions }: BuildSettings): Promise<number> {
  progress(`build ${model.name} for ${board.name}: step 1/4, accuracy on mnist-test`);
  const test = loadDataset(model, "mnist-test", limit);
  const accuracy = await measureAccuracy(model, test, progress);

  progress(`step 2/4: RTL and the bit-exact proof on ${vectors} real test image(s)`);
  const proof = loadDataset(model, "mnist-test", vectors);
  const verifications: VerifyReport[] = [];
  for (const sim of sims) {
    const r = await verifyModel(model, { sim, inputs: proof.inputs, backpressure, seed, out: join(out, sim), outOptions, onProgress: progress });
    verifications.push(r);
    if (!r.bitExact) {
      console.log(`NOT bit-exact in ${sim}: ${r.matched}/${r.expectedWords} words; first difference: ${r.mismatches[0] ? describeMismatch(r.mismatches[0]) : `lint not clean:\n${r.lint}`}`);
      console.log(`design, vectors and logs: ${r.outDir}`);
      return 3;
    }
  }

  // Xilinx boards: the AXI IP, Vivado scripts, driver and FuseSoC core, in a package of their own beside the proof's RTL
  const boardFiles = hasXilinxOutputs(board) ? writeBoardPackage(model, board, join(out, "board"), proof.inputs, outOptions) : undefined;

  progress(`step 3/4: cycle model, estimates, toggle rates${synth === "all" ? ", synthesis of the model and the comparison builds" : synth === "model" ? ", synthesis" : ""}`);
  const activity = await verifyModel(model, { sim: "verilator", inputs: proof.inputs.slice(0, 1), backpressure: 0, seed, measureToggles: true, onProgress: progress });
  const report = await buildReport(model, board, { synth, verification: activity, proof: verifications, onProgress: progress });

  progress("step 4/4: report");
  const paths = writeReport(join(out, "report"), report, outOptions);

  const v = verifications[0];
  console.log(`model ${model.name} (sha256 ${model.hash.slice(0, 16)}…) on ${board.title}`);
  console.log(accuracyLine(accuracy));
  for (const r of verifications) {
    console.log(`bit-exact (${r.sim}): ${r.matched}/${r.expectedWords} output words and every layer's tap on ${r.vectors} real test images, ${r.cycles} cycles with back-pressure ${r.backpressure}`);
  }
  const classes = proof.inputs.map((x, i) => {
    const rtl = v.outputs ? predictedClass(model, { data: Int32Array.from(v.outputs[i]) }) : -1;
    return `${rtl}/${proof.labels[i]}`;
  });
  console.log(`RTL class / label: ${classes.join(" ")}`);
  const t = report.performance.total;
  const sy = report.resources.synthesis;
  if (sy) {
    const e = report.resources.estimate;
    console.log(`synthesis (${sy.yosys}, ${board.part}): LUT ${sy.lut}, FF ${sy.ff}, DSP ${sy.dsp}, BRAM ${sy.bramBits} bits, ${sy.latches} latches; Yosys-fitted estimate LUT ${e.lut}, FF ${e.ff}, DSP ${e.dsp}, BRAM ${e.bramBits} bits`);
  }
  console.log(`cycles per image: ${activity.frameCycles[0]} measured (predicted ${activity.predicted.frameCycles[0]}), ideal ${activity.idealCyclesPerVector} for the slowest layer; ${t.framesPerSecond.toFixed(1)} frames/s at ${board.clockMHz} MHz`);
  console.log(`design: ${join(out, sims[0])}`);
  if (boardFiles) console.log(`${board.name} IP (AXI4-Stream, generated and checked, Vivado not run): ${boardFiles.dir}: ${boardFiles.files.join(", ")}`);
  console.log(`report: ${paths.json}`);
  console.log(`report: ${paths.html}`);
  return 0;
}

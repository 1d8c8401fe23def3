/**
 * `quantrtl build <model>`: the main job, on any model. With data (--dataset,
 * or the dataset the model names: metadata.dataset or metadata.accuracy.dataset)
 * golden accuracy (and the float model's, when the model names one) when the
 * data has labels, and the bit-exact proof on real samples; without data the
 * proof runs on seeded random vectors. Then RTL generation, the proof
 * (Verilator, then Icarus), the cycle model, the estimates, Yosys synthesis of the model (--no-synth skips it; --synth also
 * synthesizes the datapath comparison's builds), and the report — report.html last.
 */
import { join, relative } from "node:path";
import {
  Args,
  DATA_FLAGS,
  datasetArg,
  flag,
  FOLD_FLAGS,
  intFlag,
  JOBS_FLAG,
  jobsArg,
  MEMORY_FLAG,
  numberFlag,
  outputOptions,
  printJson,
  value,
} from "./args.js";
import type { CommandSpec } from "./command.js";
import { simulatorsArg } from "./verify.js";
import { boardArg, modelArg } from "./inputs.js";
import { progress } from "./print.js";
import { QuantrtlError } from "../util/errors.js";
import { defaultOutDir } from "../flows/gen.js";
import { DatasetSpec, loadDataset } from "../frontend/dataset.js";
import { AccuracyReport, accuracyLine, measureAccuracy, predictedClass } from "../flows/accuracy.js";
import { randomTensor } from "../ir/inputs.js";
import { SimulatorName, verifyModel, VerifyReport } from "../verify/index.js";
import { describeMismatch } from "../verify/verdict.js";
import { buildReport } from "../flows/report.js";
import { writeReport } from "../report/write.js";
import type { ReportBoardFiles } from "../report/types.js";
import { claimOutputRoot, OutputOptions } from "../util/output.js";
import type { IntTensor, Model } from "../ir/model.js";
import type { Board } from "../ir/board.js";
import { buildBitstream } from "../synth/bitstream.js";
import { hasXilinxOutputs, writeBoardPackage } from "../flows/board.js";
import { bitstreamFiles, checkFit, printBitstream, writeBitstream } from "./bitstream.js";

/** Synthesis in the main job: the model by default, none with --no-synth, the comparison builds too with --synth. */
function synthChoice(args: Args): "none" | "model" | "all" {
  if (args.flags.has("synth") && args.flags.has("no-synth")) throw new QuantrtlError(undefined, "--no-synth", "contradicts --synth", "give one of them");
  return args.flags.has("no-synth") ? "none" : args.flags.has("synth") ? "all" : "model";
}

export async function buildCommand(args: Args): Promise<number> {
  const model = modelArg(args);
  const board = boardArg(args);
  const out = typeof args.flags.get("out") === "string" ? String(args.flags.get("out")) : defaultOutDir(model);
  const vectors = intFlag(args, "vectors", 10, 1, 10000);
  const dataset = datasetArg(args) ?? namedDataset(model);
  if (args.flags.has("limit") && !dataset) throw new QuantrtlError(undefined, "--limit", "only applies with data", "add --dataset <name|file>");
  const limit = args.flags.has("limit") ? intFlag(args, "limit", 10000, 1) : undefined;
  const backpressure = numberFlag(args, "backpressure", 0.25, 0, 0.95);
  const seed = intFlag(args, "seed", 1, 0);
  const sims = simulatorsArg(args, "both");
  const synth = synthChoice(args);
  checkFit(args, model, board);
  // --out holds verilator/, icarus/ and report/, each replaced on its own: the folder itself is checked, locked and marked first
  const options = outputOptions(args);
  const root = claimOutputRoot(out, { ...options, owner: { model: model.name, modelHash: model.hash } });
  try {
    return await buildInto(out, model, board, {
      dataset,
      vectors,
      limit,
      jobs: jobsArg(args),
      backpressure,
      seed,
      sims,
      synth,
      json: args.flags.has("json"),
      outOptions: { ...options, force: false },
    });
  } finally {
    root.release();
  }
}

/** The dataset a model names for itself: metadata.dataset, or the one its recorded accuracy was measured on. */
function namedDataset(model: Model): DatasetSpec | undefined {
  const meta = model.metadata ?? {};
  const accuracy = meta.accuracy as { dataset?: unknown } | undefined;
  const name = typeof meta.dataset === "string" ? meta.dataset : typeof accuracy?.dataset === "string" ? accuracy.dataset : undefined;
  return name === undefined ? undefined : { source: name };
}

interface BuildSettings {
  readonly dataset: DatasetSpec | undefined;
  readonly vectors: number;
  readonly limit: number | undefined;
  /** --jobs: golden worker threads for the accuracy step. */
  readonly jobs: number;
  readonly backpressure: number;
  readonly seed: number;
  readonly sims: readonly SimulatorName[];
  readonly synth: "none" | "model" | "all";
  /** --json: the figures as one document (schemas/cli-build.schema.json) instead of the summary lines. */
  readonly json: boolean;
  readonly outOptions: OutputOptions;
}

async function buildInto(
  out: string,
  model: Model,
  board: Board,
  { dataset, vectors, limit, jobs, backpressure, seed, sims, synth, json, outOptions }: BuildSettings,
): Promise<number> {
  // accuracy runs beside the proofs (its golden on worker threads, the proofs in the simulators' processes)
  let accuracyRun: Promise<AccuracyReport> | undefined;
  let proofInputs: IntTensor[];
  let proofLabels: Int32Array | undefined;
  let what: string;
  if (dataset) {
    progress(`build ${model.name} for ${board.name}: step 1/4, accuracy on ${dataset.source} (beside step 2)`);
    const data = loadDataset(model, dataset, limit);
    if (data.labels) {
      accuracyRun = measureAccuracy(model, data, progress, { jobs });
      // its failure is reported where it is awaited, after the proofs, not as a stray rejection before
      accuracyRun.catch(() => undefined);
    } else progress(`${data.name} has no labels: no accuracy, its samples drive the proof`);
    proofInputs = data.inputs.slice(0, vectors);
    proofLabels = data.labels?.subarray(0, vectors);
    what = `real sample(s) of ${data.name}`;
  } else {
    progress(`build ${model.name} for ${board.name}: step 1/4, no dataset (give --dataset for accuracy): seeded random vectors`);
    proofInputs = Array.from({ length: vectors }, (_, v) => randomTensor(model.input, seed * 1000 + v));
    what = `seeded random vector(s) (seed ${seed})`;
  }
  const proof = { inputs: proofInputs };

  progress(`step 2/4: RTL and the bit-exact proof on ${proofInputs.length} ${what}`);
  // the simulators run side by side (each in its own folder and processes: two cores, two proofs);
  // their progress lines carry the simulator's name, the verdicts are read in the order asked
  const verifications: VerifyReport[] = await Promise.all(
    sims.map((sim) =>
      verifyModel(model, {
        sim,
        inputs: proof.inputs,
        backpressure,
        seed,
        out: join(out, sim),
        outOptions,
        onProgress: sims.length > 1 ? (m) => progress(`[${sim}] ${m}`) : progress,
        // a traced Verilator build: step 3's toggle-rate run of the same design then reuses it from the cache
        tracedBuild: true,
        // an identical earlier proof (same RTL, vectors, settings and simulator) is reused
        proofCache: true,
      }),
    ),
  );
  const accuracy = await accuracyRun;
  const failed = verifications.find((r) => !r.bitExact);
  if (failed && json) {
    printJson({
      model: model.name,
      hash: model.hash,
      board: board.name,
      bitExact: false,
      proof: verifications.map(proofFigures),
      design: failed.outDir ?? null,
    });
    return 3;
  }
  if (failed) {
    console.log(
      `NOT bit-exact in ${failed.sim}: ${failed.matched}/${failed.expectedWords} words; first difference: ${failed.mismatches[0] ? describeMismatch(failed.mismatches[0]) : `lint not clean:\n${failed.lint}`}`,
    );
    console.log(`design, vectors and logs: ${failed.outDir}`);
    return 3;
  }

  // Xilinx boards: the AXI IP, Vivado scripts, driver and FuseSoC core, in a package of their own beside the proof's RTL
  const xilinxFiles = hasXilinxOutputs(board) ? writeBoardPackage(model, board, join(out, "board"), proof.inputs, outOptions) : undefined;

  progress(
    `step 3/4: cycle model, estimates, toggle rates${synth === "all" ? ", synthesis of the model and the comparison builds" : synth === "model" ? ", synthesis" : ""}`,
  );
  const activity = await verifyModel(model, {
    sim: "verilator",
    inputs: proof.inputs.slice(0, 1),
    backpressure: 0,
    seed,
    measureToggles: true,
    onProgress: progress,
  });
  const ice40 = await writeBoardFiles(out, model, board, synth, outOptions);
  const boardFiles: ReportBoardFiles[] = [
    ...(xilinxFiles
      ? [
          {
            what: "AXI4-Stream IP, Vivado scripts, driver and FuseSoC core (generated and checked; Vivado not run)",
            dir: relative(out, xilinxFiles.dir),
            files: xilinxFiles.files,
          },
        ]
      : []),
    ...(ice40.files ? [ice40.files] : []),
  ];
  const report = await buildReport(model, board, { synth, verification: activity, proof: verifications, accuracy, boardFiles, onProgress: progress });

  progress("step 4/4: report");
  const paths = writeReport(join(out, "report"), report, outOptions);

  const v = verifications[0];
  const classes = proofLabels
    ? proofInputs.map((_, i) => ({ rtl: v.outputs ? predictedClass(model, { data: Int32Array.from(v.outputs[i]) }) : -1, label: proofLabels[i] }))
    : [];
  const t = report.performance.total;
  const sy = report.resources.synthesis;
  if (json) {
    const figures = accuracy ? (({ integerPredictions: _i, floatPredictions: _f, ...rest }) => rest)(accuracy) : null;
    printJson({
      model: model.name,
      hash: model.hash,
      board: board.name,
      bitExact: true,
      accuracy: figures,
      proof: verifications.map(proofFigures),
      classes,
      cycles: { measured: activity.frameCycles[0], predicted: activity.predicted.frameCycles[0], ideal: activity.idealCyclesPerVector },
      framesPerSecond: t.framesPerSecond,
      clockMHz: board.clockMHz,
      synthesis: sy ? { lut: sy.lut, ff: sy.ff, dsp: sy.dsp, bramBits: sy.bramBits, latches: sy.latches, yosys: sy.yosys } : null,
      estimate: report.resources.estimate,
      design: join(out, sims[0]),
      report: paths,
    });
    return 0;
  }
  console.log(`model ${model.name} (sha256 ${model.hash.slice(0, 16)}…) on ${board.title}`);
  if (accuracy) console.log(accuracyLine(accuracy));
  for (const r of verifications) {
    console.log(
      `bit-exact (${r.sim}): ${r.matched}/${r.expectedWords} output words and every layer's tap on ${r.vectors} ${what}, ${r.cycles} cycles with back-pressure ${r.backpressure}`,
    );
  }
  if (classes.length) console.log(`RTL class / label: ${classes.map((c) => `${c.rtl}/${c.label}`).join(" ")}`);
  if (sy) {
    const e = report.resources.estimate;
    console.log(
      `synthesis (${sy.yosys}, ${board.part}): LUT ${sy.lut}, FF ${sy.ff}, DSP ${sy.dsp}, BRAM ${sy.bramBits} bits, ${sy.latches} latches; Yosys-fitted estimate LUT ${e.lut}, FF ${e.ff}, DSP ${e.dsp}, BRAM ${e.bramBits} bits`,
    );
  }
  console.log(
    `cycles per image: ${activity.frameCycles[0]} measured (predicted ${activity.predicted.frameCycles[0]}), ideal ${activity.idealCyclesPerVector} for the slowest layer; ${t.framesPerSecond.toFixed(1)} frames/s at ${board.clockMHz} MHz`,
  );
  console.log(`design: ${join(out, sims[0])}`);
  if (xilinxFiles) console.log(`${board.name} IP (AXI4-Stream, generated and checked, Vivado not run): ${xilinxFiles.dir}: ${xilinxFiles.files.join(", ")}`);
  for (const line of ice40.lines) console.log(line);
  console.log(`report: ${paths.json}`);
  console.log(`report: ${paths.html}`);
  return 0;
}

/**
 * The board files beside the RTL: for an iCE40 board with a pin table, the model in
 * its UART harness placed, routed and packed (ice40/<name>.bin, the PCF, the harness
 * RTL, the nextpnr report). Skipped with --no-synth (place and route takes minutes).
 * A timing miss is reported here, not fatal: `quantrtl bitstream` is the strict one.
 * Returns the lines that list what was written.
 */
async function writeBoardFiles(
  out: string,
  model: Model,
  board: Board,
  synth: "none" | "model" | "all",
  outOptions: OutputOptions,
): Promise<{ lines: string[]; files?: ReportBoardFiles }> {
  if (board.yosysFamily !== "ice40" || !board.pins) return { lines: [] };
  if (synth === "none") return { lines: [`board files: none (--no-synth skips the ${board.name} bitstream; quantrtl bitstream builds it alone)`] };
  progress(`board files for ${board.name}: UART harness, PCF, bitstream`);
  const r = await buildBitstream(model, board, { onProgress: progress });
  printBitstream(r, board.part);
  const dir = writeBitstream(join(out, "ice40"), model, r, outOptions);
  const listed = [
    `${r.name}.bin`,
    ...bitstreamFiles(r)
      .map((f) => f.path)
      .filter((p) => !p.startsWith("rtl/") || p.includes("_uart_")),
  ];
  return {
    lines: [
      ...(r.timingMet
        ? []
        : [
            `warning: timing NOT met on ${board.name}: Fmax ${r.fmaxMHz.toFixed(2)} MHz < ${r.constraintMHz} MHz (the bitstream is written; quantrtl bitstream refuses it)`,
          ]),
      `board files (${board.name}, ${dir}): ${listed.join(", ")}`,
    ],
    files: {
      what: `UART harness, PCF and bitstream (Fmax ${r.fmaxMHz.toFixed(2)} MHz, timing ${r.timingMet ? "met" : "NOT met"} at ${r.constraintMHz} MHz)`,
      dir: relative(out, dir),
      files: listed,
    },
  };
}

/** One proof run as build --json reports it. */
function proofFigures(r: VerifyReport) {
  return {
    sim: r.sim,
    bitExact: r.bitExact,
    matched: r.matched,
    expectedWords: r.expectedWords,
    vectors: r.vectors,
    cycles: r.cycles,
    backpressure: r.backpressure,
  };
}

export const build: CommandSpec = {
  name: "build",
  usage: [
    "  quantrtl build  <model.json> [--dataset <data>] [--board b] [--out DIR] [--force] [--vectors n] [--limit n] [--jobs n]",
    "                  [--no-synth | --synth] [--json] [--sim verilator|icarus|both] [--backpressure p] [--seed n] [--allow-overfit]",
    "                  (a design over 100 % of the board's LUT/FF/DSP/BRAM is refused first, unless --allow-overfit)",
    "                  (the main job: accuracy when there is labelled data, RTL, bit-exact proof on the",
    "                  data's samples or seeded random vectors, cycles, estimates,",
    "                  Yosys synthesis of the model, report; --synth also synthesizes the comparison builds)",
  ].join("\n"),
  takesModel: true,
  flags: [
    value("out", "DIR"),
    flag("force"),
    value("vectors", "n"),
    value("limit", "n"),
    JOBS_FLAG,
    value("backpressure", "p"),
    value("seed", "n"),
    value("sim", "name"),
    flag("synth"),
    flag("no-synth"),
    flag("allow-overfit"),
    ...DATA_FLAGS,
    ...FOLD_FLAGS,
    flag("json"),
    MEMORY_FLAG,
  ],
  run: buildCommand,
};

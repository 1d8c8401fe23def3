/**
 * Assembles the report of one model on one board from the steps that ran:
 * streaming performance, fitted resource estimate with its error bar, synthesis (optional), power,
 * 45 nm energy, the streaming design's roofline (boards with DRAM), the datapath
 * comparison and the verification run (optional).
 */
import { Model } from "../ir/model.js";
import { Board } from "../ir/board.js";
import { predictStreaming } from "./predict.js";
import { estimatePower } from "../estimate/power.js";
import { errorBars, sumResources } from "../estimate/resources.js";
import { networkErrorBar } from "./validate.js";
import { energyPerInference } from "../estimate/energy.js";
import { compareKernels, COMPARE_KERNELS } from "./compare.js";
import { synthesize } from "../synth/index.js";
import { packageVersion } from "../util/paths.js";
import type { VerifyReport } from "../verify/index.js";
import type { AccuracyReport } from "./accuracy.js";
import { ADDERNET_PUBLISHED, QuantrtlReport, ReportAccuracy, ReportBoardFiles } from "../report/types.js";
import { streamingRoofline } from "../estimate/roofline.js";

export interface BuildReportOptions {
  /** Run Yosys for the design itself (and for each compared datapath). */
  /** Yosys: none (false / "none"), the model ("model"), or the model and every comparison build (true / "all"). */
  readonly synth?: boolean | "none" | "model" | "all";
  /** A verification run to include (its cycles are set beside the prediction). */
  readonly verification?: VerifyReport;
  /** The bit-exact proof runs (the main job's, per simulator), reported beside `verification`. */
  readonly proof?: readonly VerifyReport[];
  /** Accuracy on a dataset (the main job's step 1), reported as measured. */
  readonly accuracy?: AccuracyReport;
  /** Files written for the board beside the RTL (build), listed in the report. */
  readonly boardFiles?: readonly ReportBoardFiles[];
  readonly onProgress?: (message: string) => void;
  /** Fixed timestamp (tests). */
  readonly createdAt?: string;
}

function accuracySection(a: AccuracyReport): ReportAccuracy {
  const { dataset, images, floatTop1, integerTop1, agreement, floatRuntime } = a;
  return {
    dataset,
    images,
    ...(floatTop1 !== undefined ? { floatTop1 } : {}),
    ...(integerTop1 !== undefined ? { integerTop1 } : {}),
    ...(agreement !== undefined ? { agreement } : {}),
    ...(floatRuntime ? { floatRuntime } : {}),
  };
}

export async function buildReport(model: Model, board: Board, options: BuildReportOptions = {}): Promise<QuantrtlReport> {
  const progress = options.onProgress ?? (() => undefined);
  progress("report: streaming performance");
  const perf = predictStreaming(model, board);
  const networkBar = perf.layers.length ? networkErrorBar(board.yosysFamily) : undefined;
  const synthModel = options.synth === true || options.synth === "model" || options.synth === "all";
  const synthCompare = options.synth === true || options.synth === "all";
  const synthesis = synthModel ? await synthesize(model, board, progress) : undefined;
  const used = synthesis ?? { ...perf.total.resources, carry: undefined };
  const measured = options.verification?.toggles;
  const power = estimatePower(
    { lut: used.lut, ff: used.ff, dsp: used.dsp, bramBits: used.bramBits, carry: used.carry },
    board,
    measured ? { toggleRate: measured.rate, toggleSource: "measured" } : {},
  );
  const energy = energyPerInference(model);
  progress("report: datapath comparison");
  const comparison = await compareKernels(model, board, COMPARE_KERNELS, { synth: synthCompare, onProgress: progress });
  const v = options.verification;
  // the streaming design's own roofline: DRAM for the model input and output only (boards with DRAM)
  const roof = board.dram.gbPerSecond > 0 ? streamingRoofline(model, board, perf.total.intervalCycles, energy) : undefined;
  return {
    generator: `quantrtl ${packageVersion()}`,
    createdAt: options.createdAt ?? new Date().toISOString(),
    model: { name: model.name, hash: model.hash, layers: model.layers.length },
    board: {
      name: board.name,
      title: board.title,
      part: board.part,
      clockMHz: board.clockMHz,
      resources: { lut: board.resources.lut, ff: board.resources.ff, dsp: board.resources.dsp, bramBits: board.resources.bramBits },
    },
    ...(options.accuracy ? { accuracy: accuracySection(options.accuracy) } : {}),
    ...(v
      ? {
          verification: {
            ...(options.proof?.length
              ? {
                  proof: options.proof.map((r) => ({
                    sim: r.sim,
                    vectors: r.vectors,
                    compared: r.compared,
                    matched: r.matched,
                    bitExact: r.bitExact,
                    backpressure: r.backpressure,
                  })),
                }
              : {}),
            sim: v.sim,
            vectors: v.vectors,
            compared: v.compared,
            matched: v.matched,
            bitExact: v.bitExact,
            cycles: v.cycles,
            predictedCycles: v.predicted.cycles,
          },
        }
      : {}),
    performance: {
      layers: perf.layers.map((l) => ({
        name: l.name,
        datapath: l.datapath,
        pe: l.pe,
        simd: l.simd,
        idealCycles: l.idealCycles,
        fillCycles: l.fillCycles,
        latencyCycles: l.latencyCycles,
        intervalCycles: l.intervalCycles,
        utilization: l.utilization,
      })),
      total: {
        latencyCycles: perf.total.latencyCycles,
        intervalCycles: perf.total.intervalCycles,
        latencyUs: perf.total.latencyUs,
        framesPerSecond: perf.total.framesPerSecond,
        utilization: perf.total.utilization,
      },
    },
    resources: {
      estimate: perf.total.resources,
      ...(perf.layers.length ? { estimateErrorBar: { family: board.yosysFamily, ...errorBars(board.yosysFamily) } } : {}),
      ...(perf.units.length
        ? { units: sumResources(perf.units), unitErrorBar: { family: board.yosysFamily, ...errorBars(board.yosysFamily, undefined, "units") } }
        : {}),
      ...(networkBar ? { networkErrorBar: { family: board.yosysFamily, ...networkBar } } : {}),
      ...(synthesis
        ? {
            synthesis: {
              lut: synthesis.lut,
              ff: synthesis.ff,
              dsp: synthesis.dsp,
              bramBits: synthesis.bramBits,
              carry: synthesis.carry,
              latches: synthesis.latches,
              yosys: synthesis.yosys,
            },
          }
        : {}),
    },
    power: {
      staticW: power.staticW,
      dynamicW: power.dynamicW,
      totalW: power.totalW,
      breakdown: power.breakdown,
      toggleRate: power.toggleRate,
      toggleSource:
        power.toggleSource === "default"
          ? `default ${power.toggleRate * 100} %`
          : `measured in ${options.verification!.sim} on ${options.verification!.vectors} vector(s): ${measured!.changes} bit changes over ${measured!.bits} bits x ${measured!.cycles} cycles${measured!.runCycles ? ` (the first ${measured!.cycles} of the run's ${measured!.runCycles}: the trace is bounded in size)` : ""}`,
    },
    energy: {
      totalPicojoules: energy.energyPicojoules.total,
      computePicojoules: energy.energyPicojoules.compute,
      sramPicojoules: energy.energyPicojoules.sram,
      dramPicojoules: energy.energyPicojoules.dram,
    },
    ...(roof ? { roofline: roof } : {}),
    comparison: {
      kernels: comparison.kernels,
      ...(comparison.not_applicable ? { not_applicable: comparison.not_applicable } : {}),
      published: ADDERNET_PUBLISHED,
      ...(comparison.paper_setting ? { paper_setting: comparison.paper_setting } : {}),
      ...(comparison.paper_setting_16bit ? { paper_setting_16bit: comparison.paper_setting_16bit } : {}),
    },
    ...(options.boardFiles?.length ? { boardFiles: options.boardFiles } : {}),
  };
}

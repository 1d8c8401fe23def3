import { KernelFigures, PaperSetting, PUBLISHED_ADDERNET } from "../estimate/comparison.js";

/**
 * The report a run produces: plain, readonly, JSON-serialisable data. report.json
 * is this object verbatim; schemas/report.schema.json publishes its shape.
 * Optional sections are absent (not null) when their step did not run.
 */

/** LUT / FF / DSP counts and block-RAM bits — one shape for board capacity, estimate and synthesis. */
export interface ReportResources {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bramBits: number;
}

/** Per resource: relative RMS on held-out designs, worst relative and worst absolute error of the fit. */
export interface ReportErrorBar {
  readonly family: string;
  readonly lut: ReportErrorFigures;
  readonly ff: ReportErrorFigures;
  readonly dsp: ReportErrorFigures;
  readonly bramBits: ReportErrorFigures;
}

export interface ReportErrorFigures {
  readonly relRms: number;
  readonly relWorst: number;
  readonly absAtZero: number;
}

export interface ReportModel {
  readonly name: string;
  /** Content hash of the model (the one every generated file's header names). */
  readonly hash: string;
  readonly layers: number;
}

export interface ReportBoard {
  readonly name: string;
  readonly title: string;
  readonly part: string;
  readonly clockMHz: number;
  /** Device capacity, the denominator of every "fraction of the board". */
  readonly resources: ReportResources;
}

/** One run of the bit-exact proof (the main job's: each simulator, real inputs, random back-pressure). */
export interface ReportProofRun {
  readonly sim: string;
  readonly vectors: number;
  readonly compared: number;
  readonly matched: number;
  readonly bitExact: boolean;
  /** Probability of a stalled output cycle. */
  readonly backpressure: number;
}

/** Top-1 on a dataset: the float model's (by its runtime) and the integer golden's, and how often they agree. Top-1 figures are absent without labels. */
export interface ReportAccuracy {
  readonly dataset: string;
  readonly images: number;
  readonly floatTop1?: number;
  readonly integerTop1?: number;
  readonly agreement?: number;
  /** What ran the float model ("onnxruntime", "tfjs"). */
  readonly floatRuntime?: string;
}

/** Verilator / Icarus run against the golden vectors. */
export interface ReportVerification {
  /** The bit-exact proof runs, when the report is the main job's; the fields below are then the cycle-measurement run. */
  readonly proof?: readonly ReportProofRun[];
  readonly sim: string;
  readonly vectors: number;
  /** Output words compared and words equal to the golden reference. */
  readonly compared: number;
  readonly matched: number;
  readonly bitExact: boolean;
  /** Cycles measured in simulation, beside the cycle model's prediction. */
  readonly cycles: number;
  readonly predictedCycles: number;
}

export interface ReportLayerPerf {
  readonly name: string;
  readonly datapath: string;
  readonly pe: number;
  readonly simd: number;
  /** NF · SF · output pixels: the cycles with no stall and no fill. */
  readonly idealCycles: number;
  readonly fillCycles: number;
  readonly latencyCycles: number;
  readonly intervalCycles: number;
  /** idealCycles / intervalCycles, in [0, 1]. */
  readonly utilization: number;
}

export interface ReportPerformance {
  readonly layers: readonly ReportLayerPerf[];
  readonly total: {
    readonly latencyCycles: number;
    readonly intervalCycles: number;
    readonly latencyUs: number;
    readonly framesPerSecond: number;
    readonly utilization: number;
  };
}

export interface ReportSynthesis extends ReportResources {
  readonly carry: number;
  readonly latches: number;
  /** Yosys version string that produced the figures. */
  readonly yosys: string;
}

export interface ReportPower {
  /** Watts. */
  readonly staticW: number;
  readonly dynamicW: number;
  readonly totalW: number;
  /** Dynamic power per resource class, watts. */
  readonly breakdown: {
    readonly logic: number;
    readonly ff: number;
    readonly dsp: number;
    readonly bram: number;
    readonly clock: number;
  };
  /** Average toggle rate per clock, in [0, 1]. */
  readonly toggleRate: number;
  /** Where the toggle rate came from ("simulation", "default 12.5 %", ...). */
  readonly toggleSource: string;
}

/** ASIC-style energy per frame from published 45 nm per-operation figures, picojoules. */
export interface ReportEnergy {
  readonly totalPicojoules: number;
  readonly computePicojoules: number;
  readonly sramPicojoules: number;
  readonly dramPicojoules: number;
}

/** One roofline point: operations per byte against operations per second, with its roofs. */
export interface ReportRooflinePoint {
  readonly name: string;
  /** Arithmetic intensity, operations per byte. */
  readonly intensity: number;
  /** Attained performance, GOP/s. */
  readonly performance: number;
  /** Compute roof, GOP/s. */
  readonly peak: number;
  /** Memory roof slope, GB/s. */
  readonly bandwidth: number;
  /** Which memory the point is placed against: DRAM (the model input and output) or the layer's on-chip memories. */
  readonly memory?: "dram" | "on-chip";
  /** Bytes per frame from and to DRAM. */
  readonly dramBytes?: number;
  /** Bytes per frame from on-chip weight ROM and activation buffers. */
  readonly onChipBytes?: number;
}

/** One datapath's figures for the same network (field names as in `quantrtl compare --json`). */
export type ReportKernelFigures = KernelFigures;

/** The AdderNet hardware paper's published reductions (adder vs. multiplier CNN, same architecture). */
export interface ReportPublished {
  /** Range, percent. */
  readonly logicReductionPct: readonly [number, number];
  readonly powerReductionPct: readonly [number, number];
  readonly speedupPct: number;
  readonly source: string;
  readonly setting: string;
}

export interface ReportComparison {
  /** Keyed by datapath ("mac", "adder", "xnor", "shift"); "mac" is the baseline when present. */
  readonly kernels: { readonly [kernel: string]: ReportKernelFigures };
  /** Datapaths the model cannot be rebuilt with, and why (e.g. xnor on an integer ViT block). */
  readonly not_applicable?: { readonly [kernel: string]: string };
  readonly published: ReportPublished;
  /** The paper's setting (adder-nodsp vs. mac-nodsp), its savings and the reasons ours lies outside the published range. */
  readonly paper_setting?: PaperSetting;
  /** The same two builds rebuilt at 16 bits (estimate). */
  readonly paper_setting_16bit?: PaperSetting;
}

/** Files a build wrote for a board beside its RTL (AXI IP and Vivado scripts, or the iCE40 bitstream). */
export interface ReportBoardFiles {
  /** What they are, in a few words. */
  readonly what: string;
  /** Their folder, relative to the build's output folder. */
  readonly dir: string;
  /** Relative to `dir`. */
  readonly files: readonly string[];
}

export interface QuantrtlReport {
  /** "quantrtl <version>". */
  readonly generator: string;
  /** ISO 8601 timestamp. */
  readonly createdAt: string;
  readonly model: ReportModel;
  readonly board: ReportBoard;
  readonly accuracy?: ReportAccuracy;
  readonly verification?: ReportVerification;
  readonly performance: ReportPerformance;
  readonly resources: {
    readonly estimate: ReportResources;
    /** The fitted resource model's error on its reference designs (hw/resource-model.json). */
    readonly estimateErrorBar?: ReportErrorBar;
    /** The share of `estimate` from the units outside the engines (forks, FIFOs, pools, adds, ViT units, …). */
    readonly units?: ReportResources;
    /** The stream-unit model's error on its reference designs. */
    readonly unitErrorBar?: ReportErrorBar;
    /** The estimate's error on whole networks of this family synthesized by Yosys (hw/network-validation.json). */
    readonly networkErrorBar?: ReportErrorBar & { readonly networks: number };
    readonly synthesis?: ReportSynthesis;
  };
  readonly power?: ReportPower;
  readonly energy?: ReportEnergy;
  readonly roofline?: readonly ReportRooflinePoint[];
  readonly comparison?: ReportComparison;
  /** What `build` wrote for the board beside the RTL. */
  readonly boardFiles?: readonly ReportBoardFiles[];
}

/** The published figures from the AdderNet hardware paper (docs/figures.md), one definition in flows/compare.ts. */
export const ADDERNET_PUBLISHED: ReportPublished = PUBLISHED_ADDERNET;

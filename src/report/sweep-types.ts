/** The design-space sweep's result as written to sweep.json (schemas/cli-sweep.schema.json) and rendered to CSV and HTML. */
import type { Datapath } from "../arith/datapath.js";

/** One point of the space: a board, a datapath at a width, and a folding cap for every engine (null: as in the model). */
export interface SweepPoint {
  readonly board: string;
  readonly datapath: Datapath;
  /** Operand width of the rebuilt engines (xnor: 1). */
  readonly bits: number;
  /** PE of every engine, capped at its output channels; null keeps each engine's own. */
  readonly pe: number | null;
  /** SIMD lanes of every engine, capped at its reduction length; null keeps each engine's own. */
  readonly simd: number | null;
}

/** The lists a sweep crosses (space.json, or the flags). */
export interface SweepSpace {
  readonly boards: readonly string[];
  readonly datapaths: readonly Datapath[];
  /** null: the model's own width for its datapath, 8 bits for a rebuild. */
  readonly bits: readonly (number | null)[];
  readonly pe: readonly (number | null)[];
  readonly simd: readonly (number | null)[];
}

export interface SweepResources {
  readonly lut: number;
  readonly ff: number;
  readonly dsp: number;
  readonly bramBits: number;
}

/** What one point costs and delivers; the same whichever process computed it. */
export interface SweepFigures extends SweepResources {
  /** One frame, first input to last output (streaming model). */
  readonly cycles: number;
  /** Cycles between frames in steady state: sets frames/s. */
  readonly intervalCycles: number;
  readonly framesPerSecond: number;
  /** False when the design was too large to step and the cycles are bounds. */
  readonly exact: boolean;
  readonly powerW: number;
  /** Whether the resources fit the board (each at most 100 %). */
  readonly fits: boolean;
  /** The resources over 100 % of the board. */
  readonly over: readonly string[];
  /** Where lut/ff/dsp/bramBits/powerW come from. */
  readonly source: "estimate" | "synthesis";
  /** The Yosys-fitted estimate, when the figures above are synthesis's. */
  readonly estimate?: SweepResources;
  /** The bit-exact proof of the point's generated RTL (with --verify). */
  readonly proof?: SweepProof;
}

/** A point's proof in Verilator (verify/index.ts verifyModel) on seeded random vectors. */
export interface SweepProof {
  readonly sim: "verilator";
  readonly vectors: number;
  readonly seed: number;
  /** Probability of a stall cycle on each stream during the run. */
  readonly backpressure: number;
  readonly bitExact: boolean;
  /** `verilator --lint-only -Wall` was silent. */
  readonly lintClean: boolean;
  readonly compared: number;
  readonly matched: number;
  /** Cycles the RTL took for all the vectors (with the stalls). */
  readonly cycles: number;
  /** The first difference, when not bit-exact. */
  readonly firstMismatch?: string;
  /** The point's design folder (rtl/, vectors/, sim/), relative to the sweep's folder. */
  readonly designDir: string;
}

/** Top-1 of the point's model on a dataset, or why it has none. */
export type SweepAccuracy = { readonly dataset: string; readonly images: number; readonly integerTop1: number } | { readonly notMeasured: string };

export interface SweepPointResult extends SweepPoint, SweepFigures {
  /** Content address of the point: model hash + point + quantrtl version. */
  readonly id: string;
  /** Not dominated in frames/s (higher), LUT and power (lower) among the points that fit. */
  readonly pareto: boolean;
  /** On the 2-D front of frames/s against LUT. */
  readonly paretoLut: boolean;
  /** On the 2-D front of frames/s against power. */
  readonly paretoPower: boolean;
  /** With --dataset: the point's top-1 (folding does not change the numbers; a rebuilt datapath has no trained weights). */
  readonly accuracy?: SweepAccuracy;
}

export interface SweepResult {
  readonly quantrtlSweep: 1;
  readonly version: string;
  readonly model: { readonly name: string; readonly hash: string };
  readonly space: SweepSpace;
  readonly points: readonly SweepPointResult[];
  /** Points the model cannot be rebuilt for, with the reason. */
  readonly notApplicable: readonly (SweepPoint & { readonly reason: string })[];
}

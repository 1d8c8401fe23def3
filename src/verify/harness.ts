/** What a simulator harness reports (both Verilator's C++ harness and the Icarus testbench). */
import { etaReporter } from "../util/progress.js";

export interface HarnessMismatch {
  readonly index: number;
  readonly cycle: number;
  readonly expected: number;
  readonly actual: number;
}

/** Words seen on one per-layer tap. */
export interface TapResult {
  readonly compared: number;
  readonly matched: number;
  readonly expectedWords: number;
  /** Cycle of the first word past expectedWords (-1: none came). */
  readonly extraCycle: number;
  /** Index >= expectedWords: a word past the golden count. */
  readonly mismatches: readonly HarnessMismatch[];
}

export interface HarnessResult {
  readonly compared: number;
  readonly matched: number;
  readonly expectedWords: number;
  readonly inputsConsumed: number;
  /** First input handshake to last output handshake, inclusive (golden words only). */
  readonly cycles: number;
  /** First input handshake to the last golden word on any stream (output or tap), inclusive. */
  readonly drainCycles: number;
  /** Cycle of the first output word past expectedWords (-1: none came). */
  readonly extraCycle: number;
  readonly simCycles: number;
  /** Verilator: the VCD reached its size bound (vcdMaxBytes) and stopped before the run ended. */
  readonly vcdCut?: boolean;
  /** Stopped by a cycle limit (maxCycles, or drainCycles after the output finished) with golden words still missing. */
  readonly timeout: boolean;
  /** Per vector: its first input to its last output, inclusive. */
  readonly frameCycles: readonly number[];
  readonly mismatches: readonly HarnessMismatch[];
  /** Per tap, in the order of HarnessRun.taps. */
  readonly taps?: readonly TapResult[];
}

/** A per-layer tap of the top (tap<layer>_fire / tap<layer>_data) and the golden words it must carry. */
export interface HarnessTap {
  readonly layer: number;
  readonly bits: number;
  readonly file: string;
  readonly count: number;
}

export interface HarnessRun {
  /** Folder holding the RTL and its ROM images (the simulator runs here). */
  readonly rtlDir: string;
  readonly sources: readonly string[];
  readonly top: string;
  readonly inputFile: string;
  readonly expectFile: string;
  readonly inCount: number;
  readonly outCount: number;
  readonly inBits: number;
  readonly outBits: number;
  readonly frameIn: number;
  readonly frameOut: number;
  readonly stall: number;
  readonly seed: number;
  /** Deadlock guard: the whole run. */
  readonly maxCycles: number;
  /** After the last output word, how long the taps may take to deliver their remaining golden words. */
  readonly drainCycles: number;
  /** After every stream has its golden words, how long to watch for words past the golden count. */
  readonly settleCycles: number;
  /** Cycles the run should take (no stalls): long runs get an optimised C++ build, short ones a fast-compiling one. */
  readonly expectedCycles?: number;
  readonly vcd?: string;
  /** Verilator: stop tracing once the VCD is this large (the run goes on); the VCD then covers the first cycles only. Icarus traces the whole run. */
  readonly vcdMaxBytes?: number;
  /** Verilator: stop tracing once every stream has its golden words (the settle window after it is idle). */
  readonly vcdStopAtDone?: boolean;
  /** Verilator: build with trace support even when this run writes no VCD (the cached build then serves a traced run too). */
  readonly tracedBuild?: boolean;
  readonly taps?: readonly HarnessTap[];
  /**
   * The design's loadable weight RAMs (codegen/weight-load.ts): the top's wl_valid / wl_data / loaded
   * ports take `count` bytes from `file` (hex, one byte a line, in rtlDir) after reset, before the vectors.
   */
  readonly load?: { readonly file: string; readonly count: number };
  readonly onProgress?: (message: string) => void;
}

export interface Simulator {
  readonly name: "verilator" | "icarus";
  run(h: HarnessRun): Promise<HarnessResult>;
}

/**
 * The harness's QUANTRTL_PROGRESS lines (every few thousand cycles) as progress with an ETA,
 * against the cycles the run should take without stalls.
 */
export function simProgress(sim: string, h: Pick<HarnessRun, "expectedCycles" | "onProgress">): (line: string) => void {
  // the cycles without stalls: a stream design's frames overlap, so stalls lengthen a run far less than 1 / (1 − p)
  const total = h.expectedCycles ?? Infinity;
  const tick = etaReporter(`${sim}: simulating`, total, h.onProgress, "cycles");
  return (line) => {
    if (line.startsWith("QUANTRTL_PROGRESS ")) tick(Number(line.slice("QUANTRTL_PROGRESS ".length)));
  };
}

/** What a simulator harness reports (both Verilator's C++ harness and the Icarus testbench). */
export interface HarnessMismatch {
  readonly index: number;
  readonly cycle: number;
  readonly expected: number;
  readonly actual: number;
}

export interface HarnessResult {
  readonly compared: number;
  readonly matched: number;
  readonly expectedWords: number;
  readonly inputsConsumed: number;
  /** First input handshake to last output handshake, inclusive. */
  readonly cycles: number;
  readonly simCycles: number;
  readonly timeout: boolean;
  /** Per vector: its first input to its last output, inclusive. */
  readonly frameCycles: readonly number[];
  readonly mismatches: readonly HarnessMismatch[];
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
  readonly maxCycles: number;
  readonly vcd?: string;
  readonly onProgress?: (message: string) => void;
}

export interface Simulator {
  readonly name: "verilator" | "icarus";
  run(h: HarnessRun): Promise<HarnessResult>;
}
